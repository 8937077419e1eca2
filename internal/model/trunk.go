package model

import (
	"slices"
	"time"
)

// Id prefixes of the outbound fax objects.
const (
	PrefixTrunk    = "trk"
	PrefixCallerID = "cid"
	PrefixFax      = "fax"
	PrefixAttempt  = "att"
	PrefixFaxEvent = "fev"
	PrefixLease    = "lse"
)

// TestTrunkID is the id of the test line created by migration 00003 on a
// fresh installation (the admin may disable or delete it).
const TestTrunkID = "trk_testlinedefault2"

// TrunkKind says how a trunk places calls: "test" runs every call through
// the real fax engine to a simulated fax machine; "sip" dials a carrier.
type TrunkKind string

const (
	TrunkTest TrunkKind = "test"
	TrunkSIP  TrunkKind = "sip"
)

// Valid reports whether k is a known kind.
func (k TrunkKind) Valid() bool { return k == TrunkTest || k == TrunkSIP }

// TrunkSpeed is how fast a test trunk's simulated line runs: "realtime"
// takes as long as a real call, "fast" simulates the call's time (a minute
// of fax in milliseconds).
type TrunkSpeed string

const (
	SpeedFast     TrunkSpeed = "fast"
	SpeedRealtime TrunkSpeed = "realtime"
)

// Valid reports whether s is a known speed.
func (s TrunkSpeed) Valid() bool { return s == SpeedFast || s == SpeedRealtime }

// T38Policy is when a trunk switches a call from audio (G.711) to T.38:
// never (off), when the far end asks (accept), by asking itself after the
// answer and falling back to audio (request), or only T.38 (require).
type T38Policy string

const (
	T38Off     T38Policy = "off"
	T38Accept  T38Policy = "accept"
	T38Request T38Policy = "request"
	T38Require T38Policy = "require"
)

// Valid reports whether p is a known policy.
func (p T38Policy) Valid() bool {
	return p == T38Off || p == T38Accept || p == T38Request || p == T38Require
}

// DialRules decide which numbers a trunk may dial and how a number in E.164
// is rewritten into what the trunk dials. Patterns are matched against the
// E.164 form ("+15551234567"); see package phone for their syntax.
type DialRules struct {
	// Allow lists the patterns a number must match (empty: every number).
	Allow []string
	// Deny lists patterns that are never dialled; checked before Allow.
	Deny []string
	// Rewrites are tried in order; the first whose Strip prefix the number
	// starts with replaces that prefix by Add. No match: dial E.164 as is.
	Rewrites []Rewrite
}

// Rewrite replaces a leading Strip (e.g. "+1") by Add (e.g. "1" or "011").
type Rewrite struct {
	Strip string
	Add   string
}

// Trunk is an admin-managed line that carries outbound calls. The SIP
// fields are stored for the SIP trunk kind; the test kind ignores them.
type Trunk struct {
	ID   string
	Name string
	Kind TrunkKind
	// Speed applies to the test kind only.
	Speed TrunkSpeed
	// Priority orders trunks: the lowest value is tried first, and the next
	// ones take over when it is full or fails.
	Priority int
	// MaxChannels caps the calls in progress on this trunk across every
	// node (enforced with leases in the database). At least 1.
	MaxChannels int
	DialRules   DialRules
	// TenantIDs lists the tenants that may use the trunk; empty means all.
	TenantIDs []string
	Enabled   bool
	// FaxSources lists the fax sources (web, api, email, campaign) that
	// may use the trunk; empty means all.
	FaxSources []FaxSource
	// AllowedSources lists the addresses (IPs or CIDR prefixes, in
	// canonical form) a SIP trunk's inbound calls may come from; empty
	// means the trunk host's addresses. A call from anywhere else is
	// refused with 403 (once any SIP trunk exists).
	AllowedSources []string
	// RingTimeout is how long a call may ring before it is given up as not
	// answered (0: DefaultRingTimeout).
	RingTimeout time.Duration

	Host      string
	Port      int
	Transport string // "udp", "tcp" or "tls"
	Username  string
	Password  string // SIP digest secret: needed in clear to answer challenges; never shown by the API
	Register  bool
	T38       T38Policy
	ECM       bool
	// OutboundProxy ("host" or "host:port") receives the trunk's INVITEs
	// instead of Host; "" sends them to Host.
	OutboundProxy string
	// CallerIDFormat is how the calling number is written in From (and
	// P-Asserted-Identity).
	CallerIDFormat CallerIDFormat
	// PAI adds a P-Asserted-Identity header with the caller ID.
	PAI bool
	// Codecs are the G.711 codecs offered, in preference order ("PCMU",
	// "PCMA"); empty means DefaultCodecs.
	Codecs []string
	// V17 allows the 14400 bit/s modem; off tops calls out at 9600 bit/s
	// (V.29) for lines that cannot carry V.17.
	V17 bool
	// UDPTLRedundancy is how many earlier T.38 packets each UDPTL datagram
	// repeats (0: none).
	UDPTLRedundancy int
	// T38MaxDatagram is the T38FaxMaxDatagram we declare (0: 400).
	T38MaxDatagram int

	CreatedAt time.Time
	UpdatedAt time.Time
}

// CallerIDFormat is how a SIP trunk writes the calling number: carriers
// differ on the leading "+".
type CallerIDFormat string

const (
	CallerIDE164   CallerIDFormat = "e164"   // +15551234567
	CallerIDDigits CallerIDFormat = "digits" // 15551234567 (E.164 without "+")
)

// Valid reports whether f is a known format.
func (f CallerIDFormat) Valid() bool { return f == CallerIDE164 || f == CallerIDDigits }

// G.711 codec names of Trunk.Codecs.
const (
	CodecPCMU = "PCMU"
	CodecPCMA = "PCMA"
)

// DefaultCodecs is the codec order of a trunk that sets none.
var DefaultCodecs = []string{CodecPCMU, CodecPCMA}

// Defaults of a SIP trunk's T.38 settings.
const (
	DefaultUDPTLRedundancy = 3
	DefaultT38MaxDatagram  = 400
)

// DefaultRingTimeout is the ring timeout of a trunk that sets none.
const DefaultRingTimeout = 60 * time.Second

// AllowsTenant reports whether the tenant may use the trunk.
func (t Trunk) AllowsTenant(tenantID string) bool {
	return len(t.TenantIDs) == 0 || slices.Contains(t.TenantIDs, tenantID)
}

// AllowsSource reports whether faxes from src may use the trunk.
func (t Trunk) AllowsSource(src FaxSource) bool {
	return len(t.FaxSources) == 0 || slices.Contains(t.FaxSources, src)
}

// RingTimeoutOrDefault returns RingTimeout, or DefaultRingTimeout when unset.
func (t Trunk) RingTimeoutOrDefault() time.Duration {
	if t.RingTimeout <= 0 {
		return DefaultRingTimeout
	}
	return t.RingTimeout
}
