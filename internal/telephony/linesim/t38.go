package linesim

import (
	"fmt"
	"time"

	"faxgate/internal/telephony/t30"
	"faxgate/internal/telephony/udptl"
)

// t38Side is one T.38 terminal with its UDPTL encoder (towards the far side)
// and decoder (of what the far side sent).
type t38Side struct {
	s   *t30.Session
	enc *udptl.Encoder
	dec *udptl.Decoder
}

// t38Link joins two T.38 terminals over a datagram line.
type t38Link struct {
	line  datagramLine
	sides [2]*t38Side
	fed   int64         // 8 kHz samples both terminals have been advanced by
	now   time.Duration // call time of fed: when transmitted datagrams leave
	err   error         // first encoder/decoder failure, checked after each tick
}

func newT38Link(cfg Config, caller, answerer t30.Options) (*t38Link, error) {
	l := &t38Link{line: datagramLine{line: newLine(cfg)}}
	ec := udptl.EncoderConfig{Mode: udptl.Redundancy, Depth: cfg.Redundancy, MaxDatagram: cfg.MaxDatagram}
	if cfg.Redundancy == 0 {
		ec = udptl.EncoderConfig{Mode: udptl.None, MaxDatagram: cfg.MaxDatagram}
	}
	for i, opts := range []t30.Options{caller, answerer} {
		side := &t38Side{enc: udptl.NewEncoder(ec), dec: udptl.NewDecoder()}
		l.sides[i] = side
		s, err := t30.NewT38(opts, l.transmitter(i))
		if err != nil {
			l.close()
			return nil, fmt.Errorf("linesim: %s session: %w", sideName(i), err)
		}
		side.s = s
	}
	return l, nil
}

func sideName(i int) string {
	if i == 0 {
		return "caller"
	}
	return "answerer"
}

// transmitter is side i's tx callback. The session calls it from Advance or
// RxIFP on this goroutine (after spandsp has returned); the datagram only goes
// onto the line, so nothing re-enters a session. One UDPTL sequence number is
// sent count times, as spandsp asks (3 for indicators and end of data).
func (l *t38Link) transmitter(i int) func(ifp []byte, count int) {
	return func(ifp []byte, count int) {
		dg, err := l.sides[i].enc.Encode(ifp)
		if err != nil {
			l.fail(fmt.Errorf("linesim: %s UDPTL encode: %w", sideName(i), err))
			return
		}
		for range max(count, 1) {
			l.line.put(l.now, 1-i, dg)
		}
	}
}

func (l *t38Link) fail(err error) {
	if l.err == nil {
		l.err = err
	}
}

// catchUpChunk is the most time one Advance may cover. spandsp's terminal
// sends at most one paced chunk (30 ms of data) per call, so after a late real
// tick the elapsed time is fed in 20 ms slices, with the datagrams that arrived
// in between delivered in order; otherwise the sender would fall behind the
// receiver's T.30 timers.
const catchUpChunk = 240 // 30 ms

// tick brings the line and both terminals to call time now: slice by slice,
// deliver the datagrams that have arrived, then advance both terminals' clocks
// by the samples elapsed. On the simulated clock that is one 20 ms slice.
func (l *t38Link) tick(now time.Duration) error {
	target := int64(now) * 8000 / int64(time.Second)
	for l.fed < target && l.err == nil {
		n := target - l.fed
		if n > catchUpChunk {
			n = samplesPerStep
		}
		l.fed += n
		l.now = time.Duration(l.fed) * time.Second / 8000
		l.deliver(l.now)
		for _, side := range l.sides {
			if !side.s.Done() {
				side.s.Advance(int(n))
			}
		}
	}
	return l.err
}

// deliver feeds each side the datagrams that have reached it by now.
func (l *t38Link) deliver(now time.Duration) {
	for l.err == nil {
		dg, ok := l.line.arrived(now)
		if !ok {
			return
		}
		side := l.sides[dg.to]
		if side.s.Done() {
			continue // hung up: nobody listens any more
		}
		pkts, err := side.dec.Decode(dg.b)
		if err != nil {
			l.fail(fmt.Errorf("linesim: %s UDPTL decode: %w", sideName(dg.to), err))
			return
		}
		for _, p := range pkts {
			side.s.RxIFP(p.IFP, p.Seq)
		}
	}
}

func (l *t38Link) done() (bool, bool) { return l.sides[0].s.Done(), l.sides[1].s.Done() }

func (l *t38Link) outcome() Outcome {
	o := Outcome{
		Caller:   l.sides[0].s.Result(),
		Answerer: l.sides[1].s.Result(),
		Packets:  l.line.packets,
		Lost:     l.line.lost,
		Bytes:    l.line.bytes,
	}
	for _, side := range l.sides {
		o.Recovered += int(side.dec.Stats().Recovered)
	}
	return o
}

func (l *t38Link) hangup() {
	for _, side := range l.sides {
		if !side.s.Done() {
			side.s.Hangup()
		}
	}
}

func (l *t38Link) close() {
	for _, side := range l.sides {
		if side != nil && side.s != nil {
			side.s.Close()
		}
	}
}
