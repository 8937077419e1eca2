package faxtiff

import (
	"bytes"
	"fmt"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/image/ccitt"
)

// A T.4 encoder for tests: it produces Compression 2 and 3 strips the way
// fax machines and libtiff do, so the decoder's T.4 paths can be tested
// on any page, not only on the files the tools make.

type t4Opts struct {
	coding   coding // codingMH or codingT4
	twoD     bool   // T4Options bit 0: a tag bit after each EOL, 2D rows between 1D ones
	k        int    // with twoD: one 1D row every k rows (T.4 §4.2.1: K = 2 or 4)
	fillBits bool   // T4Options bit 2: pad so that each EOL ends on a byte boundary
	rtc      bool   // end with RTC (6 EOLs), as on the line; TIFF files usually omit it
	lsb      bool   // FillOrder 2
}

func encodeT4(p *Page, o t4Opts) []byte {
	w := &bitWriter{}
	c := newRowCoder(p.Width)
	for y := range p.Height {
		c.cur = changes(p.Row(y), p.Width, c.cur)
		oneD := !o.twoD || o.k <= 1 || y%o.k == 0
		if o.coding == codingT4 {
			if o.fillBits {
				for (w.total+12)%8 != 0 {
					w.put(code{n: 1})
				}
			}
			w.put(eol)
			if o.twoD {
				w.put(code{bits: map[bool]uint32{true: 1, false: 0}[oneD], n: 1})
			}
		}
		if oneD {
			code1D(c, w)
		} else {
			c.code2D(w)
		}
		if o.coding == codingMH {
			w.align()
		}
		c.next()
	}
	if o.rtc {
		for range 6 {
			w.put(eol)
			if o.twoD {
				w.put(code{bits: 1, n: 1})
			}
		}
	}
	b := w.bytes()
	if o.lsb {
		for i := range b {
			b[i] = bits.Reverse8(b[i])
		}
	}
	return b
}

// code1D codes c.cur as a one-dimensional (Modified Huffman) line:
// alternating white and black runs starting with white.
func code1D(c *rowCoder, w *bitWriter) {
	prev, white := int32(0), true
	for _, x := range c.cur {
		putRun(w, int(x-prev), white)
		if x == c.width {
			return
		}
		prev, white = x, !white
	}
}

var t4Variants = []t4Opts{
	{coding: codingT4},
	{coding: codingT4, fillBits: true},
	{coding: codingT4, rtc: true, lsb: true},
	{coding: codingT4, twoD: true, k: 2},
	{coding: codingT4, twoD: true, k: 4, fillBits: true, lsb: true},
	{coding: codingT4, twoD: true, k: 1000, rtc: true},
	{coding: codingMH},
	{coding: codingMH, lsb: true},
}

func (o t4Opts) String() string {
	return fmt.Sprintf("c%d-2d%v-k%d-fill%v-rtc%v-lsb%v", o.coding, o.twoD, o.k, o.fillBits, o.rtc, o.lsb)
}

func TestT4RoundTrip(t *testing.T) {
	pages := slices.Clone(namedPages())
	for s := range uint64(60) {
		pages = append(pages, struct {
			name string
			page *Page
		}{fmt.Sprintf("random-%d", s), fuzzPage(1+int(s*97)%3000, 1+int(s%13), s, uint8(s*37), nil)})
	}
	for _, tc := range pages {
		for _, o := range t4Variants {
			p := tc.page
			data := encodeT4(p, o)
			got := NewPage(p.Width, p.Height, Fine)
			if err := decodeCCITT(data, o.coding, o.twoD, o.lsb, got, 0, p.Height); err != nil {
				t.Errorf("%s %v: %v", tc.name, o, err)
				continue
			}
			if d := Equal(p, got); d != 0 {
				t.Errorf("%s %v: %d pixels differ (first at %s)", tc.name, o, d, firstDiff(p, got))
			}
			// x/image/ccitt decodes the one-dimensional variant with EOLs
			// (but not with fill bits: it wants exactly 11 zeros before the 1).
			if o.coding == codingT4 && !o.twoD && !o.fillBits {
				order := ccitt.MSB
				if o.lsb {
					order = ccitt.LSB
				}
				x, err := decodeXImage(data, p.Width, p.Height, order, ccitt.Group3)
				if err != nil {
					t.Errorf("%s %v: x/image/ccitt: %v", tc.name, o, err)
				} else if d := Equal(p, x); d != 0 {
					t.Errorf("%s %v: x/image/ccitt: %d pixels differ", tc.name, o, d)
				}
			}
		}
	}
}

// TestT4LibtiffDecodes checks the test encoder itself against libtiff, so
// that TestT4RoundTrip cannot pass on a shared misunderstanding.
func TestT4LibtiffDecodes(t *testing.T) {
	needTool(t, "tiffcp", "libtiff-tools")
	dir := t.TempDir()
	pages := []*Page{textPage(WidthA4, 300, Fine, 1, 1), everyRunPage(3000), fuzzPage(2000, 40, 5, 200, nil)}
	for _, o := range t4Variants {
		b := newBuilder(o.lsb)
		for _, p := range pages {
			comp := map[coding]uint32{codingMH: 2, codingT4: 3}[o.coding]
			d := b.addDir(p.Width, p.Height, 1, comp)
			d.set(tagXResolution, typeRational, 204, 1)
			d.set(tagYResolution, typeRational, 196, 1)
			if o.lsb {
				d.set(tagFillOrder, typeShort, 2)
			}
			if o.coding == codingT4 {
				opts := uint32(0)
				if o.twoD {
					opts |= 1
				}
				if o.fillBits {
					opts |= 4
				}
				d.set(tagT4Options, typeLong, opts)
			}
			d.strips = [][]byte{encodeT4(p, o)}
		}
		src, out := filepath.Join(dir, "t4.tif"), filepath.Join(dir, "raw.tif")
		if err := os.WriteFile(src, b.bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		run(t, "tiffcp", "-c", "none", src, out)
		got, err := ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range pages {
			if d := Equal(p, got[i]); d != 0 {
				t.Errorf("%v page %d: libtiff decodes %d differing pixels", o, i+1, d)
			}
		}
		// And our reader on the coded file itself.
		own, err := ReadFile(src)
		if err != nil {
			t.Fatalf("%v: %v", o, err)
		}
		for i, p := range pages {
			if d := Equal(p, own[i]); d != 0 {
				t.Errorf("%v page %d: %d differing pixels", o, i+1, d)
			}
		}
	}
}

// TestDecodeErrors: damaged CCITT data gives a precise error, no panic.
func TestDecodeErrors(t *testing.T) {
	p := textPage(WidthA4, 100, Fine, 1, 1)
	g4 := EncodeG4(p)
	t4 := encodeT4(p, t4Opts{coding: codingT4, twoD: true, k: 4, rtc: true})
	tests := []struct {
		name   string
		data   []byte
		coding coding
		twoD   bool
		want   string
	}{
		{"g4 truncated", g4[:len(g4)/2], codingT6, false, "ends early"},
		{"g4 empty", nil, codingT6, false, "row 1 of 100: coded data ends early"},
		{"g4 early EOFB", EncodeG4(textPage(WidthA4, 50, Fine, 1, 1)), codingT6, false, "EOFB"},
		{"g4 zeros", make([]byte, 100), codingT6, false, "row 1 of 100: coded data ends early"},
		{"g4 bad mode", []byte{0x01, 0xFF, 0xFF}, codingT6, false, "row 1: invalid mode code 0000000111111 (bit 0 of 24)"},
		{"t4 early RTC", encodeT4(textPage(WidthA4, 50, Fine, 1, 1), t4Opts{coding: codingT4, twoD: true, k: 4, rtc: true}), codingT4, true, "row 51 of 100: coded data ends early"},
		{"t4 cut", t4[:len(t4)/3], codingT4, true, "ends early"},
		{"all ones", bytes.Repeat([]byte{0xFF}, 1000), codingT4, false, "row 7 of 100: coded data ends early"}, // 7+2 pixel runs: valid
		{"g4 all ones", bytes.Repeat([]byte{0xFF}, 10), codingT6, false, "row 81 of 100"},                      // V0: white rows
		{"long white run", repeatCode(whiteMakeup[26], 3), codingT4, false, "white run of at least 3456 pixels passes the row width 1728"},
		{"VR3 past the end", repeatCode(modeCodes[modeVR3], 3), codingT6, false, "vertical mode puts a1 at 1731, outside 0…1728"},
		{"VL3 before a0", vl3BeforeA0(), codingT6, false, "row 2: vertical mode puts a1 at 9, outside 11…1728"},
		{"extension", repeatCode(modeCodes[modeExt], 4), codingT6, false, "uncompressed mode"},
		{"EOL in a row", append(repeatCode(whiteTerm[10], 1), repeatCode(eol, 2)...), codingT4, false, "EOL in the middle of a row"},
	}
	for _, tc := range tests {
		got := NewPage(WidthA4, 100, Fine)
		err := decodeCCITT(tc.data, tc.coding, tc.twoD, false, got, 0, 100)
		if err == nil || !bytes.Contains([]byte(err.Error()), []byte(tc.want)) {
			t.Errorf("%s: error %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}

func repeatCode(c code, n int) []byte {
	w := &bitWriter{}
	for range n {
		w.put(c)
	}
	return w.bytes()
}

// vl3BeforeA0 codes a first row with changes at 10, 11, 12 and 13, then a
// second row whose pass code moves a0 to 11 and whose VL3 code puts a1 at
// b1-3 = 9, left of a0: invalid.
func vl3BeforeA0() []byte {
	w := &bitWriter{}
	w.put(modeCodes[modeHoriz])
	putRun(w, 10, true)
	putRun(w, 1, false)
	w.put(modeCodes[modeHoriz])
	putRun(w, 1, true)
	putRun(w, 1, false)
	w.put(modeCodes[modeV0])
	w.put(modeCodes[modePass])
	w.put(modeCodes[modeVL3])
	return w.bytes()
}
