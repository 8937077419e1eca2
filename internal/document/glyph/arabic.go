package glyph

import "unicode"

// Arabic shaping. Arabic letters join: most take one of four shapes
// (isolated, initial, medial, final) depending on whether they connect to
// the letter before and the letter after. Fonts without a shaping engine
// (we draw glyphs one by one, with no OpenType GSUB) still carry these
// shapes as separate characters, the Arabic Presentation Forms (U+FE70 to
// U+FEFF for Arabic, U+FB50 to U+FDFF for Persian and Urdu letters), and
// DejaVu Sans has nearly all of them. Shape replaces each letter by the
// presentation form its context asks for, and lam followed by alef by
// their obligatory ligature (U+FEF5 to U+FEFC), following the joining
// rules of the Unicode Standard (chapter 9.2, ArabicShaping.txt):
//
//   - dual-joining letters (beh, seen, lam, ...) connect on both sides;
//   - right-joining letters (alef, dal, reh, waw, ...) connect only to the
//     letter before them (on their right), never to the one after;
//   - non-joining characters (hamza, spaces, digits, Latin, ZWNJ) break
//     the chain;
//   - join-causing characters (tatweel U+0640, ZWJ) connect on both sides
//     without changing shape;
//   - transparent characters (harakat and other combining marks) are
//     skipped: a fatha between two letters does not stop them joining.
//
// Shaping works on logical order (as typed) and comes before the
// bidirectional reordering (Reorder), which moves the shaped letters into
// drawing order.

// joining types (ArabicShaping.txt).
const (
	joinNone  = iota // U: non-joining
	joinRight        // R: joins to the preceding letter only
	joinDual         // D: joins on both sides
	joinCause        // C: join-causing (tatweel, ZWJ)
	joinTrans        // T: transparent (combining marks)
)

// form indexes presentation forms in the order the Unicode blocks list
// them: isolated, final, initial, medial.
const (
	formIsolated = iota
	formFinal
	formInitial
	formMedial
)

// arabicForms maps a letter to the first of its presentation forms; a
// dual-joining letter has four consecutive forms (isolated, final, initial,
// medial), a right-joining letter two (isolated, final), hamza one.
var arabicForms = map[rune]struct {
	first rune
	n     int
}{
	0x0621: {0xFE80, 1}, // hamza
	0x0622: {0xFE81, 2}, // alef with madda above
	0x0623: {0xFE83, 2}, // alef with hamza above
	0x0624: {0xFE85, 2}, // waw with hamza above
	0x0625: {0xFE87, 2}, // alef with hamza below
	0x0626: {0xFE89, 4}, // yeh with hamza above
	0x0627: {0xFE8D, 2}, // alef
	0x0628: {0xFE8F, 4}, // beh
	0x0629: {0xFE93, 2}, // teh marbuta
	0x062A: {0xFE95, 4}, // teh
	0x062B: {0xFE99, 4}, // theh
	0x062C: {0xFE9D, 4}, // jeem
	0x062D: {0xFEA1, 4}, // hah
	0x062E: {0xFEA5, 4}, // khah
	0x062F: {0xFEA9, 2}, // dal
	0x0630: {0xFEAB, 2}, // thal
	0x0631: {0xFEAD, 2}, // reh
	0x0632: {0xFEAF, 2}, // zain
	0x0633: {0xFEB1, 4}, // seen
	0x0634: {0xFEB5, 4}, // sheen
	0x0635: {0xFEB9, 4}, // sad
	0x0636: {0xFEBD, 4}, // dad
	0x0637: {0xFEC1, 4}, // tah
	0x0638: {0xFEC5, 4}, // zah
	0x0639: {0xFEC9, 4}, // ain
	0x063A: {0xFECD, 4}, // ghain
	0x0641: {0xFED1, 4}, // feh
	0x0642: {0xFED5, 4}, // qaf
	0x0643: {0xFED9, 4}, // kaf
	0x0644: {0xFEDD, 4}, // lam
	0x0645: {0xFEE1, 4}, // meem
	0x0646: {0xFEE5, 4}, // noon
	0x0647: {0xFEE9, 4}, // heh
	0x0648: {0xFEED, 2}, // waw
	0x0649: {0xFEEF, 2}, // alef maksura (initial and medial: see below)
	0x064A: {0xFEF1, 4}, // yeh
	// Persian and Urdu letters (Arabic Presentation Forms-A).
	0x0671: {0xFB50, 2}, // alef wasla
	0x0679: {0xFB66, 4}, // tteh
	0x067E: {0xFB56, 4}, // peh
	0x0686: {0xFB7A, 4}, // tcheh
	0x0688: {0xFB88, 2}, // ddal
	0x0691: {0xFB8C, 2}, // rreh
	0x0698: {0xFB8A, 2}, // jeh
	0x06A9: {0xFB8E, 4}, // keheh
	0x06AF: {0xFB92, 4}, // gaf
	0x06BA: {0xFB9E, 2}, // noon ghunna
	0x06BE: {0xFBAA, 4}, // heh doachashmee
	0x06C1: {0xFBA6, 4}, // heh goal
	0x06CC: {0xFBFC, 4}, // farsi yeh
	0x06D2: {0xFBAE, 2}, // yeh barree
}

// Alef maksura is dual-joining, but its initial and medial forms sit apart
// in Presentation Forms-A.
const maksuraInitial, maksuraMedial = 0xFBE8, 0xFBE9

// lamAlef maps the alef that follows a lam to the isolated form of their
// ligature; the final form is the next code point.
var lamAlef = map[rune]rune{
	0x0622: 0xFEF5, // with madda above
	0x0623: 0xFEF7, // with hamza above
	0x0625: 0xFEF9, // with hamza below
	0x0627: 0xFEFB, // plain alef
}

const (
	lam     = 0x0644
	tatweel = 0x0640
	zwnj    = 0x200C
	zwj     = 0x200D
)

// Deleted marks the place of the alef taken into a lam-alef ligature in
// Shape's output: callers drop it.
const Deleted rune = -3

// presentation returns the presentation form of base in the given form,
// or 0 when there is none.
func presentation(base rune, form int) rune {
	f, ok := arabicForms[base]
	if !ok {
		return 0
	}
	if base == 0x0649 {
		switch form {
		case formInitial:
			return maksuraInitial
		case formMedial:
			return maksuraMedial
		}
	}
	if form >= f.n {
		return 0
	}
	return f.first + rune(form)
}

// joiningType returns r's joining type as far as drawing goes: a letter is
// dual-joining only when the font (has) has its initial and medial forms,
// right-joining when it has its final form, else non-joining, so that a
// neighbour never reaches for a connection that cannot be drawn.
func joiningType(r rune, has func(rune) bool) int {
	switch {
	case r == tatweel || r == zwj:
		return joinCause
	case r == zwnj:
		return joinNone
	case unicode.In(r, unicode.Mn, unicode.Me) || r == 0x070F:
		return joinTrans
	}
	f, ok := arabicForms[r]
	if !ok {
		return joinNone
	}
	can := func(form int) bool { p := presentation(r, form); return p != 0 && (has == nil || has(p)) }
	switch {
	case f.n == 4 || r == 0x0649:
		if can(formInitial) && can(formMedial) && can(formFinal) {
			return joinDual
		}
		fallthrough
	case f.n == 2:
		if can(formFinal) {
			return joinRight
		}
	}
	return joinNone
}

// Shape returns runes (one line in logical order) with Arabic letters
// replaced by their contextual presentation forms and lam-alef pairs by
// their ligature, the alef's place then holding Deleted; the slice has
// the length of runes, so that callers can keep per-character data.
// has reports whether a form can be drawn (nil: all can); a form the
// fonts lack is not used, the letter keeping its nominal code point (its
// isolated shape in every font) and not joining. Text without Arabic
// letters comes back unchanged (the same slice).
func Shape(runes []rune, has func(rune) bool) []rune {
	arabic := false
	for _, r := range runes {
		if r < 0x0621 || r > 0x06D2 {
			continue
		}
		if _, ok := arabicForms[r]; ok {
			arabic = true
			break
		}
	}
	if !arabic {
		return runes
	}
	types := make([]int, len(runes))
	for i, r := range runes {
		types[i] = joiningType(r, has)
	}
	// neighbour returns the index of the nearest non-transparent
	// character from i in direction step, or -1.
	neighbour := func(i, step int) int {
		for j := i + step; j >= 0 && j < len(runes); j += step {
			if types[j] != joinTrans {
				return j
			}
		}
		return -1
	}
	// joinsAfter: a character at j connects to the one after it.
	joinsAfter := func(j int) bool { return j >= 0 && (types[j] == joinDual || types[j] == joinCause) }
	// joinsBefore: a character at j connects to the one before it.
	joinsBefore := func(j int) bool {
		return j >= 0 && (types[j] == joinDual || types[j] == joinRight || types[j] == joinCause)
	}
	out := make([]rune, len(runes))
	copy(out, runes)
	for i, r := range runes {
		t := types[i]
		if t != joinDual && t != joinRight {
			continue
		}
		if out[i] == Deleted {
			continue
		}
		prev, next := neighbour(i, -1), neighbour(i, 1)
		before := joinsAfter(prev)
		after := t == joinDual && joinsBefore(next)
		if r == lam && next >= 0 {
			if lig, ok := lamAlef[runes[next]]; ok && types[next] == joinRight {
				if before {
					lig++ // final form
				}
				if has == nil || has(lig) {
					out[i], out[next] = lig, Deleted
					continue
				}
			}
		}
		form := formIsolated
		switch {
		case before && after:
			form = formMedial
		case before:
			form = formFinal
		case after:
			form = formInitial
		}
		out[i] = presentation(r, form)
	}
	return out
}

// ShapeString shapes one line of text (see Shape), leaving out the places
// of ligated alefs.
func ShapeString(s string, has func(rune) bool) string {
	runes := []rune(s)
	if len(runes) == 0 {
		return s
	}
	shaped := Shape(runes, has)
	if &shaped[0] == &runes[0] {
		return s
	}
	out := shaped[:0:0]
	for _, r := range shaped {
		if r != Deleted {
			out = append(out, r)
		}
	}
	return string(out)
}

// Joins reports, for a shaped Arabic character (a presentation form or
// tatweel), whether it connects to its left and right neighbours as
// drawn, left to right: an initial form (the first letter of a word, drawn
// rightmost) connects on its left, a final form on its right.
func Joins(r rune) (left, right bool) {
	if r == tatweel {
		return true, true
	}
	form, ok := formOf[r]
	if !ok {
		return false, false
	}
	switch form {
	case formInitial:
		return true, false
	case formMedial:
		return true, true
	case formFinal:
		return false, true
	}
	return false, false
}

// formOf maps each presentation form (including the lam-alef ligatures)
// to its form.
var formOf = func() map[rune]int {
	m := map[rune]int{maksuraInitial: formInitial, maksuraMedial: formMedial}
	for _, f := range arabicForms {
		for k := range f.n {
			m[f.first+rune(k)] = k
		}
	}
	for _, lig := range lamAlef {
		m[lig], m[lig+1] = formIsolated, formFinal
	}
	return m
}()
