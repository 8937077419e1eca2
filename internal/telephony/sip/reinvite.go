package sip

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/emiago/sipgo/sip"

	"faxgate/internal/telephony/rtp"
	"faxgate/internal/telephony/sdp"
	"faxgate/internal/telephony/sip/media"
	"faxgate/internal/telephony/t30"
)

// The call loop's offer/answer work: far re-INVITEs and UPDATEs (refresh,
// switch, 491/500/422), our T.38 and refresh re-INVITEs with glare
// back-off, and the session timer. Everything here runs on the loop.

// onReinvite answers a far re-INVITE: 491 when ours is pending (glare),
// 500 while our 2xx to its previous INVITE awaits an ACK (RFC 3261
// §14.2), the current SDP unchanged for a refresh, or the negotiated
// answer, switching the media if the far end moved to T.38 or audio.
func (c *call) onReinvite(e *evRequest) {
	c.res.ReinvitesReceived++
	req := e.req
	if code := c.checkSeq(req); code != 0 {
		e.answer(func() { c.ua.respond(e.tx, req, code, "") })
		return
	}
	switch {
	case c.inviting:
		c.res.Glares++
		e.answer(func() { c.ua.respond(e.tx, req, 491, "") })
		return
	case c.answering != 0:
		e.answer(func() { c.ua.respond(e.tx, req, 500, "", sip.NewHeader("Retry-After", "1")) })
		return
	}
	c.answerOffer(e, true)
}

// onUpdate answers UPDATE (RFC 3311): a refresh without a body, an offer
// with one (answered in the 200, no ACK).
func (c *call) onUpdate(e *evRequest) {
	c.res.ReinvitesReceived++
	if code := c.checkSeq(e.req); code != 0 {
		e.answer(func() { c.ua.respond(e.tx, e.req, code, "") })
		return
	}
	if c.inviting && len(e.req.Body()) > 0 {
		c.res.Glares++
		e.answer(func() { c.ua.respond(e.tx, e.req, 491, "") })
		return
	}
	c.answerOffer(e, false)
}

// checkSeq enforces increasing CSeq numbers from the far end.
func (c *call) checkSeq(req *sip.Request) int {
	seq := req.CSeq().SeqNo
	if seq <= c.dlg.remoteSeq {
		return 500
	}
	c.dlg.remoteSeq = seq
	return 0
}

// answerOffer handles the body and session timer of a far re-INVITE or
// UPDATE and answers it.
func (c *call) answerOffer(e *evRequest, invite bool) {
	req := e.req
	seHdrs, st, code, extra := c.ua.sessionTimerAnswer(req)
	if code != 0 {
		e.answer(func() { c.ua.respond(e.tx, req, code, "", extra...) })
		return
	}
	var answer []byte
	var stream *sdp.Stream
	var offer *sdp.Description
	switch body := req.Body(); {
	case len(body) == 0 && !invite:
		// UPDATE refresh: no SDP at all.
	case len(body) == 0:
		// An offerless re-INVITE: our current SDP is the offer, the ACK
		// carries the answer (taken as unchanged).
		answer, _ = c.sdpSess.Stamp(c.localSDP)
	default:
		var err error
		if offer, err = sdp.Parse(body); err != nil {
			e.answer(func() { c.ua.respond(e.tx, req, 400, "Bad Request (malformed SDP)") })
			return
		}
		if sdp.Unchanged(c.remoteSDP, offer) {
			answer, _ = c.sdpSess.Stamp(c.localSDP)
			break
		}
		ans, s, code, why := c.negotiate(offer, false)
		if code != 0 {
			c.log.Info("refusing far offer", "status", code, "why", why)
			e.answer(func() {
				c.ua.respond(e.tx, req, code, "", sip.NewHeader("Warning", `399 faxgate "`+sanitizeWarning(why)+`"`))
			})
			return
		}
		stream = s
		answer, _ = c.sdpSess.Stamp(ans)
		c.localSDP, c.remoteSDP = ans, offer
	}
	e.answer(func() { c.send2xx(e.tx, req, answer, seHdrs, invite) })
	c.se = st
	c.armSessionTimer()
	if stream == nil {
		c.res.Refreshes++
		c.emit(Event{Kind: EventRefresh})
		return
	}
	if err := c.apply(stream); err != nil {
		c.log.Warn("media change failed", "error", err)
		c.end(CauseInternal, err.Error())
	}
}

// send2xx answers an INVITE/UPDATE with 200 and, for an INVITE over UDP,
// retransmits the 200 until its ACK comes (RFC 3261 §13.3.1.4).
func (c *call) send2xx(tx sip.ServerTransaction, req *sip.Request, body []byte, hdrs []sip.Header, invite bool) {
	res := c.response(req, 200, body, hdrs)
	if err := tx.Respond(res); err != nil {
		c.log.Debug("sending 200 failed", "error", err)
	}
	if !invite {
		return
	}
	seq := req.CSeq().SeqNo
	c.answering = seq
	if c.ackStop != nil {
		close(c.ackStop)
	}
	stop := make(chan struct{})
	c.ackStop = stop
	reliable := c.dlg.transport.reliable()
	go c.retransmit2xx(tx, res, seq, stop, reliable)
}

// response builds a 2xx for an in-dialog or initial request with our
// Contact, capabilities and optional SDP.
func (c *call) response(req *sip.Request, code int, body []byte, hdrs []sip.Header) *sip.Response {
	res := sip.NewResponseFromRequest(req, code, reasonPhrase(code), nil)
	res.AppendHeader(c.dlg.contact.Clone())
	res.AppendHeader(sip.NewHeader("Allow", allowMethods))
	res.AppendHeader(sip.NewHeader("Server", c.ua.cfg.UserAgent))
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	if body != nil {
		res.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	}
	res.SetBody(body)
	return res
}

// retransmit2xx repeats the 2xx at T1, 2T1, ... capped at T2, until the
// ACK (stop) or 64*T1, then reports the ACK lost.
func (c *call) retransmit2xx(tx sip.ServerTransaction, res *sip.Response, seq uint32, stop <-chan struct{}, reliable bool) {
	giveUp := time.NewTimer(64 * sip.T1)
	defer giveUp.Stop()
	interval := sip.T1
	t := time.NewTimer(interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-giveUp.C:
			c.post(evAckLost{seq: seq})
			return
		case <-t.C:
			if !reliable {
				_ = tx.Respond(res)
			}
			interval = min(2*interval, sip.T2)
			t.Reset(interval)
		}
	}
}

// negotiate answers a far offer under our policy. It refuses (488) a move
// to T.38 once a page went through in audio (T.30 would start over), a
// move back to audio when T.38 is required, and any move once the fax is
// over (a new session would replace its result).
func (c *call) negotiate(offer *sdp.Description, initial bool) (*sdp.Description, *sdp.Stream, int, string) {
	ans, res, err := sdp.Answer(offer, c.answerPolicy())
	if err != nil {
		return nil, nil, 488, err.Error()
	}
	st := res.Accepted()
	if !initial {
		moves := (st.Kind == sdp.KindT38) != (c.mode == media.T38)
		switch {
		case moves && c.faxDone:
			return nil, nil, 488, "the fax is already over"
		case st.Kind == sdp.KindT38 && c.mode == media.G711 && c.engine.Pages() > 0:
			return nil, nil, 488, "pages already went through in audio"
		case st.Kind == sdp.KindAudio && c.mode == media.T38 && c.policy.mode() == T38Require && !c.faxDone:
			return nil, nil, 488, "T.38 is required"
		}
	}
	if st.Audio != nil && st.Audio.Codec.PT != rtp.PTPCMU && st.Audio.Codec.PT != rtp.PTPCMA {
		return nil, nil, 488, fmt.Sprintf("G.711 on dynamic payload type %d is not supported", st.Audio.Codec.PT)
	}
	return ans, st, 0, ""
}

func (c *call) localMedia() sdp.LocalMedia {
	lm := sdp.LocalMedia{Addr: c.local, Port: c.lease.Port}
	for _, name := range c.policy.Codecs {
		if name == "PCMA" {
			lm.Codecs = append(lm.Codecs, sdp.PCMA)
		} else {
			lm.Codecs = append(lm.Codecs, sdp.PCMU)
		}
	}
	return lm
}

func (c *call) answerPolicy() sdp.Policy {
	pol := sdp.Policy{Local: c.localMedia()}
	if c.policy.mode() != T38Off {
		p := c.t38Params()
		pol.T38, pol.PreferT38 = &p, true
	}
	return pol
}

// t38Params are the T.38 capabilities we offer and answer with.
func (c *call) t38Params() sdp.T38Params {
	p := sdp.DefaultT38Params()
	p.MaxBitRate = c.maxBitRate()
	if c.policy.MaxDatagram > 0 {
		p.MaxDatagram = c.policy.MaxDatagram
	}
	if c.policy.Redundancy > 0 {
		p.UDPEC = []sdp.UDPEC{sdp.UDPRedundancy}
	} else {
		p.UDPEC = nil
	}
	return p
}

func (c *call) maxBitRate() int {
	r := 14400
	if !c.policy.V17 {
		r = 9600
	}
	if c.policy.MaxBitRate > 0 {
		r = min(r, c.policy.MaxBitRate)
	}
	return r
}

// mediaParams turns an accepted stream into media parameters and records
// the negotiated values in the result.
func (c *call) mediaParams(st *sdp.Stream) media.Params {
	if st.Kind == sdp.KindAudio {
		c.res.Codec = st.Audio.Codec.Name
		return media.Params{Transport: media.G711, Audio: media.AudioParams{
			Remote: st.Remote, PayloadType: st.Audio.Codec.PT, EventPT: st.Audio.TelephoneEvent,
			Delay: c.ua.cfg.PlayoutDelay,
		}}
	}
	t := st.T38
	enc := t.Encoder
	enc.Depth = c.policy.Redundancy
	if enc.Depth <= 0 {
		enc.Depth = -1 // the udptl encoder reads 0 as its default of 3
	}
	c.res.T38 = &T38Info{
		Version: t.Params.Version, MaxBitRate: t.Params.MaxBitRate, FillBitRemoval: t.Params.FillBitRemoval,
		RateManagement: string(t.Params.RateManagement), FarMaxDatagram: t.FarMaxDatagram,
		MaxDatagram: enc.MaxDatagram, Redundancy: max(enc.Depth, 0),
	}
	if len(t.Params.UDPEC) > 0 {
		c.res.T38.UDPEC = string(t.Params.UDPEC[0])
	}
	if enc.Mode != 0 { // not redundancy: the depth means nothing
		c.res.T38.Redundancy = 0
	}
	return media.Params{Transport: media.T38, T38: media.T38Params{
		Remote: st.Remote,
		Options: t30.T38Options{
			Version: t.Params.Version, MaxBitRate: t.Params.MaxBitRate, FillBitRemoval: t.Params.FillBitRemoval,
		},
		Encoder: enc,
	}}
}

// apply moves the media to an accepted stream: a switch when the
// transport changes, else an address/codec update.
func (c *call) apply(st *sdp.Stream) error {
	p := c.mediaParams(st)
	if p.Transport == c.mode {
		return c.engine.Update(p)
	}
	if err := c.engine.Switch(p); err != nil {
		return err
	}
	c.setMode(p.Transport)
	c.t38A.stop()
	if p.Transport == media.T38 {
		c.emit(Event{Kind: EventT38})
	} else {
		c.emit(Event{Kind: EventAudio})
	}
	return nil
}

func (c *call) setMode(m media.Transport) {
	c.mode = m
	c.curMode.Store(m)
}

// ---- re-INVITEs we send ----

// requestT38 sends our T.38 re-INVITE (policy request/require) unless the
// call is already on T.38, busy with another INVITE, or past its first
// page in audio.
func (c *call) requestT38() {
	if c.mode != media.G711 || c.faxDone || c.ended {
		return
	}
	if c.inviting || c.answering != 0 {
		c.t38A.set(500 * time.Millisecond)
		return
	}
	if c.engine.Pages() > 0 {
		return // too late: T.30 would start over
	}
	offer, err := sdp.OfferT38(c.localMedia(), c.t38Params())
	if err != nil {
		c.end(CauseInternal, err.Error())
		return
	}
	c.t38Tries++
	c.sendInvite(purposeT38, offer)
}

// refresh sends a session refresh re-INVITE with our current SDP, which
// is stamped with the same o= version: the media does not change.
func (c *call) refresh() {
	if c.ended || c.se.interval == 0 {
		return
	}
	if c.inviting || c.answering != 0 {
		c.refreshA.set(time.Second)
		return
	}
	c.sendInvite(purposeRefresh, c.localSDP)
}

// retry re-sends the re-INVITE a 491 made us back off from.
func (c *call) retry() {
	switch c.retryFor {
	case purposeT38:
		c.requestT38()
	case purposeRefresh:
		c.refresh()
	}
}

// sendInvite starts a re-INVITE transaction in its own goroutine; the
// loop gets evInvited with the final response.
func (c *call) sendInvite(p purpose, offer *sdp.Description) {
	body, _ := c.sdpSess.Stamp(offer)
	hdrs := c.ua.sessionTimerRequest(c.se.interval, RefresherUAC)
	c.inviting = true
	c.res.ReinvitesSent++
	timeout := c.policy.ReinviteTimeout
	if timeout <= 0 {
		timeout = DefaultReinviteTimeout
	}
	if p == purposeRefresh {
		timeout = sip.Timer_B
	}
	go func() {
		seq, run := c.dlg.reinvite(body, hdrs, timeout)
		c.post(evInvited{p: p, offer: offer, seq: seq, run: run})
	}()
}

// onInvited handles the final outcome of our re-INVITE.
func (c *call) onInvited(e evInvited) {
	c.inviting = false
	code := 0
	if e.run.final != nil {
		code = e.run.final.StatusCode
	}
	c.log.Debug("re-INVITE done", "purpose", e.p, "status", code, "error", e.run.err)
	switch {
	case code >= 200 && code < 300:
		c.reinviteOK(e)
	case code == 491:
		c.res.Glares++
		c.retryFor = e.p
		c.retryA.set(c.glareBackoff())
	case code == 408 || code == 481 || errors.Is(e.run.err, errTransport) ||
		(e.p == purposeRefresh && e.run.err != nil):
		// RFC 4028 §10: a refresh that times out or meets 481/408 ends the call.
		c.end(CauseNetwork, fmt.Sprintf("re-INVITE (%s) failed: %s", e.p, outcomeText(e.run)))
	case e.p == purposeT38:
		c.t38Refused(outcomeText(e.run))
	case code == 422:
		if minSE, err := ParseMinSE(headerValue(e.run.final, "Min-SE")); err == nil {
			c.se.interval = max(c.se.interval, minSE)
		}
		c.refreshA.set(10 * time.Millisecond)
	default:
		// A refresh refused for another reason: the session goes on; try
		// again later.
		c.armSessionTimer()
	}
}

func outcomeText(r inviteRun) string {
	if r.final != nil {
		return fmt.Sprintf("%d %s", r.final.StatusCode, r.final.Reason)
	}
	if r.err != nil {
		return r.err.Error()
	}
	return "no response"
}

// glareBackoff is RFC 3261 §14.1: 2.1-4 s when we own the Call-ID, else
// 0-2 s, in 10 ms units.
func (c *call) glareBackoff() time.Duration {
	if c.dlg.ownCallID {
		return 2100*time.Millisecond + time.Duration(rand.IntN(191))*10*time.Millisecond
	}
	return time.Duration(rand.IntN(201)) * 10 * time.Millisecond
}

// reinviteOK applies the 2xx to our re-INVITE.
func (c *call) reinviteOK(e evInvited) {
	res := e.run.final
	c.se = c.ua.sessionTimerFromResponse(res, c.se)
	c.armSessionTimer()
	if e.p == purposeRefresh {
		c.res.Refreshes++
		c.emit(Event{Kind: EventRefresh})
	}
	if len(res.Body()) == 0 {
		return
	}
	ans, err := sdp.Parse(res.Body())
	if err != nil {
		c.end(CauseNetwork, "malformed SDP in 200 to re-INVITE")
		return
	}
	if e.p == purposeRefresh && sdp.Unchanged(c.remoteSDP, ans) {
		return
	}
	rr, err := sdp.ReadAnswer(e.offer, ans)
	if err != nil {
		if e.p == purposeT38 {
			c.t38Refused("200 OK without a usable T.38 stream")
			return
		}
		c.end(CauseNetwork, "unusable SDP in 200 to re-INVITE: "+err.Error())
		return
	}
	st := rr.Accepted()
	c.localSDP, c.remoteSDP = e.offer, ans
	if err := c.apply(st); err != nil {
		c.end(CauseInternal, err.Error())
	}
}

// t38Refused applies the policy to a refused T.38 re-INVITE: fail when
// T.38 is required, else stay in audio.
func (c *call) t38Refused(why string) {
	if c.policy.mode() == T38Require {
		c.end(CauseFaxNegotiation, "T.38 required but refused: "+why)
		return
	}
	c.log.Info("T.38 refused, staying in audio", "why", why)
	c.emit(Event{Kind: EventFallback})
}

// armSessionTimer (re)starts the refresh (we refresh) or expiry (the far
// end does) timer of RFC 4028 §10.
func (c *call) armSessionTimer() {
	c.refreshA.stop()
	c.expiryA.stop()
	iv := c.se.interval
	if iv <= 0 || c.ended {
		return
	}
	if c.se.weRefresh {
		c.refreshA.set(iv / 2)
	} else {
		c.expiryA.set(iv - min(32*time.Second, iv/3))
	}
}
