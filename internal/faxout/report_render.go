package faxout

import (
	"fmt"
	"image"
	"image/color"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"faxgate/internal/faxtiff"
)

// The report is drawn on a square 204 dpi grey canvas of A4 size (anti-
// aliased text from the embedded Go fonts), then thresholded at half
// coverage and resampled to fine resolution (204 × 196 dpi) rows: a page
// that looks like what a fax machine prints, and that faxpdf embeds as it
// is. Neither internal/document nor internal/document/cover exports a
// general text renderer (cover draws only its own fixed layout), so the
// few lines of drawing live here.
const (
	reportDPI   = 204
	reportWidth = 1728                       // pixels: 215 mm at 204 dpi
	reportRows  = 297 * reportDPI * 10 / 254 // A4 length at square pixels (2385)
	reportLeft  = 110                        // margin, pixels
)

var reportFonts = sync.OnceValues(func() (*reportFontSet, error) {
	reg, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return nil, fmt.Errorf("faxout: report font: %w", err)
	}
	bold, err := opentype.Parse(gobold.TTF)
	if err != nil {
		return nil, fmt.Errorf("faxout: report font: %w", err)
	}
	return &reportFontSet{regular: reg, bold: bold}, nil
})

type reportFontSet struct{ regular, bold *opentype.Font }

// reportCanvas is the page being drawn.
type reportCanvas struct {
	img   *image.Gray
	fonts *reportFontSet
	faces map[string]font.Face
}

func newReportCanvas() (*reportCanvas, error) {
	fs, err := reportFonts()
	if err != nil {
		return nil, err
	}
	img := image.NewGray(image.Rect(0, 0, reportWidth, reportRows))
	for i := range img.Pix {
		img.Pix[i] = 0xff // white paper (image/draw has no fast path for a uniform Gray fill)
	}
	return &reportCanvas{img: img, fonts: fs, faces: map[string]font.Face{}}, nil
}

// face returns the regular or bold font at size points (cached per page).
func (c *reportCanvas) face(bold bool, size float64) font.Face {
	key := fmt.Sprintf("%t/%g", bold, size)
	if f, ok := c.faces[key]; ok {
		return f
	}
	src := c.fonts.regular
	if bold {
		src = c.fonts.bold
	}
	f, err := opentype.NewFace(src, &opentype.FaceOptions{Size: size, DPI: reportDPI, Hinting: font.HintingFull})
	if err != nil {
		panic("faxout: report face: " + err.Error()) // the embedded font is valid: cannot happen
	}
	c.faces[key] = f
	return f
}

// text draws s with its baseline at (x, y), cut with "..." so that it ends
// before maxX.
func (c *reportCanvas) text(x, y, maxX int, bold bool, size float64, s string) {
	f := c.face(bold, size)
	s = fitText(f, printable(s), maxX-x)
	d := font.Drawer{Dst: c.img, Src: image.Black, Face: f, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// fitText shortens s with "..." until it is at most width pixels wide.
func fitText(f font.Face, s string, width int) string {
	if font.MeasureString(f, s).Ceil() <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 {
		r = r[:len(r)-1]
		t := strings.TrimRight(string(r), " ") + "..."
		if font.MeasureString(f, t).Ceil() <= width {
			return t
		}
	}
	return ""
}

// printable replaces control characters (which the fonts cannot show and
// which could break the layout) with spaces.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// ink blackens a rectangle (clipped to the page).
func (c *reportCanvas) ink(r image.Rectangle) {
	r = r.Intersect(c.img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		clear(c.img.Pix[y*c.img.Stride+r.Min.X : y*c.img.Stride+r.Max.X])
	}
}

// rule draws a horizontal line of thickness t pixels.
func (c *reportCanvas) rule(x0, x1, y, t int) { c.ink(image.Rect(x0, y, x1, y+t)) }

// frame draws a rectangle's outline.
func (c *reportCanvas) frame(r image.Rectangle, t int) {
	c.rule(r.Min.X, r.Max.X, r.Min.Y, t)
	c.rule(r.Min.X, r.Max.X, r.Max.Y-t, t)
	c.ink(image.Rect(r.Min.X, r.Min.Y, r.Min.X+t, r.Max.Y))
	c.ink(image.Rect(r.Max.X-t, r.Min.Y, r.Max.X, r.Max.Y))
}

// thumbnail draws fax page p scaled into box (keeping its aspect on the
// square grid), with a frame. A pixel is inked when at least a fifth of the
// source pixels it covers are black: text at a third of its size stays
// legible as strokes instead of vanishing under a half threshold.
func (c *reportCanvas) thumbnail(p *faxtiff.Page, box image.Rectangle) {
	if p == nil || p.Width == 0 || p.Height == 0 || p.YDPI <= 0 {
		return
	}
	heightSq := float64(p.Height) * reportDPI / p.YDPI // source height in square pixels
	scale := min(float64(box.Dx())/float64(p.Width), float64(box.Dy())/heightSq)
	w, h := int(float64(p.Width)*scale), int(heightSq*scale)
	rowsPerDest := p.YDPI / reportDPI / scale // source rows per destination row
	colsPerDest := 1 / scale
	for dy := range h {
		y0, y1 := int(float64(dy)*rowsPerDest), int(float64(dy+1)*rowsPerDest)
		y1 = min(max(y1, y0+1), p.Height)
		for dx := range w {
			x0, x1 := int(float64(dx)*colsPerDest), int(float64(dx+1)*colsPerDest)
			x1 = min(max(x1, x0+1), p.Width)
			black, all := 0, 0
			for y := y0; y < y1; y++ {
				for x := x0; x < x1; x++ {
					all++
					if p.Black(x, y) {
						black++
					}
				}
			}
			if all > 0 && black*5 >= all {
				c.img.SetGray(box.Min.X+dx, box.Min.Y+dy, color.Gray{})
			}
		}
	}
	c.frame(image.Rect(box.Min.X-3, box.Min.Y-3, box.Min.X+w+3, box.Min.Y+h+3), 2)
}

// faxPage thresholds the canvas at half coverage and resamples its rows to
// fine resolution (A4: 2287 rows).
func (c *reportCanvas) faxPage() *faxtiff.Page {
	res := faxtiff.Fine
	rows := res.A4Rows()
	p := faxtiff.NewPage(reportWidth, rows, res)
	srcRows := c.img.Bounds().Dy()
	for y := range rows {
		sy := min(y*srcRows/rows, srcRows-1)
		line, row := c.img.Pix[sy*c.img.Stride:sy*c.img.Stride+reportWidth], p.Row(y)
		for x, v := range line {
			if v < 128 {
				row[x>>3] |= 0x80 >> (x & 7) // bit 7-(x%8) of byte x/8 is pixel x; set = black
			}
		}
	}
	return p
}
