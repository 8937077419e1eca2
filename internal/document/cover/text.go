package cover

import (
	"fmt"
	"image"
	"math"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"faxgate/internal/document/glyph"
)

// The embedded Go fonts, parsed once. A parsed sfnt.Font is read-only
// and safe for concurrent use (each render has its own sfnt.Buffer), so
// this is a cache of constants, not state.
var parsedFonts = sync.OnceValues(func() (*fontSet, error) {
	reg, err := sfnt.Parse(goregular.TTF)
	if err != nil {
		return nil, fmt.Errorf("cover: Go Regular: %w", err)
	}
	bold, err := sfnt.Parse(gobold.TTF)
	if err != nil {
		return nil, fmt.Errorf("cover: Go Bold: %w", err)
	}
	return &fontSet{regular: reg, bold: bold}, nil
})

type fontSet struct{ regular, bold *sfnt.Font }

// style is a font at a size in points, with optional extra spacing
// between letters (in em), used for the small upper-case labels.
type style struct {
	font     *sfnt.Font
	size     float64
	tracking float64
}

// typesetter measures and draws text in points. Glyph outlines are
// scaled separately along x and y to the page's pixel grid, so text keeps
// its shape on non-square fax pixels without resampling any bitmap.
type typesetter struct {
	buf sfnt.Buffer
	c   *canvas
}

// glyph returns the glyph for r and the style to draw it in: st itself
// when its font has r (the Go fonts cover Latin, Greek and Cyrillic), a
// system fallback font at the same size for other scripts (Hebrew, Arabic,
// CJK; see package glyph), or '?' when no font has it.
func (ts *typesetter) glyph(st style, r rune) (style, sfnt.GlyphIndex) {
	if gi, err := st.font.GlyphIndex(&ts.buf, r); err == nil && gi != 0 {
		return st, gi
	}
	if f, gi := glyph.Fallback(&ts.buf, r); f != nil {
		fb := st
		fb.font = f
		return fb, gi
	}
	gi, _ := st.font.GlyphIndex(&ts.buf, '?')
	return st, gi
}

// has reports whether st's font or a fallback font has a glyph for r.
func (ts *typesetter) has(st style, r rune) bool {
	if gi, err := st.font.GlyphIndex(&ts.buf, r); err == nil && gi != 0 {
		return true
	}
	f, _ := glyph.Fallback(&ts.buf, r)
	return f != nil
}

// shape gives Arabic letters their joined forms (glyph.ShapeString, with
// the forms some font here has) and then drops the joiner controls, which
// have done their work; text without Arabic letters is returned as it
// is. Shaping shaped text changes nothing, so every measuring and drawing
// function shapes what it gets.
func (ts *typesetter) shape(st style, s string) string {
	if !strings.ContainsFunc(s, isArabic) {
		if strings.ContainsAny(s, "\u200c\u200d") {
			return strings.NewReplacer("\u200c", "", "\u200d", "").Replace(s)
		}
		return s
	}
	s = glyph.ShapeString(s, func(r rune) bool { return ts.has(st, r) })
	return strings.Map(func(r rune) rune {
		if r == zwnj || r == zwj {
			return -1
		}
		return r
	}, s)
}

const zwnj, zwj = 0x200C, 0x200D

// isArabic reports a letter of the Arabic blocks that shaping may change.
func isArabic(r rune) bool { return r >= 0x0600 && r <= 0x06FF }

// units converts a font-unit distance at ppem = unitsPerEm (26.6) to
// points at the style's size.
func (s style) units(v fixed.Int26_6) float64 {
	return float64(v) / 64 * s.size / float64(s.font.UnitsPerEm())
}

func (s style) em() fixed.Int26_6 { return fixed.I(int(s.font.UnitsPerEm())) }

// cleanText replaces what a one-line text cannot show: line breaks and
// tabs become spaces, other control and format characters (including
// bidi controls) are dropped, but for the zero-width joiner and
// non-joiner, which steer Arabic shaping.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case r == zwnj || r == zwj:
			return r // kept for Arabic shaping, then dropped (shape)
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, s)
}

// width returns the advance width of s in points.
func (ts *typesetter) width(st style, s string) float64 {
	s = ts.shape(st, s)
	var w float64
	prev, prevFont := sfnt.GlyphIndex(0), st.font
	for _, r := range s {
		gst, gi := ts.glyph(st, r)
		if gst.font != prevFont {
			prev = 0 // no kerning across fonts
		}
		w += ts.advance(gst, prev, gi)
		prev, prevFont = gi, gst.font
	}
	return w
}

// advance returns the advance of gi in points, kerned against prev.
func (ts *typesetter) advance(st style, prev, gi sfnt.GlyphIndex) float64 {
	adv, err := st.font.GlyphAdvance(&ts.buf, gi, st.em(), font.HintingNone)
	if err != nil {
		return 0
	}
	w := st.units(adv) + st.tracking*st.size
	if prev != 0 {
		if k, err := st.font.Kern(&ts.buf, prev, gi, st.em(), font.HintingNone); err == nil {
			w += st.units(k)
		}
	}
	return w
}

// draw draws s with its baseline starting at (x, y) points and returns
// the advance width. The whole run is rasterised at once, clipped to the
// page.
func (ts *typesetter) draw(st style, x, y float64, s string) float64 {
	c := ts.c
	s = glyph.VisualString(ts.shape(st, s)) // joined Arabic letters; right-to-left runs in drawing order
	// Baselines sit on row boundaries, so every line of a style rasterises
	// alike: a stroke that survives binarisation once survives everywhere.
	y = math.Round(y*c.sy) / c.sy
	// A generous box around the run: ascenders and descenders of the Go
	// fonts stay within 1.0 and 0.3 em.
	w := ts.width(st, s)
	box := image.Rect(int(x*c.sx)-2, int((y-1.05*st.size)*c.sy)-2,
		int((x+w)*c.sx)+int(0.3*st.size*c.sx)+3, int((y+0.35*st.size)*c.sy)+3).Intersect(c.ink.Bounds())
	if box.Empty() {
		return w
	}
	z := &c.raster
	z.Reset(box.Dx(), box.Dy())
	ox, oy := float64(box.Min.X), float64(box.Min.Y)
	prev, prevFont := sfnt.GlyphIndex(0), st.font
	for _, r := range s {
		gst, gi := ts.glyph(st, r)
		if gst.font != prevFont {
			prev = 0 // no kerning across fonts
		}
		if prev != 0 {
			if k, err := gst.font.Kern(&ts.buf, prev, gi, gst.em(), font.HintingNone); err == nil {
				x += gst.units(k)
			}
		}
		if segs, err := gst.font.LoadGlyph(&ts.buf, gi, gst.em(), nil); err == nil {
			glyph.Add(z, segs, func(p fixed.Point26_6) (float32, float32) {
				return float32((x+gst.units(p.X))*c.sx - ox), float32((y+gst.units(p.Y))*c.sy - oy)
			})
		}
		if adv, err := gst.font.GlyphAdvance(&ts.buf, gi, gst.em(), font.HintingNone); err == nil {
			x += gst.units(adv) + gst.tracking*gst.size
		}
		prev, prevFont = gi, gst.font
	}
	z.Draw(c.ink, box, image.Opaque, image.Point{})
	return w
}

// drawRight draws s so that it ends at x.
func (ts *typesetter) drawRight(st style, x, y float64, s string) {
	ts.draw(st, x-ts.width(st, s), y, s)
}

// ellipsis is appended to text cut short.
const ellipsis = "…"

// fit returns s cut (at a word boundary when one is near) and ended with
// an ellipsis so that it is at most width points wide; s itself if it
// fits.
func (ts *typesetter) fit(st style, s string, width float64) string {
	// No line holds more than a few hundred glyphs (526 pt of 2-pt i's at
	// 8.5 pt): measure no more of a hostile megabyte-long value than that.
	// (Zero-width marks past that are cut too: fine for absurd input.)
	limit := int(width/(0.2*st.size)) + 2
	if n := utf8.RuneCountInString(s); n > limit {
		s = string([]rune(s[:min(len(s), 4*limit)])[:limit])
	} else if ts.width(st, s) <= width {
		return s
	}
	runes := []rune(s)
	// Binary search on the rune count: width grows with the prefix.
	lo, hi := 0, len(runes)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if ts.width(st, string(runes[:mid])+ellipsis) <= width {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	cut := string(runes[:lo])
	if i := strings.LastIndexByte(cut, ' '); i > 0 && i >= len(cut)*2/3 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " .,;:") + ellipsis
}

// wrap breaks text into at most maxLines lines of at most width points.
// Paragraphs (newlines) are kept; words longer than a line are split.
// When the text does not fit, the last line ends with an ellipsis and
// truncated is true. Work is bounded by maxLines, not by len(text).
func (ts *typesetter) wrap(st style, text string, width float64, maxLines int) (lines []string, truncated bool) {
	if maxLines <= 0 {
		return nil, text != ""
	}
	text = strings.ReplaceAll(strings.ToValidUTF8(text, "\uFFFD"), "\r\n", "\n")
	paras := strings.Split(text, "\n")
	for pi, para := range paras {
		if len(lines) == maxLines {
			if strings.TrimSpace(strings.Join(paras[pi:], "")) == "" {
				break // only blank lines are left
			}
			return ts.ellipsize(st, lines, width), true
		}
		rest := strings.TrimRight(cleanText(para), " ")
		for {
			line, remain := ts.breakLine(st, rest, width)
			lines = append(lines, line)
			if rest = remain; rest == "" {
				break
			}
			if len(lines) == maxLines {
				return ts.ellipsize(st, lines, width), true
			}
		}
	}
	// Trailing empty lines carry nothing.
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return lines, false
}

// ellipsize marks the last line as cut short.
func (ts *typesetter) ellipsize(st style, lines []string, width float64) []string {
	// "end." + "…" would read as four dots.
	last := strings.TrimRight(lines[len(lines)-1], " .,;:")
	if ts.width(st, last+ellipsis) <= width {
		lines[len(lines)-1] = last + ellipsis
	} else {
		lines[len(lines)-1] = ts.fit(st, last+" "+ellipsis, width)
	}
	return lines
}

// breakLine takes from s the longest prefix that fits width, breaking
// after a space when it can and inside a word when it must, and returns
// it and what is left (without the leading spaces).
func (ts *typesetter) breakLine(st style, s string, width float64) (line, rest string) {
	s = ts.shape(st, s) // measured as drawn
	var w float64
	lastSpace := -1
	prev, prevFont := sfnt.GlyphIndex(0), st.font
	for i, r := range s {
		gst, gi := ts.glyph(st, r)
		if gst.font != prevFont {
			prev = 0
		}
		w += ts.advance(gst, prev, gi)
		prev, prevFont = gi, gst.font
		if r == ' ' {
			lastSpace = i
			continue
		}
		if w > width {
			switch {
			case lastSpace > 0:
				return s[:lastSpace], strings.TrimLeft(s[lastSpace:], " ")
			case i == 0: // not even one character fits: take it anyway
				_, n := utf8.DecodeRuneInString(s)
				return s[:n], strings.TrimLeft(s[n:], " ")
			default:
				return s[:i], s[i:]
			}
		}
	}
	return s, ""
}
