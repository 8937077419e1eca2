package sip

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"faxgate/internal/telephony/rtp"
	"faxgate/internal/telephony/sip/media"
	"faxgate/internal/telephony/t30"
)

// Transport is a SIP transport.
type Transport string

const (
	UDP Transport = "udp"
	TCP Transport = "tcp"
	// TLS is SIP over TLS (RFC 3261 §26.2: "sip:...;transport=tls"); the
	// media stays RTP/UDPTL in clear (no SRTP).
	TLS Transport = "tls"
)

func (t Transport) valid() bool { return t == UDP || t == TCP || t == TLS }

// reliable reports a stream transport (no retransmissions of our 2xx).
func (t Transport) reliable() bool { return t == TCP || t == TLS }

// transportOf maps sipgo's transport name of a received message.
func transportOf(network string) Transport {
	switch strings.ToUpper(network) {
	case "TCP":
		return TCP
	case "TLS":
		return TLS
	}
	return UDP
}

// defaultPort is the transport's port when a host names none.
func (t Transport) defaultPort() int {
	if t == TLS {
		return 5061
	}
	return 5060
}

// sipgo names transports in upper case.
func (t Transport) network() string {
	switch t {
	case TCP:
		return "TCP"
	case TLS:
		return "TLS"
	}
	return "UDP"
}

// T38Mode is when a call moves from G.711 audio to T.38.
type T38Mode string

const (
	// T38Off never uses T.38: far re-INVITEs to T.38 get 488.
	T38Off T38Mode = "off"
	// T38Accept switches when the far end asks (its re-INVITE or an offer
	// with m=image), and never asks itself.
	T38Accept T38Mode = "accept"
	// T38Request also asks itself ReinviteAfter the answer and stays in
	// audio when the far end refuses (488/415/timeout).
	T38Request T38Mode = "request"
	// T38Require asks like request, but a refusal ends the call with cause
	// fax_negotiation.
	T38Require T38Mode = "require"
)

func (m T38Mode) valid() bool {
	return m == T38Off || m == T38Accept || m == T38Request || m == T38Require
}

// Policy is how one call uses the fax line: the trunk's fax settings.
type Policy struct {
	T38 T38Mode
	// ECM enables T.30 error correction (and T.6 on the line).
	ECM bool
	// V17 allows the 14400 bit/s modem; without it the call tops out at
	// 9600 (V.29). MaxBitRate, when set, caps the rate further.
	V17        bool
	MaxBitRate int
	// Redundancy is the number of earlier IFPs repeated in each UDPTL
	// datagram (0 = none); it is cut to fit the far T38FaxMaxDatagram.
	Redundancy int
	// MaxDatagram is the T38FaxMaxDatagram we declare (the largest UDPTL
	// datagram we accept); 0 = 400.
	MaxDatagram int
	// ReinviteAfter is how long after the answer a request/require call
	// sends its own T.38 re-INVITE unless the far end sent one first;
	// 0 = DefaultReinviteAfterOut (outbound) / DefaultReinviteAfterIn.
	ReinviteAfter time.Duration
	// ReinviteTimeout bounds the wait for the final response to our T.38
	// re-INVITE (then: CANCEL, and fall back or fail); 0 = 10 s.
	ReinviteTimeout time.Duration
	// Codecs lists the G.711 codecs in our order of preference, "PCMU"
	// and/or "PCMA"; nil = both, PCMU first.
	Codecs []string
}

// Defaults of Policy and Dial.
const (
	DefaultReinviteAfterOut = 2 * time.Second
	DefaultReinviteAfterIn  = time.Second
	DefaultReinviteTimeout  = 10 * time.Second
	DefaultRingTimeout      = 60 * time.Second
	DefaultMaxDuration      = 2 * time.Hour
	DefaultMaxDatagram      = 400
)

// DefaultPolicy is T.38 request, ECM, V.17, redundancy 3, max datagram
// 400: what works with most carriers.
func DefaultPolicy() Policy {
	return Policy{T38: T38Request, ECM: true, V17: true, Redundancy: 3, MaxDatagram: DefaultMaxDatagram}
}

func (p Policy) check() error {
	if p.T38 == "" {
		p.T38 = T38Off
	}
	if !p.T38.valid() {
		return fmt.Errorf("sip: unknown T.38 policy %q (off, accept, request, require)", p.T38)
	}
	if p.Redundancy < 0 || p.Redundancy > 32 || p.MaxDatagram < 0 || p.MaxBitRate < 0 || p.ReinviteAfter < 0 || p.ReinviteTimeout < 0 {
		return fmt.Errorf("sip: policy value out of range")
	}
	for _, c := range p.Codecs {
		if c != "PCMU" && c != "PCMA" {
			return fmt.Errorf("sip: codec %q is not PCMU or PCMA", c)
		}
	}
	return nil
}

func (p Policy) mode() T38Mode {
	if p.T38 == "" {
		return T38Off
	}
	return p.T38
}

// Auth are digest credentials answering 401/407 challenges.
type Auth struct {
	User, Pass string
}

// Dial is one outbound fax call.
type Dial struct {
	// Target is where to call: a SIP URI ("sip:+15551234@carrier:5060"),
	// or "host[:port]" with the number in User.
	Target string
	User   string
	// CallerID is the From user (an E.164 number, with or without "+");
	// CallerName its display name. "" = anonymous.
	CallerID, CallerName string
	// FromHost is the From URI host; "" = the Target host.
	FromHost string
	// PAssertedIdentity adds P-Asserted-Identity with the caller ID.
	PAssertedIdentity bool
	Auth              Auth
	Transport         Transport // "" = UDP
	// OutboundProxy ("host:port") receives the INVITE instead of Target's
	// host; in-dialog requests follow Record-Route as usual.
	OutboundProxy string
	Policy        Policy
	// TIFFPath is the TIFF-F to send (validated before dialling);
	// StationID our TSI; HeaderInfo the page header text.
	TIFFPath   string
	StationID  string
	HeaderInfo string
	// Timeout gives up an unanswered call: CANCEL, cause no_answer (or
	// unreachable when not even a provisional response came); 0 =
	// DefaultRingTimeout. MaxDuration caps the answered call.
	Timeout     time.Duration
	MaxDuration time.Duration
	// Progress is told about the call's stages. It runs on the call's
	// goroutines and must return at once.
	Progress func(Event)
}

// IncomingCall describes an inbound INVITE for the Handler.
type IncomingCall struct {
	CallID string
	// DID is the dialled number (digits only): the Request-URI user, else
	// the To user, normalised. "" when neither is a number.
	DID string
	// RequestUser and ToUser are the raw user parts.
	RequestUser, ToUser string
	// CallerID is the From user normalised ("" if not a number),
	// CallerName the From display name, FromUser the raw From user.
	CallerID, CallerName, FromUser string
	// AssertedIdentity is the P-Asserted-Identity value, if any.
	AssertedIdentity string
	// Source is where the INVITE came from (the signalling peer).
	Source    netip.AddrPort
	Transport Transport
	// OffersAudio and OffersT38 describe the SDP offer.
	OffersAudio, OffersT38 bool
}

// Receive configures an accepted inbound call.
type Receive struct {
	// RxFile is where the received fax is written (TIFF, T.6).
	RxFile    string
	StationID string // our CSI
	Policy    Policy
	// RingFor sends 180 Ringing and waits this long before answering.
	RingFor     time.Duration
	MaxDuration time.Duration // 0 = DefaultMaxDuration
	Progress    func(Event)
}

// Decision is the Handler's answer to an IncomingCall: accept (Reject 0)
// with Receive, or reject with a SIP status (403, 404, 480, 486, 503...).
type Decision struct {
	Reject  int
	Reason  string // reason phrase; "" = the standard one
	Receive Receive
	// Done receives the result of an accepted call when it is over. It
	// runs on the call's goroutine.
	Done func(CallResult)
}

// Accept returns a Decision accepting the call.
func Accept(r Receive, done func(CallResult)) Decision { return Decision{Receive: r, Done: done} }

// RejectWith returns a Decision rejecting the call with status code.
func RejectWith(code int) Decision { return Decision{Reject: code} }

// Handler decides on inbound calls. It runs on the INVITE's goroutine and
// should return within a few seconds (the caller waits).
type Handler func(ctx context.Context, call IncomingCall) Decision

// ServerAuth makes the UA challenge inbound INVITEs and REGISTERs with
// digest authentication (401). Lookup returns the password of a user.
type ServerAuth struct {
	Realm  string
	Lookup func(user string) (pass string, ok bool)
}

// Config configures a UA.
type Config struct {
	// ListenAddr is "ip:port" for UDP and TCP alike ("127.0.0.1:0" picks
	// a free port).
	ListenAddr string
	// Transports to listen on; nil = UDP and TCP. TLS is configured with
	// TLSListenAddr instead.
	Transports []Transport
	// TLSListenAddr is "ip:port" of the SIP-over-TLS listener ("" = none;
	// port 0 picks a free one), with TLSServer's certificate. Calls and
	// registrations over TLS need it: the far end sends its in-dialog
	// requests (BYE, re-INVITE) to our Contact, which names this port.
	TLSListenAddr string
	TLSServer     *tls.Config
	// TLSClient verifies the servers we connect to over TLS; nil verifies
	// them against the system's roots. The server name checked is the host
	// we dial (the trunk host or outbound proxy, or the far Contact's host
	// for in-dialog requests): a name, or an IP address in the certificate.
	TLSClient *tls.Config
	// PublicIP is the address written in SDP, Contact and Via; the zero
	// value means the listen address, or the local interface towards the
	// peer when listening on all interfaces.
	PublicIP netip.Addr
	// RTPPorts hands out media ports (--rtp-ports); nil = 20000-29999.
	RTPPorts *rtp.PortPool
	// UserAgent is sent in User-Agent/Server headers.
	UserAgent string
	Logger    *slog.Logger
	// Handler decides on inbound calls; nil answers every INVITE 480.
	Handler Handler
	// MaxCalls caps calls in progress (both directions) with 503; 0 = none.
	MaxCalls int
	// SessionExpires and MinSE configure RFC 4028 session timers: the
	// interval we ask for and the smallest we accept. 0 = 1800 s / 90 s;
	// a negative SessionExpires turns our own request off (far requests
	// are still honoured). Values below 90 s break RFC 4028 and are for
	// tests.
	SessionExpires, MinSE time.Duration
	// InboundAuth, when set, challenges inbound INVITEs and REGISTERs.
	InboundAuth *ServerAuth
	// OnRegister, when set, accepts REGISTER requests (after InboundAuth)
	// and is told each binding; nil answers REGISTER 405.
	OnRegister func(Binding)
	// PlayoutDelay is the fixed G.711 jitter buffer; 0 =
	// media.DefaultPlayoutDelay (300 ms), at most 400 ms.
	PlayoutDelay time.Duration
}

// Defaults of Config.
const (
	DefaultSessionExpires = 1800 * time.Second
	DefaultMinSE          = 90 * time.Second
	defaultUserAgent      = "faxgate"
)

// EventKind names a stage of a call.
type EventKind string

const (
	EventTrying    EventKind = "trying"    // INVITE sent / received
	EventRinging   EventKind = "ringing"   // 180/183 received or sent
	EventAnswered  EventKind = "answered"  // 200 OK: the audio fax engine runs
	EventT38       EventKind = "t38"       // switched to T.38
	EventAudio     EventKind = "audio"     // switched (back) to G.711
	EventFallback  EventKind = "fallback"  // T.38 refused, staying in audio
	EventRefresh   EventKind = "refresh"   // session refresh done
	EventNegotiate EventKind = "negotiate" // T.30 phase B (DIS/DCS)
	EventPage      EventKind = "page"      // T.30 phase D: a page is done
	EventFaxDone   EventKind = "fax_done"  // T.30 phase E
	EventHangup    EventKind = "hangup"    // BYE sent or received
)

// Event reports one stage of a call.
type Event struct {
	Kind    EventKind
	At      time.Time
	CallID  string
	SIPCode int // provisional or final status (trying, ringing, answered)
	// Transport is the media in use after the event.
	Transport media.Transport
	// Pages, BitRate, ECM, RemoteIdent: from the fax engine (negotiate,
	// page, fax_done).
	Pages       int
	BitRate     int
	ECM         bool
	RemoteIdent string
	Remote      bool // hangup: the far end hung up
}

// Cause classifies why a call failed; the values are those of
// model.Cause, so the trunk adapter can copy them.
type Cause string

const (
	CauseNone           Cause = ""
	CauseBusy           Cause = "busy"            // 486, 600
	CauseNoAnswer       Cause = "no_answer"       // 408, 480, our ring timeout (CANCEL)
	CauseRejected       Cause = "rejected"        // 403, 603, 3xx, other 4xx/6xx, auth refused
	CauseUnreachable    Cause = "unreachable"     // no response, ICMP/TCP refused, 404/410/484/604
	CauseFaxNegotiation Cause = "fax_negotiation" // 488/606, T.38 required but refused, no fax handshake
	CauseFaxTransfer    Cause = "fax_transfer"    // the page exchange broke down or the call dropped mid-fax
	CauseNetwork        Cause = "network"         // 5xx, in-dialog timeouts, session expiry, lost ACK
	CauseCanceled       Cause = "canceled"        // our context ended the call
	CauseInternal       Cause = "internal"        // our file, engine or socket failed
)

// T38Info is what was negotiated for T.38.
type T38Info struct {
	Version        int
	MaxBitRate     int
	FillBitRemoval bool
	RateManagement string
	UDPEC          string // t38UDPRedundancy, t38UDPFEC or "" (none)
	// FarMaxDatagram is the far T38FaxMaxDatagram (0: absent);
	// MaxDatagram the limit we honoured; Redundancy our depth.
	FarMaxDatagram, MaxDatagram, Redundancy int
}

// CallResult is what happened on a call: the CDR of one attempt.
type CallResult struct {
	CallID   string
	Outbound bool
	// SIPCode and SIPReason are the final response to the initial INVITE
	// (200 when answered; what we sent for inbound calls).
	SIPCode                        int
	SIPReason                      string
	Answered                       bool
	StartedAt, AnsweredAt, EndedAt time.Time
	Cause                          Cause
	// CauseText explains Cause in words (for logs and the CDR).
	CauseText string
	// RemoteHangup reports the far end ended the answered call (BYE)
	// before the fax was done.
	RemoteHangup bool
	// Transport is the media used last ("" if none), Codec the G.711
	// codec ("PCMU"/"PCMA"), T38 the T.38 parameters if T.38 was used.
	Transport media.Transport
	Codec     string
	T38       *T38Info
	// Packets sums both media legs; RTP and UDPTL are per leg.
	Packets, RTP, UDPTL media.Counters
	// FaxRan reports the fax engine ran; Fax is its result (Code -1 when
	// it did not finish), Negotiated that T.30 got to phase B.
	FaxRan     bool
	Fax        t30.Result
	Negotiated bool
	// ReinvitesSent/Received count re-INVITEs and UPDATEs (refreshes
	// included), Refreshes the session refreshes, Glares the 491s met,
	// Switches the media transport changes (audio to T.38 and back).
	ReinvitesSent, ReinvitesReceived, Refreshes, Glares, Switches int
	// SessionExpires is the RFC 4028 interval agreed (0 = none).
	SessionExpires time.Duration
	// Peer is the signalling address of the far end.
	Peer netip.AddrPort
	// MaxLag is how late the media clock ran at worst, FillIns the G.711
	// frames missing at playout: diagnostics of a loaded machine or network.
	MaxLag  time.Duration
	FillIns uint64
}

// OK reports a call whose fax completed.
func (r CallResult) OK() bool { return r.Answered && r.FaxRan && r.Fax.OK }
