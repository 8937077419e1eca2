package udptl

import "crypto/subtle"

// Decoder limits.
const (
	ringSize = 64 // IFPs kept for FEC and duplicate detection (power of two)
	ringMask = ringSize - 1
	// maxSeqJump bounds what counts as loss or lateness: a sequence number
	// further than this from the expected one, either way, is a restart of
	// the far end's numbering (spandsp's t38_core draws the same line).
	maxSeqJump = 2000
)

// Packet is one IFP to hand to T.38 (t38_core_rx_ifp_packet), with its own
// sequence number. Recovered marks IFPs rebuilt from redundancy or FEC.
type Packet struct {
	Seq       uint16
	IFP       []byte
	Recovered bool
}

// Stats counts what a Decoder saw. A datagram older than the ring of 64
// IFPs the decoder keeps counts as Late even if its IFP was delivered.
type Stats struct {
	Received   uint64 // well-formed datagrams
	Delivered  uint64 // IFPs returned, recovered ones included
	Duplicates uint64 // datagrams whose IFP was already delivered (spandsp sends indicators 3 times)
	Recovered  uint64 // IFPs rebuilt from secondaries or FEC parity
	Lost       uint64 // sequence numbers given up without their IFP
	Late       uint64 // datagrams that arrived after their sequence number was given up
	Resyncs    uint64 // jumps of more than 2000 either way, taken as a restart
	Malformed  uint64 // datagrams rejected with an error
}

type slot struct {
	seq  uint16
	have bool
	buf  []byte
}

// Decoder turns the UDPTL datagrams of one incoming stream into IFPs in
// sequence order. Not safe for concurrent use.
//
// The first datagram sets the expected sequence number; its secondaries are
// delivered too (they are real IFPs the stream sent before). After that:
//   - an older sequence number is dropped (duplicate or late),
//   - a newer one fills the gap from its secondaries, or from FEC parity
//     when exactly one IFP of a parity group is missing, oldest first, then
//     delivers its primary; what cannot be filled is counted lost (spandsp
//     is told through the sequence numbers it sees),
//   - a jump of more than 2000 either way restarts the numbering.
//
// A gap is decided when the datagram ending it arrives: nothing is held back
// to wait for later redundancy, since spandsp drops IFPs that arrive after a
// later one anyway.
type Decoder struct {
	started bool
	next    uint16 // expected sequence number
	version int    // T.38 version for FEC trimming; -1 unknown
	ring    [ringSize]slot
	out     []Packet
	dg      Datagram
	stats   Stats
}

// NewDecoder returns a decoder that has seen nothing.
func NewDecoder() *Decoder { return &Decoder{version: -1} }

// SetT38Version tells the decoder the far end's T38FaxVersion, so an IFP
// rebuilt from FEC parity is cut to its exact length (see trim); without it
// both encodings are tried.
func (d *Decoder) SetT38Version(v int) { d.version = v }

// Stats returns the counters so far.
func (d *Decoder) Stats() Stats { return d.stats }

// Decode parses one datagram and returns the IFPs to deliver, oldest first,
// each with its own sequence number. The returned slice and the IFP octets
// belong to the decoder and are valid until the next call; the datagram is
// not retained. A malformed datagram returns an error and changes no state
// but the Malformed count.
func (d *Decoder) Decode(datagram []byte) ([]Packet, error) {
	d.out = d.out[:0]
	if err := d.dg.Parse(datagram); err != nil {
		d.stats.Malformed++
		return nil, err
	}
	d.stats.Received++
	seq := d.dg.Seq
	if !d.started {
		d.restart()
	} else if delta := int(int16(seq - d.next)); delta < -maxSeqJump || delta > maxSeqJump {
		d.stats.Resyncs++
		d.restart()
	} else if delta < 0 {
		d.dropOld(seq)
		return d.out, nil
	}
	gap := d.openGap()
	for i, s := range d.dg.Secondaries[:min(gap, len(d.dg.Secondaries))] {
		d.store(seq-1-uint16(i), s)
	}
	if d.dg.Mode == FEC {
		d.repair()
	}
	for i := range gap {
		s := d.next + uint16(i)
		if sl := &d.ring[s&ringMask]; sl.have {
			d.out = append(d.out, Packet{Seq: s, IFP: sl.buf, Recovered: true})
			d.stats.Recovered++
		} else {
			d.stats.Lost++
		}
	}
	d.out = append(d.out, Packet{Seq: seq, IFP: d.store(seq, d.dg.Primary)})
	d.next = seq + 1
	d.stats.Delivered += uint64(len(d.out))
	return d.out, nil
}

// restart forgets the past and expects the oldest IFP the current datagram
// carries, so its secondaries are delivered.
func (d *Decoder) restart() {
	for i := range d.ring {
		d.ring[i].have = false
	}
	d.started = true
	d.next = d.dg.Seq - uint16(min(len(d.dg.Secondaries), ringSize-1))
}

func (d *Decoder) dropOld(seq uint16) {
	if sl := &d.ring[seq&ringMask]; sl.have && sl.seq == seq {
		d.stats.Duplicates++
	} else {
		d.stats.Late++
	}
}

// openGap counts the missing sequence numbers before the current datagram,
// gives up on those beyond the ring, and marks the rest missing so repair
// can find them. It returns the number of ring slots in the gap.
func (d *Decoder) openGap() int {
	gap := int(d.dg.Seq - d.next)
	if over := gap - (ringSize - 1); over > 0 {
		d.stats.Lost += uint64(over)
		d.next += uint16(over)
		gap -= over
	}
	for i := range gap {
		s := d.next + uint16(i)
		d.ring[s&ringMask] = slot{seq: s, buf: d.ring[s&ringMask].buf}
	}
	return gap
}

// store copies ifp into the ring slot of seq and returns the copy.
func (d *Decoder) store(seq uint16, ifp []byte) []byte {
	sl := &d.ring[seq&ringMask]
	sl.seq, sl.have = seq, true
	sl.buf = append(sl.buf[:0], ifp...)
	return sl.buf
}

func (d *Decoder) held(seq uint16) bool {
	sl := &d.ring[seq&ringMask]
	return sl.have && sl.seq == seq
}

// repair rebuilds, for each FEC entry of the current datagram, the one IFP
// its group misses, if exactly one is missing and it is still awaited.
// Entry m of datagram s covers s+m-span*n+k*n, k < span (n entries).
func (d *Decoder) repair() {
	span, n := d.dg.FECSpan, len(d.dg.FEC)
	if span == 0 || n == 0 || span > ringSize || n > ringSize || span*n >= ringSize {
		return // nothing covered, or reaching past what the ring holds
	}
	for m, parity := range d.dg.FEC {
		first := d.dg.Seq + uint16(m) - uint16(span*n)
		missing, count := uint16(0), 0
		for k := range span {
			if s := first + uint16(k*n); !d.held(s) {
				missing, count = s, count+1
			}
		}
		if count != 1 || int16(missing-d.next) < 0 || len(parity) == 0 {
			continue
		}
		sl := &d.ring[missing&ringMask]
		b := append(sl.buf[:0], parity...)
		for k := range span {
			if s := first + uint16(k*n); s != missing {
				xorInto(b, d.ring[s&ringMask].buf)
			}
		}
		*sl = slot{seq: missing, have: true, buf: d.trim(b)}
	}
}

// xorInto XORs src into dst; octets of src beyond dst are dropped (they
// belong to a longer IFP of the group, absent from the parity only if the
// sender is broken).
func xorInto(dst, src []byte) {
	subtle.XORBytes(dst, dst, src[:min(len(src), len(dst))])
}

// trim cuts an IFP rebuilt from parity to the length its PER encoding
// states: the parity is as long as the longest IFP of its group, so a
// shorter one comes back zero-padded, and spandsp rejects IFPs whose length
// disagrees with their content. With the version unknown the shortest
// consistent reading wins (version 0 packs data-less fields tighter).
func (d *Decoder) trim(b []byte) []byte {
	best := len(b)
	for _, v := range [2]int{0, 1} {
		if d.version >= 0 && (v == 0) != (d.version == 0) {
			continue
		}
		n, err := scanIFP(b, v, nil)
		if err == nil && n < best && allZero(b[n:]) {
			best = n
		}
	}
	return b[:best]
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
