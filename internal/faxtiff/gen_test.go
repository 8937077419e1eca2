package faxtiff

import (
	"image"
	"image/color"
	"image/draw"
	"math/rand/v2"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Test page generators. Each returns a fresh page; none reads files.

const loremText = "The quick brown fox jumps over the lazy dog 0123456789 " +
	"PACK MY BOX WITH FIVE DOZEN LIQUOR JUGS, invoice #4711: $1,234.56 (net 30) -- faxgate T.6 test; "

// textPage renders lines of basicfont text, each glyph pixel scaled to
// sx × sy page pixels, from margin to margin, like a dense typed letter.
func textPage(width, height int, res Resolution, sx, sy int) *Page {
	face := basicfont.Face7x13
	lineH, charW := 13, 7
	mx, my := min(48, width/8), min(64, height/8)
	cols := max(1, (width-2*mx)/(charW*sx))
	rows := max(1, (height-2*my)/(lineH*sy))
	img := image.NewGray(image.Rect(0, 0, cols*charW, rows*lineH))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	d := &font.Drawer{Dst: img, Src: image.Black, Face: face}
	text := strings.Repeat(loremText, 1+cols*rows/len(loremText))
	for r := range rows {
		line := text[r*cols : (r+1)*cols]
		d.Dot = fixed.P(0, r*lineH+11)
		d.DrawString(line)
	}
	p := NewPage(width, height, res)
	b := img.Bounds()
	for y := range b.Dy() * sy {
		for x := range b.Dx() * sx {
			if img.GrayAt(x/sx, y/sy).Y < 128 {
				p.SetBlack(mx+x, my+y, true)
			}
		}
	}
	return p
}

// fromGray thresholds a grey image (dark = black).
func fromGray(img *image.Gray, res Resolution) *Page {
	b := img.Bounds()
	p := NewPage(b.Dx(), b.Dy(), res)
	for y := range b.Dy() {
		for x := range b.Dx() {
			p.SetBlack(x, y, img.GrayAt(b.Min.X+x, b.Min.Y+y).Y < 128)
		}
	}
	return p
}

func fillPage(width, height int, black func(x, y int) bool) *Page {
	p := NewPage(width, height, Fine)
	for y := range height {
		for x := range width {
			if black(x, y) {
				p.SetBlack(x, y, true)
			}
		}
	}
	return p
}

func checkerPage(width, height, cell int) *Page {
	return fillPage(width, height, func(x, y int) bool { return (x/cell+y/cell)%2 == 0 })
}

// ditherPage is an ordered (Bayer 4×4) dither of a horizontal and vertical
// grey ramp: many short runs, the worst case for run-length coding.
func ditherPage(width, height int) *Page {
	bayer := [4][4]int{{0, 8, 2, 10}, {12, 4, 14, 6}, {3, 11, 1, 9}, {15, 7, 13, 5}}
	return fillPage(width, height, func(x, y int) bool {
		level := (x*16/width + y*16/height) / 2
		return bayer[y%4][x%4] < level
	})
}

// errorDiffusionPage is a Floyd–Steinberg dither of a radial gradient,
// a halftone photo stand-in with irregular runs.
func errorDiffusionPage(width, height int) *Page {
	g := image.NewGray(image.Rect(0, 0, width, height))
	cx, cy := float64(width)/2, float64(height)/2
	for y := range height {
		for x := range width {
			dx, dy := (float64(x)-cx)/cx, (float64(y)-cy)/cy
			v := 255 * (dx*dx + dy*dy) / 2
			g.SetGray(x, y, color.Gray{Y: uint8(min(v, 255))})
		}
	}
	pal := color.Palette{color.Black, color.White}
	pi := image.NewPaletted(g.Bounds(), pal)
	draw.FloydSteinberg.Draw(pi, g.Bounds(), g, image.Point{})
	p := NewPage(width, height, Fine)
	for y := range height {
		for x := range width {
			p.SetBlack(x, y, pi.ColorIndexAt(x, y) == 0)
		}
	}
	return p
}

func noisePage(width, height int, density float64, seed uint64) *Page {
	rng := rand.New(rand.NewPCG(seed, 7))
	return fillPage(width, height, func(x, y int) bool { return rng.Float64() < density })
}

// runsPage has rows of runs whose lengths straddle the make-up code
// boundaries (63/64/65, 1727/1728, 1791/1792, 2559/2560/2561, 2623/2624 …)
// in both colours, so every make-up and extended make-up code is used.
func runsPage(width int) *Page {
	var lens []int
	for m := 64; m <= 2560+64; m += 64 {
		lens = append(lens, m-1, m, m+1)
	}
	lens = append(lens, 2624, 2625, 5120, 5184, 7000)
	var rows [][2]int // (white run, black run) pairs tried in both orders
	for _, n := range lens {
		rows = append(rows, [2]int{n, 3}, [2]int{0, n}, [2]int{1, n}, [2]int{n, width})
	}
	p := NewPage(width, 2*len(rows), Fine)
	for i, r := range rows {
		for k, y := range []int{2 * i, 2*i + 1} {
			x := 0
			for run, black := 0, k == 1; x < width; run++ {
				n := r[run%2]
				for j := 0; j < n && x < width; j++ {
					p.SetBlack(x, y, black)
					x++
				}
				black = !black
			}
		}
	}
	return p
}

// everyRunPage alternates white rows with rows of white and black runs of
// length k, for every k from 0 to 63 and for the make-up lengths; below a
// white row these are coded in horizontal mode, so every terminating code
// of both colours appears.
func everyRunPage(width int) *Page {
	var lens []int
	for k := range 64 {
		lens = append(lens, k)
	}
	for m := 64; m <= 2560 && m < width; m += 64 {
		lens = append(lens, m, m+63)
	}
	p := NewPage(width, 2*len(lens), Fine)
	for i, k := range lens {
		y, x, black := 2*i+1, 0, false
		for x < width {
			for j := 0; j < max(k, 1) && x < width; j++ {
				p.SetBlack(x, y, black)
				x++
			}
			if k == 0 {
				black = true // a zero white run, then a black row
				continue
			}
			black = !black
		}
	}
	return p
}

// edgePage has single pixels at the four corners, at both ends of rows and
// columns, and at byte boundaries.
func edgePage(width, height int) *Page {
	p := NewPage(width, height, Standard)
	for _, pt := range [][2]int{{0, 0}, {width - 1, 0}, {0, height - 1}, {width - 1, height - 1},
		{7, 1}, {8, 1}, {width - 8, 2}, {width - 9, 2}, {1, 3}, {width - 2, 3}} {
		p.SetBlack(pt[0], pt[1], true)
	}
	for y := 4; y < height; y += 3 {
		p.SetBlack(y%width, y, true)
		p.SetBlack(width-1-y%width, y, true)
	}
	return p
}

func allPage(width, height int, black bool) *Page {
	return fillPage(width, height, func(int, int) bool { return black })
}

// verticalEdgesPage has vertical stripes that shift by -4…+4 pixels from
// row to row: every vertical mode, and pass and horizontal mode around them.
func verticalEdgesPage(width, height int) *Page {
	return fillPage(width, height, func(x, y int) bool {
		shift := []int{0, 1, 2, 3, 4, -1, -2, -3, -4, 0, 7}[y%11] * (y / 11 % 5)
		return ((x+shift+width)/9)%2 == 0
	})
}

// namedPages is the corpus used by round-trip tests, built once; tests
// must not modify the pages.
var namedPages = sync.OnceValue(func() []struct {
	name string
	page *Page
} {
	return []struct {
		name string
		page *Page
	}{
		{"text-fine", textPage(WidthA4, Fine.A4Rows(), Fine, 2, 3)},
		{"text-tiny-fine", textPage(WidthA4, Fine.A4Rows(), Fine, 1, 2)},
		{"text-dense-standard", textPage(WidthA4, Standard.A4Rows(), Standard, 1, 1)},
		{"text-b4", textPage(WidthB4, 400, Fine, 2, 3)},
		{"checker-1", checkerPage(WidthA4, 64, 1)},
		{"checker-3", checkerPage(WidthA4, 64, 3)},
		{"checker-64", checkerPage(WidthA4, 256, 64)},
		{"dither-ordered", ditherPage(WidthA4, 300)},
		{"dither-fs", errorDiffusionPage(WidthA4, 300)},
		{"noise-50", noisePage(WidthA4, 200, 0.5, 1)},
		{"noise-5", noisePage(WidthA4, 200, 0.05, 2)},
		{"all-black", allPage(WidthA4, 50, true)},
		{"all-white", allPage(WidthA4, 50, false)},
		{"all-black-a3", allPage(WidthA3, 20, true)},
		{"edges-1728", edgePage(WidthA4, 40)},
		{"edges-odd-width", edgePage(1701, 40)},
		{"runs-1728", runsPage(WidthA4)},
		{"every-run-1728", everyRunPage(WidthA4)},
		{"every-run-2700", everyRunPage(2700)},
		{"runs-8000", runsPage(8000)},
		{"vertical-edges", verticalEdgesPage(WidthA4, 200)},
		{"one-pixel-page", allPage(1, 1, true)},
		{"narrow", noisePage(13, 17, 0.5, 3)},
	}
})
