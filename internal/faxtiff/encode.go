package faxtiff

import "math/bits"

// changes appends to dst the changing elements of a packed row: the
// positions x where pixel x differs from pixel x-1 (pixel -1 is white), in
// increasing order, then three sentinels equal to width. The coder looks at
// most three entries past the current one, so the sentinels stand in for
// the "imaginary changing elements" T.4 places just after the line.
func changes(row []byte, width int, dst []int32) []int32 {
	dst = dst[:0]
	var inv byte // 0x00 while looking for black, 0xFF while looking for white
	x := 0
	for x < width {
		i := x >> 3
		b := (row[i] ^ inv) & (0xFF >> uint(x&7))
		for b == 0 {
			i++
			if i<<3 >= width {
				break
			}
			b = row[i] ^ inv
		}
		if b == 0 {
			break
		}
		x = i<<3 + bits.LeadingZeros8(b)
		if x >= width {
			break // the change is in the padding bits
		}
		dst = append(dst, int32(x))
		inv = ^inv
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
	w := &bitWriter{buf: make([]byte, 0, 4096)}
	enc := newRowCoder(p.Width)
	for y := range p.Height {
		enc.cur = changes(p.Row(y), p.Width, enc.cur)
		enc.code2D(w)
		enc.next()
	}
	w.put(eol)
	w.put(eol)
	return w.bytes()
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
			w.put(modeCodes[modePass])
			a0 = b2
		case a1-b1 <= 3 && b1-a1 <= 3:
			w.put(verticalCodes[a1-b1+3])
			a0 = a1
			i++
		default:
			a2 := cur[i+1]
			w.put(modeCodes[modeHoriz])
			white := i&1 == 0
			putRun(w, int(a1-max(a0, 0)), white)
			putRun(w, int(a2-a1), !white)
			a0 = a2
			i += 2
		}
	}
}

// verticalCodes are the vertical mode codes by a1-b1+3 (VL3 ... VR3), a
// table instead of a branch per code; filled with the other code tables.
var verticalCodes [7]code

// putRun codes a run of n pixels of one colour (T.4 §4.1.1): make-up codes
// of 2560 while at least 2624 pixels remain, then the make-up code for the
// rest's multiple of 64 (if any), then the terminating code for n mod 64.
func putRun(w *bitWriter, n int, white bool) {
	term, makeup := &blackTerm, &blackMakeup
	if white {
		term, makeup = &whiteTerm, &whiteMakeup
	}
	for n >= 2624 {
		w.put(extMakeup[len(extMakeup)-1])
		n -= 2560
	}
	if m := n / 64; m > 0 {
		if m <= len(makeup) {
			w.put(makeup[m-1])
		} else {
			w.put(extMakeup[m-1-len(makeup)])
		}
	}
	w.put(term[n%64])
}
