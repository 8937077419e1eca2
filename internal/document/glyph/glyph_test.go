package glyph

import (
	"testing"

	"golang.org/x/image/font/sfnt"
)

func TestVisualString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text (no change)", "plain text (no change)"},
		{"שלום", "םולש"},
		{"Hello שלום world", "Hello םולש world"},
		// A Hebrew line: its first word is drawn rightmost; the number
		// inside keeps its digits' order.
		{"שלום 123 עולם", "םלוע 123 םולש"},
		{"מחיר (סופי)", "(יפוס) ריחמ"},
		// A number inside Hebrew words of a left-to-right line.
		{"Price: מחיר 120 שקל", "Price: לקש 120 ריחמ"},
	} {
		if got := VisualString(tc.in); got != tc.want {
			t.Errorf("VisualString(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestFallback: the installed fallback fonts cover Hebrew, Arabic and
// Chinese; Latin is not looked up there by callers but is covered too.
func TestFallback(t *testing.T) {
	if len(fallbacks()) == 0 {
		t.Skip("no fallback fonts installed (scripts/install-deps.sh installs them)")
	}
	var buf sfnt.Buffer
	for _, r := range []rune{'א', 'ب', '中', 'あ'} {
		if f, gi := Fallback(&buf, r); f == nil || gi == 0 {
			t.Errorf("no fallback glyph for %c", r)
		}
	}
	if f, _ := Fallback(&buf, 0x10FFFD); f != nil {
		t.Error("a private-use character found a glyph")
	}
}
