package document

import (
	"encoding/binary"
	"math"

	"faxgate/internal/faxtiff"
)

// Grey to 1 bit, chosen per region.
//
// The page is cut into tiles about 4 mm square (32 pixels wide; 16, 32 or 64
// rows at standard, fine, superfine). A tile is "continuous tone" when at
// least photoShare of its pixels are smooth mid-tones: grey (between midLo
// and midHi) and within smoothDelta of all four neighbours. Anti-aliased text
// and line art have mid-tones only on edges, where a neighbour is much
// lighter or darker, so they stay below the share even in dense small print;
// photographs, gradients and grey fills are mostly smooth mid-tones.
// Tiles next to a continuous-tone tile that have some smooth mid-tones
// (photoEdgeShare) join it, so a photo's border is not cut into a mosaic.
//
//   - Text and line-art tiles are thresholded (black below the threshold,
//     which the caller picks for how the grey was made: coverage-blended
//     renders vs. linear-light resampling), and a pixel that is a thin dark
//     ridge (darker than both neighbours across it by ridgeDelta) is black too,
//     so hairlines and thin serifs thinner than half a fax pixel survive.
//   - Continuous-tone tiles get Atkinson error diffusion in serpentine order.
//     Atkinson spreads only 6/8 of the error over a small neighbourhood, so
//     near-white stays clean white and near-black solid (no speckled paper
//     background from a scan, no muddy shadows once the recipient's printer
//     adds dot gain), the isolated dots Floyd–Steinberg scatters in
//     highlights do not appear (they cost the most in T.4/T.6 coding and
//     transmission time), and error does not travel far into neighbouring
//     text. The price is a little less tonal range at both ends, which a fax
//     cannot show anyway.
const (
	midLo, midHi   = 40, 215
	smoothDelta    = 16
	photoShare     = 0.12
	photoEdgeShare = 0.02
	ridgeDelta     = 32
	tileW          = 32
	ditherLevel    = 128
)

// Thresholds for text and line art, in sRGB levels.
const (
	// thresholdRender is for renders whose anti-aliasing blends coverage in
	// sRGB (PDF, our text): black from 41 % coverage, slightly bold, which
	// keeps thin strokes at standard resolution.
	thresholdRender = 150
	// thresholdLinear is for rasters scaled in linear light, where 50 %
	// coverage lands at sRGB 188: black from 47 % coverage.
	thresholdLinear = 192
)

// tileRows returns the tile height for a vertical resolution, so tiles are
// about square on paper.
func tileRows(ydpi float64) int {
	return max(8, int(math.Round(tileW*ydpi/faxtiff.XDPI)))
}

// binarize writes g (g.w must be the page width) into rows [0, g.h) of dst,
// which must be white and at least g.h rows tall.
func binarize(g *gray, threshold uint8, dst *faxtiff.Page) {
	th := tileRows(dst.YDPI)
	cols, rows := (g.w+tileW-1)/tileW, (g.h+th-1)/th
	photo := classifyTiles(g, cols, rows, th)
	b := &bitWriter{g: g, dst: dst, threshold: threshold, photo: photo, cols: cols, th: th}
	b.run()
}

// tileStats counts, per tile, the pixels the classification looks at.
type tileStats struct {
	pixels      int
	smoothMid   int // mid-tone and smooth
	tonal       int // neither paper white nor solid ink
	smoothTonal int // tonal and smooth
}

// classifyTiles returns, per tile, whether it is continuous tone. Seeds are
// tiles with photoShare smooth mid-tones. From them the region grows into
// neighbouring tiles that touch them with some smooth mid-tones
// (photoEdgeShare) and, transitively, into tiles whose tones are mostly
// smooth (the deep shadows and bright highlights of the same photograph,
// which alone would be thresholded and show a staircase of tile edges).
// Text never qualifies: its tones are edges.
func classifyTiles(g *gray, cols, rows, th int) []bool {
	stats := measureTiles(g, cols, th)
	photo := make([]bool, cols*rows)
	var queue []int
	for i, s := range stats {
		if float64(s.smoothMid) >= photoShare*float64(s.pixels) {
			photo[i] = true
			queue = append(queue, i)
		}
	}
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		tx, ty := i%cols, i/cols
		for _, d := range [][2]int{{-1, 0}, {1, 0}, {0, -1}, {0, 1}, {-1, -1}, {1, -1}, {-1, 1}, {1, 1}} {
			nx, ny := tx+d[0], ty+d[1]
			if nx < 0 || ny < 0 || nx >= cols || ny >= rows {
				continue
			}
			k := ny*cols + nx
			if photo[k] {
				continue
			}
			s := stats[k]
			if float64(s.smoothMid) >= photoEdgeShare*float64(s.pixels) ||
				(s.tonal > 0 && float64(s.smoothTonal) >= 0.7*float64(s.tonal)) {
				photo[k] = true
				queue = append(queue, k)
			}
		}
	}
	return photo
}

// allWhite8 is eight paper-white pixels read as one word.
const allWhite8 = math.MaxUint64

// Tonal range: lighter than solid ink, darker than paper (Atkinson renders
// anything outside it as solid black or white anyway).
const tonalLo, tonalHi = 16, 224

// measureTiles gathers the statistics of every tile from every other row
// (shares are what matters, and halving the work halves the cost of the
// step that looks at every pixel).
func measureTiles(g *gray, cols, th int) []tileStats {
	rows := (g.h + th - 1) / th
	stats := make([]tileStats, cols*rows)
	for y := 0; y < g.h; y += 2 {
		ts := stats[(y/th)*cols : (y/th+1)*cols]
		row := g.row(y)
		up, down := row, row
		if y > 0 {
			up = g.row(y - 1)
		}
		if y+1 < g.h {
			down = g.row(y + 1)
		}
		for tx := range ts {
			ts[tx].pixels += min(tileW, g.w-tx*tileW)
		}
		w := g.w
		for x0 := 0; x0 < w; x0 += 8 {
			if x0+8 <= w && binary.LittleEndian.Uint64(row[x0:]) == allWhite8 {
				continue
			}
			for x := x0; x < min(x0+8, w); x++ {
				v := int(row[x])
				if v <= tonalLo || v >= tonalHi {
					continue
				}
				s := &ts[x/tileW]
				s.tonal++
				if near(v, row[max(x-1, 0)]) && near(v, row[min(x+1, w-1)]) && near(v, up[x]) && near(v, down[x]) {
					s.smoothTonal++
					if v > midLo && v < midHi {
						s.smoothMid++
					}
				}
			}
		}
	}
	return stats
}

func near(v int, w byte) bool {
	d := v - int(w)
	return d <= smoothDelta && d >= -smoothDelta
}

// bitWriter produces the output rows.
type bitWriter struct {
	g         *gray
	dst       *faxtiff.Page
	threshold uint8
	photo     []bool
	cols, th  int
	errs      [3][]float32 // Atkinson error for rows y, y+1, y+2 (2 pixels padding each side)
}

func (b *bitWriter) run() {
	hasPhoto := false
	for _, p := range b.photo {
		hasPhoto = hasPhoto || p
	}
	if hasPhoto {
		for i := range b.errs {
			b.errs[i] = make([]float32, b.g.w+4)
		}
	}
	for y := range b.g.h {
		out := b.dst.Row(y)
		tileRow := b.photo[(y/b.th)*b.cols : (y/b.th+1)*b.cols]
		rowHasPhoto := false
		for _, p := range tileRow {
			rowHasPhoto = rowHasPhoto || p
		}
		if rowHasPhoto {
			b.ditherRow(y, out, tileRow)
		} else {
			b.thresholdSpan(y, 0, b.g.w, out)
		}
		if hasPhoto {
			// Shift the error rows: y+1 becomes current, a fresh row enters.
			b.errs[0], b.errs[1], b.errs[2] = b.errs[1], b.errs[2], b.errs[0]
			clear(b.errs[2])
		}
	}
}

// thresholdSpan thresholds pixels [x0, x1) of row y into out, eight at a
// time; x0 is a multiple of 8 (tile edges are).
func (b *bitWriter) thresholdSpan(y, x0, x1 int, out []byte) {
	g := b.g
	row := g.row(y)
	// At the band's top and bottom rows there is no vertical neighbour.
	var up, down []byte
	if y > 0 && y+1 < g.h {
		up, down = g.row(y-1), g.row(y+1)
	}
	t := b.threshold
	for x := x0; x < x1; x += 8 {
		if x+8 <= len(row) && binary.LittleEndian.Uint64(row[x:]) == allWhite8 {
			continue
		}
		var bits byte
		for k := range min(8, x1-x) {
			v := row[x+k]
			if v >= midHi {
				continue
			}
			if v < t || b.ridge(v, row, up, down, x+k) {
				bits |= 0x80 >> uint(k)
			}
		}
		out[x>>3] |= bits
	}
}

// ridge reports a pixel clearly darker than both neighbours across it,
// horizontally or vertically: the centre of a line thinner than a pixel.
func (b *bitWriter) ridge(v byte, row, up, down []byte, x int) bool {
	vv := int(v) + ridgeDelta
	if x > 0 && x+1 < b.g.w && vv <= int(row[x-1]) && vv <= int(row[x+1]) {
		return true
	}
	return up != nil && vv <= int(up[x]) && vv <= int(down[x])
}

// ditherRow handles a row crossing continuous-tone tiles: those pixels are
// diffused (left to right on even rows, right to left on odd ones), the
// others thresholded.
func (b *bitWriter) ditherRow(y int, out []byte, tileRow []bool) {
	row := b.g.row(y)
	e0, e1, e2 := b.errs[0], b.errs[1], b.errs[2]
	w := b.g.w
	x, end, d := 0, w, 1
	if y&1 == 1 {
		x, end, d = w-1, -1, -1
	}
	for ; x != end; x += d {
		if !tileRow[x/tileW] {
			continue
		}
		v := float32(row[x]) + e0[x+2]
		var q float32 = 255
		if v < ditherLevel {
			q = 0
			out[x>>3] |= 0x80 >> uint(x&7)
		}
		e := (v - q) / 8
		if e == 0 {
			continue
		}
		e0[x+2+d] += e
		e0[x+2+2*d] += e
		e1[x+2-d] += e
		e1[x+2] += e
		e1[x+2+d] += e
		e2[x+2] += e
	}
	// Thresholded spans of the same row.
	for tx, p := range tileRow {
		if !p {
			b.thresholdSpan(y, tx*tileW, min((tx+1)*tileW, w), out)
		}
	}
}
