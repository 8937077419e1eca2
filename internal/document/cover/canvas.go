package cover

import (
	"image"
	"math"

	"golang.org/x/image/vector"

	"faxgate/internal/faxtiff"
)

// canvas is a page being drawn: ink coverage (0 = paper, 255 = full ink)
// on the fax's own pixel grid, addressed in points from the top left.
// Everything is drawn as coverage first and made bilevel once at the end,
// so overlapping shapes and anti-aliased edges binarise consistently.
type canvas struct {
	ink    *image.Alpha
	sx, sy float64 // pixels per point, horizontally and vertically
	w, h   float64 // page size in points
	raster vector.Rasterizer
}

func newCanvas(width, height int, xdpi, ydpi float64) *canvas {
	return &canvas{
		ink: image.NewAlpha(image.Rect(0, 0, width, height)),
		sx:  xdpi / 72, sy: ydpi / 72,
		w: float64(width) * 72 / xdpi, h: float64(height) * 72 / ydpi,
	}
}

// fill inks the rectangle (x0, y0)-(x1, y1) in points. Edges snap to the
// pixel grid and the rectangle is at least one pixel each way, so thin
// rules stay solid and equally thick at every resolution.
func (c *canvas) fill(x0, y0, x1, y1 float64) {
	px0, px1 := snap(x0*c.sx, x1*c.sx)
	py0, py1 := snap(y0*c.sy, y1*c.sy)
	r := image.Rect(px0, py0, px1, py1).Intersect(c.ink.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := c.ink.Pix[y*c.ink.Stride+r.Min.X : y*c.ink.Stride+r.Max.X]
		for i := range row {
			row[i] = 255
		}
	}
}

// snap rounds an interval to whole pixels, keeping at least one.
func snap(a, b float64) (int, int) {
	ia, ib := int(math.Round(a)), int(math.Round(b))
	if ib <= ia {
		ib = ia + 1
	}
	return ia, ib
}

// rule draws a horizontal line from x0 to x1 with its top at y.
func (c *canvas) rule(x0, x1, y, thick float64) {
	c.fill(x0, y, x1, y+thick)
}

// pixelRect converts a rectangle in points to pixels (for tests and the
// logo).
func (c *canvas) pixelRect(x0, y0, x1, y1 float64) image.Rectangle {
	return image.Rect(int(math.Floor(x0*c.sx)), int(math.Floor(y0*c.sy)),
		int(math.Ceil(x1*c.sx)), int(math.Ceil(y1*c.sy))).Intersect(c.ink.Bounds())
}

// page binarises the coverage: a pixel is black when at least threshold
// (0..255) of it is inked.
func (c *canvas) page(res faxtiff.Resolution, threshold uint8) *faxtiff.Page {
	b := c.ink.Bounds()
	p := faxtiff.NewPage(b.Dx(), b.Dy(), res)
	for y := range b.Dy() {
		src := c.ink.Pix[y*c.ink.Stride : y*c.ink.Stride+b.Dx()]
		dst := p.Pix[y*p.Stride : (y+1)*p.Stride]
		for i := range dst {
			var b byte
			for k, v := range src[i*8 : min(i*8+8, len(src))] {
				if v >= threshold {
					b |= 0x80 >> uint(k)
				}
			}
			dst[i] = b
		}
	}
	return p
}
