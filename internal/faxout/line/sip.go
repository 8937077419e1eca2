package line

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"faxgate/internal/model"
	"faxgate/internal/telephony/sip"
	"faxgate/internal/telephony/sip/media"
	"faxgate/internal/telephony/t30"
)

// DestHint is what worked on the last good call to a destination: T.38 or
// audio, and ECM on or off.
type DestHint struct {
	Known bool
	T38   bool
	ECM   bool
}

// DestMemory remembers per destination number (E.164) what worked, so that
// the next call to it starts with it (faxout.Destinations implements it).
type DestMemory interface {
	Recall(ctx context.Context, e164 string) (DestHint, error)
	// Remember records a call's outcome: ok with what was used, or a
	// failure in the given transport.
	Remember(ctx context.Context, e164 string, used DestHint, ok bool) error
}

// SIPRecorder keeps the SIP part of a call's CDR (Call-ID, final status,
// codec, T.38 parameters, packet counters). It runs after the call.
type SIPRecorder func(ctx context.Context, c Call, trunkID string, r sip.CallResult)

// SIPConfig builds a SIP trunk's line.
type SIPConfig struct {
	UA *sip.UA
	// Trunk holds every setting of the calls: host, credentials, fax
	// policy, and the call options (outbound proxy, caller-ID format,
	// P-Asserted-Identity, codecs, V.17, UDPTL redundancy, max datagram).
	Trunk  model.Trunk
	Memory DestMemory  // optional
	Record SIPRecorder // optional
	Logger *slog.Logger
}

// SIP is the Line of a SIP trunk: every Dial is one INVITE through the
// node's user agent with the trunk's host, credentials and fax policy.
type SIP struct {
	cfg SIPConfig
	log *slog.Logger
}

var _ Line = (*SIP)(nil)

// ErrNoSIP is returned when the node runs without a SIP listener (--sip
// off): a SIP trunk cannot place calls then, and faxout fails over.
var ErrNoSIP = errors.New("line: SIP is disabled on this node (--sip off)")

// NewSIP returns the line of a SIP trunk.
func NewSIP(cfg SIPConfig) (*SIP, error) {
	if cfg.UA == nil {
		return nil, ErrNoSIP
	}
	if cfg.Trunk.Host == "" {
		return nil, fmt.Errorf("line: SIP trunk %q has no host", cfg.Trunk.Name)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &SIP{cfg: cfg, log: cfg.Logger.With("trunk", cfg.Trunk.Name)}, nil
}

// Dial places the call; see Line. The fax policy is the trunk's, adjusted
// by what the destination memory knows (see policyFor).
func (l *SIP) Dial(ctx context.Context, c Call) (Result, error) {
	pol, hint := l.policyFor(ctx, c)
	d := l.dialOf(c, pol)
	r, err := l.cfg.UA.SendFax(ctx, d)
	res := resultOf(r)
	l.log.Info("sip: outbound call", "fax", c.FaxID, "call_id", r.CallID, "to", c.To, "sip", r.SIPCode,
		"transport", string(r.Transport), "codec", r.Codec, "cause", string(r.Cause), "pages", res.Pages,
		"t30", res.T30Text, "duration", r.EndedAt.Sub(r.StartedAt).Round(time.Millisecond))
	if l.cfg.Record != nil && r.CallID != "" {
		l.cfg.Record(context.WithoutCancel(ctx), c, l.cfg.Trunk.ID, r)
	}
	l.remember(ctx, c, hint, r)
	return res, err
}

// Target is where the trunk sends INVITEs: host:port (IPv6 in brackets;
// the port defaults to 5060, 5061 over TLS).
func Target(t model.Trunk) string {
	port := t.Port
	if port == 0 {
		port = 5060
		if t.Transport == "tls" {
			port = 5061
		}
	}
	return net.JoinHostPort(t.Host, strconv.Itoa(port))
}

// dialOf builds the sip.Dial of a call on this trunk.
func (l *SIP) dialOf(c Call, pol sip.Policy) sip.Dial {
	t := l.cfg.Trunk
	cid := c.CallerID
	if t.CallerIDFormat == model.CallerIDDigits {
		cid = strings.TrimPrefix(cid, "+")
	}
	d := sip.Dial{Target: Target(t), User: c.To, CallerID: cid, PAssertedIdentity: t.PAI,
		Auth: sip.Auth{User: t.Username, Pass: t.Password}, Transport: sip.Transport(t.Transport),
		OutboundProxy: t.OutboundProxy, Policy: pol, TIFFPath: c.TIFFPath, StationID: c.StationID,
		HeaderInfo: c.HeaderInfo, Timeout: c.RingTimeout, Progress: progressOf(c)}
	return d
}

// TrunkPolicy is the fax policy of the trunk's calls, in and out: T.38
// mode, ECM, V.17, UDPTL redundancy, max datagram and codec order, as
// stored (faxout validates them and fills their defaults).
func TrunkPolicy(t model.Trunk) sip.Policy {
	pol := sip.Policy{T38: sip.T38Mode(t.T38), ECM: t.ECM, V17: t.V17, Redundancy: t.UDPTLRedundancy,
		MaxDatagram: t.T38MaxDatagram, Codecs: t.Codecs}
	if pol.T38 == "" {
		pol.T38 = sip.T38Request
	}
	if pol.MaxDatagram == 0 {
		pol.MaxDatagram = model.DefaultT38MaxDatagram
	}
	return pol
}

// policyFor is the trunk's fax policy for one call. The destination memory
// only ever narrows it within what the admin allowed: a number where audio
// worked after T.38 failed is not asked for T.38 again (request becomes
// accept; require stays require), and ECM stays off where it worked off.
func (l *SIP) policyFor(ctx context.Context, c Call) (sip.Policy, DestHint) {
	pol := TrunkPolicy(l.cfg.Trunk)
	pol.ECM, pol.MaxBitRate = c.ECM, c.MaxBitRate
	var hint DestHint
	if l.cfg.Memory == nil || c.E164 == "" {
		return pol, hint
	}
	hint, err := l.cfg.Memory.Recall(ctx, c.E164)
	if err != nil {
		l.log.Warn("destination memory not readable; trunk policy used", "err", err)
		return pol, DestHint{}
	}
	if hint.Known {
		if !hint.T38 && pol.T38 == sip.T38Request {
			pol.T38 = sip.T38Accept
		}
		if !hint.ECM {
			pol.ECM = false
		}
	}
	return pol, hint
}

// remember tells the destination memory what the call showed: a good call
// records what it used; a fax failure in T.38 records that T.38 did not
// work there, so the next call starts in audio. Failures before the answer
// say nothing about the fax path.
func (l *SIP) remember(ctx context.Context, c Call, _ DestHint, r sip.CallResult) {
	if l.cfg.Memory == nil || c.E164 == "" || !r.Answered || !r.FaxRan {
		return
	}
	used := DestHint{Known: true, T38: r.Transport == media.T38, ECM: r.Fax.ECM}
	ok := r.OK()
	if !ok && (!used.T38 || r.RemoteHangup && r.Fax.PagesTx > 0) {
		return // an audio failure or a drop mid-fax: nothing to learn
	}
	if err := l.cfg.Memory.Remember(context.WithoutCancel(ctx), c.E164, used, ok); err != nil {
		l.log.Warn("destination memory not updated", "err", err)
	}
}

// progressOf turns the UA's call events into faxout's progress stages.
func progressOf(c Call) func(sip.Event) {
	if c.Progress == nil {
		return nil
	}
	return func(e sip.Event) {
		p := Progress{At: e.At, Transport: model.Transport(e.Transport), BitRate: e.BitRate, ECM: e.ECM,
			RemoteStationID: e.RemoteIdent}
		switch e.Kind {
		case sip.EventRinging:
			p.Stage = StageRinging
		case sip.EventAnswered:
			p.Stage = StageConnected
		case sip.EventPage:
			p.Stage, p.Page = StagePage, e.Pages
		default:
			return
		}
		c.report(p)
	}
}

// resultOf maps the UA's call result to the line's.
func resultOf(r sip.CallResult) Result {
	res := Result{Answered: r.Answered, AnsweredAt: r.AnsweredAt, EndedAt: r.EndedAt, SIPCode: r.SIPCode,
		SIPReason: r.SIPReason, T30Code: -1, Negotiated: r.Negotiated, RemoteHangup: r.RemoteHangup,
		Transport: model.Transport(r.Transport)}
	if res.EndedAt.IsZero() {
		res.EndedAt = time.Now()
	}
	if res.SIPReason == "" && r.CauseText != "" {
		res.SIPReason = r.CauseText
	}
	if !r.Answered && res.SIPCode == 0 {
		res.SIPCode = setupCode(r.Cause)
	}
	if r.FaxRan {
		f := r.Fax
		res.T30Code, res.T30Text, res.T30Class = f.Code, f.Text, f.Class
		res.Pages, res.BitRate, res.ECM, res.RemoteStationID = f.PagesTx, f.BitRate, f.ECM, f.RemoteIdent
		res.Negotiated = res.Negotiated || f.BitRate > 0
	}
	if r.Answered && res.T30Code == -1 && r.CauseText != "" {
		res.T30Text = r.CauseText
	}
	// The UA knows better than the engine why a call ended early: T.38
	// required but refused is a negotiation failure, even though the audio
	// engine saw the call drop.
	if r.Answered && !r.OK() && r.Cause == sip.CauseFaxNegotiation {
		res.T30Class = t30.ClassNegotiation
		if r.CauseText != "" {
			res.T30Text = r.CauseText
		}
	}
	return res
}

// setupCode stands for a call that got no final response at all, so that
// faxout classifies it by the UA's cause: 408 (no answer) after ringing
// until the timeout, 503 (network, try the next trunk) when nothing came.
func setupCode(c sip.Cause) int {
	switch c {
	case sip.CauseNoAnswer:
		return 408
	case sip.CauseCanceled:
		return 487
	}
	return 503
}
