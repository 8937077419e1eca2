package faxtiff

import (
	"encoding/binary"
	"math/bits"
)

// bitWriter appends codes MSB first (TIFF FillOrder 1) to buf. Bits are
// gathered in a 64-bit accumulator and stored four bytes at a time, which
// halves the cost of coding a page of dense text.
type bitWriter struct {
	buf   []byte
	acc   uint64 // pending bits, right-aligned (older bits above them are stale)
	nacc  uint   // number of pending bits (< 32 between calls)
	total int    // bits written, for tests and alignment
}

func (w *bitWriter) put(c code) {
	w.acc = w.acc<<c.n | uint64(c.bits)
	w.nacc += uint(c.n)
	w.total += int(c.n)
	if w.nacc >= 32 {
		w.nacc -= 32
		w.buf = binary.BigEndian.AppendUint32(w.buf, uint32(w.acc>>w.nacc))
	}
}

// putOnes writes n one bits (n V0 codes).
func (w *bitWriter) putOnes(n int) {
	for ; n > 24; n -= 24 {
		w.put(code{bits: 1<<24 - 1, n: 24})
	}
	if n > 0 {
		w.put(code{bits: 1<<uint(n) - 1, n: uint8(n)})
	}
}

// align pads with zero bits to the next byte boundary (fill bits).
func (w *bitWriter) align() {
	if pad := (8 - w.nacc%8) % 8; pad > 0 {
		w.put(code{n: uint8(pad)})
	}
}

// bytes flushes the pending bits (zero padded to a byte) and returns the
// data.
func (w *bitWriter) bytes() []byte {
	w.align()
	for w.nacc >= 8 {
		w.nacc -= 8
		w.buf = append(w.buf, byte(w.acc>>w.nacc))
	}
	return w.buf
}

// bitReader reads a byte slice MSB first. Past the end it yields zero bits,
// so that a peek never fails; callers check bitsLeft and overrun to catch
// truncated data.
type bitReader struct {
	data []byte
	pos  int // bit position of the next unread bit
}

// newBitReader reads data; lsbFirst (TIFF FillOrder 2) data is read from a
// bit-reversed copy, which keeps peek branch-free.
func newBitReader(data []byte, lsbFirst bool) *bitReader {
	if lsbFirst {
		rev := make([]byte, len(data))
		for i, b := range data {
			rev[i] = bits.Reverse8(b)
		}
		data = rev
	}
	return &bitReader{data: data}
}

// peek returns the next n (≤ 24) bits right-aligned without consuming them.
func (r *bitReader) peek(n uint) uint32 {
	i := r.pos >> 3
	var v uint32
	if i+4 <= len(r.data) {
		v = binary.BigEndian.Uint32(r.data[i:])
	} else {
		for k := range 4 {
			v <<= 8
			if i+k < len(r.data) && i+k >= 0 {
				v |= uint32(r.data[i+k])
			}
		}
	}
	return v >> (32 - uint(r.pos&7) - n) & (1<<n - 1)
}

func (r *bitReader) skip(n int) { r.pos += n }

func (r *bitReader) bitsLeft() int { return len(r.data)*8 - r.pos }

func (r *bitReader) overrun() bool { return r.pos > len(r.data)*8 }

func (r *bitReader) alignByte() { r.pos = (r.pos + 7) &^ 7 }
