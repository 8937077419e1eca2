package line

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"faxgate/internal/faxtiff"
	"faxgate/internal/model"
	"faxgate/internal/telephony/linesim"
	"faxgate/internal/telephony/t30"
)

// Outcome is what the test line does with a number. The number's last four
// digits choose it (any country, any length):
//
//	…0486  busy (SIP 486), no call
//	…0480  rings until the ring timeout, never answered (no answer)
//	…0488  answered by a person: voice, no fax tones; the engine's own
//	       T.30 timers give up (fax negotiation fails, code 2 "Timed out
//	       waiting for initial communication", after 60 s of call time)
//	…0408  a fax machine that hangs up (BYE) in the middle of page 2 (of
//	       page 1 for a one-page fax): the engine reports the dropped call
//	…0503  the network fails (SIP 503), no call
//	other  a fax machine answers after a short ring and receives every page
//
// Example test numbers: +1 202 555 0100 (delivered), +1 202 555 0486 (busy),
// +44 20 7946 0480 (no answer), +1 202 555 0488 (voice), +1 202 555 0408
// (dropped), +1 202 555 0503 (network failure).
type Outcome int

const (
	OutcomeAnswer Outcome = iota
	OutcomeBusy
	OutcomeNoAnswer
	OutcomeVoice
	OutcomeDropPage2
	OutcomeNetworkFailure
)

var outcomeNames = [...]string{"answer", "busy", "no answer", "voice", "drop in page 2", "network failure"}

func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// TestOutcome returns what the test line does when it dials number.
func TestOutcome(number string) Outcome {
	switch {
	case strings.HasSuffix(number, "0486"):
		return OutcomeBusy
	case strings.HasSuffix(number, "0480"):
		return OutcomeNoAnswer
	case strings.HasSuffix(number, "0488"):
		return OutcomeVoice
	case strings.HasSuffix(number, "0408"):
		return OutcomeDropPage2
	case strings.HasSuffix(number, "0503"):
		return OutcomeNetworkFailure
	}
	return OutcomeAnswer
}

// LocalDelivery is the hook for calls to numbers this installation answers
// itself (its own DIDs): inbound faxing (a later issue) sets it so that a
// test-line fax to one of our DIDs is received by faxgate instead of the
// simulated machine. DeliverLocal reports handled=false for numbers that
// are not ours; then the test line proceeds as usual.
type LocalDelivery interface {
	DeliverLocal(ctx context.Context, c Call) (res Result, handled bool, err error)
}

// TestConfig configures a test line.
type TestConfig struct {
	// Realtime runs calls on the wall clock (a one-page fax takes about a
	// minute, ringing takes RingTime); otherwise the call's time is
	// simulated and a call takes milliseconds.
	Realtime bool
	// T38 is the trunk's T.38 policy: off sends in G.711 audio, the others
	// over T.38 (the simulated machine supports it). Voice calls are audio.
	T38 model.T38Policy
	// RingTime is how long an answering number rings (default 2 s real
	// time; nothing on the simulated clock). RingTimeout is the default
	// ring timeout of calls that set none (default model.DefaultRingTimeout).
	RingTime    time.Duration
	RingTimeout time.Duration
	// Local, when set, may take calls to our own numbers (see
	// LocalDelivery). Nil until inbound faxing exists.
	Local LocalDelivery
	// Received, when set, is called after each fax the simulated machine
	// received (fully or not), with the received file (deleted after the
	// call returns) and the machine's result. For tests and diagnostics.
	Received func(c Call, rxFile string, rx t30.Result)
	// TempDir holds the received files during calls ("" = os.TempDir()).
	TempDir string
	Logger  *slog.Logger
}

// TestLine is the built-in test trunk's Line.
type TestLine struct {
	cfg TestConfig
}

// NewTest returns a test line.
func NewTest(cfg TestConfig) *TestLine {
	if cfg.RingTime == 0 && cfg.Realtime {
		cfg.RingTime = 2 * time.Second
	}
	if cfg.RingTimeout <= 0 {
		cfg.RingTimeout = model.DefaultRingTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &TestLine{cfg: cfg}
}

// Dial implements Line.
func (l *TestLine) Dial(ctx context.Context, c Call) (Result, error) {
	// A file the engine cannot send fails before any call is placed, as
	// on a real trunk (spandsp would only notice after the answer).
	if _, err := faxtiff.Validate(c.TIFFPath); err != nil {
		return notAnswered(0, ""), fmt.Errorf("test line: %w: %w", t30.ErrUnsendable, err)
	}
	c.report(Progress{Stage: StageDialing})
	if l.cfg.Local != nil {
		if res, handled, err := l.cfg.Local.DeliverLocal(ctx, c); handled {
			return res, err
		}
	}
	outcome := TestOutcome(c.E164)
	l.cfg.Logger.Debug("test line call", "to", c.E164, "outcome", outcome.String())
	switch outcome {
	case OutcomeNetworkFailure:
		if err := l.wait(ctx, 200*time.Millisecond); err != nil {
			return notAnswered(487, "Request Terminated"), err
		}
		return notAnswered(503, "Service Unavailable"), nil
	case OutcomeBusy:
		if err := l.wait(ctx, 500*time.Millisecond); err != nil {
			return notAnswered(487, "Request Terminated"), err
		}
		return notAnswered(486, "Busy Here"), nil
	}
	c.report(Progress{Stage: StageRinging})
	if outcome == OutcomeNoAnswer {
		timeout := c.RingTimeout
		if timeout <= 0 {
			timeout = l.cfg.RingTimeout
		}
		if err := l.wait(ctx, timeout); err != nil {
			return notAnswered(487, "Request Terminated"), err
		}
		return notAnswered(480, "Temporarily Unavailable (no answer)"), nil
	}
	if err := l.wait(ctx, l.cfg.RingTime); err != nil {
		return notAnswered(487, "Request Terminated"), err
	}
	res := Result{Answered: true, AnsweredAt: time.Now(), SIPCode: 200, SIPReason: "OK", T30Code: -1}
	var err error
	if outcome == OutcomeVoice {
		res.Transport = model.TransportG711
		c.report(Progress{Stage: StageConnected, Transport: res.Transport})
		err = l.voice(ctx, c, &res)
	} else {
		res.Transport = l.transport()
		c.report(Progress{Stage: StageConnected, Transport: res.Transport})
		err = l.fax(ctx, c, outcome, &res)
	}
	res.EndedAt = time.Now()
	return res, err
}

// wait lets d pass on the real clock (nothing on the simulated clock), or
// returns early with ctx's error.
func (l *TestLine) wait(ctx context.Context, d time.Duration) error {
	if !l.cfg.Realtime || d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (l *TestLine) transport() model.Transport {
	if l.cfg.T38 == model.T38Off || l.cfg.T38 == "" {
		return model.TransportG711
	}
	return model.TransportT38
}

// callLimit bounds a call of `pages` pages on the call clock: the engine's
// own timers end a broken call sooner; a healthy one at 2400 bit/s stays
// well within.
func callLimit(pages int) time.Duration {
	return 2*time.Minute + time.Duration(max(pages, 1))*3*time.Minute
}

// simConfig is the line of a call; timeout 0 means callLimit(pages).
func (l *TestLine) simConfig(timeout time.Duration, pages int) linesim.Config {
	if timeout == 0 {
		timeout = callLimit(pages)
	}
	cfg := linesim.Config{Realtime: l.cfg.Realtime, Timeout: timeout}
	if l.transport() == model.TransportT38 {
		cfg.Transport, cfg.Redundancy = linesim.T38, 2
	} else {
		cfg.Transport, cfg.Law = linesim.G711, linesim.PCMU
	}
	return cfg
}

// senderOptions are our side's engine options for c.
func senderOptions(c Call) t30.Options {
	// Dial validated the file just before the call (TxValidated).
	o := t30.Options{Direction: t30.Send, TxFile: c.TIFFPath, TxValidated: true, ECM: c.ECM,
		LocalIdent: c.StationID, HeaderInfo: c.HeaderInfo}
	switch {
	case c.MaxBitRate > 0 && c.MaxBitRate < 7200:
		o.Modems, o.T38.MaxBitRate = t30.V27ter, c.MaxBitRate
	case c.MaxBitRate > 0 && c.MaxBitRate < 14400:
		o.Modems, o.T38.MaxBitRate = t30.V27ter|t30.V29, c.MaxBitRate
	}
	return o
}

// machineOptions are the simulated fax machine's: it receives anything,
// with ECM, and identifies itself with the number it answers.
func (l *TestLine) machineOptions(c Call, rxFile string) t30.Options {
	ident := c.E164
	if len(ident) > t30.MaxIdentLen {
		ident = ident[len(ident)-t30.MaxIdentLen:]
	}
	return t30.Options{Direction: t30.Receive, RxFile: rxFile, ECM: true, LocalIdent: ident}
}

// fax runs the engine against the simulated machine.
func (l *TestLine) fax(ctx context.Context, c Call, outcome Outcome, res *Result) error {
	dir, err := os.MkdirTemp(l.cfg.TempDir, "testline-")
	if err != nil {
		return fmt.Errorf("test line: %w", err)
	}
	defer os.RemoveAll(dir)
	rxFile := filepath.Join(dir, "rx.tif")
	var timeout time.Duration
	if outcome == OutcomeDropPage2 {
		if timeout, err = l.dropPoint(ctx, c, filepath.Join(dir, "dry.tif")); err != nil {
			return err
		}
	}
	sender := senderOptions(c)
	sender.OnEvent = func(e t30.Event) { progressFromEvent(c, res, e) }
	o, err := linesim.Run(ctx, l.simConfig(timeout, c.Pages), sender, l.machineOptions(c, rxFile))
	if o.SimTime > 0 { // the engine ran (also when ctx ended mid-call)
		fillResult(res, o.Caller)
	}
	if outcome == OutcomeDropPage2 && o.TimedOut {
		// The simulated machine hung up (a BYE), which is what the cut at
		// the timeout models: the engine saw the call drop.
		res.RemoteHangup, res.T30Class = true, t30.ClassRemoteHangup
	} else if o.HungUp {
		res.RemoteHangup = true
	}
	if l.cfg.Received != nil && err == nil {
		l.cfg.Received(c, rxFile, o.Answerer)
	}
	if err != nil {
		return fmt.Errorf("test line: %w", err)
	}
	return nil
}

// dropPoint runs the same call once on the simulated clock (milliseconds of
// CPU) to learn when page 2 is on the line, and returns the call time in
// its middle: the real call is cut there. Both runs are deterministic up to
// that point: same engine, same document, same perfect line.
func (l *TestLine) dropPoint(ctx context.Context, c Call, rxFile string) (time.Duration, error) {
	var phaseB time.Duration
	sender := senderOptions(c)
	sender.OnEvent = func(e t30.Event) {
		if e.Phase == t30.PhaseB && phaseB == 0 {
			phaseB = e.At
		}
	}
	cfg := l.simConfig(0, c.Pages)
	cfg.Realtime = false
	o, err := linesim.Run(ctx, cfg, sender, l.machineOptions(c, rxFile))
	if err != nil {
		return 0, fmt.Errorf("test line: %w", err)
	}
	pt := o.Caller.PageTimes
	switch {
	case len(pt) >= 2:
		return pt[0] + (pt[1]-pt[0])/2, nil
	case len(pt) == 1 && phaseB > 0:
		return phaseB + (pt[0]-phaseB)/2, nil
	}
	return 0, errors.New("test line: the dry run sent no page; cannot place the drop")
}

// progressFromEvent turns engine events into progress reports and keeps
// what they tell in res.
func progressFromEvent(c Call, res *Result, e t30.Event) {
	switch e.Phase {
	case t30.PhaseB:
		res.Negotiated = true
	case t30.PhaseD:
		if e.PagesTx > res.Pages {
			res.Pages = e.PagesTx
			c.report(Progress{Stage: StagePage, Page: e.PagesTx, Transport: res.Transport, BitRate: e.Result.BitRate,
				ECM: e.Result.ECM, RemoteStationID: e.Result.RemoteIdent})
		}
	}
}

// fillResult copies the engine's result of our side into res.
func fillResult(res *Result, r t30.Result) {
	res.T30Code, res.T30Text, res.T30Class = r.Code, r.Text, r.Class
	res.Pages = r.PagesTx
	if res.Negotiated {
		res.BitRate, res.ECM, res.RemoteStationID = r.BitRate, r.ECM, r.RemoteIdent
	}
}
