package faxin

import (
	"context"
	"fmt"
	"time"

	"faxgate/internal/faxout/line"
	"faxgate/internal/model"
	"faxgate/internal/telephony/linesim"
	"faxgate/internal/telephony/t30"
)

// LocalConfig describes the simulated line between the test trunk and our
// own receiver.
type LocalConfig struct {
	// Realtime runs the call on the wall clock (as the "realtime" test
	// trunk does); otherwise on the simulated clock (milliseconds).
	Realtime bool
	// T38 carries the call over T.38 (else G.711 audio).
	T38 bool
	// Node names this process in the CDR row.
	Node string
}

// LocalLine receives test-line calls to this installation's own DIDs
// through the real fax engine: it implements line.LocalDelivery for
// line.TestConfig.Local.
type LocalLine struct {
	s   *Service
	cfg LocalConfig
}

// LocalLine returns the hook for the built-in test line.
func (s *Service) LocalLine(cfg LocalConfig) *LocalLine { return &LocalLine{s: s, cfg: cfg} }

var _ line.LocalDelivery = (*LocalLine)(nil)

// DeliverLocal takes a call to one of our DIDs (handled true): refused with
// 404/603 when the DID is unassigned, rejecting or its tenant suspended,
// else answered and received through Begin, the engine and Finish. Numbers
// that are not in the DID pool are not ours (handled false).
func (l *LocalLine) DeliverLocal(ctx context.Context, c line.Call) (line.Result, bool, error) {
	rt, inPool, err := l.s.route(ctx, c.E164, c.CallerID)
	if err != nil {
		return line.Result{SIPCode: 500, SIPReason: "Server Internal Error", T30Code: -1, EndedAt: time.Now()}, true, err
	}
	if !inPool {
		return line.Result{}, false, nil
	}
	if !rt.Accept {
		code := rt.Reason.SIPCode()
		return line.Result{SIPCode: code, SIPReason: string(rt.Reason), T30Code: -1, EndedAt: time.Now()}, true, nil
	}
	report(c, line.Progress{Stage: line.StageRinging})
	res, err := l.receive(ctx, c, rt)
	return res, true, err
}

// receive answers the call and runs both engines over the simulated line.
func (l *LocalLine) receive(ctx context.Context, c line.Call, rt Route) (line.Result, error) {
	tr := model.TransportG711
	cfg := linesim.Config{Realtime: l.cfg.Realtime, Transport: linesim.G711, Law: linesim.PCMU}
	if l.cfg.T38 {
		tr, cfg.Transport, cfg.Law, cfg.Redundancy = model.TransportT38, linesim.T38, "", 2
	}
	faxID, rxPath, err := l.s.Begin(ctx, rt, CallInfo{Transport: tr, Node: l.cfg.Node, TrunkName: "Test line"})
	if err != nil {
		return line.Result{SIPCode: 500, SIPReason: "Server Internal Error", T30Code: -1, EndedAt: time.Now()}, err
	}
	answered := time.Now()
	res := line.Result{Answered: true, AnsweredAt: answered, SIPCode: 200, SIPReason: "OK", T30Code: -1, Transport: tr}
	report(c, line.Progress{Stage: line.StageConnected, Transport: tr})
	// The test line's Dial, our only caller, validated c.TIFFPath with
	// faxtiff.Validate just before offering the call (TxValidated).
	sender := t30.Options{Direction: t30.Send, TxFile: c.TIFFPath, TxValidated: true, ECM: c.ECM,
		LocalIdent: c.StationID, HeaderInfo: c.HeaderInfo, OnEvent: func(e t30.Event) { senderEvent(c, &res, e) }}
	receiver := t30.Options{Direction: t30.Receive, RxFile: rxPath, ECM: true, LocalIdent: rt.StationID}
	o, runErr := linesim.Run(ctx, cfg, sender, receiver)
	res.EndedAt = time.Now()
	rx := o.Answerer
	fin := Result{OK: rx.OK && runErr == nil, Code: rx.Code, Text: rx.Text, Class: string(rx.Class), Pages: rx.PagesRx,
		RemoteIdent: rx.RemoteIdent, BitRate: rx.BitRate, ECM: rx.ECM, Transport: tr, AnsweredAt: answered,
		EndedAt: res.EndedAt}
	if runErr != nil && fin.Text == "" {
		fin.Class, fin.Text = "internal", runErr.Error()
	}
	// The receiver's record must be closed even when ctx ended mid-call.
	if _, err := l.s.Finish(context.WithoutCancel(ctx), faxID, fin); err != nil {
		runErr = fmt.Errorf("faxin: finish %s: %w", faxID, err)
	}
	if o.SimTime > 0 {
		tx := o.Caller
		res.T30Code, res.T30Text, res.T30Class, res.Pages = tx.Code, tx.Text, tx.Class, tx.PagesTx
		res.BitRate, res.ECM, res.RemoteStationID = tx.BitRate, tx.ECM, tx.RemoteIdent
		res.Negotiated = res.Negotiated || tx.BitRate > 0
	}
	return res, runErr
}

func report(c line.Call, p line.Progress) {
	if c.Progress != nil {
		if p.At.IsZero() {
			p.At = time.Now()
		}
		c.Progress(p)
	}
}

// senderEvent reports the sender's progress to faxout.
func senderEvent(c line.Call, res *line.Result, e t30.Event) {
	switch e.Phase {
	case t30.PhaseB:
		res.Negotiated = true
	case t30.PhaseD:
		if e.PagesTx > res.Pages {
			res.Pages = e.PagesTx
			report(c, line.Progress{Stage: line.StagePage, Page: e.PagesTx, Transport: res.Transport,
				BitRate: e.Result.BitRate, ECM: e.Result.ECM, RemoteStationID: e.Result.RemoteIdent})
		}
	}
}
