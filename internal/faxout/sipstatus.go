package faxout

import "time"

// TrunkRegistration is the REGISTER state of a SIP trunk with register on,
// as the node that runs the registration last saw it: for the trunk API
// and the portal. State is "registering" (no answer yet), "registered" or
// "failed" (Status and Error say why; Next is the retry).
type TrunkRegistration struct {
	State   string
	Status  int
	Error   string
	Expires time.Duration // the lifetime the registrar granted
	At      time.Time     // when the last outcome came
	Next    time.Time     // when the next REGISTER goes out
}

// Registration states.
const (
	RegRegistering = "registering"
	RegRegistered  = "registered"
	RegFailed      = "failed"
)

// RegistrationSource returns the registration of a trunk (ok false: the
// trunk does not register, or this node runs no SIP listener).
type RegistrationSource func(trunkID string) (TrunkRegistration, bool)
