// Package testdoc draws realistic fax pages for engine tests and the loopback
// tool: a letter with a header bar, a title, paragraphs of monospaced text
// rendered with x/image's basicfont, a ruled table, a line chart, a circle and a
// dithered grey ramp. Page content depends on the page number and seed, so
// multi-page documents have distinct pages; the output is deterministic.
package testdoc

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"faxgate/internal/faxtiff"
)

// Width is the only page width spandsp 0.0.6 sends at R8 (A4/Letter).
const Width = 1728

// Options tune the amount of ink.
type Options struct {
	// TextLines is the number of body text lines (default 40; about 60 fill the
	// page like a dense typed letter).
	TextLines int
	Seed      uint64
}

// Document returns n pages at the given resolution.
func Document(res faxtiff.Resolution, n int, opt Options) []*faxtiff.Page {
	pages := make([]*faxtiff.Page, n)
	for i := range pages {
		pages[i] = Page(res, i+1, n, opt)
	}
	return pages
}

// WriteFile writes an n-page document as a TIFF-F file.
func WriteFile(path string, res faxtiff.Resolution, n int, opt Options) error {
	return faxtiff.WriteFile(path, Document(res, n, opt))
}

// canvas draws on a page in a 204 dpi square grid: y coordinates are in
// horizontal-pixel units and stretched by sy rows, so a drawing looks the same
// at every vertical resolution.
type canvas struct {
	p  *faxtiff.Page
	sy int
}

// Page draws page number no of total.
func Page(res faxtiff.Resolution, no, total int, opt Options) *faxtiff.Page {
	if opt.TextLines == 0 {
		opt.TextLines = 40
	}
	c := canvas{p: faxtiff.NewPage(Width, res.A4Rows(), res), sy: rowsPerUnit(res)}
	rng := rand.New(rand.NewPCG(opt.Seed, uint64(no)))
	y := 40
	c.fill(80, y, Width-160, 60, true)
	c.text(100, y+16, 3, fmt.Sprintf("FAXGATE TEST  %s  PAGE %d/%d", res, no, total), false)
	y += 100
	c.text(80, y, 3, "Loopback test transmission", true)
	y += 70
	for i := 0; i < opt.TextLines; i++ {
		c.text(80, y, 2, sentence(rng, 108), true)
		y += 28
	}
	y += 20
	c.table(80, y, rng)
	c.chart(940, y, rng)
	c.circle(1570, y+450, 110)
	c.ramp(80, y+590, Width-160, 40)
	return c.p
}

// rowsPerUnit maps the 204 dpi drawing grid to page rows (98 lpi ≈ half).
func rowsPerUnit(res faxtiff.Resolution) int {
	switch res {
	case faxtiff.Fine:
		return 1
	case faxtiff.Superfine:
		return 2
	}
	return 0 // standard: every other unit row is dropped
}

// set paints one grid unit (1 px wide, 0.5/1/2 rows high); the page clips.
func (c canvas) set(x, y int, black bool) {
	if c.sy == 0 {
		if y%2 == 0 {
			c.p.SetBlack(x, y/2, black)
		}
		return
	}
	for r := 0; r < c.sy; r++ {
		c.p.SetBlack(x, y*c.sy+r, black)
	}
}

func (c canvas) fill(x, y, w, h int, black bool) {
	for j := y; j < y+h; j++ {
		for i := x; i < x+w; i++ {
			c.set(i, j, black)
		}
	}
}

// text draws s at (x, y) (top-left), each font pixel scaled to scale×scale.
func (c canvas) text(x, y, scale int, s string, black bool) {
	face := basicfont.Face7x13
	img := image.NewAlpha(image.Rect(0, 0, face.Advance*len(s), face.Height))
	d := font.Drawer{Dst: img, Src: image.Opaque, Face: face, Dot: fixed.P(0, face.Ascent)}
	d.DrawString(s)
	b := img.Bounds()
	for fy := b.Min.Y; fy < b.Max.Y; fy++ {
		for fx := b.Min.X; fx < b.Max.X; fx++ {
			if img.AlphaAt(fx, fy).A >= 128 {
				c.fill(x+fx*scale, y+fy*scale, scale, scale, black)
			}
		}
	}
}

// table draws a 4×8 ruled table with numbers.
func (c canvas) table(x, y int, rng *rand.Rand) {
	const cols, rows, cw, rh = 4, 8, 200, 50
	for r := 0; r <= rows; r++ {
		c.fill(x, y+r*rh, cols*cw+2, 2, true)
	}
	for k := 0; k <= cols; k++ {
		c.fill(x+k*cw, y, 2, rows*rh, true)
	}
	for r := 0; r < rows; r++ {
		for k := 0; k < cols; k++ {
			c.text(x+k*cw+14, y+r*rh+12, 2, fmt.Sprintf("%8.2f", rng.Float64()*10000), true)
		}
	}
}

// chart draws axes and a random walk polyline.
func (c canvas) chart(x, y int, rng *rand.Rand) {
	const w, h = 500, 400
	c.fill(x, y+h, w, 3, true)
	c.fill(x, y, 3, h, true)
	v := h / 2
	for i := 0; i < w; i += 10 {
		nv := min(max(v+rng.IntN(61)-30, 10), h-10)
		c.line(x+i, y+h-v, x+i+10, y+h-nv)
		v = nv
	}
}

// line draws a 2-unit thick segment.
func (c canvas) line(x0, y0, x1, y1 int) {
	n := max(abs(x1-x0), abs(y1-y0), 1)
	for i := 0; i <= n; i++ {
		x := x0 + (x1-x0)*i/n
		y := y0 + (y1-y0)*i/n
		c.fill(x, y, 2, 2, true)
	}
}

func (c canvas) circle(cx, cy, r int) {
	for a := 0; a < 3600; a++ {
		t := float64(a) * math.Pi / 1800
		c.fill(cx+int(float64(r)*math.Cos(t)), cy+int(float64(r)*math.Sin(t)), 3, 3, true)
	}
}

// ramp draws a white-to-black ramp with an ordered (Bayer 4×4) dither: the
// kind of halftone that makes fax coding work hard.
func (c canvas) ramp(x, y, w, h int) {
	bayer := [4][4]int{{0, 8, 2, 10}, {12, 4, 14, 6}, {3, 11, 1, 9}, {15, 7, 13, 5}}
	for j := 0; j < h; j++ {
		for i := 0; i < w; i++ {
			level := i * 17 / w // 0..16
			c.set(x+i, y+j, bayer[j%4][i%4] < level)
		}
	}
}

var words = strings.Fields(`the fax engine sends pages over a simulated line with loss delay and jitter
so that every test exercises training error correction and the page transfer protocol of T.30
invoice order number total amount due date customer account reference please confirm receipt
of this document by return fax thank you regards accounts department 0123456789 ABCDEF`)

// sentence returns random words up to n characters.
func sentence(rng *rand.Rand, n int) string {
	var b strings.Builder
	for {
		w := words[rng.IntN(len(words))]
		if b.Len()+len(w)+1 > n {
			return b.String()
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
