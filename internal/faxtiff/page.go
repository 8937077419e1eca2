package faxtiff

import (
	"fmt"
	"math"
	"math/bits"
)

// Resolution of a fax page's vertical axis. The horizontal axis is always
// 204 dpi (8 pels/mm), so a 1728-pixel row spans 215 mm.
type Resolution int

const (
	Standard  Resolution = iota // 3.85 lines/mm, 98 lpi
	Fine                        // 7.7 lines/mm, 196 lpi
	Superfine                   // 15.4 lines/mm, 391 lpi
)

// Page sizes and resolutions of T.4 / TIFF-F.
const (
	// WidthA4 is the row width of A4 and Letter pages (215 mm at 204 dpi).
	WidthA4 = 1728
	// WidthB4 is the row width of B4 pages (255 mm).
	WidthB4 = 2048
	// WidthA3 is the row width of A3 pages (303 mm).
	WidthA3 = 2432
	// XDPI is the horizontal resolution of every page we write.
	XDPI = 204.0
	// resTolerance is how far (relative) a file's resolution may be from the
	// nominal one and still match it; spandsp 0.0.6 uses the same ±5 %.
	resTolerance = 0.05
)

// LPI returns the nominal lines per inch written to TIFF files.
func (r Resolution) LPI() float64 {
	switch r {
	case Fine:
		return 196
	case Superfine:
		return 391
	default:
		return 98
	}
}

// String returns "standard", "fine" or "superfine".
func (r Resolution) String() string {
	switch r {
	case Standard:
		return "standard"
	case Fine:
		return "fine"
	case Superfine:
		return "superfine"
	}
	return fmt.Sprintf("Resolution(%d)", int(r))
}

// A4Rows returns the number of rows of an A4 page (297 mm) at r:
// 1143, 2287 or 4574.
func (r Resolution) A4Rows() int {
	switch r {
	case Fine:
		return 2287
	case Superfine:
		return 4574
	}
	return 1143
}

// MatchResolution returns the resolution whose LPI is within ±5 % of ydpi.
func MatchResolution(ydpi float64) (Resolution, bool) {
	for _, r := range []Resolution{Standard, Fine, Superfine} {
		if within(ydpi, r.LPI()) {
			return r, true
		}
	}
	return Standard, false
}

// within reports whether v is within ±5 % of nominal.
func within(v, nominal float64) bool {
	return math.Abs(v-nominal) <= nominal*resTolerance
}

// Page is one bilevel fax page. Pix holds Height rows of Stride bytes; in
// each row pixel x is bit 7-(x%8) of byte x/8 (packed MSB first), and a set
// bit is black. Bits past Width in the last byte of a row are padding and
// are ignored by Equal and the encoder. XDPI and YDPI are dots per inch.
type Page struct {
	Width, Height, Stride int
	XDPI, YDPI            float64
	Pix                   []byte
}

// NewPage returns an all-white page of width × height pixels at 204 dpi
// horizontally and res vertically.
func NewPage(width, height int, res Resolution) *Page {
	if width < 0 || height < 0 {
		panic(fmt.Sprintf("faxtiff: NewPage(%d, %d): negative size", width, height))
	}
	stride := (width + 7) / 8
	return &Page{
		Width: width, Height: height, Stride: stride,
		XDPI: XDPI, YDPI: res.LPI(),
		Pix: make([]byte, stride*height),
	}
}

// Black reports whether pixel (x, y) is black; outside the page is white.
func (p *Page) Black(x, y int) bool {
	if x < 0 || y < 0 || x >= p.Width || y >= p.Height {
		return false
	}
	return p.Pix[y*p.Stride+x>>3]&(0x80>>uint(x&7)) != 0
}

// SetBlack sets pixel (x, y); coordinates outside the page are ignored.
func (p *Page) SetBlack(x, y int, black bool) {
	if x < 0 || y < 0 || x >= p.Width || y >= p.Height {
		return
	}
	i, m := y*p.Stride+x>>3, byte(0x80>>uint(x&7))
	if black {
		p.Pix[i] |= m
	} else {
		p.Pix[i] &^= m
	}
}

// Row returns the packed bytes of row y (Stride bytes).
func (p *Page) Row(y int) []byte {
	return p.Pix[y*p.Stride : (y+1)*p.Stride]
}

// Resolution returns the vertical resolution nearest to YDPI. Use
// MatchResolution to know whether YDPI is within ±5 % of it.
func (p *Page) Resolution() Resolution {
	best, bestDist := Standard, math.Inf(1)
	for _, r := range []Resolution{Standard, Fine, Superfine} {
		// Compare ratios, not differences: 140 lpi is nearer to 98 than to 196.
		if d := math.Abs(math.Log(p.YDPI / r.LPI())); d < bestDist {
			best, bestDist = r, d
		}
	}
	return best
}

// check reports a page whose fields are inconsistent with its pixels.
func (p *Page) check() error {
	switch {
	case p == nil:
		return fmt.Errorf("nil page")
	case p.Width <= 0 || p.Height <= 0:
		return fmt.Errorf("size %d×%d is empty", p.Width, p.Height)
	case p.Stride < (p.Width+7)/8:
		return fmt.Errorf("stride %d too small for width %d", p.Stride, p.Width)
	case len(p.Pix) < p.Stride*(p.Height-1)+(p.Width+7)/8:
		return fmt.Errorf("pixel buffer has %d bytes, %d×%d needs %d", len(p.Pix), p.Width, p.Height, p.Stride*p.Height)
	case !(p.XDPI > 0) || !(p.YDPI > 0) || math.IsInf(p.XDPI, 0) || math.IsInf(p.YDPI, 0):
		return fmt.Errorf("resolution %gx%g dpi is not set", p.XDPI, p.YDPI)
	}
	return nil
}

// Equal returns the number of pixels that differ between a and b, or -1 if
// their sizes differ (or either is nil). Resolution is not compared.
func Equal(a, b *Page) (diffPixels int) {
	if a == nil || b == nil || a.Width != b.Width || a.Height != b.Height {
		return -1
	}
	full, rest := a.Width/8, a.Width%8
	for y := range a.Height {
		ra, rb := a.Pix[y*a.Stride:], b.Pix[y*b.Stride:]
		for i := range full {
			diffPixels += bits.OnesCount8(ra[i] ^ rb[i])
		}
		if rest > 0 {
			mask := byte(0xFF << uint(8-rest))
			diffPixels += bits.OnesCount8((ra[full] ^ rb[full]) & mask)
		}
	}
	return diffPixels
}
