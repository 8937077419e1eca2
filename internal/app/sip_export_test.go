package app

import "time"

// SetInboundLeaseTTL shortens inbound calls' channel leases for a test;
// the returned function restores the default. Not for parallel tests.
func SetInboundLeaseTTL(d time.Duration) (restore func()) {
	old := inboundLeaseTTL
	inboundLeaseTTL = d
	return func() { inboundLeaseTTL = old }
}
