package document

import (
	"encoding/binary"
	"math"
	"math/bits"
	"slices"

	"faxgate/internal/faxtiff"
)

// Grey to 1 bit, chosen per region.
//
// The page is cut into tiles about 4 mm square (32 pixels wide; 16, 32 or 64
// rows at standard, fine, superfine). Pixels are "tonal" when they are
// neither paper white nor solid ink (between tonalLo and tonalHi), and
// "interior" when they and their four neighbours are all tonal. Anti-aliased
// text and line art have tonal pixels only on their edges, and every edge
// pixel touches paper or ink on one side, so such tiles have almost no
// interior pixels, however small and dense the print. Photographs (smooth
// or richly textured), gradients and grey fills are mostly interior.
//
//   - A tile with seedShare interior pixels is continuous tone. The region
//     grows from there into neighbouring tiles that have some interior pixels
//     (edgeShare: the photo's border) or whose tones are mostly smooth
//     (within smoothDelta of all neighbours: the photo's deep shadows and
//     bright highlights), so a photograph is not cut into a mosaic of
//     dithered and thresholded tiles.
//   - Continuous-tone tiles get Atkinson error diffusion in serpentine order.
//     Atkinson spreads only 6/8 of the error over a small neighbourhood, so
//     near-white stays clean white and near-black solid (no speckled paper
//     background from a scan, no muddy shadows once the recipient's printer
//     adds dot gain), the isolated dots Floyd–Steinberg scatters in
//     highlights do not appear (they cost the most in T.4/T.6 coding and
//     transmission time), and error does not travel far into neighbouring
//     text. The price is a little less tonal range at both ends, which a fax
//     cannot show anyway (tones are lifted first, see photoTone).
//   - All other tiles (text, line art, blank paper) are thresholded (black
//     below a threshold the caller picks for how the grey was made:
//     coverage-blended renders vs. linear-light resampling), and a pixel
//     that is a thin dark ridge (darker than both neighbours across it by
//     ridgeDelta) is black too, so hairlines and serifs thinner than half a
//     fax pixel survive.
const (
	tonalLo, tonalHi = 16, 224
	midHi            = 215 // lighter pixels are never black when thresholding
	smoothDelta      = 16
	seedShare        = 0.20
	edgeShare        = 0.03
	ridgeDelta       = 32
	tileW            = 32
	ditherLevel      = 128 * 16 // in sixteenths of a level, as photoTone
)

// photoTone lifts the tones of continuous-tone regions (a gamma of 0.8)
// before diffusion: Atkinson clips the darkest quarter of tones to solid
// black, and fax printers add dot gain, so unlifted photographs print
// murky; the lift keeps detail in shadows and leaves white and black as
// they are. Tones and diffused error are in sixteenths of a level
// (integers: the diffusion then has no branch but the loop's).
var photoTone = func() (t [256]int32) {
	for i := range t {
		t[i] = int32(math.Round(16 * 255 * math.Pow(float64(i)/255, 0.8)))
	}
	return t
}()

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
	if packTwoTone(g, dst) {
		return
	}
	newBinarizer(g, threshold, dst).run()
}

// packTwoTone writes g into dst (white, as for binarize) if every pixel of
// g is pure black or pure white, and reports whether it did; otherwise it
// leaves dst white. Such a page is what mutool draws without
// anti-aliasing (PDFs without images: text and line art), and for it the
// general rules give exactly this (no pixel is tonal, so no tile is
// continuous tone; black is below any threshold, white above midHi, and
// white is never a ridge), so the tile classification and the per-pixel
// threshold rules can be skipped: about a third of binarize's work on
// such a page. A page with any other tone stops at its first such word,
// which on anti-aliased text or a photograph comes within the first rows
// of ink.
func packTwoTone(g *gray, dst *faxtiff.Page) bool {
	w := g.w
	for y := range g.h {
		row, out := g.row(y), dst.Row(y)
		x := 0
		for ; x+32 <= w; x += 32 {
			a, b := binary.LittleEndian.Uint64(row[x:]), binary.LittleEndian.Uint64(row[x+8:])
			c, d := binary.LittleEndian.Uint64(row[x+16:]), binary.LittleEndian.Uint64(row[x+24:])
			if a&b&c&d == allWhite8 {
				continue
			}
			if !twoTone(a) || !twoTone(b) || !twoTone(c) || !twoTone(d) {
				clear(dst.Pix[:(y+1)*dst.Stride])
				return false
			}
			// Black bytes are 0: their complement has the top bit set.
			i := x >> 3
			out[i], out[i+1], out[i+2], out[i+3] = gather(^a&highs), gather(^b&highs), gather(^c&highs), gather(^d&highs)
		}
		for ; x < w; x++ {
			switch row[x] {
			case 0:
				out[x>>3] |= 0x80 >> uint(x&7)
			case 0xFF:
			default:
				clear(dst.Pix[:(y+1)*dst.Stride])
				return false
			}
		}
	}
	return true
}

// twoTone reports whether every byte of v is 0 or 0xFF: within each byte,
// every bit equals the one above it (v>>1 brings a byte's bit i+1 to bit
// i; its bit 7, from the next byte, is masked off).
func twoTone(v uint64) bool {
	return (v^v>>1)&0x7F7F7F7F7F7F7F7F == 0
}

// newBinarizer prepares binarize: the tiles are classified, run makes the
// rows.
func newBinarizer(g *gray, threshold uint8, dst *faxtiff.Page) *bitWriter {
	th := tileRows(dst.YDPI)
	cols, rows := (g.w+tileW-1)/tileW, (g.h+th-1)/th
	photo := classifyTiles(g, cols, rows, th)
	return &bitWriter{g: g, dst: dst, threshold: threshold, photo: photo, cols: cols, th: th}
}

// progressRows is how many rows run makes between two calls of done.
const progressRows = 128

// tileStats counts, per tile, the pixels the classification looks at.
type tileStats struct {
	pixels      int
	tonal       int // neither paper white nor solid ink
	interior    int // tonal with four tonal neighbours
	smoothTonal int // tonal and within smoothDelta of its four neighbours
}

// classifyTiles returns, per tile, whether it is continuous tone.
func classifyTiles(g *gray, cols, rows, th int) []bool {
	stats := measureTiles(g, cols, th)
	photo := make([]bool, cols*rows)
	var queue []int
	for i, s := range stats {
		if float64(s.interior) >= seedShare*float64(s.pixels) {
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
			if float64(s.interior) >= edgeShare*float64(s.pixels) ||
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

func tonal(v byte) bool { return v > tonalLo && v < tonalHi }

// measureTiles gathers the statistics of every tile from eight of its rows
// (shares are what matters, and sampling cuts the cost of the step that
// looks at every pixel), and of each word of eight pixels only from its
// tonal ones.
func measureTiles(g *gray, cols, th int) []tileStats {
	rows := (g.h + th - 1) / th
	stats := make([]tileStats, cols*rows)
	// Eight rows of every tile: every other row at standard, every fourth
	// at fine, every eighth at superfine.
	step := max(2, th/8)
	for y := 0; y < g.h; y += step {
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
			// Paper: 32 pixels of pure white at once.
			if x0&31 == 0 && x0+32 <= w && binary.LittleEndian.Uint64(row[x0:])&binary.LittleEndian.Uint64(row[x0+8:])&
				binary.LittleEndian.Uint64(row[x0+16:])&binary.LittleEndian.Uint64(row[x0+24:]) == allWhite8 {
				x0 += 24
				continue
			}
			// Only the tonal pixels of each word are looked at.
			todo := byte(0xFF << uint(max(0, x0+8-w))) // a last, partial word
			if x0+8 <= w {
				v := binary.LittleEndian.Uint64(row[x0:])
				tm := tonalMask(v)
				if tm == 0 {
					continue
				}
				if x0 > 0 && x0+9 <= w && bits.OnesCount64(tm) > 2 {
					// Eight at a time (photographs: most pixels are tonal);
					// all have both neighbours in the row.
					countTonal(&ts[x0/tileW], v, tm, row, up, down, x0)
					continue
				}
				todo = gather(tm)
			}
			for todo != 0 {
				k := bits.LeadingZeros8(todo)
				todo &^= 0x80 >> uint(k)
				x := x0 + k
				v := row[x]
				if !tonal(v) {
					continue
				}
				l, r, u, d := row[max(x-1, 0)], row[min(x+1, w-1)], up[x], down[x]
				s := &ts[x/tileW]
				s.tonal++
				if tonal(l) && tonal(r) && tonal(u) && tonal(d) {
					s.interior++
				}
				if vi := int(v); near(vi, l) && near(vi, r) && near(vi, u) && near(vi, d) {
					s.smoothTonal++
				}
			}
		}
	}
	return stats
}

// countTonal adds to s the tonal, interior and smooth pixels of the word
// v at x of row (tm: its tonal mask), exactly as measureTiles does pixel
// by pixel; x-1 and x+8 must be in the row.
func countTonal(s *tileStats, v, tm uint64, row, up, down []byte, x int) {
	l := binary.LittleEndian.Uint64(row[x-1:])
	r := binary.LittleEndian.Uint64(row[x+1:])
	u := binary.LittleEndian.Uint64(up[x:])
	d := binary.LittleEndian.Uint64(down[x:])
	s.tonal += bits.OnesCount64(tm)
	s.interior += bits.OnesCount64(tm & tonalMask(l) & tonalMask(r) & tonalMask(u) & tonalMask(d))
	// |v-n| ≤ smoothDelta: v+δ ≥ n and n+δ ≥ v. Tonal v+δ stays below 256
	// (the others are zeroed: masked off anyway); n+δ is taken modulo 256
	// per byte, and where it wraps (n ≥ 240) v+δ ≥ n fails anyway.
	vt := v & ((tm >> 7) * 0xFF)
	vp := vt + smoothDelta*ones
	near := func(n uint64) uint64 {
		np := (n&^highs + smoothDelta*ones) ^ n&highs
		return atLeast(vp, n) & atLeast(np, vt)
	}
	s.smoothTonal += bits.OnesCount64(tm & near(l) & near(r) & near(u) & near(d))
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
	errs      [3][]int32 // Atkinson error for rows y, y+1, y+2 (2 pixels padding each side)
	ink       []byte     // one byte per pixel of the row being diffused: 1 = black
	// done, if set, is called with y whenever rows [0, y) of dst are
	// final: every progressRows rows and at the end (y = g.h).
	done func(y int)
}

// anyPhoto reports whether the page has continuous-tone tiles.
func (b *bitWriter) anyPhoto() bool {
	return slices.Contains(b.photo, true)
}

func (b *bitWriter) run() {
	hasPhoto := b.anyPhoto()
	if hasPhoto {
		for i := range b.errs {
			b.errs[i] = make([]int32, b.g.w+4)
		}
		b.ink = make([]byte, b.g.w+8)
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
		if b.done != nil && (y+1)%progressRows == 0 && y+1 < b.g.h {
			b.done(y + 1)
		}
	}
	if b.done != nil {
		b.done(b.g.h)
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
	for xb := x0; xb < x1; xb += 32 {
		// Paper: 32 pixels of pure white are one test.
		if xb+32 <= x1 && binary.LittleEndian.Uint64(row[xb:])&binary.LittleEndian.Uint64(row[xb+8:])&
			binary.LittleEndian.Uint64(row[xb+16:])&binary.LittleEndian.Uint64(row[xb+24:]) == allWhite8 {
			continue
		}
		for x := xb; x < min(xb+32, x1); x += 8 {
			if x+8 <= x1 && t > 127 {
				w := binary.LittleEndian.Uint64(row[x:])
				if allLight(w) {
					continue
				}
				// Darker than the threshold: black. Between it and midHi: black
				// only on a ridge, the rare case looked at pixel by pixel.
				dark := below(w, t)
				ink := gather(dark)
				for mid := gather(below(w, midHi) &^ dark); mid != 0; {
					k := bits.LeadingZeros8(mid)
					mid &^= 0x80 >> uint(k)
					if b.ridge(row[x+k], row, up, down, x+k) {
						ink |= 0x80 >> uint(k)
					}
				}
				out[x>>3] |= ink
				continue
			}
			var ink byte
			for k := range min(8, x1-x) {
				v := row[x+k]
				if v >= midHi {
					continue
				}
				if v < t || b.ridge(v, row, up, down, x+k) {
					ink |= 0x80 >> uint(k)
				}
			}
			out[x>>3] |= ink
		}
	}
}

// Eight pixels at a time (SWAR): a word holds pixels x..x+7 in its bytes
// 0..7; a mask has the top bit of byte k set for a pixel k that qualifies.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// above returns the mask of bytes of w greater than n (n < 128): adding
// 127-n to the low seven bits reaches the top bit exactly when they exceed
// n, and a byte of 128 or more qualifies anyway. No sum carries into the
// next byte.
func above(w uint64, n uint8) uint64 {
	return ((w &^ highs) + uint64(127-n)*ones | w) & highs
}

// below returns the mask of bytes of w less than n (n > 127 only), i.e.
// whose complement is above 255-n.
func below(w uint64, n uint8) uint64 { return above(^w, 255-n) }

// tonalMask returns the mask of tonal pixels (tonalLo < v < tonalHi).
func tonalMask(w uint64) uint64 { return above(w, tonalLo) & below(w, tonalHi) }

// gather packs a mask into row bits: byte k's flag to bit 7-k (pixel order
// of a packed row). The multiply moves each flag to its place in the top
// byte without carries (the partial products never overlap).
func gather(mask uint64) byte {
	return byte(((mask >> 7) * 0x8040201008040201) >> 56)
}

// allLight reports whether all eight pixels of w are at least midHi, i.e.
// white when thresholded: with d = 255-v per byte, every d < 41. (SWAR: a
// byte's top bit is set in (d + 87) | d exactly when d > 40.)
func allLight(w uint64) bool {
	const ones = 0x0101010101010101
	d := ^w
	return ((d+(127-(255-midHi))*ones)|d)&(0x80*ones) == 0
}

// atLeast returns the mask of bytes of a that are at least those of b: the
// top bits decide where they differ, else the low seven bits' difference,
// taken without borrowing across bytes.
func atLeast(a, b uint64) uint64 {
	return (a&^b | ^(a^b)&((a|highs)-(b&^highs))) & highs
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
// others thresholded. Each run of adjacent continuous-tone tiles is
// diffused on its own (see diffuse; runs are at least a tile apart, so the
// error of one never reaches another in this row or the next two), each
// pixel's colour going to b.ink, and the photo tiles are packed into the
// row from there.
func (b *bitWriter) ditherRow(y int, out []byte, tileRow []bool) {
	row := b.g.row(y)
	w := b.g.w
	for t0 := 0; t0 < len(tileRow); {
		if !tileRow[t0] {
			t0++
			continue
		}
		t1 := t0 + 1
		for t1 < len(tileRow) && tileRow[t1] {
			t1++
		}
		x0, x1 := t0*tileW, min(t1*tileW, w)
		if y&1 == 0 {
			diffuseRight(row[x0:x1], b.ink[x0:x1], b.errs[0][x0+2:x1+2], b.errs[1][x0+1:x1+3], b.errs[2][x0+2:x1+2])
		} else {
			diffuseLeft(row[x0:x1], b.ink[x0:x1], b.errs[0][x0+2:x1+2], b.errs[1][x0+1:x1+3], b.errs[2][x0+2:x1+2])
		}
		t0 = t1
	}
	for tx, p := range tileRow {
		x0, x1 := tx*tileW, min((tx+1)*tileW, w)
		if !p {
			// Thresholded spans of the same row.
			b.thresholdSpan(y, x0, x1, out)
			continue
		}
		for x := x0; x < x1; x += 8 {
			if x+8 <= x1 {
				out[x>>3] |= gather(binary.LittleEndian.Uint64(b.ink[x:]) << 7)
				continue
			}
			for k := x; k < x1; k++ {
				out[k>>3] |= b.ink[k] << uint(7-k&7)
			}
		}
	}
}

// Atkinson diffusion of one run of pixels, branch-free (a photograph's
// pixels go black or white unpredictably, so a branch per pixel would be
// mispredicted half of the time). A pixel's error e (an eighth of the
// difference between its tone and the colour it got) goes to the next two
// pixels of its row, to the pixel below and its two neighbours, and to the
// pixel two rows below. Integers in sixteenths of a level, as photoTone.
//
// The errors within the row are carried in registers (a: the previous
// pixel's e, c: the one before) instead of being added to the array and
// read back, and each pixel of the next row receives the sum of its three
// contributions in one addition, once the third is known: the same sums
// as adding each contribution where it is made (integer addition), with
// one load and store per pixel and row instead of six.
//
// grey and ink are the run's pixels; cur and below2 the error arrays of
// this row and the row after next at the same pixels; below the next
// row's at one pixel more on either side (below[i+1] is under grey[i]).

// diffuseRight diffuses the run left to right.
func diffuseRight(grey, ink []byte, cur, below, below2 []int32) {
	n := len(grey)
	if n == 0 || len(ink) < n || len(cur) < n || len(below) < n+2 || len(below2) < n {
		return
	}
	var a, c int32 // e of pixels x-1 and x-2
	for x := 0; x < n; x++ {
		v := photoTone[grey[x]] + cur[x] + c + a
		ink[x] = byte(uint32(v-ditherLevel) >> 31) // 1 (black) when v < ditherLevel
		u := v - 255*16
		if v < ditherLevel {
			u = v // a conditional move, not a branch
		}
		e := u / 8
		below[x] += c + a + e // under pixel x-1: from x-2, x-1 and x
		below2[x] = e         // the row after next gets nothing else
		c, a = a, e
	}
	below[n] += c + a
	below[n+1] += a
}

// diffuseLeft diffuses the run right to left.
func diffuseLeft(grey, ink []byte, cur, below, below2 []int32) {
	n := len(grey)
	if n == 0 || len(ink) < n || len(cur) < n || len(below) < n+2 || len(below2) < n {
		return
	}
	var a, c int32 // e of pixels x+1 and x+2
	for x := n - 1; x >= 0; x-- {
		v := photoTone[grey[x]] + cur[x] + c + a
		ink[x] = byte(uint32(v-ditherLevel) >> 31)
		u := v - 255*16
		if v < ditherLevel {
			u = v
		}
		e := u / 8
		below[x+2] += c + a + e // under pixel x+1: from x+2, x+1 and x
		below2[x] = e
		c, a = a, e
	}
	below[1] += c + a
	below[0] += a
}
