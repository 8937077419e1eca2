package rtp

// Thresholds of the sequence tracker (RFC 3550 A.1 uses 3000 and 100).
const (
	maxDropout  = 3000 // a jump ahead by more is a restart, once confirmed
	maxMisorder = 100  // a packet further behind is a restart, once confirmed
	dupWindow   = 64   // how far behind the highest packet duplicates are recognised
)

// seqVerdict is what the tracker says about one packet.
type seqVerdict int

const (
	seqFresh     seqVerdict = iota // new packet, in order
	seqReordered                   // new packet, older than the highest seen
	seqDuplicate                   // seen before
	seqTooOld                      // too far behind to tell; dropped
	seqProbation                   // a large jump, waiting for the next packet to confirm it
	seqRestart                     // the jump was confirmed: a new run starts with this packet
)

// seqTracker extends 16-bit sequence numbers and counts loss. Extended
// numbers start at 1<<32 so that packets reordered before the first one
// stay positive.
type seqTracker struct {
	started    bool
	base, max  int64  // extended numbers: lowest and highest of this run
	seen       uint64 // bit i: max-i was received
	received   int64  // distinct packets of this run
	lostBefore int64  // loss of earlier runs
	probe      uint16 // the sequence number that confirms a jump
	probing    bool
}

const seqOrigin = 1 << 32

func (s *seqTracker) restart(seq uint16) {
	s.lostBefore = s.lost()
	s.started, s.probing = true, false
	s.base = seqOrigin + int64(seq)
	s.max, s.seen, s.received = s.base, 1, 1
}

// lost is RFC 3550 A.3's cumulative loss: expected minus received.
func (s *seqTracker) lost() int64 {
	if !s.started {
		return s.lostBefore
	}
	return s.lostBefore + max(s.max-s.base+1-s.received, 0)
}

func (s *seqTracker) update(seq uint16) seqVerdict {
	if !s.started {
		s.restart(seq)
		return seqFresh
	}
	delta := int64(int16(seq - uint16(s.max)))
	switch {
	case delta > maxDropout || delta < -maxMisorder:
		return s.jump(seq)
	case delta > 0:
		s.probing = false
		s.seen = s.seen<<delta | 1 // a shift of 64 or more clears the window
		s.max += delta
		s.received++
		return seqFresh
	case delta == 0:
		return seqDuplicate
	case -delta >= dupWindow:
		return seqTooOld
	}
	bit := uint64(1) << -delta
	if s.seen&bit != 0 {
		return seqDuplicate
	}
	s.seen |= bit
	s.received++
	if ext := s.max + delta; ext < s.base {
		s.base = ext // reordered before the first packet of the run
	}
	return seqReordered
}

// jump handles a packet far from the run: the first is held on probation;
// the next one, if it follows it, restarts the run (RFC 3550 A.1).
func (s *seqTracker) jump(seq uint16) seqVerdict {
	if s.probing && seq == s.probe {
		s.restart(seq)
		return seqRestart
	}
	s.probing, s.probe = true, seq+1
	return seqProbation
}

// jitter is RFC 3550 A.8's interarrival jitter in timestamp units, kept
// scaled by 16 as in the RFC's integer code.
type jitter struct {
	started bool
	transit int32
	scaled  uint32
}

// update takes a packet's arrival time and RTP timestamp, both in
// timestamp units.
func (j *jitter) update(arrival, ts uint32) {
	transit := int32(arrival - ts)
	if !j.started {
		j.started, j.transit = true, transit
		return
	}
	d := transit - j.transit
	j.transit = transit
	if d < 0 {
		d = -d
	}
	// J += (|D| - J) / 16, in unsigned arithmetic that wraps as the RFC's.
	j.scaled += uint32(d) - ((j.scaled + 8) >> 4)
}

func (j *jitter) units() uint32 { return j.scaled >> 4 }
