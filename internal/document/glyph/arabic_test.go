package glyph

import (
	"slices"
	"testing"
)

// TestShape: contextual forms of known words, checked letter by letter
// against the Unicode tables (and against GNU FriBidi's shaping, which
// agrees on all of these but the ligature across a mark).
func TestShape(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []rune
	}{
		// seen initial, lam-alef ligature (final: lam joins seen), meem
		// isolated (the ligature does not join forward).
		{"salaam", "سلام", []rune{0xFEB3, 0xFEFC, Deleted, 0xFEE1}},
		{"la", "لا", []rune{0xFEFB, Deleted}},
		// meem initial, hah medial, meem medial, dal final.
		{"muhammad", "محمد", []rune{0xFEE3, 0xFEA4, 0xFEE4, 0xFEAA}},
		// Harakat are transparent: they stay, and the letters around them
		// join as without them.
		{"muhammad with harakat", "مُحَمَّد", []rune{0xFEE3, 0x064F, 0xFEA4, 0x064E, 0xFEE4, 0x064E, 0x0651, 0xFEAA}},
		{"lam fatha alef", "لَا", []rune{0xFEFB, 0x064E, Deleted}},
		// Right-joining letters (alef, reh, dal, waw) do not join the next.
		{"marhaban", "مرحبا", []rune{0xFEE3, 0xFEAE, 0xFEA3, 0xFE92, 0xFE8E}},
		{"al-arabiyya", "العربية", []rune{0xFE8D, 0xFEDF, 0xFECC, 0xFEAE, 0xFE91, 0xFEF4, 0xFE94}},
		// Hamza does not join at all.
		{"masaa", "مساء", []rune{0xFEE3, 0xFEB4, 0xFE8E, 0x0621}},
		{"allah", "الله", []rune{0xFE8D, 0xFEDF, 0xFEE0, 0xFEEA}},
		{"li-anna", "لأن", []rune{0xFEF7, Deleted, 0xFEE5}},
		// A space ends a word; Latin letters and digits do not join.
		{"two words", "في بيت", []rune{0xFED3, 0xFEF2, ' ', 0xFE91, 0xFEF4, 0xFE96}},
		{"mixed", "aبb", []rune{'a', 0xFE8F, 'b'}},
		{"digits", "ب1ب", []rune{0xFE8F, '1', 0xFE8F}},
		// Tatweel joins on both sides; ZWNJ stops joining (Persian).
		{"tatweel", "ـخـ", []rune{0x0640, 0xFEA8, 0x0640}},
		{"zwnj", "ب\u200cب", []rune{0xFE8F, 0x200C, 0xFE8F}},
		{"zwj", "ب\u200d", []rune{0xFE91, 0x200D}},
		// Persian letters (Presentation Forms-A) and alef maksura.
		{"panjareh", "پنجره", []rune{0xFB58, 0xFEE8, 0xFEA0, 0xFEAE, 0xFEE9}},
		{"gach", "گچ", []rune{0xFB94, 0xFB7B}},
		{"alef maksura", "ىب", []rune{0xFBE8, 0xFE90}},
	} {
		got := Shape([]rune(tc.in), nil)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: Shape(%q) = %U, want %U", tc.name, tc.in, got, tc.want)
		}
	}
	// No Arabic: the same slice back.
	in := []rune("Hello, שלום")
	if got := Shape(in, nil); &got[0] != &in[0] {
		t.Error("text without Arabic was copied")
	}
	if got, want := ShapeString("سلام", nil), "\uFEB3\uFEFC\uFEE1"; got != want {
		t.Errorf("ShapeString(سلام) = %U, want %U", []rune(got), []rune(want))
	}
	if ShapeString("", nil) != "" {
		t.Error("empty string")
	}
}

// TestShapeMissingForms: a form the font lacks is not used; the letter
// keeps its nominal code point and its neighbours do not join it.
func TestShapeMissingForms(t *testing.T) {
	noMedialBeh := func(r rune) bool { return r != 0xFE92 }
	got := Shape([]rune("سبس"), noMedialBeh)
	// beh cannot be medial, so it is only right-joining: seen initial, beh
	// final, seen isolated.
	if want := []rune{0xFEB3, 0xFE90, 0xFEB1}; !slices.Equal(got, want) {
		t.Errorf("without medial beh: %U, want %U", got, want)
	}
	none := func(r rune) bool { return r < 0xFB50 }
	if got := Shape([]rune("سلام"), none); !slices.Equal(got, []rune("سلام")) {
		t.Errorf("without presentation forms: %U, want the letters unchanged", got)
	}
	noLigature := func(r rune) bool { return r < 0xFEF5 }
	if got, want := Shape([]rune("لا"), noLigature), []rune{0xFEDF, 0xFE8E}; !slices.Equal(got, want) {
		t.Errorf("without the ligature: %U, want %U", got, want)
	}
}

func TestJoins(t *testing.T) {
	for _, tc := range []struct {
		r           rune
		left, right bool
	}{
		{0xFEE3, true, false}, // meem initial: joins the next letter, drawn to its left
		{0xFEA4, true, true},
		{0xFEAA, false, true},
		{0xFEE1, false, false},
		{0xFEFC, false, true}, // lam-alef final
		{0x0640, true, true},
		{'a', false, false},
		{0x0628, false, false},
	} {
		if l, r := Joins(tc.r); l != tc.left || r != tc.right {
			t.Errorf("Joins(%U) = %v, %v, want %v, %v", tc.r, l, r, tc.left, tc.right)
		}
	}
}
