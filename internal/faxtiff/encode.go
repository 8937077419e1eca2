package faxtiff

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// changes appends to dst the changing elements of a packed row: the
// positions x where pixel x differs from pixel x-1 (pixel -1 is white), in
// increasing order, then three sentinels equal to width. The coder looks at
// most three entries past the current one, so the sentinels stand in for
// the "imaginary changing elements" T.4 places just after the line.
//
// The row is read 64 pixels at a time: in a word v (pixel 0 in the top
// bit), the changes are the set bits of v ^ (v>>1 | last pixel of the
// previous word), so a word of one colour costs a few instructions and each
// change one LeadingZeros64. Bits past width (padding) are ignored.
func changes(row []byte, width int, dst []int32) []int32 {
	dst = dst[:0]
	var prev uint64 // the previous word's last pixel, in the top bit
	for x0 := 0; x0 < width; x0 += 64 {
		i := x0 >> 3
		var v uint64
		if i+8 <= len(row) {
			v = binary.BigEndian.Uint64(row[i:])
		} else {
			for k := range 8 {
				v <<= 8
				if i+k < len(row) {
					v |= uint64(row[i+k])
				}
			}
		}
		t := v ^ (v>>1 | prev)
		prev = v << 63
		if n := width - x0; n < 64 {
			t &= ^uint64(0) << uint(64-n) // only pixels before width
		}
		for t != 0 {
			k := bits.LeadingZeros64(t)
			dst = append(dst, int32(x0+k))
			t &^= 1 << uint(63-k)
		}
	}
	w := int32(width)
	return append(dst, w, w, w)
}

// EncodeG4 codes the page as one CCITT T.6 (MMR, Group 4) strip, bits MSB
// first (TIFF FillOrder 1), ending with EOFB and zero fill to a byte. The
// output is byte-identical to libtiff's and Ghostscript's T.6 coders (the
// coding leaves no choices). Pix must hold Height rows of Stride bytes, as
// NewPage makes it; Write checks that before calling EncodeG4.
func EncodeG4(p *Page) []byte {
	if p.Width <= 0 || p.Height <= 0 {
		return []byte{0x00, 0x10, 0x01} // EOFB only: an empty image
	}
	// A page of text codes to a sixth of its raw size or less: one
	// allocation for most pages instead of a dozen doublings.
	w := &bitWriter{buf: make([]byte, 0, max(4096, len(p.Pix)/6))}
	enc := newRowCoder(p.Width)
	var prev []byte
	for y := range p.Height {
		row := p.Row(y)
		if prev != nil && bytes.Equal(row, prev) {
			// A row like the one above (blank paper, the middle of every
			// vertical stroke) codes as one V0 per change and one for the
			// end of the line; ref stays the reference.
			w.putOnes(len(enc.ref) - 2)
			continue
		}
		enc.cur = changes(row, p.Width, enc.cur)
		enc.code2D(w)
		enc.next()
		prev = row
	}
	w.put(eol)
	w.put(eol)
	out := w.bytes()
	if cap(out) > 2*len(out)+4096 {
		// Held pages (Encoded) keep only what they use.
		out = append([]byte(nil), out...)
	}
	return out
}

// rowCoder holds the changing elements of the coding line (cur) and of the
// reference line (ref), both with sentinels.
type rowCoder struct {
	width    int32
	cur, ref []int32
}

func newRowCoder(width int) *rowCoder {
	w := int32(width)
	return &rowCoder{
		width: w,
		cur:   make([]int32, 0, width+4),
		ref:   append(make([]int32, 0, width+4), w, w, w), // imaginary white line
	}
}

// next makes the coding line the reference line of the following row.
func (c *rowCoder) next() { c.cur, c.ref = c.ref, c.cur }

// code2D codes c.cur against c.ref with the two-dimensional coding of
// T.4 §4.2.1.3 / T.6 §2.2: pass mode when b2 lies left of a1, vertical mode
// when |a1-b1| ≤ 3, horizontal mode otherwise.
//
// The colour of a0 is implied by i, the index of a1 in cur: changes at even
// indexes turn the line black, so a0 is white exactly when i is even. b1 is
// the first change of ref right of a0 with the opposite colour of a0, i.e.
// the first one right of a0 whose index has the parity of i.
func (c *rowCoder) code2D(w *bitWriter) {
	cur, ref, width := c.cur, c.ref, c.width
	// The writer's state lives in locals (registers) while the row is
	// coded: emit is bitWriter.put on values.
	acc, nacc, buf := w.acc, w.nacc, w.buf
	start := len(buf)*8 - int(nacc)
	a0 := int32(-1)
	i, j := 0, 0
	for a0 < width {
		for ref[j] <= a0 {
			j++
		}
		k := j + (j^i)&1
		b1, b2 := ref[k], ref[k+1]
		a1 := cur[i]
		switch {
		case b2 < a1:
			acc, nacc, buf = emit(acc, nacc, buf, modeCodes[modePass])
			a0 = b2
		case a1 == b1:
			// V0, and as long as the lines go on changing at the same
			// places, V0 again (b1 is then always the next change of
			// ref): a run of one-bit codes "1". The run ends at the end
			// of the line.
			m := 1
			for a1 < width && cur[i+m] == ref[k+m] {
				a1 = cur[i+m]
				m++
			}
			for n := m; n > 0; {
				c := min(n, 24)
				acc, nacc, buf = emit(acc, nacc, buf, code{bits: 1<<uint(c) - 1, n: uint8(c)})
				n -= c
			}
			a0 = a1
			i += m
			j = k + m - 1
		case a1-b1 <= 3 && b1-a1 <= 3:
			acc, nacc, buf = emit(acc, nacc, buf, verticalCodes[a1-b1+3])
			a0 = a1
			i++
		default:
			a2 := cur[i+1]
			acc, nacc, buf = emit(acc, nacc, buf, modeCodes[modeHoriz])
			white := i&1 == 0
			acc, nacc, buf = putRunTo(acc, nacc, buf, int(a1-max(a0, 0)), white)
			acc, nacc, buf = putRunTo(acc, nacc, buf, int(a2-a1), !white)
			a0 = a2
			i += 2
		}
	}
	w.total += len(buf)*8 - int(nacc) - start
	w.acc, w.nacc, w.buf = acc, nacc, buf
}

// emit is bitWriter.put on a writer's state held in values.
func emit(acc uint64, nacc uint, buf []byte, c code) (uint64, uint, []byte) {
	acc = acc<<c.n | uint64(c.bits)
	nacc += uint(c.n)
	if nacc >= 32 {
		nacc -= 32
		buf = binary.BigEndian.AppendUint32(buf, uint32(acc>>nacc))
	}
	return acc, nacc, buf
}

// verticalCodes are the vertical mode codes by a1-b1+3 (VL3 ... VR3), a
// table instead of a branch per code; filled with the other code tables.
var verticalCodes [7]code

// putRun codes a run of n pixels of one colour (T.4 §4.1.1): make-up codes
// of 2560 while at least 2624 pixels remain, then the make-up code for the
// rest's multiple of 64 (if any), then the terminating code for n mod 64.
func putRun(w *bitWriter, n int, white bool) {
	start := len(w.buf)*8 - int(w.nacc)
	w.acc, w.nacc, w.buf = putRunTo(w.acc, w.nacc, w.buf, n, white)
	w.total += len(w.buf)*8 - int(w.nacc) - start
}

// putRunTo is putRun on a writer's state held in values.
func putRunTo(acc uint64, nacc uint, buf []byte, n int, white bool) (uint64, uint, []byte) {
	term, makeup := &blackTerm, &blackMakeup
	if white {
		term, makeup = &whiteTerm, &whiteMakeup
	}
	for n >= 2624 {
		acc, nacc, buf = emit(acc, nacc, buf, extMakeup[len(extMakeup)-1])
		n -= 2560
	}
	if m := n / 64; m > 0 {
		if m <= len(makeup) {
			acc, nacc, buf = emit(acc, nacc, buf, makeup[m-1])
		} else {
			acc, nacc, buf = emit(acc, nacc, buf, extMakeup[m-1-len(makeup)])
		}
	}
	return emit(acc, nacc, buf, term[n%64])
}
