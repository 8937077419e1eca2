package document

import (
	"testing"

	"faxgate/internal/faxtiff"
)

// TestPackTwoToneMatchesRules: on pages of pure black and white the fast
// path gives exactly the pages of the general rules, and on pages with any
// other tone (however late on the page) it declines and leaves the page
// white, so binarize's result is the general rules' in every case.
func TestPackTwoToneMatchesRules(t *testing.T) {
	next := xorshift(11)
	// A page of paper with black text-like marks: dots, hairlines one
	// pixel wide (horizontal and vertical), blocks, and marks in the last
	// pixels of rows.
	twoTone := func(w, h int) *gray {
		g := newGray(w, h)
		g.fillWhite()
		for range 400 {
			x, y := int(next()%uint64(w)), int(next()%uint64(h))
			bw, bh := 1+int(next()%40), 1+int(next()%6)
			if next()%2 == 0 {
				bw, bh = bh, bw
			}
			for yy := y; yy < min(h, y+bh); yy++ {
				for xx := x; xx < min(w, x+bw); xx++ {
					g.pix[yy*g.stride+xx] = 0
				}
			}
		}
		return g
	}
	cases := []struct {
		name    string
		w, h    int
		tone    byte // if not 0: one pixel of this tone at (toneX, toneY)
		toneX   int
		toneY   int
		twoTone bool
	}{
		{name: "paper and ink", w: pageWidth, h: 600, twoTone: true},
		{name: "odd width", w: 1701, h: 300, twoTone: true},
		{name: "grey on the last row", w: pageWidth, h: 600, tone: 128, toneX: pageWidth - 1, toneY: 599},
		{name: "near white in the middle", w: pageWidth, h: 600, tone: 254, toneX: 900, toneY: 300},
		{name: "near black first", w: pageWidth, h: 600, tone: 1, toneX: 0, toneY: 0},
		{name: "grey in the tail of an odd row", w: 1701, h: 300, tone: 100, toneX: 1700, toneY: 150},
	}
	for _, tc := range cases {
		for _, res := range []faxtiff.Resolution{faxtiff.Standard, faxtiff.Fine, faxtiff.Superfine} {
			g := twoTone(tc.w, tc.h)
			if tc.tone != 0 {
				g.pix[tc.toneY*g.stride+tc.toneX] = tc.tone
			}
			want := faxtiff.NewPage(tc.w, tc.h, res)
			newBinarizer(g, thresholdRender, want).run()
			got := faxtiff.NewPage(tc.w, tc.h, res)
			if ok := packTwoTone(g, got); ok != tc.twoTone {
				t.Fatalf("%s: packTwoTone = %v, want %v", tc.name, ok, tc.twoTone)
			} else if !ok {
				if d := faxtiff.Equal(got, faxtiff.NewPage(tc.w, tc.h, res)); d != 0 {
					t.Fatalf("%s: declined but left %d black pixels", tc.name, d)
				}
				binarize(g, thresholdRender, got)
			}
			if d := faxtiff.Equal(got, want); d != 0 {
				t.Fatalf("%s, resolution %d: %d pixels differ from the general rules", tc.name, res, d)
			}
		}
	}
}

// TestPackTwoToneMutool: the converter's own render of a text PDF without
// anti-aliasing is two-tone, and takes the fast path to the same page.
func TestPackTwoToneMutool(t *testing.T) {
	text, _ := benchFiles(t)
	g := mutoolGrey(t, text, "-A", "0", "-D")
	want := faxtiff.NewPage(pageWidth, g.h, faxtiff.Fine)
	newBinarizer(g, thresholdRender, want).run()
	got := faxtiff.NewPage(pageWidth, g.h, faxtiff.Fine)
	if !packTwoTone(g, got) {
		t.Fatal("mutool's sharp render of the text PDF is not two-tone")
	}
	if d := faxtiff.Equal(got, want); d != 0 {
		t.Fatalf("%d pixels differ from the general rules", d)
	}
	// Anti-aliased, the same page is not, and declines.
	if packTwoTone(mutoolGrey(t, text), faxtiff.NewPage(pageWidth, g.h, faxtiff.Fine)) {
		t.Fatal("an anti-aliased render was taken as two-tone")
	}
}

// xorshift returns a small deterministic random generator (Marsaglia's
// xorshift64) for test pages; seed must not be 0.
func xorshift(seed uint64) func() uint64 {
	return func() uint64 {
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		return seed
	}
}
