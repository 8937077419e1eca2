package model

import "time"

// Audit actions of outbound faxing.
const (
	ActionFaxSubmitted  = "fax.submitted"
	ActionFaxCanceled   = "fax.canceled"
	ActionTrunkCreated  = "trunk.created"
	ActionTrunkUpdated  = "trunk.updated"
	ActionTrunkDeleted  = "trunk.deleted"
	ActionCIDCreated    = "cid.created"
	ActionCIDUpdated    = "cid.updated"
	ActionCIDDeleted    = "cid.deleted"
	ActionChannelCapSet = "settings.channel_cap"
)

// FaxDirection says whether faxgate sent or received a fax.
type FaxDirection string

const (
	Outbound FaxDirection = "outbound"
	Inbound  FaxDirection = "inbound"
)

// Valid reports whether d is a known direction.
func (d FaxDirection) Valid() bool { return d == Outbound || d == Inbound }

// FaxStatus is where a fax is in its life. Outbound: queued -> sending ->
// (retrying -> sending ...) -> delivered | failed | canceled. Inbound:
// receiving -> received | failed.
type FaxStatus string

const (
	FaxQueued    FaxStatus = "queued"
	FaxSending   FaxStatus = "sending"
	FaxRetrying  FaxStatus = "retrying"
	FaxDelivered FaxStatus = "delivered"
	FaxFailed    FaxStatus = "failed"
	FaxCanceled  FaxStatus = "canceled"
	FaxReceiving FaxStatus = "receiving"
	FaxReceived  FaxStatus = "received"
)

// Valid reports whether s is a known status.
func (s FaxStatus) Valid() bool {
	switch s {
	case FaxQueued, FaxSending, FaxRetrying, FaxDelivered, FaxFailed, FaxCanceled, FaxReceiving, FaxReceived:
		return true
	}
	return false
}

// Final reports whether nothing will happen to a fax in status s any more.
func (s FaxStatus) Final() bool {
	return s == FaxDelivered || s == FaxFailed || s == FaxCanceled || s == FaxReceived
}

// FaxSource is the channel a fax was submitted through.
type FaxSource string

const (
	SourceWeb      FaxSource = "web"
	SourceAPI      FaxSource = "api"
	SourceEmail    FaxSource = "email"
	SourceCampaign FaxSource = "campaign"
	// SourceSIP marks inbound faxes: received over a SIP call.
	SourceSIP FaxSource = "sip"
)

// Valid reports whether s is a known source.
func (s FaxSource) Valid() bool { return s.Submittable() || s == SourceSIP }

// Submittable reports whether outbound faxes (and trunks' allowed
// sources) may use s: web, api, email or campaign.
func (s FaxSource) Submittable() bool {
	return s == SourceWeb || s == SourceAPI || s == SourceEmail || s == SourceCampaign
}

// Cause classifies why an attempt (and a fax) failed; "" means it did not.
// Retry policies are defined per cause.
type Cause string

const (
	CauseNone           Cause = ""
	CauseBusy           Cause = "busy"            // the line was busy (SIP 486/600)
	CauseNoAnswer       Cause = "no_answer"       // it rang out (SIP 480/408 or the ring timeout)
	CauseRejected       Cause = "rejected"        // the network or far end refused the call (403/603, ...)
	CauseUnreachable    Cause = "unreachable"     // the number does not exist or cannot be routed (404/484/410/604)
	CauseFaxNegotiation Cause = "fax_negotiation" // answered, but no fax handshake (voice, incompatible, training)
	CauseFaxTransfer    Cause = "fax_transfer"    // the page transfer broke down or the call dropped mid-fax
	CauseNetwork        Cause = "network"         // the trunk or network failed (5xx, transport errors)
	CauseCanceled       Cause = "canceled"        // a user canceled the fax
	CauseInternal       Cause = "internal"        // faxgate failed (file, engine, crash: "interrupted")
)

// Valid reports whether c is a known cause (including none).
func (c Cause) Valid() bool {
	switch c {
	case CauseNone, CauseBusy, CauseNoAnswer, CauseRejected, CauseUnreachable, CauseFaxNegotiation,
		CauseFaxTransfer, CauseNetwork, CauseCanceled, CauseInternal:
		return true
	}
	return false
}

// AttemptStatus is where one call is: dialing -> ringing -> connected ->
// completed | failed (a call may fail in any state).
type AttemptStatus string

const (
	AttemptDialing   AttemptStatus = "dialing"
	AttemptRinging   AttemptStatus = "ringing"
	AttemptConnected AttemptStatus = "connected"
	AttemptCompleted AttemptStatus = "completed"
	AttemptFailed    AttemptStatus = "failed"
)

// Ended reports whether the call is over.
func (s AttemptStatus) Ended() bool { return s == AttemptCompleted || s == AttemptFailed }

// Transport is how the fax travelled on an answered call.
type Transport string

const (
	TransportNone Transport = ""
	TransportT38  Transport = "t38"
	TransportG711 Transport = "g711"
)

// CoverPage asks for a cover page in front of the document.
type CoverPage struct {
	Enabled  bool
	Subject  string
	Comments string
}

// Fax is one fax, outbound or inbound. For outbound faxes, Pages is what is
// sent (document pages, plus one when a cover page is prepended) and
// PagesSent what the far end confirmed on the best attempt.
type Fax struct {
	ID        string
	TenantID  string
	UserID    string // submitter; "" for the system or a deleted user
	Direction FaxDirection
	Status    FaxStatus
	Source    FaxSource

	To         string // E.164 destination
	CallerID   string // E.164 caller ID shown to the far end; "" = none
	Title      string
	DocumentID string
	Pages      int
	PagesSent  int
	CoverPage  CoverPage

	// Retries is how many further tries a failed try may get (0..10);
	// RetryDelay the pause before each.
	Retries    int
	RetryDelay time.Duration
	SendAt     time.Time // not before; zero = at once

	IdempotencyKey string
	// RequestHash fingerprints the submitted request, so that reusing an
	// idempotency key for a different request is refused.
	RequestHash string

	// Tries counts the tries started; NextTry/NextLeg name the job that may
	// run next (a try has one leg per trunk it fails over to); NextAttemptAt
	// is when it is due; Fallback is the fax-error fallback reached (0 as
	// configured, 1 ECM off, 2 also at most 9600 bit/s).
	Tries         int
	NextTry       int
	NextLeg       int
	NextAttemptAt time.Time
	Fallback      int

	// Cause and ResultText describe the last attempt's outcome (the final
	// one once the fax is done).
	Cause           Cause
	ResultText      string
	RemoteStationID string

	// CancelRequested is set when a user cancels a fax whose call is in
	// progress; the node running the call hangs up and cancels it.
	CancelRequested bool
	CampaignID      string

	CreatedAt   time.Time
	UpdatedAt   time.Time
	CompletedAt time.Time

	// Attempts are filled in by the services' Get, oldest first.
	Attempts []Attempt
}

// Attempt is one call of a fax: the CDR row.
type Attempt struct {
	ID        string
	FaxID     string
	TenantID  string
	Try       int // 1-based try number
	Leg       int // 1-based trunk within the try (failover)
	TrunkID   string
	TrunkName string
	Node      string // the faxgate process that placed the call
	Status    AttemptStatus

	DialedNumber string // as sent to the trunk, after its dial rules
	CallerID     string
	ECM          bool // as offered (the outcome's ECM is ECMUsed)
	MaxBitRate   int  // 0: the line's maximum

	StartedAt  time.Time
	AnsweredAt time.Time
	EndedAt    time.Time

	// SIPCode is the final call-setup response (200 answered, 486 busy,
	// ...); T30Code the fax engine's completion code (-1: no fax phase).
	SIPCode    int
	T30Code    int
	ResultText string
	Cause      Cause

	Pages           int // pages the far end confirmed
	BitRate         int
	ECMUsed         bool
	Transport       Transport
	RemoteStationID string

	// SIP is the call's SIP record (Call-ID, final status, codec, T.38
	// parameters, packet counters) once a SIP call ended; nil for calls on
	// other lines, calls still running, and where a reader does not load it.
	SIP *SIPCall
}

// ResultCode is the attempt's single result code: the T.30 completion code
// once the fax engine ran, else the SIP response code.
func (a Attempt) ResultCode() int {
	if a.T30Code >= 0 && !a.AnsweredAt.IsZero() {
		return a.T30Code
	}
	return a.SIPCode
}

// FaxEvent is one line of a fax's timeline.
type FaxEvent struct {
	ID       string
	FaxID    string
	TenantID string
	At       time.Time
	Kind     FaxEventKind
	Try      int
	Detail   string
}

// FaxEventKind names a timeline event.
type FaxEventKind string

// Timeline events.
const (
	EventQueued          FaxEventKind = "queued"
	EventDialing         FaxEventKind = "dialing"
	EventRinging         FaxEventKind = "ringing"
	EventConnected       FaxEventKind = "connected"
	EventPageSent        FaxEventKind = "page_sent"
	EventAttemptFailed   FaxEventKind = "attempt_failed"
	EventInterrupted     FaxEventKind = "interrupted"
	EventFailover        FaxEventKind = "failover"
	EventRetrying        FaxEventKind = "retrying"
	EventDelivered       FaxEventKind = "delivered"
	EventFailed          FaxEventKind = "failed"
	EventCancelRequested FaxEventKind = "cancel_requested"
	EventCanceled        FaxEventKind = "canceled"
)

// Usage counts the pages and faxes a tenant delivered in one period: a day
// ("2006-01-02") or a month ("2006-01"), in UTC.
type Usage struct {
	TenantID string
	Period   string
	Pages    int
	Faxes    int
}

// UsagePeriods returns the day and month periods that contain t (UTC).
func UsagePeriods(t time.Time) (day, month string) {
	t = t.UTC()
	return t.Format("2006-01-02"), t.Format("2006-01")
}
