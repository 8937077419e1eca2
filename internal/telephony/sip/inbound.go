package sip

import (
	"context"
	"net/netip"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"faxgate/internal/telephony/rtp"
	"faxgate/internal/telephony/sdp"
	"faxgate/internal/telephony/t30"
)

// handlerTimeout bounds the Handler's decision; the caller waits meanwhile.
const handlerTimeout = 10 * time.Second

// inbound handles a new INVITE: checks, the Handler's decision, then the
// answer (100, optional 180, 200 with SDP) and the call goroutine.
func (ua *UA) inbound(req *sip.Request, tx sip.ServerTransaction) {
	if req.From() == nil || req.CallID() == nil || req.CSeq() == nil || req.To() == nil || !req.From().Params.Has("tag") {
		ua.respond(tx, req, 400, "Bad Request (missing From tag, To, Call-ID or CSeq)")
		return
	}
	if req.Contact() == nil {
		ua.respond(tx, req, 400, "Bad Request (missing Contact)")
		return
	}
	if ua.cfg.InboundAuth != nil {
		if ok, stale, _ := ua.authorized(req); !ok {
			ua.challenge(tx, req, stale)
			return
		}
	}
	seHdrs, st, code, extra := ua.sessionTimerAnswer(req)
	if code != 0 {
		ua.respond(tx, req, code, "", extra...)
		return
	}
	if len(req.Body()) == 0 {
		// A delayed offer would need our offer in the 200 and the answer in
		// the ACK; fax trunks send offers, so we do not support it.
		ua.respond(tx, req, 488, "Not Acceptable Here (INVITE without SDP offer)")
		return
	}
	offer, err := sdp.Parse(req.Body())
	if err != nil {
		ua.respond(tx, req, 400, "Bad Request (malformed SDP)")
		return
	}
	if ua.cfg.Handler == nil {
		ua.respond(tx, req, 480, "")
		return
	}
	if !ua.acquire() {
		ua.respond(tx, req, 503, "", sip.NewHeader("Retry-After", "5"))
		return
	}
	ua.respond(tx, req, 100, "")
	ic := incomingCall(req, offer)
	ctx, cancel := context.WithTimeout(context.Background(), handlerTimeout)
	dec := ua.cfg.Handler(ctx, ic)
	cancel()
	if dec.Reject != 0 {
		ua.release()
		if dec.Reject < 300 || dec.Reject > 699 {
			dec.Reject, dec.Reason = 500, ""
		}
		ua.respond(tx, req, dec.Reject, dec.Reason)
		return
	}
	if err := dec.Receive.Policy.check(); err != nil || dec.Receive.RxFile == "" {
		ua.release()
		ua.log.Warn("inbound handler returned an unusable decision", "error", err)
		ua.respond(tx, req, 500, "")
		return
	}
	ua.answer(req, tx, offer, ic, dec, seHdrs, st)
}

// incomingCall describes req for the Handler.
func incomingCall(req *sip.Request, offer *sdp.Description) IncomingCall {
	ic := IncomingCall{
		CallID:      req.CallID().Value(),
		RequestUser: req.Recipient.User,
		ToUser:      req.To().Address.User,
		FromUser:    req.From().Address.User,
		CallerName:  req.From().DisplayName,
		Transport:   UDP,
	}
	ic.DID, _ = ExtractDID(ic.RequestUser, ic.ToUser)
	ic.CallerID, _ = NormalizeNumber(ic.FromUser)
	ic.AssertedIdentity = headerValue(req, "P-Asserted-Identity")
	ic.Source, _ = netip.ParseAddrPort(req.Source())
	ic.Source = netip.AddrPortFrom(ic.Source.Addr().Unmap(), ic.Source.Port())
	ic.Transport = transportOf(req.Transport())
	for _, m := range offer.Media {
		if m.Port == 0 {
			continue
		}
		ic.OffersAudio = ic.OffersAudio || (m.IsAudio() && m.T38 == nil)
		ic.OffersT38 = ic.OffersT38 || m.IsImage() || m.T38 != nil
	}
	return ic
}

// answer sets up an accepted call and answers the INVITE.
func (ua *UA) answer(req *sip.Request, tx sip.ServerTransaction, offer *sdp.Description, ic IncomingCall, dec Decision, seHdrs []sip.Header, st sessionTimer) {
	rcv := dec.Receive
	done := func(r CallResult) {
		if dec.Done != nil {
			dec.Done(r)
		}
	}
	lease, err := ua.cfg.RTPPorts.Listen(ua.mediaBindIP())
	if err != nil {
		ua.release()
		ua.log.Warn("no media port for inbound call", "error", err)
		ua.respond(tx, req, 503, "", sip.NewHeader("Retry-After", "5"))
		return
	}
	c := ua.newInboundCall(req, ic, rcv, lease)
	fail := func(code int, reason string, cause Cause, why string) {
		ua.respond(tx, req, code, reason)
		lease.Close()
		ua.release()
		c.failSetup(code, reason, cause, why)
		c.res.EndedAt = time.Now()
		done(c.res)
	}
	ans, stream, code, why := c.negotiate(offer, true)
	if code != 0 {
		fail(code, "", CauseFaxNegotiation, why)
		return
	}
	c.localSDP, c.remoteSDP = ans, offer
	// The dialog's responses carry our To tag: build them from a copy.
	ireq := req.Clone()
	ireq.To().Params.Add("tag", c.dlg.localTag)
	if !c.ring(tx, ireq, rcv.RingFor) {
		lease.Close()
		ua.release()
		c.failSetup(487, "Request Terminated", CauseCanceled, "the caller canceled while ringing")
		c.res.EndedAt = time.Now()
		done(c.res)
		return
	}
	if err := c.startMedia(stream); err != nil {
		fail(500, "", CauseInternal, err.Error())
		return
	}
	body, _ := c.sdpSess.Stamp(ans)
	ua.register(c)
	c.se = st
	c.initialSeq = req.CSeq().SeqNo
	c.send2xx(tx, ireq, body, seHdrs, true)
	c.res.SIPCode, c.res.SIPReason = 200, "OK"
	c.res.Answered, c.res.AnsweredAt = true, time.Now()
	c.emit(Event{Kind: EventAnswered, SIPCode: 200})
	go func() { done(c.run(context.Background())) }()
}

// newInboundCall builds the dialog (we are the UAS) and the call.
func (ua *UA) newInboundCall(req *sip.Request, ic IncomingCall, rcv Receive, lease *rtp.Lease) *call {
	local := ua.advertised(ic.Source.Addr())
	from, to := req.From(), req.To()
	fromTag, _ := from.Params.Get("tag")
	t := ic.Transport
	dl := &dialog{
		ua: ua, transport: t,
		callID:    ic.CallID,
		localTag:  randomHex(8),
		remoteTag: fromTag,
		local:     *to.Address.Clone(), localName: to.DisplayName,
		remote: *from.Address.Clone(), remName: from.DisplayName,
		remoteTarget: *req.Contact().Address.Clone(),
		contact:      ua.contact(to.Address.User, local, t),
		localSeq:     randomSeq(),
		remoteSeq:    req.CSeq().SeqNo,
	}
	for _, h := range req.GetHeaders("Record-Route") {
		if rr, ok := h.(*sip.RecordRouteHeader); ok {
			dl.routes = append(dl.routes, *rr.Address.Clone())
		}
	}
	c := newCall(ua, dl, false, rcv.Policy, rcv.Progress)
	c.lease, c.local = lease, local
	c.sdpSess = sdp.NewSession("faxgate", local)
	c.faxOpts = faxOptions(rcv.Policy)
	c.faxOpts.Role, c.faxOpts.Direction = t30.Answerer, t30.Receive
	c.faxOpts.RxFile, c.faxOpts.LocalIdent = rcv.RxFile, rcv.StationID
	c.faxOpts.Logger, c.faxOpts.LogTag = ua.log, "fax-"+dl.callID
	c.maxDuration = orDefault(rcv.MaxDuration, DefaultMaxDuration)
	c.res.Peer = ic.Source
	c.res.StartedAt = time.Now()
	return c
}

// ring sends 180 and waits d (0: answer at once); false if the caller
// canceled (meanwhile or before: the transaction layer answered the CANCEL
// with 487 already).
func (c *call) ring(tx sip.ServerTransaction, ireq *sip.Request, d time.Duration) bool {
	canceled := make(chan struct{})
	var once sync.Once
	if !tx.OnCancel(func(*sip.Request) { once.Do(func() { close(canceled) }) }) {
		return false
	}
	c.emit(Event{Kind: EventRinging, SIPCode: 180})
	res := sip.NewResponseFromRequest(ireq, 180, "Ringing", nil)
	res.AppendHeader(c.dlg.contact.Clone())
	_ = tx.Respond(res)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-canceled:
		return false
	case <-tx.Done():
		return false
	case <-t.C:
		return true
	}
}
