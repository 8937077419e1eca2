package sip

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo/sip"

	"faxgate/internal/faxtiff"
	"faxgate/internal/telephony/rtp"
	"faxgate/internal/telephony/sdp"
	"faxgate/internal/telephony/sip/media"
	"faxgate/internal/telephony/t30"
)

// ErrNotStarted is returned by SendFax before Start.
var ErrNotStarted = errors.New("sip: user agent not started")

// ErrCapacity is returned when the UA is at MaxCalls or closing.
var ErrCapacity = errors.New("sip: no call slot free")

// SendFax places an outbound fax call and returns when it is over. A
// failed call is not an error: CallResult says what happened. The error
// reports a problem on our side that prevented the call (bad Dial, file,
// ports, capacity) or the end of ctx (the call was canceled or hung up).
func (ua *UA) SendFax(ctx context.Context, d Dial) (CallResult, error) {
	res := CallResult{Outbound: true, StartedAt: time.Now(), Fax: t30.Result{Code: -1}}
	fail := func(cause Cause, err error) (CallResult, error) {
		res.Cause, res.CauseText, res.EndedAt = cause, err.Error(), time.Now()
		return res, err
	}
	if !ua.isStarted() {
		return fail(CauseInternal, ErrNotStarted)
	}
	if d.Transport == "" {
		d.Transport = UDP
	}
	if err := d.Policy.check(); err != nil {
		return fail(CauseInternal, err)
	}
	if _, err := ua.client(d.Transport); err != nil {
		return fail(CauseInternal, err)
	}
	if _, err := faxtiff.Validate(d.TIFFPath); err != nil {
		return fail(CauseInternal, fmt.Errorf("sip: %w: %w", t30.ErrUnsendable, err))
	}
	target, err := parseTarget(d.Target, d.User, d.Transport)
	if err != nil {
		return fail(CauseInternal, err)
	}
	d.OutboundProxy = proxyAddr(d.OutboundProxy, d.Transport)
	peer, err := resolvePeer(ctx, target, d.OutboundProxy)
	if err != nil {
		return fail(CauseUnreachable, err)
	}
	if !ua.acquire() {
		return fail(CauseInternal, ErrCapacity)
	}
	lease, err := ua.cfg.RTPPorts.Listen(ua.mediaBindIP())
	if err != nil {
		ua.release()
		return fail(CauseInternal, err)
	}
	c := ua.newOutboundCall(d, target, peer, lease)
	c.res.StartedAt = res.StartedAt
	ua.register(c)
	if !c.dial(ctx, d) {
		ua.unregister(c)
		close(c.finished) // a request that found the call meanwhile answers itself
		c.drain()
		lease.Close()
		ua.release()
		c.res.EndedAt = time.Now()
		if c.res.Cause == CauseCanceled {
			return c.res, ctx.Err()
		}
		return c.res, nil
	}
	r := c.run(ctx)
	if r.Cause == CauseCanceled && ctx.Err() != nil {
		return r, ctx.Err()
	}
	return r, nil
}

// newOutboundCall builds the dialog and call of an outbound fax.
func (ua *UA) newOutboundCall(d Dial, target sip.Uri, peer netip.Addr, lease *rtp.Lease) *call {
	local := ua.advertised(peer)
	fromHost := d.FromHost
	if fromHost == "" {
		fromHost = target.Host
	}
	fromUser, fromName := d.CallerID, d.CallerName
	if fromUser == "" {
		fromUser, fromHost, fromName = "anonymous", "anonymous.invalid", "Anonymous"
	}
	to := sip.Uri{Scheme: "sip", User: target.User, Host: target.Host, Port: target.Port}
	dl := &dialog{
		ua: ua, transport: d.Transport,
		callID:    randomHex(16) + "@" + local.String(),
		localTag:  randomHex(8),
		local:     sip.Uri{Scheme: "sip", User: fromUser, Host: fromHost},
		localName: fromName,
		remote:    to, remoteTarget: target,
		contact:   ua.contact(fromUser, local, d.Transport),
		ownCallID: true,
		auth:      d.Auth,
		localSeq:  randomSeq(),
	}
	c := newCall(ua, dl, true, d.Policy, d.Progress)
	c.lease, c.local = lease, local
	c.sdpSess = sdp.NewSession("faxgate", local)
	c.faxOpts = faxOptions(d.Policy)
	c.faxOpts.Role, c.faxOpts.Direction = t30.Caller, t30.Send
	c.faxOpts.TxFile, c.faxOpts.LocalIdent, c.faxOpts.HeaderInfo = d.TIFFPath, d.StationID, d.HeaderInfo
	// SendFax validated the file before dialling: the fax sessions (the
	// audio one, then the T.38 one after a switch) need not decode every
	// page again, which cost a tenth of a node's CPU when hundreds of calls
	// start at once.
	c.faxOpts.TxValidated = true
	c.faxOpts.Logger, c.faxOpts.LogTag = ua.log, "fax-"+dl.callID
	c.maxDuration = orDefault(d.MaxDuration, DefaultMaxDuration)
	c.pai = d.PAssertedIdentity
	c.proxy = d.OutboundProxy
	return c
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// dial sends the INVITE (answering digest challenges and 422) until a
// final response, the ring timeout or ctx; on a 2xx it ACKs, reads the
// answer and starts the media. It reports whether the call was answered;
// otherwise c.res says why not.
func (c *call) dial(ctx context.Context, d Dial) bool {
	offer, err := sdp.OfferAudio(c.localMedia())
	if err != nil {
		c.res.Cause, c.res.CauseText = CauseInternal, err.Error()
		return false
	}
	c.localSDP = offer
	body, _ := c.sdpSess.Stamp(offer)
	stop := &closeOnce{ch: make(chan struct{})}
	var timedOut atomic.Bool
	t := time.AfterFunc(orDefault(d.Timeout, DefaultRingTimeout), func() { timedOut.Store(true); stop.close() })
	defer t.Stop()
	defer context.AfterFunc(ctx, stop.close)()

	interval := max(c.ua.cfg.SessionExpires, 0)
	var challenge *sip.Response
	authTries, seTries := 0, 0
	c.emit(Event{Kind: EventTrying})
	ringing := false
	onProv := func(r *sip.Response) {
		if (r.StatusCode == 180 || r.StatusCode == 183) && !ringing {
			ringing = true
			c.emit(Event{Kind: EventRinging, SIPCode: r.StatusCode})
		}
	}
	for {
		seq := c.dlg.localSeq
		req := c.inviteRequest(seq, body, interval)
		if challenge != nil {
			if err := applyDigest(req, challenge, c.dlg.auth); err != nil {
				c.failSetup(challenge.StatusCode, challenge.Reason, CauseRejected, err.Error())
				return false
			}
		}
		run := c.ua.runInvite(c.dlg.transport, req, stop.ch, onProv)
		if run.final == nil {
			c.setupGaveUp(ctx, run, timedOut.Load())
			return false
		}
		code := run.final.StatusCode
		switch {
		case run.final.IsSuccess():
			return c.answered(ctx, run, seq, timedOut.Load())
		case isChallenge(run.final) && c.dlg.auth.User != "" && authTries < 2:
			authTries++
			challenge = run.final
		case code == 422 && seTries == 0:
			seTries++
			minSE, err := ParseMinSE(headerValue(run.final, "Min-SE"))
			if err != nil {
				c.failSetup(code, run.final.Reason, CauseRejected, err.Error())
				return false
			}
			interval = max(interval, minSE)
		default:
			cause := causeOfStatus(code)
			if run.canceled && code == 487 {
				cause = CauseNoAnswer
				if !timedOut.Load() {
					cause = CauseCanceled
				}
			}
			c.failSetup(code, run.final.Reason, cause, fmt.Sprintf("%d %s", code, run.final.Reason))
			c.res.Peer = sourceOf(run.final)
			return false
		}
		c.dlg.localSeq++ // the retry is a new transaction of the same call
	}
}

func (c *call) failSetup(code int, reason string, cause Cause, text string) {
	c.res.SIPCode, c.res.SIPReason = code, reason
	c.res.Cause, c.res.CauseText = cause, text
}

// setupGaveUp records why an INVITE ended without a final response.
func (c *call) setupGaveUp(ctx context.Context, run inviteRun, timedOut bool) {
	switch {
	case ctx.Err() != nil:
		c.res.Cause, c.res.CauseText = CauseCanceled, "canceled before the answer"
	case run.gotProv && timedOut:
		c.res.Cause, c.res.CauseText = CauseNoAnswer, "no answer before the ring timeout"
	case errors.Is(run.err, errTransport):
		c.res.Cause, c.res.CauseText = CauseUnreachable, run.err.Error()
	default:
		c.res.Cause, c.res.CauseText = CauseUnreachable, "no response from the peer"
	}
	if run.gotProv && c.res.Cause == CauseNoAnswer {
		c.res.SIPCode, c.res.SIPReason = 487, "Request Terminated"
	}
}

// inviteRequest builds the initial INVITE with CSeq seq.
func (c *call) inviteRequest(seq uint32, body []byte, interval time.Duration) *sip.Request {
	req := c.dlg.request(sip.INVITE, seq)
	if c.pai && c.dlg.local.User != "anonymous" {
		req.AppendHeader(sip.NewHeader("P-Asserted-Identity", "<"+c.dlg.local.String()+">"))
	}
	req.AppendHeader(sip.NewHeader("Allow", allowMethods))
	for _, h := range c.ua.sessionTimerRequest(interval, RefresherNone) {
		req.AppendHeader(h)
	}
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(body)
	if c.proxy != "" {
		req.SetDestination(c.proxy)
	}
	return req
}

// answered completes the dialog from the 2xx, ACKs it, reads the SDP
// answer and starts the media. A 2xx that crossed our CANCEL is ACKed and
// hung up at once.
func (c *call) answered(ctx context.Context, run inviteRun, seq uint32, timedOut bool) bool {
	res := run.final
	d := c.dlg
	if tag, ok := res.To().Params.Get("tag"); ok {
		d.remoteTag = tag
	}
	if ct := res.Contact(); ct != nil {
		d.remoteTarget = *ct.Address.Clone()
	}
	rr := res.GetHeaders("Record-Route")
	for i := len(rr) - 1; i >= 0; i-- {
		if h, ok := rr[i].(*sip.RecordRouteHeader); ok {
			d.routes = append(d.routes, *h.Address.Clone())
		}
	}
	c.res.SIPCode, c.res.SIPReason = res.StatusCode, res.Reason
	c.res.Peer = sourceOf(res)
	d.ack(run.tx, seq, nil)
	if run.canceled {
		c.hangupSetup(ctx, CauseNoAnswer, "answered after our CANCEL", timedOut)
		return false
	}
	st, ans, why := c.readAnswer(res)
	if st == nil {
		c.hangupSetup(ctx, CauseFaxNegotiation, why, true)
		return false
	}
	c.remoteSDP = ans
	c.se = c.ua.sessionTimerFromResponse(res, sessionTimer{})
	if err := c.startMedia(st); err != nil {
		c.hangupSetup(ctx, CauseInternal, err.Error(), true)
		return false
	}
	c.res.Answered, c.res.AnsweredAt = true, time.Now()
	c.emit(Event{Kind: EventAnswered, SIPCode: res.StatusCode})
	return true
}

// readAnswer interprets the SDP of the 2xx to our offer.
func (c *call) readAnswer(res *sip.Response) (*sdp.Stream, *sdp.Description, string) {
	if len(res.Body()) == 0 {
		return nil, nil, "200 OK without SDP"
	}
	ans, err := sdp.Parse(res.Body())
	if err != nil {
		return nil, nil, "malformed SDP answer: " + err.Error()
	}
	rr, err := sdp.ReadAnswer(c.localSDP, ans)
	if err != nil {
		return nil, nil, err.Error()
	}
	st := rr.Accepted()
	if st.Audio != nil && st.Audio.Codec.PT != rtp.PTPCMU && st.Audio.Codec.PT != rtp.PTPCMA {
		return nil, nil, "G.711 on a dynamic payload type"
	}
	return st, ans, ""
}

// hangupSetup sends BYE on a dialog we do not want and records why.
func (c *call) hangupSetup(_ context.Context, cause Cause, why string, timedOut bool) {
	if cause == CauseNoAnswer && !timedOut {
		cause = CauseCanceled
	}
	c.res.Cause, c.res.CauseText = cause, why
	bctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	_, _ = c.dlg.do(bctx, sip.BYE, nil, nil)
}

// startMedia starts the engine on the accepted stream.
func (c *call) startMedia(st *sdp.Stream) error {
	p := c.mediaParams(st)
	e, err := media.Start(media.Config{Conn: c.lease.RTP, Fax: c.faxOpts, OnEvent: c.onFaxEvent, Logger: c.log}, p)
	if err != nil {
		return err
	}
	c.engine = e
	c.setMode(p.Transport)
	return nil
}

func sourceOf(m interface{ Source() string }) netip.AddrPort {
	ap, _ := netip.ParseAddrPort(m.Source())
	return ap
}

// parseTarget reads Dial.Target: a SIP URI or host[:port].
func parseTarget(target, user string, t Transport) (sip.Uri, error) {
	var u sip.Uri
	if strings.HasPrefix(target, "sip:") || strings.HasPrefix(target, "sips:") {
		if err := sip.ParseUri(target, &u); err != nil {
			return u, fmt.Errorf("sip: target %q: %w", target, err)
		}
	} else {
		host, port, err := net.SplitHostPort(target)
		if err != nil {
			host, port = target, ""
		}
		u = sip.Uri{Scheme: "sip", Host: host}
		if port != "" {
			if u.Port, err = strconv.Atoi(port); err != nil || u.Port <= 0 || u.Port > 65535 {
				return u, fmt.Errorf("sip: target %q has a bad port", target)
			}
		}
	}
	if u.Scheme == "sips" {
		return u, fmt.Errorf("sip: sips targets are not supported")
	}
	if u.User == "" {
		u.User = user
	}
	if u.Host == "" {
		return u, fmt.Errorf("sip: target %q has no host", target)
	}
	if u.User == "" {
		return u, fmt.Errorf("sip: target %q has no number to dial", target)
	}
	if t != UDP && !u.UriParams.Has("transport") {
		u.UriParams = append(u.UriParams.Clone(), sip.HeaderKV{K: "transport", V: string(t)})
	}
	return u, nil
}

// proxyAddr completes an outbound proxy given as a bare host with the
// transport's default port.
func proxyAddr(proxy string, t Transport) string {
	if proxy == "" {
		return ""
	}
	if _, _, err := net.SplitHostPort(proxy); err == nil {
		return proxy
	}
	return net.JoinHostPort(strings.Trim(proxy, "[]"), strconv.Itoa(t.defaultPort()))
}

// resolvePeer returns the IP we will send to (for choosing our own
// address towards it).
func resolvePeer(ctx context.Context, target sip.Uri, proxy string) (netip.Addr, error) {
	host := target.Host
	if proxy != "" {
		h, _, err := net.SplitHostPort(proxy)
		if err != nil {
			return netip.Addr{}, fmt.Errorf("sip: outbound proxy %q: %w", proxy, err)
		}
		host = h
	}
	if ip, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return ip.Unmap(), nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip4", host)
	if err != nil || len(ips) == 0 {
		return netip.Addr{}, fmt.Errorf("sip: resolving %s: %w", host, err)
	}
	return ips[0].Unmap(), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// randomSeq is an initial CSeq below 2^31 (RFC 3261 §8.1.1.5), small
// enough to leave room for the dialog's requests.
func randomSeq() uint32 {
	b := make([]byte, 2)
	_, _ = rand.Read(b)
	return uint32(b[0])<<8 | uint32(b[1]) + 1
}

// faxOptions builds the t30 options shared by both directions.
func faxOptions(p Policy) t30.Options {
	o := t30.Options{ECM: p.ECM, Modems: t30.AllModems}
	rate := 14400
	if !p.V17 {
		rate = 9600
	}
	if p.MaxBitRate > 0 {
		rate = min(rate, p.MaxBitRate)
	}
	if rate < 14400 {
		o.Modems &^= t30.V17
	}
	if rate < 9600 {
		o.Modems &^= t30.V29
	}
	return o
}

// closeOnce closes ch once.
type closeOnce struct {
	once sync.Once
	ch   chan struct{}
}

func (c *closeOnce) close() { c.once.Do(func() { close(c.ch) }) }

// causeOfStatus maps a final failure response to the initial INVITE.
func causeOfStatus(code int) Cause {
	switch {
	case code == 486 || code == 600:
		return CauseBusy
	case code == 408 || code == 480 || code == 487:
		return CauseNoAnswer
	case code == 404 || code == 410 || code == 484 || code == 604:
		return CauseUnreachable
	case code == 488 || code == 606 || code == 415:
		return CauseFaxNegotiation
	case code >= 500 && code < 600:
		return CauseNetwork
	}
	return CauseRejected
}
