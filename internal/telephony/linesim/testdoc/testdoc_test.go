package testdoc

import (
	"path/filepath"
	"testing"

	"faxgate/internal/faxtiff"
)

func blackShare(p *faxtiff.Page) float64 {
	n := 0
	for y := 0; y < p.Height; y++ {
		for x := 0; x < p.Width; x++ {
			if p.Black(x, y) {
				n++
			}
		}
	}
	return float64(n) / float64(p.Width*p.Height)
}

func TestPages(t *testing.T) {
	for _, res := range []faxtiff.Resolution{faxtiff.Standard, faxtiff.Fine, faxtiff.Superfine} {
		t.Run(res.String(), func(t *testing.T) {
			doc := Document(res, 2, Options{Seed: 7})
			p := doc[0]
			if p.Width != 1728 || p.Height != res.A4Rows() || p.Resolution() != res {
				t.Fatalf("page %dx%d %v, want 1728x%d %v", p.Width, p.Height, p.Resolution(), res.A4Rows(), res)
			}
			// A typed letter is a few percent black; an empty or solid page
			// would not exercise the coder.
			if b := blackShare(p); b < 0.03 || b > 0.2 {
				t.Errorf("black share %.3f, want a realistic 3-20 %%", b)
			}
			if d := faxtiff.Equal(p, Page(res, 1, 2, Options{Seed: 7})); d != 0 {
				t.Errorf("same page drawn twice differs in %d pixels", d)
			}
			if d := faxtiff.Equal(doc[0], doc[1]); d == 0 {
				t.Error("pages 1 and 2 are identical")
			}
		})
	}
}

func TestWriteFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "doc.tif")
	if err := WriteFile(path, faxtiff.Fine, 2, Options{}); err != nil {
		t.Fatal(err)
	}
	info, err := faxtiff.Validate(path)
	if err != nil {
		t.Fatalf("generated document is not sendable: %v", err)
	}
	if info.Pages != 2 || info.Resolution != faxtiff.Fine {
		t.Errorf("info %+v, want 2 fine pages", info)
	}
	got, err := faxtiff.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range Document(faxtiff.Fine, 2, Options{}) {
		if d := faxtiff.Equal(p, got[i]); d != 0 {
			t.Errorf("page %d: %d pixels differ after the round trip", i+1, d)
		}
	}
}
