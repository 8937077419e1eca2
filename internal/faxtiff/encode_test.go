package faxtiff

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/image/ccitt"
)

// decodeXImage decodes a T.6 strip with golang.org/x/image/ccitt, the
// independent oracle for the encoder, into a page of the same layout.
func decodeXImage(data []byte, width, height int, order ccitt.Order, sf ccitt.SubFormat) (*Page, error) {
	r := ccitt.NewReader(bytes.NewReader(data), order, sf, width, height, &ccitt.Options{Invert: true})
	p := NewPage(width, height, Fine)
	if _, err := io.ReadFull(r, p.Pix); err != nil {
		return nil, err
	}
	return p, nil
}

func TestEncodeG4RoundTripXImage(t *testing.T) {
	for _, tc := range namedPages() {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.page
			data := EncodeG4(p)
			got, err := decodeXImage(data, p.Width, p.Height, ccitt.MSB, ccitt.Group4)
			if err != nil {
				t.Fatalf("x/image/ccitt cannot decode our %d-byte T.6 strip: %v", len(data), err)
			}
			if d := Equal(p, got); d != 0 {
				t.Fatalf("x/image/ccitt decodes %d differing pixels (first at %s)", d, firstDiff(p, got))
			}
			// Our own decoder must agree too.
			own := NewPage(p.Width, p.Height, Fine)
			if err := decodeCCITT(data, codingT6, false, false, own, 0, p.Height); err != nil {
				t.Fatalf("own decoder: %v", err)
			}
			if d := Equal(p, own); d != 0 {
				t.Fatalf("own decoder: %d differing pixels (first at %s)", d, firstDiff(p, own))
			}
			if !bytes.HasSuffix(data, []byte{0x00, 0x10, 0x01}) && !hasEOFB(data) {
				t.Errorf("strip does not end with EOFB: % x", data[max(0, len(data)-4):])
			}
		})
	}
}

// hasEOFB reports whether the strip ends with two EOLs and zero fill.
func hasEOFB(data []byte) bool {
	r := newBitReader(data, false)
	last := -1
	for r.bitsLeft() >= 24 {
		if r.peek(24) == 1<<12|1 {
			last = r.pos
		}
		r.skip(1)
	}
	if last < 0 {
		return false
	}
	return len(data)*8-(last+24) < 8
}

func firstDiff(a, b *Page) string {
	for y := range a.Height {
		for x := range a.Width {
			if a.Black(x, y) != b.Black(x, y) {
				return fmt.Sprintf("(%d,%d) want black=%v", x, y, a.Black(x, y))
			}
		}
	}
	return "nowhere"
}

// TestCodeTables checks properties of T.4 that a transcription error in
// the tables would likely break: the codes sharing a decoding context
// (white runs, black runs, modes; each with EOL) are prefix-free and fit
// in the code space. The values themselves are checked by the round trips
// through x/image/ccitt, whose pages use every code (everyRunPage,
// runsPage).
func TestCodeTables(t *testing.T) {
	var white, black []code
	white = append(append(append(white, whiteTerm[:]...), whiteMakeup[:]...), extMakeup[:]...)
	black = append(append(append(black, blackTerm[:]...), blackMakeup[:]...), extMakeup[:]...)
	modes := append(append([]code{}, modeCodes[:]...), eol)
	for name, set := range map[string][]code{"white": append(white, eol), "black": append(black, eol), "mode": modes} {
		for i, a := range set {
			for j, b := range set {
				if i != j && isPrefix(a, b) {
					t.Errorf("%s codes %d (%s) and %d (%s): the first is a prefix of the second", name, i, bitString(a), j, bitString(b))
				}
			}
		}
	}
	// Kraft sums: the white and black run codes plus EOL's prefix space
	// (000000000000 is unused by design) fill the code space exactly.
	for name, set := range map[string][]code{"white": white, "black": black} {
		var sum float64
		for _, c := range set {
			sum += 1 / float64(uint64(1)<<c.n)
		}
		if sum >= 1 {
			t.Errorf("%s: Kraft sum %v ≥ 1", name, sum)
		}
	}
}

func isPrefix(a, b code) bool {
	return a.n <= b.n && b.bits>>(b.n-a.n) == a.bits
}

func bitString(c code) string {
	var sb strings.Builder
	for i := int(c.n) - 1; i >= 0; i-- {
		sb.WriteByte('0' + byte(c.bits>>uint(i)&1))
	}
	return sb.String()
}

// TestEncodeG4Sizes pins the coded size of simple pages: an all-white row
// below an all-white row is one V0 code (1 bit), so a white A4 fine page
// is 2287 bits plus the 24-bit EOFB.
func TestEncodeG4Sizes(t *testing.T) {
	tests := []struct {
		name string
		page *Page
		want int // bytes
	}{
		{"white-fine-a4", NewPage(WidthA4, 2287, Fine), (2287 + 24 + 7) / 8},
		{"white-1-row", NewPage(WidthA4, 1, Fine), (1 + 24 + 7) / 8},
		{"empty", &Page{}, 3},
	}
	for _, tc := range tests {
		if got := len(EncodeG4(tc.page)); got != tc.want {
			t.Errorf("%s: %d bytes, want %d", tc.name, got, tc.want)
		}
	}
}

// TestEncodeG4Compresses checks that a text page codes to a plausible fax
// size (the notes measured 18–36 KB for fine MMR text pages).
func TestEncodeG4Compresses(t *testing.T) {
	p := textPage(WidthA4, Fine.A4Rows(), Fine, 2, 3) // ~6400 characters
	n := len(EncodeG4(p))
	if raw := len(p.Pix); n > raw/5 || n < 2000 {
		t.Errorf("dense text fine page coded to %d bytes (raw %d); expected 2 KB … %d KB", n, raw, raw/5/1024)
	}
	t.Logf("dense text fine page: %d bytes T.6", n)
}

func TestChanges(t *testing.T) {
	tests := []struct {
		row   []byte
		width int
		want  []int32
	}{
		{[]byte{0x00}, 8, []int32{8, 8, 8}},
		{[]byte{0xFF}, 8, []int32{0, 8, 8, 8}},
		{[]byte{0x81}, 8, []int32{0, 1, 7, 8, 8, 8}},
		{[]byte{0x0F, 0xF0}, 16, []int32{4, 12, 16, 16, 16}},
		{[]byte{0x00, 0x01}, 15, []int32{15, 15, 15}}, // the set bit is padding
		{[]byte{0x00, 0x02}, 15, []int32{14, 15, 15, 15}},
		{[]byte{0xFF, 0xFE}, 15, []int32{0, 15, 15, 15}},
	}
	for _, tc := range tests {
		got := changes(tc.row, tc.width, nil)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("changes(% x, %d) = %v, want %v", tc.row, tc.width, got, tc.want)
		}
	}
}

// FuzzG4RoundTrip codes random pages (sizes, densities and structure from
// the fuzzer) and decodes them with x/image/ccitt and with our decoder.
func FuzzG4RoundTrip(f *testing.F) {
	f.Add(uint16(1728), uint8(3), uint64(1), uint8(128), []byte{})
	f.Add(uint16(1), uint8(1), uint64(2), uint8(255), []byte{0xFF})
	f.Add(uint16(2561), uint8(4), uint64(3), uint8(0), []byte{0x80, 0x01})
	f.Add(uint16(5200), uint8(2), uint64(4), uint8(2), []byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, w uint16, h uint8, seed uint64, density uint8, pix []byte) {
		width, height := int(w)%6000+1, int(h)%24+1
		p := fuzzPage(width, height, seed, density, pix)
		data := EncodeG4(p)
		got, err := decodeXImage(data, width, height, ccitt.MSB, ccitt.Group4)
		if err != nil {
			t.Fatalf("%dx%d: x/image/ccitt: %v", width, height, err)
		}
		if d := Equal(p, got); d != 0 {
			t.Fatalf("%dx%d: x/image/ccitt: %d pixels differ, first at %s", width, height, d, firstDiff(p, got))
		}
		own := NewPage(width, height, Fine)
		if err := decodeCCITT(data, codingT6, false, false, own, 0, height); err != nil {
			t.Fatalf("%dx%d: own decoder: %v", width, height, err)
		}
		if d := Equal(p, own); d != 0 {
			t.Fatalf("%dx%d: own decoder: %d pixels differ", width, height, d)
		}
	})
}

// fuzzPage mixes three structures: runs of random length (long runs cross
// make-up boundaries), copies of the previous row shifted a little
// (vertical modes), and raw fuzzer bytes.
func fuzzPage(width, height int, seed uint64, density uint8, pix []byte) *Page {
	rng := rand.New(rand.NewPCG(seed, uint64(density)))
	p := NewPage(width, height, Fine)
	for y := range height {
		switch mode := rng.IntN(3); {
		case mode == 0 || y == 0:
			x, black := 0, rng.IntN(2) == 0
			for x < width {
				n := 1 + rng.IntN(1+int(density)*int(density)/4)
				for ; n > 0 && x < width; n-- {
					p.SetBlack(x, y, black)
					x++
				}
				black = !black
			}
		case mode == 1:
			shift := rng.IntN(9) - 4
			for x := range width {
				p.SetBlack(x, y, p.Black(x+shift, y-1))
			}
		default:
			row := p.Row(y)
			for i := range row {
				if len(pix) > 0 {
					row[i] = pix[(y*len(row)+i)%len(pix)]
				} else {
					row[i] = byte(rng.Uint32())
				}
			}
			clearPadding(p) // keep Pix canonical; Equal ignores padding anyway
		}
	}
	return p
}

// TestPageEncoderInSteps: coding a page a few rows at a time, as its rows
// are made, gives EncodeG4's bytes, and so does an empty page.
func TestPageEncoderInSteps(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pages := append(interopPages(), noisePage(300, 40, 0.5, 2), NewPage(0, 0, Fine))
	for i, p := range pages {
		want := EncodeG4(p)
		for _, step := range []int{1, 7, 64, p.Height + 5} {
			e := NewPageEncoder(p)
			for y := 0; y < p.Height; {
				y += 1 + rng.IntN(max(1, step))
				e.Code(y)
			}
			got := e.Encoded()
			if !bytes.Equal(got.Data, want) || got.Width != p.Width || got.Height != p.Height || got.YDPI != p.YDPI {
				t.Errorf("page %d, steps of up to %d rows: %d bytes, EncodeG4 gives %d", i+1, step, len(got.Data), len(want))
			}
		}
	}
}
