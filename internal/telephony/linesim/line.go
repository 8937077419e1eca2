package linesim

import (
	"container/heap"
	"math/rand/v2"
	"time"
)

// line holds the impairments shared by both directions and the counters. One
// seeded generator serves both directions; since one goroutine draws from it in
// a fixed order, a simulated call is reproducible from its seed.
type line struct {
	loss          float64
	delay, jitter time.Duration
	rng           *rand.Rand

	packets, lost, late int
	bytes               int64
}

func newLine(cfg Config) line {
	seed := uint64(cfg.Seed)
	return line{
		loss:   cfg.Loss,
		delay:  cfg.Delay,
		jitter: cfg.Jitter,
		rng:    rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
	}
}

// send counts one packet of n octets and reports whether the line keeps it.
func (l *line) send(n int) bool {
	l.packets++
	l.bytes += int64(n)
	if l.loss > 0 && l.rng.Float64() < l.loss {
		l.lost++
		return false
	}
	return true
}

// latency draws the one-way delay of one packet: Delay plus [0, Jitter).
func (l *line) latency() time.Duration {
	if l.jitter <= 0 {
		return l.delay
	}
	return l.delay + time.Duration(l.rng.Int64N(int64(l.jitter)))
}

// inFlight is one datagram on its way to side `to`.
type inFlight struct {
	due time.Duration
	n   uint64 // send order: ties (same due time) keep it
	to  int
	b   []byte
}

// flightQueue is a min-heap of datagrams by arrival time. Jitter can reorder
// datagrams, which the UDPTL decoder must then cope with, as on a real network.
type flightQueue []inFlight

func (q flightQueue) Len() int { return len(q) }
func (q flightQueue) Less(i, j int) bool {
	if q[i].due != q[j].due {
		return q[i].due < q[j].due
	}
	return q[i].n < q[j].n
}
func (q flightQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *flightQueue) Push(x any)   { *q = append(*q, x.(inFlight)) }
func (q *flightQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	old[len(old)-1] = inFlight{}
	*q = old[:len(old)-1]
	return x
}

// datagramLine carries UDPTL datagrams between the two sides.
type datagramLine struct {
	line
	q    flightQueue
	sent uint64
}

// put sends b (already encoded) from the given time towards side `to`.
func (d *datagramLine) put(now time.Duration, to int, b []byte) {
	if !d.send(len(b)) {
		return
	}
	d.sent++
	heap.Push(&d.q, inFlight{due: now + d.latency(), n: d.sent, to: to, b: b})
}

// arrived pops the next datagram due by now, if any.
func (d *datagramLine) arrived(now time.Duration) (inFlight, bool) {
	if len(d.q) == 0 || d.q[0].due > now {
		return inFlight{}, false
	}
	return heap.Pop(&d.q).(inFlight), true
}

// frameLine carries 20 ms G.711 frames into a fixed playout buffer per side:
// frame f is played at frame f+playout, so a frame is on time when its latency
// is at most playout×20 ms. Loss and lateness are decided when the frame is
// sent, which keeps the buffer a ring of playout+1 slots.
type frameLine struct {
	line
	playout int64
	slots   [2][]frameSlot
}

type frameSlot struct {
	frame int64 // frame number held, -1 when empty
	data  []byte
}

func newFrameLine(cfg Config, frameBytes int) frameLine {
	p := int64((cfg.Delay + cfg.JitterBuffer + step - 1) / step)
	f := frameLine{line: newLine(cfg), playout: p}
	for side := range f.slots {
		f.slots[side] = make([]frameSlot, p+1)
		for i := range f.slots[side] {
			f.slots[side][i] = frameSlot{frame: -1, data: make([]byte, frameBytes)}
		}
	}
	return f
}

// put sends frame number f towards side `to`; fill writes the payload into the
// slot only when the frame will arrive in time.
func (fl *frameLine) put(to int, f int64, n int, fill func(dst []byte)) {
	s := &fl.slots[to][f%int64(len(fl.slots[to]))]
	s.frame = -1
	if !fl.send(n) {
		return
	}
	if fl.latency() > time.Duration(fl.playout)*step {
		fl.late++
		return
	}
	fill(s.data[:n])
	s.frame = f
}

// take returns the payload side `to` plays for frame f, or nil when it is
// missing (lost, late, not sent, or before the first frame could arrive).
func (fl *frameLine) take(to int, f int64) []byte {
	k := f - fl.playout
	if k < 0 {
		return nil
	}
	s := &fl.slots[to][k%int64(len(fl.slots[to]))]
	if s.frame != k {
		return nil
	}
	return s.data
}
