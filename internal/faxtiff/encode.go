package faxtiff

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"slices"
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
	return NewPageEncoder(p).finish()
}

// PageEncoder codes a page row by row, as EncodeG4 does, while its rows are
// being made: Code codes the rows finished so far, so the coding of a page
// can follow, in another goroutine, the one that fills it in.
type PageEncoder struct {
	p    *Page
	w    bitWriter
	enc  *rowCoder
	prev []byte // the last row coded from its changes
	y    int    // rows coded
}

// NewPageEncoder returns an encoder of p; Pix must hold Height rows of
// Stride bytes, as NewPage makes it.
func NewPageEncoder(p *Page) *PageEncoder {
	e := &PageEncoder{p: p}
	if p.Width > 0 && p.Height > 0 {
		// A page of text codes to a sixth of its raw size or less: one
		// allocation for most pages instead of a dozen doublings.
		e.w.buf = make([]byte, 0, max(4096, len(p.Pix)/6))
		e.enc = newRowCoder(p.Width)
	}
	return e
}

// Code codes rows up to y (excluded; at most Height). Rows coded must not
// change afterwards.
func (e *PageEncoder) Code(y int) {
	if e.enc == nil {
		return
	}
	w, enc := &e.w, e.enc
	for ; e.y < min(y, e.p.Height); e.y++ {
		row := e.p.Row(e.y)
		if e.prev != nil && bytes.Equal(row, e.prev) {
			// A row like the one above (blank paper, the middle of every
			// vertical stroke) codes as one V0 per change and one for the
			// end of the line; ref stays the reference.
			w.putOnes(len(enc.ref) - 2)
			continue
		}
		enc.cur = changes(row, e.p.Width, enc.cur)
		enc.code2D(w)
		enc.next()
		e.prev = row
	}
}

// Encoded codes the rows left and returns the page coded.
func (e *PageEncoder) Encoded() *Encoded {
	p := e.p
	return &Encoded{Width: p.Width, Height: p.Height, XDPI: p.XDPI, YDPI: p.YDPI, Data: e.finish()}
}

func (e *PageEncoder) finish() []byte {
	if e.enc == nil {
		return []byte{0x00, 0x10, 0x01} // EOFB only: an empty image
	}
	e.Code(e.p.Height)
	w := &e.w
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
//
// Pass and vertical modes are coded without a branch on which one it is:
// on a dithered photograph every change is a different mode at random, and
// a mispredicted branch per change cost more than all the rest of the
// coding. Only horizontal mode (one change in ten there) and runs of V0
// (lines changing at the same places: text) branch. After a pass or a
// vertical code at most three changes of ref lie between the old and the
// new a0 (up to b2), so j is moved by three comparisons rather than a
// loop; after horizontal mode it is looked for.
//
// The bits are gathered left-aligned in a 64-bit word and all its whole
// bytes stored after every code (one unconditional 8-byte store): no
// branch on when to store. buf is kept long enough for the row's worst
// case, so the stores need no check either.
func (c *rowCoder) code2D(w *bitWriter) {
	cur, ref, width := c.cur, c.ref, c.width
	if len(cur) < 3 || len(ref) < 3 {
		return // no sentinels: not a row from changes
	}
	// Worst case of a row: a horizontal code (≤ 53 bits with its make-up
	// codes) per two changes of cur, a pass code per two of ref, extended
	// make-up codes for runs of more than 2560, the V0 run's 24-bit codes.
	need := (27*len(cur)+2*len(ref)+int(width)/200+64)/8 + 16
	pos := len(w.buf)
	buf := slices.Grow(w.buf, need)[:pos+need]
	buf = buf[:cap(buf)]
	// The writer's pending bits (fewer than 32, right-aligned) become the
	// top bits of acc.
	nacc := w.nacc
	acc := w.acc << (64 - nacc) & -(uint64(nacc+63) >> 6 & 1) // 0 when nacc is 0
	start := pos*8 + int(nacc)
	a0 := int32(-1)
	i, j := 0, 0
	for a0 < width {
		k := j + (j^i)&1
		b1, b2 := ref[k], ref[k+1]
		a1 := cur[i]
		d := a1 - b1
		pass := b2 < a1
		if !pass && uint32(d+3) > 6 {
			// Horizontal mode.
			a2 := cur[i+1]
			acc, nacc, pos = emitAt(acc, nacc, buf, pos, modeCodes[modeHoriz])
			white := i&1 == 0
			acc, nacc, pos = putRunAt(acc, nacc, buf, pos, int(a1-max(a0, 0)), white)
			acc, nacc, pos = putRunAt(acc, nacc, buf, pos, int(a2-a1), !white)
			a0 = a2
			i += 2
			for a0 < width && ref[j] <= a0 {
				j++
			}
			continue
		}
		if d == 0 && cur[i+1] == ref[k+1] && a1 < width {
			// V0 twice or more: as long as the lines go on changing at
			// the same places, V0 again (b1 is then always the next
			// change of ref), a run of one-bit codes "1" that ends at the
			// end of the line.
			m := 1
			for a1 < width && cur[i+m] == ref[k+m] {
				a1 = cur[i+m]
				m++
			}
			for n := m; n > 0; {
				c := min(n, 24)
				acc, nacc, pos = emitAt(acc, nacc, buf, pos, code{bits: 1<<uint(c) - 1, n: uint8(c)})
				n -= c
			}
			a0 = a1
			i += m
			j = k + m // ref[k+m-1] == a0, and ref increases
			continue
		}
		// Pass or vertical mode: pick the code and the new a0 by
		// conditional moves.
		idx, next, step := uint32(d+3), a1, 1
		if pass {
			idx, next, step = 7, b2, 0
		}
		acc, nacc, pos = emitAt(acc, nacc, buf, pos, passOrVertical[idx&7])
		a0 = next
		i += step
		// ref[j..j+2] are the only candidates left of or at a0 (a0 ≤ b2 =
		// ref[k+1], k ≤ j+1); the sentinels stop the count at the end.
		j += b2i(ref[j] <= a0) + b2i(ref[j+1] <= a0) + b2i(ref[j+2] <= a0)
	}
	// Back to the writer's form: pending bits right-aligned.
	w.total += pos*8 + int(nacc) - start
	w.buf = buf[:pos]
	w.acc, w.nacc = acc>>(64-nacc)&-(uint64(nacc+63)>>6&1), nacc
}

// b2i is 1 for true, 0 for false (a SETcc, not a branch).
func b2i(b bool) int {
	var v int
	if b {
		v = 1
	}
	return v
}

// passOrVertical are the vertical mode codes by a1-b1+3 (VL3 ... VR3),
// then the pass mode code; filled with the other code tables.
var passOrVertical [8]code

// emitAt appends code c to bits gathered left-aligned in acc (nacc of
// them, fewer than 8 between calls) and stores the whole bytes at
// buf[pos:], which must have 8 bytes of room.
func emitAt(acc uint64, nacc uint, buf []byte, pos int, c code) (uint64, uint, int) {
	acc |= uint64(c.bits) << ((64 - nacc - uint(c.n)) & 63)
	nacc += uint(c.n)
	binary.BigEndian.PutUint64(buf[pos:pos+8], acc)
	n := nacc >> 3
	return acc << (n * 8 & 63), nacc & 7, pos + int(n)
}

// putRunAt is putRunTo for emitAt.
func putRunAt(acc uint64, nacc uint, buf []byte, pos int, n int, white bool) (uint64, uint, int) {
	term, makeup := &blackTerm, &blackMakeup
	if white {
		term, makeup = &whiteTerm, &whiteMakeup
	}
	for n >= 2624 {
		acc, nacc, pos = emitAt(acc, nacc, buf, pos, extMakeup[len(extMakeup)-1])
		n -= 2560
	}
	if m := n / 64; m > 0 {
		if m <= len(makeup) {
			acc, nacc, pos = emitAt(acc, nacc, buf, pos, makeup[m-1])
		} else {
			acc, nacc, pos = emitAt(acc, nacc, buf, pos, extMakeup[m-1-len(makeup)])
		}
	}
	return emitAt(acc, nacc, buf, pos, term[n%64])
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
