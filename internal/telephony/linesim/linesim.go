// Package linesim connects two real fax sessions (internal/telephony/t30) over a
// simulated line, so the whole engine can be exercised without SIP or sockets.
//
// Two transports are modelled:
//
//   - T.38: every IFP a session emits is wrapped by a udptl.Encoder (redundancy
//     depth and maximum datagram size configurable), sent as many times as
//     spandsp asks (its repeat count), carried by the line (delay, jitter, seeded
//     random loss per datagram, so reordering can happen), unwrapped by a
//     udptl.Decoder at the far side and fed to the far session oldest first,
//     each IFP with its own sequence number.
//   - G.711: every 20 ms each session produces 160 samples, which are companded
//     (PCMU or PCMA), carried by the line (delay, jitter, loss per frame) and
//     expanded into the far session through a fixed playout (jitter) buffer; a
//     frame that is lost or misses its playout slot becomes RxFillin(160),
//     exactly as an RTP leg does it.
//
// Time is either simulated (both sessions advance 20 ms per step with no
// sleeping: a call of a minute costs milliseconds of CPU and, for a given seed,
// the outcome is deterministic) or real (a 20 ms monotonic ticker, with the
// T.38 clock fed the samples that really elapsed, not a tick count). Either way
// one goroutine, the one calling Run, owns both sessions for the whole call.
package linesim

import (
	"context"
	"errors"
	"fmt"
	"time"

	"faxgate/internal/telephony/t30"
)

// Transport selects how the two sessions are connected.
type Transport string

// The transports.
const (
	T38  Transport = "t38"
	G711 Transport = "g711"
)

// Companding laws for G.711.
const (
	PCMU = "pcmu"
	PCMA = "pcma"
)

// Defaults applied by Run to zero fields.
const (
	DefaultTimeout = 10 * time.Minute // sim (or wall) time before both sides are hung up
	DefaultHangup  = 10 * time.Second // how long the other side may still run once one side is done
)

// step is the tick of both clocks: one RTP packetisation interval.
const step = 20 * time.Millisecond

// samplesPerStep is 20 ms at 8 kHz.
const samplesPerStep = 160

// Config describes the line. The zero value of each field is a perfect line
// (no delay, no jitter, no loss, no UDPTL redundancy) on the simulated clock;
// Transport must be set.
type Config struct {
	Transport Transport
	// Law is the G.711 companding law, "pcmu" (default) or "pcma".
	Law string
	// Delay is the one-way network delay; Jitter adds a uniformly drawn extra
	// delay in [0, Jitter) to each datagram or frame, independently.
	Delay, Jitter time.Duration
	// JitterBuffer is the G.711 receiver's playout delay on top of Delay; a frame
	// whose jitter exceeds it is late and is replaced by a fill-in. Zero means
	// Jitter, so jitter alone never makes a frame late.
	JitterBuffer time.Duration
	// Loss is the probability, in [0, 1), that one datagram (each repeat drawn
	// separately) or one audio frame is lost.
	Loss float64
	// Seed makes the loss and jitter draws reproducible.
	Seed int64
	// Redundancy is the number of secondary IFPs per UDPTL datagram (0 = none).
	Redundancy int
	// MaxDatagram caps the UDPTL datagram size, as the far T38FaxMaxDatagram
	// would (0 = no limit); secondaries that do not fit are dropped.
	MaxDatagram int
	// Realtime drives the sessions from a 20 ms monotonic ticker instead of the
	// simulated clock.
	Realtime bool
	// Timeout ends the call (both sides hung up, outcome a failure) after this
	// much call time; 0 means DefaultTimeout.
	Timeout time.Duration
	// Hangup is how long the unfinished side may keep running once the other
	// side has reached phase E (the BYE that follows a DCN); 0 means
	// DefaultHangup.
	Hangup time.Duration
}

// Outcome is what happened on one simulated call.
type Outcome struct {
	// Caller and Answerer are the sessions' final results.
	Caller, Answerer t30.Result
	// SimTime is the call time when both sides were done or hung up.
	SimTime time.Duration
	// Packets counts datagrams (each repeat separately) or audio frames put on
	// the line in both directions; Lost those the line dropped; Late the G.711
	// frames that arrived after their playout slot; Recovered the IFPs the
	// UDPTL decoders rebuilt from redundancy.
	Packets, Lost, Late, Recovered int
	// Bytes is the payload put on the line (UDPTL datagrams or G.711 octets).
	Bytes int64
	// TimedOut reports that the call hit Config.Timeout; HungUp that one side
	// was still running Config.Hangup after the other finished and was cut off.
	TimedOut, HungUp bool
	// MaxLag is, on the real clock, the most a 20 ms step was finished after
	// it was due: how far the machine fell behind real time (an RTP leg with
	// a 60 ms jitter buffer would start losing frames beyond that). LagP99 is
	// the 99th percentile over the call's steps, in whole milliseconds up to
	// 63 ms (a value of 63 ms means "63 ms or more").
	MaxLag, LagP99 time.Duration
}

// OK reports a call that both sides completed successfully.
func (o Outcome) OK() bool {
	return o.Caller.OK && o.Answerer.OK && !o.TimedOut && !o.HungUp
}

// Failure returns the class of a failed call: the first non-empty class of the
// caller, then the answerer. It is empty only for a successful call.
func (o Outcome) Failure() t30.FailureClass {
	if o.OK() {
		return ""
	}
	for _, c := range []t30.FailureClass{o.Caller.Class, o.Answerer.Class} {
		if c != "" {
			return c
		}
	}
	return t30.ClassInternal // not OK but unclassified: never let it pass as success
}

// Run connects a caller and an answerer session over the line described by cfg
// and drives both until they are done, one of them is hung up, the timeout
// passes or ctx ends. The Role of each Options is overridden (caller sends CNG,
// answerer CED/DIS); either side may be the sender. The returned error reports a
// broken setup or simulation (bad config, session creation, UDPTL error) or the
// end of ctx; the fax's own failures are in the Outcome.
func Run(ctx context.Context, cfg Config, caller, answerer t30.Options) (Outcome, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return Outcome{}, err
	}
	caller.Role, answerer.Role = t30.Caller, t30.Answerer
	var l link
	switch cfg.Transport {
	case T38:
		l, err = newT38Link(cfg, caller, answerer)
	case G711:
		l, err = newAudioLink(cfg, caller, answerer)
	}
	if err != nil {
		return Outcome{}, err
	}
	defer l.close()
	clk := newClock(cfg.Realtime)
	defer clk.stop()
	return drive(ctx, cfg, l, clk)
}

// Validate checks a Config without running anything.
func (c Config) Validate() error {
	_, err := c.withDefaults()
	return err
}

func (c Config) withDefaults() (Config, error) {
	switch c.Transport {
	case T38, G711:
	case "":
		return c, errors.New("linesim: transport not set (t38 or g711)")
	default:
		return c, fmt.Errorf("linesim: unknown transport %q (want t38 or g711)", c.Transport)
	}
	switch c.Law {
	case "":
		c.Law = PCMU
	case PCMU, PCMA:
	default:
		return c, fmt.Errorf("linesim: unknown G.711 law %q (want pcmu or pcma)", c.Law)
	}
	if !(c.Loss >= 0 && c.Loss < 1) { // also rejects NaN
		return c, fmt.Errorf("linesim: loss %v out of range [0, 1)", c.Loss)
	}
	if c.Delay < 0 || c.Jitter < 0 || c.JitterBuffer < 0 || c.Timeout < 0 || c.Hangup < 0 {
		return c, errors.New("linesim: negative duration")
	}
	if c.Redundancy < 0 || c.MaxDatagram < 0 {
		return c, errors.New("linesim: negative redundancy or max datagram")
	}
	if c.JitterBuffer == 0 {
		c.JitterBuffer = c.Jitter
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Hangup == 0 {
		c.Hangup = DefaultHangup
	}
	return c, nil
}

// link is one transport joining the two sessions.
type link interface {
	// tick brings both sessions and the line to call time now.
	tick(now time.Duration) error
	// done reports which sides have reached phase E.
	done() (caller, answerer bool)
	// hangup ends a session still running, as a BYE would (phase E with the
	// engine's own code).
	hangup()
	// outcome returns both sessions' results and the line counters.
	outcome() Outcome
	// close frees both sessions; idempotent.
	close()
}

// drive runs the clock until both sides are done, the hang-up grace after the
// first one ends, the timeout, or ctx.
func drive(ctx context.Context, cfg Config, l link, clk clock) (o Outcome, err error) {
	var now, firstDone time.Duration
	var lags lagHistogram
	oneDone := false
	defer func() { o.MaxLag, o.LagP99 = lags.max, lags.quantile(0.99) }()
	for {
		if now, err = clk.next(ctx); err != nil {
			return finish(l, now, false, false), err
		}
		if err := l.tick(now); err != nil {
			return finish(l, now, false, false), err
		}
		lags.add(clk.lag())
		a, b := l.done()
		switch {
		case a && b:
			return finish(l, now, false, false), nil
		case (a || b) && !oneDone:
			oneDone, firstDone = true, now
		case oneDone && now-firstDone >= cfg.Hangup:
			return finish(l, now, false, true), nil
		}
		if now >= cfg.Timeout {
			return finish(l, now, true, false), nil
		}
	}
}

// finish hangs up a side still running, collects the outcome and closes both
// sessions, then makes sure a side that was cut off is reported as failed with
// a class.
func finish(l link, now time.Duration, timedOut, hungUp bool) Outcome {
	a, b := l.done()
	l.hangup()
	o := l.outcome()
	l.close()
	o.SimTime, o.TimedOut, o.HungUp = now, timedOut, hungUp
	markUnfinished(&o.Caller, a, timedOut)
	markUnfinished(&o.Answerer, b, timedOut)
	return o
}

// markUnfinished keeps a session cut off before phase E from looking like a
// success, whatever the engine reported for it.
func markUnfinished(r *t30.Result, done, timedOut bool) {
	if done {
		return
	}
	r.OK = false
	if r.Code < 0 || r.Code == t30.CodeOK { // the engine saw no failure of its own
		r.Code, r.Text = t30.CodeCallDropped, t30.CompletionText(t30.CodeCallDropped)
	}
	switch {
	case timedOut:
		r.Class = t30.ClassTimeout
	case r.Class == t30.ClassNone:
		r.Class = t30.ClassRemoteHangup
	}
}

// lagHistogram counts step lags in 1 ms buckets; the last bucket holds 63 ms
// and more. It keeps the per-step cost of measuring at one increment.
type lagHistogram struct {
	n     [64]uint32
	total uint32
	max   time.Duration
}

func (h *lagHistogram) add(d time.Duration) {
	h.max = max(h.max, d)
	h.n[min(int(d/time.Millisecond), len(h.n)-1)]++
	h.total++
}

// quantile returns the bucket below which a fraction q of the steps fell.
func (h *lagHistogram) quantile(q float64) time.Duration {
	if h.total == 0 {
		return 0
	}
	want := uint32(q * float64(h.total))
	var seen uint32
	for i, c := range h.n {
		seen += c
		if seen > want {
			return time.Duration(i) * time.Millisecond
		}
	}
	return time.Duration(len(h.n)-1) * time.Millisecond
}
