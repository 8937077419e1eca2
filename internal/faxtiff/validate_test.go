package faxtiff

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	a4 := func(res Resolution) *Page { return textPage(WidthA4, 300, res, 1, 1) }
	written := func(pages ...*Page) func(t *testing.T) []byte {
		return func(t *testing.T) []byte {
			var buf bytes.Buffer
			if err := Write(&buf, pages); err != nil {
				t.Fatal(err)
			}
			return buf.Bytes()
		}
	}
	built := func(f func(b *tiffBuilder)) func(t *testing.T) []byte {
		return func(t *testing.T) []byte {
			b := newBuilder(false)
			f(b)
			return b.bytes()
		}
	}
	withDPI := func(p *Page, x, y float64) *Page { p.XDPI, p.YDPI = x, y; return p }
	tests := []struct {
		name    string
		data    func(t *testing.T) []byte
		opts    ValidateOptions
		want    Info // checked when wantErr == ""
		wantErr string
		page    int
		problem Problem
	}{
		{name: "fine A4", data: written(a4(Fine), a4(Fine)), want: Info{Pages: 2, Width: 1728, Resolution: Fine}},
		{name: "standard", data: written(a4(Standard)), want: Info{Pages: 1, Width: 1728, Resolution: Standard}},
		{name: "superfine B4", data: written(NewPage(WidthB4, 50, Superfine)), want: Info{Pages: 1, Width: 2048, Resolution: Superfine}},
		{name: "A3", data: written(NewPage(WidthA3, 50, Fine)), want: Info{Pages: 1, Width: 2432, Resolution: Fine}},
		{name: "200x200 dpi", data: written(withDPI(a4(Fine), 200, 200)), want: Info{Pages: 1, Width: 1728, Resolution: Fine}},
		{name: "200x100 dpi", data: written(withDPI(a4(Fine), 200, 100)), want: Info{Pages: 1, Width: 1728, Resolution: Standard}},
		{name: "7.7 l/mm exact", data: written(withDPI(a4(Fine), 204, 195.58)), want: Info{Pages: 1, Width: 1728, Resolution: Fine}},
		{name: "uncompressed MinIsBlack", data: built(func(b *tiffBuilder) {
			b.addRaw(a4(Fine), rawOpts{minIsBlack: true, rowsPerStrip: 16})
		}), want: Info{Pages: 1, Width: 1728, Resolution: Fine}},
		{name: "centimetres", data: built(func(b *tiffBuilder) {
			d := b.addRaw(a4(Fine), rawOpts{})
			d.set(tagResolutionUnit, typeShort, 3)
			d.set(tagXResolution, typeRational, 80, 1)
			d.set(tagYResolution, typeRational, 77, 1)
		}), want: Info{Pages: 1, Width: 1728, Resolution: Fine}},

		{name: "width 1700", data: written(a4(Fine), textPage(1700, 300, Fine, 1, 1)),
			wantErr: "page 2 is 1700 pixels wide; fax pages must be 1728, 2048 or 2432 pixels wide", page: 2, problem: ProblemWidth},
		{name: "8 bit", data: built(func(b *tiffBuilder) {
			d := b.addDir(WidthA4, 10, 8, 1)
			d.strips = [][]byte{make([]byte, WidthA4*10)}
		}), wantErr: "page 1 has 8 bits per pixel; fax pages must be 1-bit black and white", page: 1, problem: ProblemBitsPerPixel},
		{name: "300 dpi", data: written(withDPI(a4(Fine), 300, 300)),
			wantErr: "page 1 has a horizontal resolution of 300 dpi", page: 1, problem: ProblemResolution},
		{name: "150 lpi", data: written(withDPI(a4(Fine), 204, 150)),
			wantErr: "page 1 has a vertical resolution of 150 dpi; fax pages must have 98, 196 or 391 dpi", page: 1, problem: ProblemResolution},
		{name: "no resolution", data: built(func(b *tiffBuilder) {
			d := b.addRaw(a4(Fine), rawOpts{})
			d.del(tagXResolution)
			d.del(tagYResolution)
		}), wantErr: "page 1 has no resolution", page: 1, problem: ProblemResolution},
		{name: "too many pages", data: written(NewPage(WidthA4, 1, Fine), NewPage(WidthA4, 1, Fine), NewPage(WidthA4, 1, Fine)),
			opts: ValidateOptions{MaxPages: 2}, wantErr: "the file has 3 pages; the limit is 2", problem: ProblemTooManyPages},
		{name: "file size", data: written(a4(Fine)), opts: ValidateOptions{MaxBytes: 1000},
			wantErr: "the file is", problem: ProblemFileSize},
		{name: "not tiff", data: func(*testing.T) []byte { return []byte("%PDF-1.7 hello") },
			wantErr: "not a TIFF file", problem: ProblemNotTIFF},
		{name: "no pages", data: func(*testing.T) []byte { return []byte("MM\x00*\x00\x00\x00\x00") },
			wantErr: "the file has no pages", problem: ProblemNoPages},
		{name: "corrupt page 2", data: func(t *testing.T) []byte {
			b := written(a4(Fine), a4(Fine))(t)
			b[len(b)-200] ^= 0xFF // inside the last page's strip
			b[len(b)-199] = 0
			b[len(b)-198] = 0
			return b
		}, wantErr: "page 2: CCITT T.6 data: row", page: 2, problem: ProblemCorrupt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "f.tif")
			data := tc.data(t)
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			info, err := ValidateWith(path, tc.opts)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				tc.want.Bytes = int64(len(data))
				if info != tc.want {
					t.Errorf("Info = %+v, want %+v", info, tc.want)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v (%T), want a *ValidationError", err, err)
			}
			if !strings.Contains(ve.Error(), tc.wantErr) {
				t.Errorf("error %q, want it to contain %q", ve, tc.wantErr)
			}
			if ve.Page != tc.page || ve.Problem != tc.problem {
				t.Errorf("Page %d Problem %q, want %d %q (%q)", ve.Page, ve.Problem, tc.page, tc.problem, ve)
			}
		})
	}
}

func TestValidateMissingFile(t *testing.T) {
	_, err := Validate(filepath.Join(t.TempDir(), "nope.tif"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error %v, want os.ErrNotExist", err)
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		t.Error("a missing file is not the file's fault: want a plain I/O error")
	}
}

func TestResolution(t *testing.T) {
	tests := []struct {
		ydpi  float64
		want  Resolution
		match bool
	}{
		{98, Standard, true}, {97.79, Standard, true}, {100, Standard, true}, {93.2, Standard, true}, {92.9, Standard, false},
		{196, Fine, true}, {195.58, Fine, true}, {200, Fine, true},
		{391, Superfine, true}, {400, Superfine, true}, {391.16, Superfine, true},
		{150, Standard, false}, {300, Superfine, false}, {50, Standard, false},
	}
	for _, tc := range tests {
		p := &Page{YDPI: tc.ydpi}
		if got := p.Resolution(); tc.match && got != tc.want {
			t.Errorf("Resolution(%g) = %v, want %v", tc.ydpi, got, tc.want)
		}
		if got, ok := MatchResolution(tc.ydpi); ok != tc.match || (ok && got != tc.want) {
			t.Errorf("MatchResolution(%g) = %v, %v; want %v, %v", tc.ydpi, got, ok, tc.want, tc.match)
		}
	}
	for _, r := range []Resolution{Standard, Fine, Superfine} {
		if p := NewPage(WidthA4, r.A4Rows(), r); p.Resolution() != r || p.XDPI != 204 {
			t.Errorf("NewPage(%v): %v at %g dpi", r, p.Resolution(), p.XDPI)
		}
	}
	if Fine.String() != "fine" || Resolution(9).String() != "Resolution(9)" {
		t.Error("String")
	}
}

func TestEqual(t *testing.T) {
	a := NewPage(13, 3, Fine)
	b := NewPage(13, 3, Standard)
	if d := Equal(a, b); d != 0 {
		t.Errorf("white pages differ by %d", d)
	}
	b.Pix[1] |= 0x01 // padding bit past width 13: ignored
	b.SetBlack(12, 2, true)
	b.SetBlack(0, 0, true)
	if d := Equal(a, b); d != 2 {
		t.Errorf("Equal = %d, want 2", d)
	}
	if d := Equal(a, NewPage(14, 3, Fine)); d != -1 {
		t.Errorf("different widths: %d, want -1", d)
	}
	if d := Equal(a, nil); d != -1 {
		t.Errorf("nil: %d, want -1", d)
	}
	if !b.Black(12, 2) || b.Black(11, 2) || b.Black(-1, 0) || b.Black(13, 0) {
		t.Error("Black")
	}
	b.SetBlack(99, 99, true) // ignored, no panic
}
