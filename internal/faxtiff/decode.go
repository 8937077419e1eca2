package faxtiff

import (
	"errors"
	"fmt"
)

// The decoder is table driven: every code is at most 13 bits long, so the
// next 13 bits index a table that gives the code's value and length.
// golang.org/x/image/ccitt is used by the tests as an independent oracle
// but not here: it has no T.4 two-dimensional (MR) decoding, which is what
// spandsp writes by default on receive, and it is not hardened against
// hostile input, while files to send come from users.

type decEntry struct {
	val int16 // run length or mode; meaningless when n == 0
	n   uint8 // code length; 0 = no valid code starts with these bits
}

var whiteDec, blackDec, modeDec [1 << maxCodeLen]decEntry

func buildDecodeTables() {
	fill := func(t *[1 << maxCodeLen]decEntry, c code, val int) {
		shift := maxCodeLen - c.n
		base := c.bits << shift
		for k := range uint32(1) << shift {
			t[base|k] = decEntry{val: int16(val), n: c.n}
		}
	}
	for i := range 64 {
		fill(&whiteDec, whiteTerm[i], i)
		fill(&blackDec, blackTerm[i], i)
	}
	for i := range 27 {
		fill(&whiteDec, whiteMakeup[i], 64*(i+1))
		fill(&blackDec, blackMakeup[i], 64*(i+1))
	}
	for i := range 13 {
		fill(&whiteDec, extMakeup[i], 1792+64*i)
		fill(&blackDec, extMakeup[i], 1792+64*i)
	}
	for m := range numModes {
		fill(&modeDec, modeCodes[m], m)
	}
}

// coding says how a strip of CCITT data is coded.
type coding int

const (
	codingMH coding = iota // TIFF Compression 2: T.4 1D, no EOLs, rows byte aligned
	codingT4               // Compression 3: T.4 with EOLs, 1D or (twoD) 1D/2D with tag bits
	codingT6               // Compression 4: T.6 (MMR)
)

// errEndOfData marks a strip that ends (RTC, EOFB or no more bits) before
// all its rows are decoded.
var errEndOfData = errors.New("coded data ends early")

// ccittDecoder decodes one strip into rows of a page.
type ccittDecoder struct {
	r      *bitReader
	coding coding
	twoD   bool // T4Options bit 0
	width  int32
	rc     *rowCoder // cur/ref changing elements, as in the encoder
}

// decodeCCITT decodes rows [y0, y0+rows) of p from one strip of data.
func decodeCCITT(data []byte, c coding, twoD, lsbFirst bool, p *Page, y0, rows int) error {
	d := &ccittDecoder{
		r:      newBitReader(data, lsbFirst),
		coding: c, twoD: twoD,
		width: int32(p.Width),
		rc:    newRowCoder(p.Width), // each strip starts from a white reference line
	}
	for y := y0; y < y0+rows; y++ {
		if err := d.row(); err != nil {
			if errors.Is(err, errEndOfData) {
				return fmt.Errorf("row %d of %d: %w", y+1, p.Height, err)
			}
			return fmt.Errorf("row %d: %w (bit %d of %d)", y+1, err, d.r.pos, len(data)*8)
		}
		paint(p.Row(y), d.rc.cur)
		d.rc.next()
	}
	return nil
}

// row decodes one row into d.rc.cur.
func (d *ccittDecoder) row() error {
	d.rc.cur = d.rc.cur[:0]
	var err error
	switch d.coding {
	case codingMH:
		err = d.row1D()
		d.r.alignByte()
	case codingT6:
		err = d.row2D()
	default:
		err = d.rowT4()
	}
	if err == nil && d.r.overrun() {
		err = errEndOfData
	}
	w := d.width
	d.rc.cur = append(d.rc.cur, w, w, w)
	return err
}

// rowT4 reads the optional EOL (with any fill bits before it) and, for 2D
// data, the tag bit that picks 1D or 2D coding for the row.
func (d *ccittDecoder) rowT4() error {
	sawEOL, err := d.skipEOL()
	if err != nil {
		return err
	}
	if sawEOL && d.rtcAhead() {
		// Two EOLs in a row (with their tag bits) are RTC: the page ended.
		return errEndOfData
	}
	if d.twoD {
		tag := d.r.peek(1)
		d.r.skip(1)
		if tag == 0 {
			return d.row2D()
		}
	}
	return d.row1D()
}

// skipEOL consumes fill bits and an EOL if the next bits are one. An EOL
// is at least eleven 0 bits and a 1; no code has more than seven leading 0s.
func (d *ccittDecoder) skipEOL() (bool, error) {
	zeros := 0
	for d.r.peek(1) == 0 {
		if d.r.bitsLeft() <= 0 {
			return false, errEndOfData
		}
		d.r.skip(1)
		zeros++
	}
	if zeros >= 11 {
		d.r.skip(1)
		return true, nil
	}
	d.r.pos -= zeros // not an EOL: the zeros start a code
	return false, nil
}

// rtcAhead reports, without consuming anything, whether another EOL
// follows the one just read (after its tag bit in 2D data).
func (d *ccittDecoder) rtcAhead() bool {
	save := d.r.pos
	defer func() { d.r.pos = save }()
	if d.twoD {
		d.r.skip(1)
	}
	again, _ := d.skipEOL()
	return again
}

// row1D decodes alternating white and black runs until the row is full.
func (d *ccittDecoder) row1D() error {
	x, white := int32(0), true
	for x < d.width {
		n, err := d.run(white)
		if err != nil {
			return err
		}
		if x+n > d.width {
			return fmt.Errorf("run of %d pixels at x=%d passes the row width %d", n, x, d.width)
		}
		x += n
		d.addChange(x)
		white = !white
	}
	return nil
}

// run reads make-up codes and one terminating code of a colour.
func (d *ccittDecoder) run(white bool) (int32, error) {
	table := &blackDec
	if white {
		table = &whiteDec
	}
	total := int32(0)
	for {
		e := table[d.r.peek(maxCodeLen)]
		if e.n == 0 {
			return 0, d.badCode(colourName(white) + " run")
		}
		d.r.skip(int(e.n))
		total += int32(e.val)
		if e.val < 64 {
			return total, nil
		}
		if total > d.width {
			return 0, fmt.Errorf("%s run of at least %d pixels passes the row width %d", colourName(white), total, d.width)
		}
	}
}

func colourName(white bool) string {
	if white {
		return "white"
	}
	return "black"
}

// badCode explains an invalid code: zeros up to the end of the data mean
// the data ended early; an EOL (after any fill zeros) where a code should
// be means the row or the image ended early.
func (d *ccittDecoder) badCode(what string) error {
	at := d.r.pos
	defer func() { d.r.pos = at }()
	zeros := 0
	for d.r.bitsLeft() > 0 && d.r.peek(1) == 0 {
		d.r.skip(1)
		zeros++
	}
	switch {
	case d.r.bitsLeft() <= 0:
		return errEndOfData
	case zeros >= 11 && d.coding == codingT6:
		return fmt.Errorf("EOFB/EOL inside the image: %w", errEndOfData)
	case zeros >= 11:
		return errors.New("EOL in the middle of a row")
	}
	d.r.pos = at
	return fmt.Errorf("invalid %s code %013b", what, d.r.peek(maxCodeLen))
}

// addChange appends a changing element to the coding line; a change at the
// same place as the previous one cancels it (a zero-length run).
func (d *ccittDecoder) addChange(x int32) {
	cur := d.rc.cur
	if x >= d.width {
		return
	}
	if n := len(cur); n > 0 && cur[n-1] == x {
		d.rc.cur = cur[:n-1]
		return
	}
	d.rc.cur = append(cur, x)
}

// row2D decodes one two-dimensionally coded row (T.4 §4.2.1.3, T.6 §2.2),
// mirroring rowCoder.code2D. The colour of a0 is white exactly when the
// coding line has an even number of changes so far.
func (d *ccittDecoder) row2D() error {
	ref, width := d.rc.ref, d.width
	a0, j := int32(-1), 0
	for a0 < width {
		e := modeDec[d.r.peek(maxCodeLen)]
		if e.n == 0 {
			return d.badCode("mode")
		}
		d.r.skip(int(e.n))
		for ref[j] <= a0 {
			j++
		}
		i := len(d.rc.cur)
		k := j + (j^i)&1
		b1, b2 := ref[k], ref[k+1]
		switch m := int(e.val); m {
		case modePass:
			a0 = b2
		case modeHoriz:
			white := i&1 == 0
			r1, err := d.run(white)
			if err != nil {
				return err
			}
			r2, err := d.run(!white)
			if err != nil {
				return err
			}
			a1 := max(a0, 0) + r1
			if a1+r2 > width {
				return fmt.Errorf("horizontal mode runs %d+%d at x=%d pass the row width %d", r1, r2, max(a0, 0), width)
			}
			d.addChange(a1)
			d.addChange(a1 + r2)
			a0 = a1 + r2
		case modeExt:
			return errors.New("extension code (uncompressed mode) is not supported")
		default:
			a1 := b1 + vOffset[m]
			if a1 < max(a0, 0) || a1 > width {
				return fmt.Errorf("vertical mode puts a1 at %d, outside %d…%d", a1, max(a0, 0), width)
			}
			d.addChange(a1)
			a0 = a1
		}
	}
	return nil
}

var vOffset = [numModes]int32{modeVR1: 1, modeVR2: 2, modeVR3: 3, modeVL1: -1, modeVL2: -2, modeVL3: -3}

// paint sets the black spans of a row from its changing elements (with
// sentinels); the row must be all white on entry.
func paint(row []byte, ch []int32) {
	for k := 0; k+1 < len(ch); k += 2 {
		x0, x1 := int(ch[k]), int(ch[k+1])
		if x0 >= x1 {
			break // reached the sentinels
		}
		setSpan(row, x0, x1)
	}
}

// setSpan sets bits [x0, x1) of a packed row.
func setSpan(row []byte, x0, x1 int) {
	i0, i1 := x0>>3, (x1-1)>>3
	m0 := byte(0xFF >> uint(x0&7))
	m1 := byte(0xFF << uint(7-(x1-1)&7))
	if i0 == i1 {
		row[i0] |= m0 & m1
		return
	}
	row[i0] |= m0
	for i := i0 + 1; i < i1; i++ {
		row[i] = 0xFF
	}
	row[i1] |= m1
}
