package glyph

import (
	"slices"
	"testing"
	"unicode/utf8"
)

// FuzzShapeReorder: for any line, Shape keeps its length and changes only
// Arabic letters (into presentation forms or Deleted after a lam), and
// Reorder returns a permutation of its positions.
func FuzzShapeReorder(f *testing.F) {
	for _, s := range []string{"سلام", "Hello (שלום) world.", "مُحَمَّد ١٢٣-٤٥٦", "((([[[{{{", "א(ב]ג)", "لا\u200cلا", "\u202eabc\u202c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) || len(s) > 400 {
			return
		}
		runes := []rune(s)
		shaped := Shape(runes, nil)
		if len(shaped) != len(runes) {
			t.Fatalf("Shape changed the length: %d → %d", len(runes), len(shaped))
		}
		for i, r := range shaped {
			if r == runes[i] {
				continue
			}
			if _, ok := arabicForms[runes[i]]; !ok {
				t.Fatalf("Shape changed %U, not an Arabic letter", runes[i])
			}
			if _, ok := formOf[r]; !ok && r != Deleted {
				t.Fatalf("Shape made %U of %U", r, runes[i])
			}
		}
		order, reversed := Reorder(runes)
		sorted := slices.Clone(order)
		slices.Sort(sorted)
		for i, k := range sorted {
			if k != i {
				t.Fatalf("Reorder of %q is not a permutation: %v", s, order)
			}
		}
		if reversed != nil && len(reversed) != len(order) {
			t.Fatal("reversed and order differ in length")
		}
		if got := []rune(VisualString(s)); len(got) != len(runes) {
			t.Fatal("VisualString changed the length")
		}
	})
}
