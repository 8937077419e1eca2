package sip

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo/sip"

	"faxgate/internal/telephony/rtp"
	"faxgate/internal/telephony/sdp"
	"faxgate/internal/telephony/sip/media"
	"faxgate/internal/telephony/t30"
)

// purpose of a re-INVITE we send.
type purpose int

const (
	purposeT38 purpose = iota + 1
	purposeRefresh
)

func (p purpose) String() string {
	if p == purposeT38 {
		return "t38"
	}
	return "refresh"
}

// Events the call loop receives from handler goroutines.
type (
	evAck     struct{ req *sip.Request }
	evAckLost struct{ seq uint32 }
	evInvited struct {
		p     purpose
		offer *sdp.Description
		seq   uint32
		run   inviteRun
	}
	// evRequest is an in-dialog request waiting for its response.
	evRequest struct {
		req  *sip.Request
		tx   sip.ServerTransaction
		once sync.Once
		done chan struct{}
	}
)

// answer responds to the request exactly once (the loop or, after the
// call ended, the handler).
func (r *evRequest) answer(f func()) {
	r.once.Do(func() {
		f()
		close(r.done)
	})
}

// alarm is a resettable timer usable in a select (nil channel when off).
type alarm struct {
	t *time.Timer
	C <-chan time.Time
}

func (a *alarm) set(d time.Duration) {
	a.stop()
	a.t = time.NewTimer(d)
	a.C = a.t.C
}

func (a *alarm) stop() {
	if a.t != nil {
		a.t.Stop()
	}
	a.t, a.C = nil, nil
}

// call is one answered (or being answered) fax call. Its loop goroutine
// owns every field below "loop state"; handlers reach it through events.
type call struct {
	ua          *UA
	dlg         *dialog
	key         string
	outbound    bool
	log         *slog.Logger
	policy      Policy
	progress    func(Event)
	faxOpts     t30.Options
	maxDuration time.Duration
	pai         bool   // send P-Asserted-Identity
	proxy       string // outbound proxy of the initial INVITE
	lease       *rtp.Lease
	local       netip.Addr // our media address in SDP
	sdpSess     *sdp.Session

	events   chan any
	finished chan struct{}
	stopReq  chan struct{}
	stopOnce sync.Once
	curMode  atomic.Value // media.Transport, for progress events

	// loop state
	engine              *media.Engine
	localSDP, remoteSDP *sdp.Description
	mode                media.Transport
	res                 CallResult
	inviting            bool   // our INVITE transaction is pending
	answering           uint32 // CSeq of a far INVITE we answered 2xx, waiting for its ACK
	initialSeq          uint32 // CSeq of the initial INVITE when we are the UAS
	ackStop             chan struct{}
	se                  sessionTimer
	t38A, refreshA      alarm
	expiryA, hangupA    alarm
	maxA, retryA        alarm
	retryFor            purpose
	t38Tries            int
	ended, remoteBye    bool
	faxDone             bool
	endCause            Cause
	endText             string
}

// sessionTimer is the RFC 4028 state: the interval and who refreshes.
type sessionTimer struct {
	interval  time.Duration
	weRefresh bool
}

func newCall(ua *UA, d *dialog, outbound bool, pol Policy, progress func(Event)) *call {
	c := &call{
		ua: ua, dlg: d, key: dialogKey(d.callID, d.localTag), outbound: outbound,
		policy: pol, progress: progress,
		events:   make(chan any, 32),
		finished: make(chan struct{}),
		stopReq:  make(chan struct{}),
	}
	c.log = ua.log.With("call_id", d.callID)
	c.res.CallID, c.res.Outbound = d.callID, outbound
	c.res.Fax = t30.Result{Code: -1, Text: "the fax engine did not run"} // T.30 code 0 means OK
	c.curMode.Store(media.None)
	return c
}

// post hands an event that needs no response to the loop.
func (c *call) post(ev any) {
	select {
	case c.events <- ev:
	case <-c.finished:
	}
}

// deliver hands an in-dialog request to the loop and waits until it is
// answered; once the call is over the handler answers it itself.
func (c *call) deliver(req *sip.Request, tx sip.ServerTransaction) {
	ev := &evRequest{req: req, tx: tx, done: make(chan struct{})}
	select {
	case c.events <- ev:
	case <-c.finished:
	}
	select {
	case <-ev.done:
	case <-c.finished:
		ev.answer(func() { c.answerLate(ev) })
	}
}

// answerLate answers a request that arrived as the call ended: a crossing
// BYE gets 200, anything else 481.
func (c *call) answerLate(ev *evRequest) {
	if ev.req.Method == sip.BYE {
		c.ua.respond(ev.tx, ev.req, 200, "OK")
		return
	}
	c.ua.respond(ev.tx, ev.req, 481, "")
}

// shutdown ends the call from outside (UA.Close).
func (c *call) shutdown() {
	c.stopOnce.Do(func() { close(c.stopReq) })
}

func (c *call) emit(ev Event) {
	if c.progress == nil {
		return
	}
	ev.At = time.Now()
	ev.CallID = c.dlg.callID
	if ev.Transport == media.None {
		ev.Transport = c.curMode.Load().(media.Transport)
	}
	c.progress(ev)
}

// onFaxEvent runs on the media goroutine.
func (c *call) onFaxEvent(ev t30.Event) {
	e := Event{Pages: ev.PagesTx + ev.PagesRx, BitRate: ev.Result.BitRate, ECM: ev.Result.ECM, RemoteIdent: ev.Result.RemoteIdent}
	switch ev.Phase {
	case t30.PhaseB:
		e.Kind = EventNegotiate
	case t30.PhaseD:
		e.Kind = EventPage
	case t30.PhaseE:
		e.Kind = EventFaxDone
	default:
		return
	}
	c.emit(e)
}

// run is the call loop: it owns the call from the answer to the end and
// returns its result.
func (c *call) run(ctx context.Context) CallResult {
	c.armStart()
	faxDone, engStopped := c.engine.FaxDone(), c.engine.Stopped()
	for !c.ended {
		select {
		case ev := <-c.events:
			c.handle(ev)
		case <-c.t38A.C:
			c.t38A.stop()
			c.requestT38()
		case <-c.retryA.C:
			c.retryA.stop()
			c.retry()
		case <-c.refreshA.C:
			c.refreshA.stop()
			c.refresh()
		case <-c.expiryA.C:
			c.expiryA.stop()
			c.end(CauseNetwork, "session timer expired without a refresh")
		case <-faxDone:
			faxDone = nil
			c.onFaxDone()
		case <-c.hangupA.C:
			c.hangupA.stop()
			c.end(CauseNone, "")
		case <-c.maxA.C:
			c.maxA.stop()
			c.end(CauseNone, "maximum call duration reached")
		case <-engStopped:
			engStopped = nil
			c.end(CauseInternal, "media engine stopped")
		case <-ctx.Done():
			c.end(CauseCanceled, fmt.Sprint("canceled: ", context.Cause(ctx)))
		case <-c.stopReq:
			c.end(CauseCanceled, "hung up locally")
		}
	}
	return c.finish()
}

// armStart arms the timers of a freshly answered call.
func (c *call) armStart() {
	c.maxA.set(c.maxDuration)
	c.armT38Request(c.reinviteAfter())
	c.armSessionTimer()
}

func (c *call) reinviteAfter() time.Duration {
	if c.policy.ReinviteAfter > 0 {
		return c.policy.ReinviteAfter
	}
	if c.outbound {
		return DefaultReinviteAfterOut
	}
	return DefaultReinviteAfterIn
}

// armT38Request schedules our T.38 re-INVITE when the policy asks for one.
func (c *call) armT38Request(d time.Duration) {
	m := c.policy.mode()
	if (m == T38Request || m == T38Require) && c.mode == media.G711 {
		c.t38A.set(d)
	}
}

func (c *call) end(cause Cause, text string) {
	c.ended = true
	if c.endCause == CauseNone && c.endText == "" {
		c.endCause, c.endText = cause, text
	}
}

func (c *call) handle(ev any) {
	switch e := ev.(type) {
	case evAck:
		c.onAck(e.req)
	case evAckLost:
		if e.seq == c.answering {
			c.answering = 0
			if e.seq == c.initialSeq {
				c.end(CauseNetwork, "no ACK for our 200 OK")
			}
		}
	case evInvited:
		c.onInvited(e)
	case *evRequest:
		switch e.req.Method {
		case sip.INVITE:
			c.onReinvite(e)
		case sip.UPDATE:
			c.onUpdate(e)
		case sip.BYE:
			c.onBye(e)
		default: // INFO
			e.answer(func() { c.ua.respond(e.tx, e.req, 200, "OK") })
		}
	}
}

// onFaxDone schedules our BYE once T.30 is over. The sender hangs up
// after a second (the DCN must reach the far end first); the receiver
// gives the sender a few seconds to hang up first, as fax machines do.
func (c *call) onFaxDone() {
	c.faxDone = true
	c.t38A.stop()
	if c.faxOpts.Direction == t30.Send {
		c.hangupA.set(time.Second)
	} else {
		c.hangupA.set(4 * time.Second)
	}
}

func (c *call) onBye(e *evRequest) {
	e.answer(func() { c.ua.respond(e.tx, e.req, 200, "OK") })
	c.remoteBye = true
	if !c.faxDone {
		c.res.RemoteHangup = true
		_ = c.engine.Hangup()
	}
	c.emit(Event{Kind: EventHangup, Remote: true})
	c.end(CauseNone, "")
}

func (c *call) onAck(req *sip.Request) {
	seq := req.CSeq().SeqNo
	if seq != c.answering {
		return // a retransmitted ACK
	}
	c.answering = 0
	if c.ackStop != nil {
		close(c.ackStop)
		c.ackStop = nil
	}
}

// finish hangs up if we must, stops the media, fills the result and
// releases everything.
func (c *call) finish() CallResult {
	close(c.finished)
	for _, a := range []*alarm{&c.t38A, &c.refreshA, &c.expiryA, &c.hangupA, &c.maxA, &c.retryA} {
		a.stop()
	}
	if c.ackStop != nil {
		close(c.ackStop)
	}
	mr := c.engine.Stop()
	if !c.remoteBye {
		ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
		res, err := c.dlg.do(ctx, sip.BYE, nil, nil)
		cancel()
		if err != nil || res.StatusCode >= 300 {
			c.log.Debug("BYE not confirmed", "error", err, "response", statusOf(res))
		}
		c.emit(Event{Kind: EventHangup})
	}
	c.drain()
	c.fillResult(mr)
	c.ua.unregister(c)
	c.lease.Close()
	c.ua.release()
	return c.res
}

// drain answers requests queued while the call ended.
func (c *call) drain() {
	for {
		select {
		case ev := <-c.events:
			if r, ok := ev.(*evRequest); ok {
				r.answer(func() { c.answerLate(r) })
			}
		default:
			return
		}
	}
}

func statusOf(res *sip.Response) int {
	if res == nil {
		return 0
	}
	return res.StatusCode
}

// fillResult completes the CDR from the media result and the way the
// call ended.
func (c *call) fillResult(mr media.Result) {
	r := &c.res
	r.EndedAt = time.Now()
	r.Transport = mr.Transport
	r.RTP, r.UDPTL = mr.RTP, mr.UDPTL
	r.Packets = mr.RTP.Add(mr.UDPTL)
	r.Switches = mr.Switches
	r.MaxLag, r.FillIns = mr.MaxLag, mr.FillIns
	r.FaxRan, r.Fax = true, mr.Fax
	r.Negotiated = c.engine.Negotiated()
	r.SessionExpires = c.se.interval
	if r.Transport != media.T38 {
		r.T38 = nil
	}
	r.Cause, r.CauseText = c.endCause, c.endText
	if r.Cause == CauseNone {
		r.Cause, r.CauseText = faxCause(r.Fax, r.Negotiated)
	}
	if r.Cause == CauseNone && !r.Fax.OK {
		r.Cause, r.CauseText = CauseFaxTransfer, "the fax did not complete"
	}
	if r.Cause != CauseNone && r.CauseText == "" {
		r.CauseText = r.Fax.Text
	}
}

// faxCause maps the fax engine's result of an answered call to a cause.
func faxCause(f t30.Result, negotiated bool) (Cause, string) {
	if f.OK {
		return CauseNone, ""
	}
	text := fmt.Sprintf("T.30 %d: %s", f.Code, f.Text)
	switch f.Class {
	case t30.ClassFile, t30.ClassInternal:
		return CauseInternal, text
	case t30.ClassNegotiation, t30.ClassTraining:
		return CauseFaxNegotiation, text
	}
	if !negotiated {
		return CauseFaxNegotiation, text // no fax machine ever talked to us
	}
	return CauseFaxTransfer, text
}

func headerValue(m interface{ GetHeader(string) sip.Header }, name string) string {
	if h := m.GetHeader(name); h != nil {
		return h.Value()
	}
	return ""
}

func sanitizeWarning(s string) string {
	b := []byte(s)
	for i, ch := range b {
		if ch == '"' || ch == '\\' || ch < 0x20 || ch > 0x7e {
			b[i] = '\''
		}
	}
	if len(b) > 200 {
		b = b[:200]
	}
	return string(b)
}
