package glyph

import (
	"encoding/binary"
	"testing"

	"golang.org/x/image/font/gofont/goregular"
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
		// Expected orders below checked against GNU FriBidi 1.0.
		// Brackets around right-to-left text in a left-to-right line
		// (N0: the text before them is left to right) stay put; the
		// period after "world" stays at its end.
		{"Hello (שלום) world.", "Hello (םולש) world."},
		// A number with a hyphen inside a right-to-left line keeps its
		// order (W4 joins it), and comes left of the word before it.
		{"מספר 123-456", "123-456 רפסמ"},
		// The same at the end of a left-to-right line: the space between
		// the Hebrew word and the number belongs to their run (N1).
		{"Hello (שלום) world. מספר 123-456", "Hello (םולש) world. 123-456 רפסמ"},
		// Brackets in a right-to-left line around left-to-right text take
		// the direction around them and are mirrored; nested pairs too.
		{"שלום (abc [def] 12) עולם", "םלוע (abc [def] 12) םולש"},
		{"abc (שלום [עולם] אחד) def", "abc (דחא [םלוע] םולש) def"},
		{"ש (a ב) c", "c (ב a) ש"},
		{"שלום <abc> עולם", "םלוע <abc> םולש"},
		// Punctuation between a word and the line's end takes the
		// paragraph's direction (N2).
		{"Hello שלום!", "Hello םולש!"},
		{"שלום abc.", ".abc םולש"},
		{"(123) שלום", "םולש (123)"},
		// Numbers: terminators (W5), separators (W4), signs.
		{"מחיר 50% הנחה", "החנה 50% ריחמ"},
		{"ש 1+2=3 ת", "ת 3=1+2 ש"},
		{"ש $5.00 ת", "ת $5.00 ש"},
		{"ב-2024 היה", "היה 2024-ב"},
		{"1, 2, 3 שלום", "םולש 3 ,2 ,1"},
		// Arabic-Indic digits are Arabic numbers, left to right inside
		// the right-to-left run.
		{"abc ١٢٣ شسي", "abc يسش ١٢٣"},
		{"سلام ١٢٣-٤٥٦ عليكم", "مكيلع ٤٥٦-١٢٣ مالس"},
		// Trailing spaces stay at the end (L1).
		{"Hello שלום!   ", "Hello םולש!   "},
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
	for _, r := range []rune{'א', 'ب', '中', 'あ', 0xFEB3, 0xFEFC} {
		if f, gi := Fallback(&buf, r); f == nil || gi == 0 {
			t.Errorf("no fallback glyph for %c", r)
		}
	}
	if f, _ := Fallback(&buf, 0x10FFFD); f != nil {
		t.Error("a private-use character found a glyph")
	}
}

// TestFallbackKorean: with fonts-wqy-microhei installed, Hangul syllables
// and jamo come from it (Droid Sans Fallback has three syllables only).
func TestFallbackKorean(t *testing.T) {
	var buf sfnt.Buffer
	if f, _ := Fallback(&buf, '국'); f == nil {
		t.Skip("no Hangul font installed (scripts/install-deps.sh installs fonts-wqy-microhei)")
	}
	for _, r := range "한국어 안녕하세요 ㄱㅏ" {
		if r == ' ' {
			continue
		}
		if f, gi := Fallback(&buf, r); f == nil || gi == 0 {
			t.Errorf("no fallback glyph for %c", r)
		}
	}
}

// TestParseFontUnaligned: a font whose tables do not start on 4-byte
// boundaries (as in WenQuanYi Micro Hei), alone or as the first font of a
// collection, is copied aligned and parsed; x/image's parser alone
// refuses it.
func TestParseFontUnaligned(t *testing.T) {
	src := goregular.TTF
	be := binary.BigEndian
	n := int(be.Uint16(src[4:]))
	head := 12 + 16*n
	// Tables one byte apart: every other one starts unaligned.
	font := append([]byte(nil), src[:head]...)
	for i := range n {
		e := font[12+16*i:]
		o, l := be.Uint32(e[8:]), be.Uint32(e[12:])
		font = append(font, 0)
		be.PutUint32(e[8:], uint32(len(font)))
		font = append(font, src[o:o+l]...)
	}
	if _, err := sfnt.Parse(font); err == nil {
		t.Fatal("the test font is not unaligned")
	}
	check := func(name string, b []byte) {
		f, err := parseFont(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var buf sfnt.Buffer
		if gi, err := f.GlyphIndex(&buf, 'A'); err != nil || gi == 0 {
			t.Errorf("%s: no glyph for A (%v)", name, err)
		}
	}
	check("font", font)
	// A collection of that one font: header, one offset, the font after.
	ttc := []byte{'t', 't', 'c', 'f', 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 16}
	shift := uint32(16)
	moved := append([]byte(nil), font...)
	for i := range n {
		e := moved[12+16*i:]
		be.PutUint32(e[8:], be.Uint32(e[8:])+shift)
	}
	check("collection", append(ttc, moved...))
	if _, err := parseFont([]byte("ttcf")); err == nil {
		t.Error("a truncated collection parsed")
	}
	bad := append([]byte(nil), font...)
	be.PutUint32(bad[12+8:], uint32(len(bad))) // first table past the end
	if _, err := parseFont(bad); err == nil {
		t.Error("a font with a table out of range parsed")
	}
}
