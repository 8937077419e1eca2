package document

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"faxgate/internal/faxtiff"
)

// lineBands counts the bands of rows with ink (lines of text) on a page.
func lineBands(p *faxtiff.Page) int {
	n, in := 0, false
	for y := range p.Height {
		blank := rowBlank(p.Row(y))
		if !blank && !in {
			n++
		}
		in = !blank
	}
	return n
}

func TestTextPagination(t *testing.T) {
	var b strings.Builder
	for i := range 200 {
		b.WriteString("Line ")
		b.WriteString(strings.Repeat("x", i%70))
		b.WriteString("\n")
	}
	text := []byte(b.String())
	tests := []struct {
		paper       Paper
		res         faxtiff.Resolution
		pages, rows int
		firstLines  int
	}{
		{A4, faxtiff.Fine, 4, 2287, 63},
		{A4, faxtiff.Standard, 4, 1143, 63},
		{Letter, faxtiff.Fine, 4, 2151, 58},
		{Legal, faxtiff.Superfine, 3, 5476, 76},
	}
	for _, tt := range tests {
		t.Run(tt.paper.String()+"/"+tt.res.String(), func(t *testing.T) {
			res := mustConvert(t, Options{Resolution: tt.res, Paper: tt.paper}, file("lines.txt", text))
			if len(res.Pages) != tt.pages {
				t.Fatalf("%d pages, want %d", len(res.Pages), tt.pages)
			}
			if h := res.Pages[0].Height; h < tt.rows-2 || h > tt.rows+2 {
				t.Errorf("page height %d rows, want %d", h, tt.rows)
			}
			if n := lineBands(res.Pages[0]); n != tt.firstLines {
				t.Errorf("first page has %d lines, want %d", n, tt.firstLines)
			}
			x0, y0, x1, y1, _ := inkBox(res.Pages[0])
			// 20 mm side margins (161 px); 15 mm top and bottom.
			lpmm := linesPerMM(tt.res)
			if x0 < 150 || x1 > 1728-150 || float64(y0) < 13*lpmm || float64(y1) > float64(res.Pages[0].Height)-13*lpmm {
				t.Errorf("text box %d,%d-%d,%d leaves the margins", x0, y0, x1, y1)
			}
		})
	}
}

func TestTextWrapAndTabs(t *testing.T) {
	long := strings.Repeat("x", 500) // no spaces: cut every 82 columns
	res := mustConvert(t, Options{Resolution: faxtiff.Fine}, file("long.txt", []byte(long)))
	if n := lineBands(res.Pages[0]); n != 7 {
		t.Errorf("500 characters made %d lines, want 7 (82 columns)", n)
	}
	words := strings.Repeat("word ", 40) // 200 columns: wrapped at spaces
	res = mustConvert(t, Options{Resolution: faxtiff.Fine}, file("words.txt", []byte(words)))
	if n := lineBands(res.Pages[0]); n != 3 {
		t.Errorf("40 words made %d lines, want 3", n)
	}
	same := func(a, b string) {
		t.Helper()
		ra := mustConvert(t, Options{Resolution: faxtiff.Fine}, file("a.txt", []byte(a)))
		rb := mustConvert(t, Options{Resolution: faxtiff.Fine}, file("b.txt", []byte(b)))
		if d := faxtiff.Equal(ra.Pages[0], rb.Pages[0]); d != 0 {
			t.Errorf("%q and %q differ in %d pixels", a, b, d)
		}
	}
	same("a\tb\tc", "a       b       c")
	same("Caf\u00e9 na\u00efve", "Cafe\u0301 nai\u0308ve") // NFC
	same("one\r\ntwo\rthree", "one\ntwo\nthree")
	same("zero\u200bwidth\u00adsoft", "zerowidthsoft")
	utf16le := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune("Hello, \u043c\u0438\u0440!\n")) {
		utf16le = append(utf16le, byte(u), byte(u>>8))
	}
	same(string(utf16le), "Hello, \u043c\u0438\u0440!\n")
}

func TestTextFormFeed(t *testing.T) {
	res := mustConvert(t, Options{}, file("ff.txt", []byte("page one\n\fpage two\n\f\f\n\n")))
	if len(res.Pages) != 2 {
		t.Fatalf("%d pages, want 2 (empty pages after form feeds are not made)", len(res.Pages))
	}
}

// TestTextScripts: Latin, Greek and Cyrillic letters are drawn from Go
// Mono; Hebrew, Arabic and CJK from the system's fallback fonts when they
// are installed (scripts/install-deps.sh installs them); characters no font
// has and control characters get the hollow box, so every character leaves
// a mark.
func TestTextScripts(t *testing.T) {
	f, err := newTextFont(faxtiff.Fine)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range "AzÉéßŁőçĞ" + "ΑΩαωλ" + "ЖжЯяЁ" + "€£¥§" {
		if g := f.glyph(r); g == f.boxGlyph || blackCount(g) == 0 {
			t.Errorf("%q has no glyph", r)
		}
	}
	for _, r := range "􏿽" + "\x01\x7f" {
		if g := f.glyph(r); g != f.boxGlyph {
			t.Errorf("%q: want the missing-glyph box", r)
		}
	}
	if blackCount(f.boxGlyph) < 20 {
		t.Error("the missing-glyph box is not visible")
	}
	// End to end: each unknown character is its own box, none dropped.
	res := mustConvert(t, Options{Resolution: faxtiff.Fine}, file("pua.txt", []byte("\U0010FFFD\U0010FFFD\U0010FFFD")))
	one := mustConvert(t, Options{Resolution: faxtiff.Fine}, file("one.txt", []byte("\U0010FFFD")))
	a, b := blackCount(res.Pages[0]), blackCount(one.Pages[0])
	if a != 3*b || b == 0 {
		t.Errorf("three unknown characters have %d black pixels, one has %d", a, b)
	}
	// Invalid UTF-8 becomes U+FFFD, which prints.
	bad := mustConvert(t, Options{}, file("bad.txt", []byte("ok \xff\xfe\xfd ok")))
	if blackCount(bad.Pages[0]) <= blackCount(mustConvert(t, Options{}, file("ok.txt", []byte("ok  ok"))).Pages[0]) {
		t.Error("invalid bytes left no mark")
	}
}

// TestTextNonLatin: with the fallback fonts installed, Chinese, Japanese,
// Hebrew and Arabic print as their letters (ink, and not the box), Chinese
// characters take two columns, and a Hebrew word is drawn right to left.
func TestTextNonLatin(t *testing.T) {
	f, err := newTextFont(faxtiff.Fine)
	if err != nil {
		t.Fatal(err)
	}
	if !f.hasFallback('中') || !f.hasFallback('א') {
		t.Skip("fallback fonts not installed (scripts/install-deps.sh installs fonts-dejavu-core and fonts-droid-fallback)")
	}
	for _, r := range "中日文字あア" + "אבגשלום" + "بتثسلام" {
		g := f.glyph(r)
		if g == f.boxGlyph {
			t.Errorf("%q prints as the box", r)
			continue
		}
		if n := blackCount(g); n < 40 {
			t.Errorf("%q has only %d black pixels", r, n)
		}
		if want := cellsOf(r)*f.cellW + 2*textGlyphPad; g.Width != want {
			t.Errorf("%q is %d pixels wide, want %d", r, g.Width, want)
		}
	}
	// A line of every script together prints (look at it with
	// FAXGATE_DOC_PREVIEWS set).
	mixed := mustConvert(t, Options{Resolution: faxtiff.Fine}, file("mixed.txt",
		[]byte("Invoice 42: 中文 日本語 / שלום עולם (2024) / مرحبا بالعالم\nשורה בעברית עם מספר 123 ו-(סוגריים).\n")))
	if n := blackCount(mixed.Pages[0]); n < 3000 {
		t.Errorf("the mixed line has %d black pixels", n)
	}
	// Two wide characters fill four columns: "中中x" puts x where "abcdx"
	// puts x.
	cols := func(s string) (int, int) {
		res := mustConvert(t, Options{Resolution: faxtiff.Fine}, file("t.txt", []byte(s)))
		x0, _, x1, _, _ := inkBox(res.Pages[0])
		return x0, x1
	}
	if _, a := cols("中中x"); true {
		if _, b := cols("abcdx"); a != b {
			t.Errorf("after two wide characters x ends at %d, after four narrow ones at %d", a, b)
		}
	}
	// Right to left: a word's first letter is drawn rightmost. "אבבב"
	// (alef first) must show bet in the leftmost column, like "בבבב", and
	// "בבבא" must show alef there.
	page := func(s string) *faxtiff.Page {
		return mustConvert(t, Options{Resolution: faxtiff.Fine}, file("he.txt", []byte(s))).Pages[0]
	}
	bets := page("בבבב")
	x0, _, _, _, _ := inkBox(bets)
	leftCell := func(p *faxtiff.Page) []bool {
		var px []bool
		for y := range p.Height / 4 {
			for x := x0; x < x0+f.cellW/2; x++ {
				px = append(px, p.Black(x, y))
			}
		}
		return px
	}
	if !slices.Equal(leftCell(page("אבבב")), leftCell(bets)) {
		t.Error("אבבב does not start with bet on the left: not drawn right to left")
	}
	if slices.Equal(leftCell(page("בבבא")), leftCell(bets)) {
		t.Error("בבבא starts with bet on the left: not drawn right to left")
	}
}

func blackCount(p *faxtiff.Page) int {
	n := 0
	for y := range p.Height {
		for x := range p.Width {
			if p.Black(x, y) {
				n++
			}
		}
	}
	return n
}

func TestTextBad(t *testing.T) {
	if _, err := convert(t, Options{}, file("empty.txt", []byte(" \n\t\n"))); !errors.Is(err, ErrNoPages) {
		t.Errorf("blank text: %v", err)
	}
	if _, err := convert(t, Options{}, file("empty.txt", nil)); !errors.Is(err, ErrNoPages) {
		t.Errorf("empty file: %v", err)
	}
	many := bytes.Repeat([]byte("line\n"), 1000) // 16 pages
	_, err := convert(t, Options{MaxPages: 10}, file("many.txt", many))
	if !errors.Is(err, ErrTooManyPages) || !strings.Contains(err.Error(), "more than 10 pages") {
		t.Errorf("1000 lines with a 10-page limit: %v", err)
	}
}

// TestTextArabicJoins: Arabic letters are shaped and joined across their
// cells. Four behs in a row ("بببب": initial, two medial, final) leave a
// row of ink unbroken from the first to the last (the joining stroke);
// four behs apart ("ب ب ب ب", isolated forms) do not. Lam and alef print
// as one ligature in one cell.
func TestTextArabicJoins(t *testing.T) {
	f, err := newTextFont(faxtiff.Fine)
	if err != nil {
		t.Fatal(err)
	}
	if !f.hasFallback(0xFE92) {
		t.Skip("no font with Arabic presentation forms (scripts/install-deps.sh installs fonts-dejavu-core)")
	}
	page := func(s string) *faxtiff.Page {
		return mustConvert(t, Options{Resolution: faxtiff.Fine}, file("ar.txt", []byte(s))).Pages[0]
	}
	// longestRun returns the longest horizontal run of black pixels.
	longestRun := func(p *faxtiff.Page) int {
		best := 0
		for y := range p.Height {
			run := 0
			for x := range p.Width {
				if p.Black(x, y) {
					run++
					best = max(best, run)
				} else {
					run = 0
				}
			}
		}
		return best
	}
	// The two medial behs and the joins on either side make one stroke
	// longer than two and a half cells (the ends of the word curve up);
	// an isolated beh is narrowed into its cell.
	joined, apart := page("بببب"), page("ب ب ب ب")
	if n := longestRun(joined); n < 5*f.cellW/2 {
		t.Errorf("joined behs: longest stroke %d pixels, cells are %d: letters not connected", n, f.cellW)
	}
	if n := longestRun(apart); n > f.cellW+2 {
		t.Errorf("separate behs: a stroke of %d pixels runs out of a %d-pixel cell", n, f.cellW)
	}
	// Marks do not break joining: with harakat the word still connects.
	voweled := page("بَبِبُب")
	if n := longestRun(voweled); n < 5*f.cellW/2 {
		t.Errorf("behs with harakat: longest stroke %d pixels: letters not connected", n)
	}
	if blackCount(voweled) <= blackCount(joined) {
		t.Error("the harakat left no ink")
	}
	// Lam-alef: one cell.
	la := page("لا")
	x0, _, x1, _, _ := inkBox(la)
	if w := x1 - x0 + 1; w > f.cellW+2*textGlyphPad {
		t.Errorf("lam-alef is %d pixels wide: not one ligature in one cell (%d)", w, f.cellW)
	}
	// A zero-width non-joiner keeps letters apart.
	if n := longestRun(page("بب\u200cبب")); n > 3*f.cellW/2 {
		t.Errorf("letters around a zero-width non-joiner are joined (a stroke of %d pixels)", n)
	}
}

// TestTextKorean: with a Hangul font installed (fonts-wqy-microhei),
// Korean prints as syllables two columns wide, not as boxes; without one
// it still converts, each syllable a box.
func TestTextKorean(t *testing.T) {
	f, err := newTextFont(faxtiff.Fine)
	if err != nil {
		t.Fatal(err)
	}
	line := "한국어 텍스트: 안녕하세요, 세계!"
	res := mustConvert(t, Options{Resolution: faxtiff.Fine}, file("ko.txt", []byte(line+"\n")))
	if len(res.Pages) != 1 || blackCount(res.Pages[0]) == 0 {
		t.Fatal("the Korean line did not convert")
	}
	if !f.hasFallback('한') {
		t.Skip("no Hangul font installed (scripts/install-deps.sh installs fonts-wqy-microhei)")
	}
	seen := map[int]bool{}
	for _, r := range line {
		if r < 0xAC00 || r > 0xD7A3 {
			continue
		}
		g := f.glyph(r)
		if g == f.boxGlyph {
			t.Errorf("%c prints as the box", r)
			continue
		}
		n := blackCount(g)
		if n < 60 {
			t.Errorf("%c has only %d black pixels", r, n)
		}
		seen[n] = true
		if want := 2*f.cellW + 2*textGlyphPad; g.Width != want {
			t.Errorf("%c is %d pixels wide, want two columns (%d)", r, g.Width, want)
		}
	}
	// Different syllables, different ink: not one shape for all.
	if len(seen) < 5 {
		t.Errorf("the syllables have only %d distinct ink counts", len(seen))
	}
}

// TestTextHebrewPoints: points print over (or under) their letter, where
// the font puts them: shin with its dot on the right (שׁ) and sin with its
// dot on the left (שׂ) differ, and each has more ink than the bare letter.
func TestTextHebrewPoints(t *testing.T) {
	f, err := newTextFont(faxtiff.Fine)
	if err != nil {
		t.Fatal(err)
	}
	if !f.hasFallback('ש') || !f.hasFallback(0x05C1) {
		t.Skip("no Hebrew font installed (scripts/install-deps.sh installs fonts-dejavu-core)")
	}
	page := func(s string) *faxtiff.Page {
		return mustConvert(t, Options{Resolution: faxtiff.Fine}, file("he.txt", []byte(s))).Pages[0]
	}
	bare, shin, sin := page("ש"), page("ש\u05C1"), page("ש\u05C2")
	if blackCount(shin) <= blackCount(bare) || blackCount(sin) <= blackCount(bare) {
		t.Fatal("the shin and sin dots left no ink")
	}
	// The dot's ink: what the pointed letter has that the bare one lacks.
	dotX := func(p *faxtiff.Page) int {
		sum, n := 0, 0
		for y := range p.Height {
			for x := range p.Width {
				if p.Black(x, y) && !bare.Black(x, y) {
					sum += x
					n++
				}
			}
		}
		return sum / max(n, 1)
	}
	x0, _, x1, _, _ := inkBox(bare)
	mid := (x0 + x1) / 2
	if a, b := dotX(shin), dotX(sin); a <= mid || b >= mid {
		t.Errorf("shin dot at x %d and sin dot at x %d, letter centre %d: want the shin dot right, the sin dot left", a, b, mid)
	}
}
