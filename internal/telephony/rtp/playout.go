package rtp

import "time"

// Playout buffer geometry, in samples (8 kHz).
const (
	ringSize     = 8192 // 1.024 s; a power of two
	ringMask     = ringSize - 1
	window       = ringSize / 2 // a packet further from the play point is a timestamp jump
	maxPayload   = 1024         // samples per packet (128 ms); more is not G.711 telephony
	overrunSlack = 640          // 80 ms: how far past the delay the buffer may run before audio is dropped
	lateResync   = 3            // late packets in a row that make the buffer start over
)

// playout is a fixed-delay buffer indexed by RTP timestamp: each sample
// has a slot and a presence bit, so packets of any size fill it and Pop
// takes fixed frames.
type playout struct {
	frame        int // samples per pop
	delay        time.Duration
	delaySamples uint32 // delay in samples
	buf          [ringSize]byte
	have         [ringSize / 64]uint64

	started bool      // a first packet set the baseline
	playing bool      // the delay since the baseline has passed
	startAt time.Time // when playing starts
	next    uint32    // timestamp of the next sample to play
	end     uint32    // one past the newest sample written (never behind next)
	lateRun int
	out     []byte
}

func newPlayout(frame int, delay time.Duration) *playout {
	return &playout{
		frame:        frame,
		delay:        delay,
		delaySamples: uint32(delay * 8000 / time.Second),
		out:          make([]byte, frame),
	}
}

type pushResult struct {
	late     bool   // the packet came after its samples were played; dropped
	resync   bool   // the buffer started over at this packet
	overruns uint64 // frames dropped because the buffer ran too far ahead
}

// push stores a packet's samples.
func (p *playout) push(ts uint32, payload []byte, at time.Time) (r pushResult) {
	if !p.started {
		p.rebase(ts, at)
	}
	n := int32(len(payload))
	off := int32(ts - p.next)
	switch {
	case off >= window || off < -window:
		p.rebase(ts, at) // a timestamp jump: start over
		r.resync, off = true, 0
	case off < 0 && !p.playing && int32(p.end-ts) < window:
		p.next, off = ts, 0 // reordered before the first packet: start earlier
	case off+n <= 0:
		p.lateRun++
		if p.lateRun < lateResync {
			r.late = true
			return r
		}
		p.rebase(ts, at) // the far clock is slower than ours: re-buffer
		r.resync, off = true, 0
	}
	p.lateRun = 0
	for i := max(-off, 0); i < n; i++ { // a partly late packet keeps its tail
		idx := (ts + uint32(i)) & ringMask
		p.buf[idx] = payload[i]
		p.have[idx>>6] |= 1 << (idx & 63)
	}
	if e := ts + uint32(n); int32(e-p.end) > 0 {
		p.end = e
	}
	if depth := p.end - p.next; p.playing && depth > p.delaySamples+overrunSlack {
		// The far clock is faster than ours: drop the oldest audio so the
		// delay stays what it was configured to be.
		skip := depth - p.delaySamples
		p.clear(p.next, skip)
		p.next += skip
		r.overruns = uint64((int(skip) + p.frame - 1) / p.frame)
	}
	return r
}

// pop returns the next frame. counted is false while nothing is playing
// yet (before the first packet, or during the delay after a (re)start).
func (p *playout) pop(now time.Time) (frame []byte, ok, counted bool) {
	if !p.started {
		return nil, false, false
	}
	if !p.playing {
		if now.Before(p.startAt) {
			return nil, false, false
		}
		p.playing = true
	}
	ok = true
	for i := range p.frame {
		idx := (p.next + uint32(i)) & ringMask
		bit := uint64(1) << (idx & 63)
		if p.have[idx>>6]&bit == 0 {
			ok = false
		}
		p.have[idx>>6] &^= bit
		p.out[i] = p.buf[idx]
	}
	p.next += uint32(p.frame)
	if int32(p.end-p.next) < 0 {
		p.end = p.next
	}
	if !ok {
		return nil, false, true
	}
	return p.out, true, true
}

// rebase restarts the buffer at timestamp ts, playing after the delay.
func (p *playout) rebase(ts uint32, at time.Time) {
	clear(p.have[:])
	p.started, p.playing = true, false
	p.startAt = at.Add(p.delay)
	p.next, p.end, p.lateRun = ts, ts, 0
}

func (p *playout) clear(from, n uint32) {
	for i := range n {
		idx := (from + i) & ringMask
		p.have[idx>>6] &^= 1 << (idx & 63)
	}
}
