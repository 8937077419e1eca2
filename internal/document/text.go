package document

import (
	"bufio"
	"errors"
	"image"
	"io"
	"math"
	"slices"
	"unicode"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"

	"faxgate/internal/document/glyph"
	"faxgate/internal/faxtiff"
)

// Plain text is set in Go Mono (embedded; its glyphs are drawn from the
// outlines straight at the fax's non-square pixel grid), 10 point on a
// 12 point line pitch, 82 columns between 20 mm side margins and 15 mm top
// and bottom margins: 63 lines on A4, 58 on Letter, 76 on Legal.
//
// Input is UTF-8 (invalid bytes become U+FFFD), or UTF-16 with a byte-order
// mark; it is normalised to NFC so that a letter followed by a combining
// accent prints as the precomposed letter. Tabs go to the next multiple of
// 8 columns; CR LF, CR and LF end a line; form feed starts a new page. A
// line longer than the width is wrapped at its last space in the second
// half of the line, or else cut at the width.
//
// Scripts: Go Mono covers Latin (with Latin-1 Supplement and Extended-A,
// e.g. French, German, Polish, Czech, Turkish, Vietnamese partly), Greek and
// Cyrillic, plus common punctuation, currency signs and box drawing. Other
// scripts (Hebrew, Arabic, Chinese, Japanese, Korean, ...) are drawn from
// system fallback fonts when installed (package glyph), wide characters
// over two columns, right-to-left lines reordered for drawing. Arabic
// letters are shaped (glyph.Shape: initial, medial, final and isolated
// forms, lam-alef ligatures) and the joins drawn across the cells: a
// letter narrower than its cell is continued to the cell's edge by a
// kashida stroke on the side where it joins. Hebrew points sit where the
// font places them on their letter; other marks of fallback fonts (Arabic
// harakat) are centred over their letter's cell. Every character no font has, and every control character, prints
// as a visible hollow box, one per character, so nothing is silently
// dropped. Invisible format characters (zero-width space and joiners, soft
// hyphen, byte-order marks) are not printed; a zero-width non-joiner still
// keeps the Arabic letters around it apart.
const (
	textFontPt      = 10.0
	textLinePt      = 12.0
	textSideMM      = 20.0
	textTopMM       = 15.0
	tabStop         = 8
	textGlyphPad    = 3 // pixels either side of a cell a glyph may overhang
	missingGlyphBox = -1
)

// textFont draws Go Mono glyphs as 1-bit cells for one resolution.
type textFont struct {
	f        *sfnt.Font
	buf      sfnt.Buffer
	res      faxtiff.Resolution
	sx, sy   float64 // pixels per font unit, across and down
	cellW    int     // advance in pixels
	ascent   int     // rows from the top of a glyph bitmap to the baseline
	rows     int     // rows of a glyph bitmap
	glyphs   map[rune]*faxtiff.Page
	marks    map[[2]rune]*faxtiff.Page // Hebrew points placed on their letter
	boxGlyph *faxtiff.Page
	capTop   float64 // height of capitals above the baseline, in rows
}

func newTextFont(res faxtiff.Resolution) (*textFont, error) {
	f, err := sfnt.Parse(gomono.TTF)
	if err != nil {
		return nil, err
	}
	t := &textFont{f: f, res: res, glyphs: map[rune]*faxtiff.Page{}, marks: map[[2]rune]*faxtiff.Page{}}
	upem := float64(f.UnitsPerEm())
	emPx := textFontPt / 72 * 25.4 // em in millimetres
	t.sx = emPx * pxPerMM / upem
	t.sy = emPx * linesPerMM(res) / upem
	ppem := fixed.Int26_6(f.UnitsPerEm()) << 6
	adv, err := f.GlyphAdvance(&t.buf, 1, ppem, font.HintingNone) // any glyph: monospaced
	if err != nil {
		return nil, err
	}
	t.cellW = int(math.Round(float64(adv) / 64 * t.sx))
	m, err := f.Metrics(&t.buf, ppem, font.HintingNone)
	if err != nil {
		return nil, err
	}
	t.ascent = int(math.Ceil(float64(m.Ascent)/64*t.sy)) + 1
	t.rows = t.ascent + int(math.Ceil(float64(m.Descent)/64*t.sy)) + 1
	t.capTop = float64(m.CapHeight) / 64 * t.sy
	t.boxGlyph = t.drawBox()
	return t, nil
}

// glyph returns the 1-bit bitmap of r (cellW + 2·pad wide), the missing
// glyph box when the font lacks it.
func (t *textFont) glyph(r rune) *faxtiff.Page {
	if g, ok := t.glyphs[r]; ok {
		return g
	}
	g := t.boxGlyph
	if idx, err := t.f.GlyphIndex(&t.buf, r); err == nil && idx != 0 {
		if segs, err := t.f.LoadGlyph(&t.buf, idx, fixed.Int26_6(t.f.UnitsPerEm())<<6, nil); err == nil {
			g = t.rasterize(1, func(z *vector.Rasterizer) { t.path(z, segs) })
		}
	} else if f, idx := glyph.Fallback(&t.buf, r); f != nil {
		g = t.fallbackGlyph(f, idx, r)
	}
	t.glyphs[r] = g
	return g
}

// fallbackGlyph draws glyph idx of a fallback font (see package glyph),
// the glyph of r, at the same size as Go Mono, centred in its cells (two
// for wide characters) and narrowed if it would not fit them. A combining
// mark (no advance) is centred on its ink. A joining Arabic form is
// continued to the cell's edge on the side where it joins (glyph.Joins),
// by a stroke as thick as the font's tatweel, so that letters set in
// monospaced cells still connect.
func (t *textFont) fallbackGlyph(f *sfnt.Font, idx sfnt.GlyphIndex, r rune) *faxtiff.Page {
	cells := cellsOf(r)
	em := fixed.Int26_6(f.UnitsPerEm()) << 6
	adv, err := f.GlyphAdvance(&t.buf, idx, em, font.HintingNone)
	if err != nil {
		return t.boxGlyph
	}
	// Same em as Go Mono: its scale, converted to this font's units.
	k := float64(t.f.UnitsPerEm()) / float64(f.UnitsPerEm())
	sx, sy := t.sx*k, t.sy*k
	room := float64(cells * t.cellW)
	width, shift := float64(adv)/64, 0.0
	if adv == 0 { // a mark: centre its ink
		if b, _, err := f.GlyphBounds(&t.buf, idx, em, font.HintingNone); err == nil && b.Max.X > b.Min.X {
			width, shift = float64(b.Max.X-b.Min.X)/64, -float64(b.Min.X)/64
		}
	}
	if w := width * sx; w > room {
		sx *= room / w
	}
	off := (room-width*sx)/2 + textGlyphPad + shift*sx
	left, right := glyph.Joins(r)
	var barTop, barBottom float64 // rows of the joining stroke
	if left || right {
		barTop, barBottom = float64(t.ascent)-0.09*float64(f.UnitsPerEm())*sy, float64(t.ascent)
		if ti, err := f.GlyphIndex(&t.buf, 0x0640); err == nil && ti != 0 {
			if b, _, err := f.GlyphBounds(&t.buf, ti, em, font.HintingNone); err == nil && b.Max.Y > b.Min.Y {
				barTop = float64(t.ascent) + float64(b.Min.Y)/64*sy
				barBottom = float64(t.ascent) + float64(b.Max.Y)/64*sy
			}
		}
		barBottom = max(barBottom, barTop+1) // at least one row
	}
	// Last: the segments live in t.buf until its next use.
	segs, err := f.LoadGlyph(&t.buf, idx, em, nil)
	if err != nil {
		return t.boxGlyph
	}
	g := t.rasterize(cells, func(z *vector.Rasterizer) {
		glyph.Add(z, segs, func(p fixed.Point26_6) (float32, float32) {
			return float32(float64(p.X)/64*sx + off), float32(float64(t.ascent) + float64(p.Y)/64*sy)
		})
	})
	// The strokes are set straight into the bitmap (axis-aligned, whole
	// pixels), reaching one pixel past the cell into the neighbour's
	// stroke so that no seam is left between them.
	bar := func(x0, x1 float64) {
		for y := int(math.Round(barTop)); y < int(math.Round(barBottom)); y++ {
			for x := int(math.Floor(x0)); x < int(math.Ceil(x1)); x++ {
				if x >= 0 && x < g.Width && y >= 0 && y < g.Height {
					g.SetBlack(x, y, true)
				}
			}
		}
	}
	if left {
		bar(textGlyphPad-1, off+1)
	}
	if right {
		bar(off+width*sx-1, textGlyphPad+room+1)
	}
	return g
}

// markGlyph returns the bitmap of a combining mark on base. Hebrew points
// are placed where the font puts them on that letter (the shin dot on the
// right, the sin dot on the left, holam over the left): the mark's outline
// is drawn with the base letter's scale and offset in its cell. Other
// marks, and marks from another font than their letter's, are centred
// (glyph).
func (t *textFont) markGlyph(base, mark rune) *faxtiff.Page {
	if mark < 0x0591 || mark > 0x05C7 || base <= 0 || t.has(base) {
		return t.glyph(mark)
	}
	key := [2]rune{base, mark}
	if g, ok := t.marks[key]; ok {
		return g
	}
	g := t.glyph(mark)
	fb, bi := glyph.Fallback(&t.buf, base)
	fm, mi := glyph.Fallback(&t.buf, mark)
	if fb != nil && fb == fm {
		em := fixed.Int26_6(fb.UnitsPerEm()) << 6
		if adv, err := fb.GlyphAdvance(&t.buf, bi, em, font.HintingNone); err == nil {
			k := float64(t.f.UnitsPerEm()) / float64(fb.UnitsPerEm())
			sx, sy := t.sx*k, t.sy*k
			room := float64(cellsOf(base) * t.cellW)
			width := float64(adv) / 64
			if w := width * sx; w > room {
				sx *= room / w
			}
			off := (room-width*sx)/2 + textGlyphPad // the base letter's, as in fallbackGlyph
			if segs, err := fm.LoadGlyph(&t.buf, mi, em, nil); err == nil {
				g = t.rasterize(cellsOf(base), func(z *vector.Rasterizer) {
					glyph.Add(z, segs, func(p fixed.Point26_6) (float32, float32) {
						return float32(float64(p.X)/64*sx + off), float32(float64(t.ascent) + float64(p.Y)/64*sy)
					})
				})
			}
		}
	}
	t.marks[key] = g
	return g
}

// cellsOf returns how many columns r takes: two for East Asian wide and
// full-width characters (CJK), else one.
func cellsOf(r rune) int {
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// has reports whether the font has a glyph for r.
func (t *textFont) has(r rune) bool {
	idx, err := t.f.GlyphIndex(&t.buf, r)
	return err == nil && idx != 0
}

// hasFallback reports whether a fallback font has a glyph for r.
func (t *textFont) hasFallback(r rune) bool {
	f, _ := glyph.Fallback(&t.buf, r)
	return f != nil
}

// path adds glyph outlines (font units, y down) to z in bitmap pixels.
func (t *textFont) path(z *vector.Rasterizer, segs sfnt.Segments) {
	glyph.Add(z, segs, func(p fixed.Point26_6) (float32, float32) {
		return float32(float64(p.X)/64*t.sx + textGlyphPad), float32(float64(t.ascent) + float64(p.Y)/64*t.sy)
	})
}

// rasterize fills a path into a glyph bitmap through the same binariser as
// everything else (threshold plus thin-stroke ridges).
func (t *textFont) rasterize(cells int, draw func(z *vector.Rasterizer)) *faxtiff.Page {
	w := cells*t.cellW + 2*textGlyphPad
	z := vector.NewRasterizer(w, t.rows)
	draw(z)
	mask := image.NewAlpha(image.Rect(0, 0, w, t.rows))
	z.Draw(mask, mask.Bounds(), image.Opaque, image.Point{})
	g := newGray(w, t.rows)
	for i, a := range mask.Pix {
		g.pix[i] = 255 - a
	}
	p := faxtiff.NewPage(w, t.rows, t.res)
	binarize(g, thresholdRender, p)
	return p
}

// drawBox is the hollow box printed for characters the font lacks: the
// height of a capital, strokes about 0.25 mm.
func (t *textFont) drawBox() *faxtiff.Page {
	return t.rasterize(1, func(z *vector.Rasterizer) {
		x0, x1 := float32(textGlyphPad+2), float32(textGlyphPad+t.cellW-2)
		y1 := float32(t.ascent)
		y0 := y1 - float32(t.capTop)
		sw := float32(0.25 * pxPerMM)
		sh := float32(math.Max(0.25*linesPerMM(t.res), 1))
		rect := func(ax, ay, bx, by float32, clockwise bool) {
			z.MoveTo(ax, ay)
			if clockwise {
				z.LineTo(bx, ay)
				z.LineTo(bx, by)
				z.LineTo(ax, by)
			} else {
				z.LineTo(ax, by)
				z.LineTo(bx, by)
				z.LineTo(bx, ay)
			}
			z.ClosePath()
		}
		rect(x0, y0, x1, y1, true)
		rect(x0+sw, y0+sh, x1-sw, y1-sh, false) // the hole (opposite winding)
	})
}

// textCell is one column of a line: a character and any combining marks
// drawn over it; noJoin records a zero-width non-joiner after it.
type textCell struct {
	r      rune
	marks  []rune
	noJoin bool
}

// textSetter lays out lines on pages.
type textSetter struct {
	j            *job
	font         *textFont
	cols, lines  int
	left, top    int     // pixel and row of the first cell's top-left corner
	pitch        float64 // rows per line
	rowsPerPage  int
	page         *faxtiff.Page
	line         int // next line on the page
	pendingBlank int
	printed      bool
}

func (j *job) convertText(r io.ReaderAt, size int64) error {
	f, err := newTextFont(j.opts.Resolution)
	if err != nil {
		return err
	}
	ts := newTextSetter(j, f)
	dec := transform.Chain(xunicode.BOMOverride(xunicode.UTF8.NewDecoder()), norm.NFC)
	br := bufio.NewReaderSize(transform.NewReader(io.NewSectionReader(r, 0, size), dec), 64<<10)
	if err := ts.run(br); err != nil {
		return err
	}
	if !ts.printed {
		return failf(KindNoPages, nil, "the text file is empty")
	}
	return nil
}

func newTextSetter(j *job, f *textFont) *textSetter {
	res := j.opts.Resolution
	_, paperH := j.opts.Paper.sizeMM()
	ts := &textSetter{j: j, font: f}
	ts.cols = int((faxWidthMM - 2*textSideMM) * pxPerMM / float64(f.cellW))
	ts.left = (pageWidth - ts.cols*f.cellW) / 2
	ts.pitch = textLinePt / 72 * 25.4 * linesPerMM(res)
	ts.top = int(math.Round(textTopMM * linesPerMM(res)))
	ts.rowsPerPage = int(math.Round(paperH * linesPerMM(res)))
	// Lines per page from the paper in millimetres, so that every
	// resolution breaks pages at the same lines.
	lineMM := textLinePt * mmPerPt
	ts.lines = int((paperH-2*textTopMM-lineMM)/lineMM) + 1
	return ts
}

func (ts *textSetter) run(br *bufio.Reader) error {
	var cur []textCell
	for n := 0; ; n++ {
		if n&0xFFF == 0 {
			if err := ts.j.ctx.Err(); err != nil {
				return err
			}
		}
		r, _, err := br.ReadRune()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return failf(KindCorrupt, err, "the text cannot be read")
		}
		switch {
		case r == '\n':
			if err := ts.emit(cur); err != nil {
				return err
			}
			cur = cur[:0]
		case r == '\r':
			if next, _, err := br.ReadRune(); err == nil && next != '\n' {
				br.UnreadRune()
			}
			if err := ts.emit(cur); err != nil {
				return err
			}
			cur = cur[:0]
		case r == '\f':
			if err := ts.emit(cur); err != nil {
				return err
			}
			cur = cur[:0]
			if err := ts.formFeed(); err != nil {
				return err
			}
		case r == '\t':
			for {
				if cur, err = ts.put(cur, textCell{r: ' '}); err != nil {
					return err
				}
				if len(cur)%tabStop == 0 {
					break
				}
			}
		case r == 0x200C && len(cur) > 0:
			cur[len(cur)-1].noJoin = true // zero-width non-joiner
		case unicode.Is(unicode.Cf, r):
			// invisible formatting: not printed
		case unicode.Is(unicode.Mn, r) && len(cur) > 0 && (ts.font.has(r) || ts.font.hasFallback(r)):
			last := &cur[len(cur)-1]
			last.marks = append(last.marks, r)
		case unicode.Is(unicode.Mn, r) && ts.font.hasFallback(r):
			// a mark of another script with no letter to sit on: left out
		default:
			if unicode.IsControl(r) {
				r = missingGlyphBox
			}
			if cur, err = ts.put(cur, textCell{r: r}); err != nil {
				return err
			}
		}
	}
	if len(cur) > 0 {
		if err := ts.emit(cur); err != nil {
			return err
		}
	}
	return ts.finishPage()
}

// wideRest is the second column of a wide character: nothing is drawn
// there.
const wideRest = -2

// put appends a cell (two for a wide character), wrapping the line when it
// is full.
func (ts *textSetter) put(cur []textCell, c textCell) ([]textCell, error) {
	cells := []textCell{c}
	if c.r > 0 && cellsOf(c.r) == 2 {
		cells = append(cells, textCell{r: wideRest})
	}
	if len(cur)+len(cells) <= ts.cols {
		return append(cur, cells...), nil
	}
	cut := ts.cols
	for i := ts.cols - 1; i > ts.cols/2; i-- {
		if cur[i].r == ' ' {
			cut = i
			break
		}
	}
	if err := ts.emit(cur[:cut]); err != nil {
		return nil, err
	}
	rest := cur[cut:]
	if cut < ts.cols { // drop the space the line was broken at
		rest = rest[1:]
	}
	next := append(make([]textCell, 0, ts.cols), rest...)
	return append(next, cells...), nil
}

// emit sets one line. Blank lines are held back until something follows
// them, so trailing blank lines never make an empty page.
func (ts *textSetter) emit(line []textCell) error {
	blank := true
	for _, c := range line {
		if c.r != ' ' {
			blank = false
			break
		}
	}
	if blank {
		ts.pendingBlank++
		return nil
	}
	for ; ts.pendingBlank > 0; ts.pendingBlank-- {
		if err := ts.advance(); err != nil {
			return err
		}
	}
	if ts.page == nil {
		ts.page = faxtiff.NewPage(pageWidth, ts.rowsPerPage, ts.font.res)
	}
	baseTop := ts.top + int(math.Round(float64(ts.line)*ts.pitch))
	for col, c := range visualCells(ts.shape(line)) {
		x := ts.left + col*ts.font.cellW - textGlyphPad
		if c.r != ' ' && c.r != wideRest {
			orGlyph(ts.page, ts.font.glyph(c.r), x, baseTop)
		}
		for _, m := range c.marks {
			orGlyph(ts.page, ts.font.markGlyph(c.r, m), x, baseTop)
		}
	}
	ts.printed = true
	return ts.advance()
}

// shape gives the Arabic letters of a line their contextual forms
// (glyph.Shape); a lam-alef ligature takes one cell, with the marks of
// both letters.
func (ts *textSetter) shape(line []textCell) []textCell {
	if !slices.ContainsFunc(line, func(c textCell) bool { return c.r >= 0x0600 && c.r <= 0x06FF }) {
		return line // no Arabic letter
	}
	runes := make([]rune, 0, len(line))
	pos := make([]int, len(line))
	for i, c := range line {
		pos[i] = len(runes)
		runes = append(runes, c.r)
		if c.noJoin {
			runes = append(runes, 0x200C)
		}
	}
	f := ts.font
	shaped := glyph.Shape(runes, func(r rune) bool { return f.has(r) || f.hasFallback(r) })
	if len(shaped) > 0 && &shaped[0] == &runes[0] {
		return line
	}
	out := make([]textCell, 0, len(line))
	for i, c := range line {
		switch r := shaped[pos[i]]; {
		case r != glyph.Deleted:
			c.r = r
			out = append(out, c)
		case len(out) > 0:
			last := &out[len(out)-1]
			last.marks = append(slices.Clip(last.marks), c.marks...)
		}
	}
	return out
}

// visualCells returns the cells of a line in drawing order: right-to-left
// runs (Hebrew, Arabic) reversed, with mirrored brackets (see package
// glyph). A wide character keeps its second column after it.
func visualCells(line []textCell) []textCell {
	runes := make([]rune, 0, len(line))
	idx := make([]int, 0, len(line))
	for i, c := range line {
		if c.r != wideRest {
			runes = append(runes, c.r)
			idx = append(idx, i)
		}
	}
	order, reversed := glyph.Reorder(runes)
	if reversed == nil {
		return line
	}
	out := make([]textCell, 0, len(line))
	for i, k := range order {
		c := line[idx[k]]
		if reversed[i] {
			c.r = glyph.Mirror(c.r)
		}
		out = append(out, c)
		if idx[k]+1 < len(line) && line[idx[k]+1].r == wideRest {
			out = append(out, line[idx[k]+1])
		}
	}
	return out
}

// advance moves to the next line, starting a new page when this one is full.
func (ts *textSetter) advance() error {
	ts.line++
	if ts.line >= ts.lines {
		return ts.finishPage()
	}
	return nil
}

// formFeed ends the page if anything is on it.
func (ts *textSetter) formFeed() error {
	ts.pendingBlank = 0
	return ts.finishPage()
}

func (ts *textSetter) finishPage() error {
	ts.line = 0
	if ts.page == nil {
		return nil
	}
	p := ts.page
	ts.page = nil
	return ts.j.add(p)
}

// orGlyph ORs glyph bits into page at (x, y), clipping at the edges.
func orGlyph(page, g *faxtiff.Page, x, y int) {
	for gy := range g.Height {
		py := y + gy
		if py < 0 || py >= page.Height {
			continue
		}
		src, dst := g.Row(gy), page.Row(py)
		for gx := range g.Width {
			if src[gx>>3]&(0x80>>uint(gx&7)) != 0 {
				if px := x + gx; px >= 0 && px < page.Width {
					dst[px>>3] |= 0x80 >> uint(px&7)
				}
			}
		}
	}
}
