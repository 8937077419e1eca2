package glyph

import (
	"unicode"

	"golang.org/x/text/unicode/bidi"
)

// Bidirectional text: Hebrew and Arabic are stored in reading order (right
// to left) but drawn, like everything here, from left to right. Visual
// reorders one line for drawing with the Unicode bidirectional algorithm
// (golang.org/x/text/unicode/bidi): runs in display order, right-to-left
// runs reversed with their brackets mirrored, numbers inside them kept left
// to right. The paragraph direction is taken from the first strong
// character, so a Hebrew line is right-aligned in order (its first word
// drawn rightmost) though set from the left margin.
//
// Arabic letters are not shaped (joined into their initial, medial and
// final forms): they print in the right order but as separate letters.

// Visual returns the order in which to draw the runes of a line: indexes
// into runes. It is the identity for lines without right-to-left letters.
func Visual(runes []rune) []int {
	order, _ := Reorder(runes)
	return order
}

// Reorder returns the drawing order (as Visual) and, per position of it,
// whether the rune sits in a reversed (right-to-left) run, where brackets
// are to be mirrored; reversed is nil for lines without right-to-left
// letters.
func Reorder(runes []rune) (order []int, reversed []bool) {
	order = make([]int, len(runes))
	for i := range order {
		order[i] = i
	}
	if !hasRTL(runes) {
		return order, nil
	}
	var p bidi.Paragraph
	dir := bidi.LeftToRight
	for _, r := range runes {
		if isRTL(r) {
			dir = bidi.RightToLeft
			break
		}
		if unicode.IsLetter(r) {
			break
		}
	}
	if _, err := p.SetString(string(runes), bidi.DefaultDirection(dir)); err != nil {
		return order, nil
	}
	o, err := p.Order()
	if err != nil {
		return order, nil
	}
	// x/text resolves the runs and their directions but lists them in
	// logical order; the reordering (rule L2 of UAX #9) is done here: with
	// levels 0/1 (left-to-right paragraph) or 1/2 (right-to-left), reverse
	// every stretch at the highest level, then every stretch at level 1
	// or more.
	base := 0
	if dir == bidi.RightToLeft {
		base = 1
	}
	type span struct {
		start, end int
		rtl        bool
	}
	var spans []span
	covered := 0
	for i := range o.NumRuns() {
		run := o.Run(i)
		start, end := run.Pos()
		if start < 0 || end >= len(runes) || end < start {
			return order, nil // never expected: keep the logical order
		}
		spans = append(spans, span{start, end, run.Direction() == bidi.RightToLeft})
		covered += end - start + 1
	}
	if covered != len(runes) {
		return order, nil
	}
	levels := make([]int, len(runes))
	for i, sp := range spans {
		lvl := base
		switch {
		case sp.rtl && base == 0:
			lvl = 1
		case !sp.rtl && base == 1:
			lvl = 2
		case !sp.rtl && i > 0 && i+1 < len(spans) && spans[i-1].rtl && spans[i+1].rtl && !hasLetter(runes[sp.start:sp.end+1]):
			// A number between right-to-left words of a left-to-right
			// line belongs to their run (level 2 inside level 1).
			lvl = 2
		}
		for k := sp.start; k <= sp.end; k++ {
			levels[k] = lvl
		}
	}
	// Reverse from the highest level present down to level 1.
	top := base + 1
	for _, l := range levels {
		top = max(top, l)
	}
	for lvl := top; lvl >= 1; lvl-- {
		for i := 0; i < len(order); {
			if levels[order[i]] < lvl {
				i++
				continue
			}
			j := i
			for j < len(order) && levels[order[j]] >= lvl {
				j++
			}
			for a, b := i, j-1; a < b; a, b = a+1, b-1 {
				order[a], order[b] = order[b], order[a]
			}
			i = j
		}
	}
	reversed = make([]bool, len(order))
	for i, k := range order {
		reversed[i] = levels[k]%2 == 1
	}
	return order, reversed
}

// VisualString reorders a line of text for drawing (see Visual), mirroring
// brackets in right-to-left runs.
func VisualString(s string) string {
	runes := []rune(s)
	if !hasRTL(runes) {
		return s
	}
	order, reversed := Reorder(runes)
	out := make([]rune, len(runes))
	for i, k := range order {
		out[i] = runes[k]
		if reversed != nil && reversed[i] {
			out[i] = Mirror(runes[k])
		}
	}
	return string(out)
}

// Mirror returns the bracket facing the other way, or r.
func Mirror(r rune) rune {
	if p, _ := bidi.LookupRune(r); p.IsBracket() {
		switch r {
		case '(':
			return ')'
		case ')':
			return '('
		case '[':
			return ']'
		case ']':
			return '['
		case '{':
			return '}'
		case '}':
			return '{'
		}
	}
	return r
}

func hasLetter(runes []rune) bool {
	for _, r := range runes {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

func hasRTL(runes []rune) bool {
	for _, r := range runes {
		if isRTL(r) {
			return true
		}
	}
	return false
}

// isRTL reports a strong right-to-left character (Hebrew, Arabic and their
// relatives).
func isRTL(r rune) bool {
	if r < 0x0590 {
		return false
	}
	p, _ := bidi.LookupRune(r)
	c := p.Class()
	return c == bidi.R || c == bidi.AL
}
