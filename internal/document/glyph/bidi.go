package glyph

import (
	"golang.org/x/text/unicode/bidi"
)

// Bidirectional text: Hebrew and Arabic are stored in reading order (right
// to left) but drawn, like everything here, from left to right. Reorder
// puts one line into drawing order with the Unicode Bidirectional
// Algorithm (UAX #9) for a paragraph without explicit embeddings (callers
// drop the bidi control characters, which a fax page cannot honour
// anyway): character classes from golang.org/x/text/unicode/bidi, then
// the weak-type rules W1-W7 (numbers: digits keep their left-to-right
// order, Arabic-Indic digits, separators and currency signs joined to a
// number), bracket pairs N0 (a pair takes the direction of the text inside
// it, or of the text around it), the other neutrals N1-N2 (punctuation and
// spaces between two runs of one direction take it, else the paragraph's),
// the levels I1-I2, trailing spaces at the paragraph's level (L1), the
// reversal L2, and mirrored glyphs (L4: "(" drawn as ")" in a
// right-to-left run). The paragraph direction is taken from the line's
// first strong letter (P2-P3), so a Hebrew line is right-aligned in order
// (its first word drawn rightmost) though set from the left margin.
//
// Arabic letters are shaped (Shape) before they are reordered. Combining
// marks are kept in front of their letter in a reversed run, where the
// fallback fonts (DejaVu Sans) place their zero-advance marks over the
// glyph that follows the pen.

// Visual returns the order in which to draw the runes of a line: indexes
// into runes. It is the identity for lines without right-to-left letters.
func Visual(runes []rune) []int {
	order, _ := Reorder(runes)
	return order
}

// Reorder returns the drawing order (as Visual) and, per position of it,
// whether the rune sits in a reversed (right-to-left) run, where mirrored
// characters are to be drawn mirrored; reversed is nil for lines without
// right-to-left letters.
func Reorder(runes []rune) (order []int, reversed []bool) {
	order = make([]int, len(runes))
	for i := range order {
		order[i] = i
	}
	if !hasRTL(runes) {
		return order, nil
	}
	levels := Levels(runes)
	// L2: from the highest level down to the lowest odd one, reverse
	// every stretch at that level or higher.
	top, lowOdd := 0, 1<<30
	for _, l := range levels {
		top = max(top, l)
		if l%2 == 1 {
			lowOdd = min(lowOdd, l)
		}
	}
	for lvl := top; lvl >= lowOdd; lvl-- {
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

// Resolved classes beyond x/text's: none needed but these aliases read
// better below.
const (
	clsL   = bidi.L
	clsR   = bidi.R
	clsAL  = bidi.AL
	clsEN  = bidi.EN
	clsAN  = bidi.AN
	clsES  = bidi.ES
	clsET  = bidi.ET
	clsCS  = bidi.CS
	clsNSM = bidi.NSM
	clsON  = bidi.ON
	clsBN  = bidi.BN
	clsWS  = bidi.WS
	clsS   = bidi.S
	clsB   = bidi.B
)

// class returns r's bidi class, with the explicit formatting characters
// (which callers remove) folded into BN, to be ignored (rule X9), and
// the callers' negative placeholder runes neutral.
func class(r rune) bidi.Class {
	if r < 0 {
		return clsON
	}
	p, _ := bidi.LookupRune(r)
	c := p.Class()
	switch c {
	case bidi.LRO, bidi.RLO, bidi.LRE, bidi.RLE, bidi.PDF, bidi.LRI, bidi.RLI, bidi.FSI, bidi.PDI, bidi.Control:
		return clsBN
	}
	return c
}

// ParagraphRTL reports whether the line's first strong letter is
// right-to-left (rules P2-P3).
func ParagraphRTL(runes []rune) bool {
	for _, r := range runes {
		switch class(r) {
		case clsL:
			return false
		case clsR, clsAL:
			return true
		}
	}
	return false
}

// Levels returns the embedding level of each rune of one line (a
// paragraph without explicit embeddings): even left to right, odd right
// to left.
func Levels(runes []rune) []int {
	n := len(runes)
	base := 0
	if ParagraphRTL(runes) {
		base = 1
	}
	e := clsL // the embedding direction, also sos and eos
	if base == 1 {
		e = clsR
	}
	orig := make([]bidi.Class, n)
	for i, r := range runes {
		orig[i] = class(r)
	}
	// The sequence the rules run on: every rune but BN (X9).
	idx := make([]int, 0, n)
	for i, c := range orig {
		if c != clsBN {
			idx = append(idx, i)
		}
	}
	t := make([]bidi.Class, len(idx))
	for k, i := range idx {
		t[k] = orig[i]
	}
	m := len(t)
	// W1: a mark takes the class of what precedes it.
	for k := range t {
		if t[k] == clsNSM {
			if k == 0 {
				t[k] = e
			} else {
				t[k] = t[k-1]
			}
		}
	}
	// W2: European digits after Arabic letters are Arabic numbers. W3: AL
	// is R.
	last := e
	for k, c := range t {
		switch c {
		case clsL, clsR, clsAL:
			last = c
		case clsEN:
			if last == clsAL {
				t[k] = clsAN
			}
		}
	}
	for k, c := range t {
		if c == clsAL {
			t[k] = clsR
		}
	}
	// W4: one separator between two numbers of a kind joins them.
	for k := 1; k+1 < m; k++ {
		switch {
		case t[k] == clsES && t[k-1] == clsEN && t[k+1] == clsEN:
			t[k] = clsEN
		case t[k] == clsCS && t[k-1] == clsEN && t[k+1] == clsEN:
			t[k] = clsEN
		case t[k] == clsCS && t[k-1] == clsAN && t[k+1] == clsAN:
			t[k] = clsAN
		}
	}
	// W5: terminators (%, currency signs) next to European digits are
	// part of the number.
	for k := 0; k < m; {
		if t[k] != clsET {
			k++
			continue
		}
		j := k
		for j < m && t[j] == clsET {
			j++
		}
		if (k > 0 && t[k-1] == clsEN) || (j < m && t[j] == clsEN) {
			for x := k; x < j; x++ {
				t[x] = clsEN
			}
		}
		k = j
	}
	// W6: other separators and terminators are neutral.
	for k, c := range t {
		if c == clsES || c == clsET || c == clsCS {
			t[k] = clsON
		}
	}
	// W7: European digits in left-to-right context are left to right.
	last = e
	for k, c := range t {
		switch c {
		case clsL, clsR:
			last = c
		case clsEN:
			if last == clsL {
				t[k] = clsL
			}
		}
	}
	// N0: bracket pairs.
	strong := func(c bidi.Class) bidi.Class {
		switch c {
		case clsL:
			return clsL
		case clsR, clsEN, clsAN:
			return clsR
		}
		return clsON
	}
	for _, pr := range bracketPairs(runes, idx, t) {
		inside := clsON
		for k := pr[0] + 1; k < pr[1]; k++ {
			if s := strong(t[k]); s == e {
				inside = e
				break
			} else if s != clsON {
				inside = s
			}
		}
		if inside == clsON {
			continue // no strong text inside: left to N1-N2
		}
		dir := e
		if inside != e {
			before := e // sos
			for k := pr[0] - 1; k >= 0; k-- {
				if s := strong(t[k]); s != clsON {
					before = s
					break
				}
			}
			if before == inside {
				dir = inside
			}
		}
		for _, k := range pr {
			t[k] = dir
			// Marks after a bracket follow it (they were ON by W1).
			for j := k + 1; j < m && orig[idx[j]] == clsNSM; j++ {
				t[j] = dir
			}
		}
	}
	// N1-N2: runs of neutrals between two strong sides of one direction
	// take it, others the embedding direction.
	neutral := func(c bidi.Class) bool { return c == clsON || c == clsWS || c == clsS || c == clsB }
	for k := 0; k < m; {
		if !neutral(t[k]) {
			k++
			continue
		}
		j := k
		for j < m && neutral(t[j]) {
			j++
		}
		before, after := e, e
		if k > 0 {
			before = strong(t[k-1])
		}
		if j < m {
			after = strong(t[j])
		}
		dir := e
		if before == after {
			dir = before
		}
		for x := k; x < j; x++ {
			t[x] = dir
		}
		k = j
	}
	// I1-I2.
	levels := make([]int, n)
	for k, i := range idx {
		l := base
		switch {
		case base == 0 && t[k] == clsR:
			l = 1
		case base == 0 && (t[k] == clsAN || t[k] == clsEN):
			l = 2
		case base == 1 && (t[k] == clsL || t[k] == clsAN || t[k] == clsEN):
			l = 2
		}
		levels[i] = l
	}
	// BN takes the level of what precedes it (or the paragraph's).
	for i, c := range orig {
		if c == clsBN {
			levels[i] = base
			if i > 0 {
				levels[i] = levels[i-1]
			}
		}
	}
	// L1: segment separators (tabs), and the white space before them and
	// at the end of the line, go to the paragraph level.
	trailing := true
	for i := n - 1; i >= 0; i-- {
		switch c := orig[i]; {
		case c == clsS || c == clsB:
			levels[i] = base
			trailing = true
		case trailing && (c == clsWS || c == clsBN):
			levels[i] = base
		default:
			trailing = false
		}
	}
	return levels
}

// maxBracketDepth is BD16's stack limit: past it no more pairs are found.
const maxBracketDepth = 63

// bracketPairs finds the bracket pairs of a line (rule BD16) among the
// runes still neutral, as positions in the rule sequence (idx maps them to
// runes), sorted by their opening bracket.
func bracketPairs(runes []rune, idx []int, t []bidi.Class) [][2]int {
	type open struct {
		closer rune
		pos    int
	}
	var stack []open
	var pairs [][2]int
	for k, i := range idx {
		if t[k] != clsON {
			continue
		}
		r := canonicalBracket(runes[i])
		p, _ := bidi.LookupRune(r)
		if !p.IsBracket() {
			continue
		}
		if p.IsOpeningBracket() {
			if len(stack) == maxBracketDepth {
				break
			}
			stack = append(stack, open{canonicalBracket(pairedBracket(r)), k})
			continue
		}
		for s := len(stack) - 1; s >= 0; s-- {
			if stack[s].closer == r {
				pairs = append(pairs, [2]int{stack[s].pos, k})
				stack = stack[:s]
				break
			}
		}
	}
	// Sort by opening position (insertion sort: pairs are few).
	for a := 1; a < len(pairs); a++ {
		for b := a; b > 0 && pairs[b][0] < pairs[b-1][0]; b-- {
			pairs[b], pairs[b-1] = pairs[b-1], pairs[b]
		}
	}
	return pairs
}

// canonicalBracket maps the angle brackets U+2329 and U+232A to their
// canonical equivalents U+3008 and U+3009, which BD16 matches alike.
func canonicalBracket(r rune) rune {
	switch r {
	case 0x2329:
		return 0x3008
	case 0x232A:
		return 0x3009
	}
	return r
}

// pairedBracket returns the other bracket of a pair (Bidi_Paired_Bracket):
// in Unicode the closing bracket is the next code point, or the one after
// ("[" and "]", "{" and "}"), or r itself when r is no bracket.
func pairedBracket(r rune) rune {
	p, _ := bidi.LookupRune(r)
	if !p.IsBracket() {
		return r
	}
	step := rune(1)
	if !p.IsOpeningBracket() {
		step = -1
	}
	for d := rune(1); d <= 2; d++ {
		q, _ := bidi.LookupRune(r + step*d)
		if q.IsBracket() && q.IsOpeningBracket() != p.IsOpeningBracket() {
			return r + step*d
		}
	}
	return r
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

// mirrors are the common mirrored characters that are not brackets
// (Bidi_Mirroring_Glyph), both ways.
var mirrors = map[rune]rune{
	'<': '>', '>': '<', '«': '»', '»': '«', '‹': '›', '›': '‹',
	'≤': '≥', '≥': '≤', '≪': '≫', '≫': '≪', '∈': '∋', '∋': '∈',
	'⊂': '⊃', '⊃': '⊂', '⊆': '⊇', '⊇': '⊆',
}

// Mirror returns the glyph to draw for r in a right-to-left run: the
// bracket facing the other way, "<" for ">", or r.
func Mirror(r rune) rune {
	if m, ok := mirrors[r]; ok {
		return m
	}
	return pairedBracket(r)
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
