package cover

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/image/font/sfnt"

	"faxgate/internal/document"
	"faxgate/internal/document/glyph"
	"faxgate/internal/faxtiff"
)

var allRes = []faxtiff.Resolution{faxtiff.Standard, faxtiff.Fine, faxtiff.Superfine}

func mustRender(t testing.TB, c Cover, res faxtiff.Resolution, paper Paper) (*faxtiff.Page, map[string]image.Rectangle) {
	t.Helper()
	p, regions, err := render(c, res, paper)
	if err != nil {
		t.Fatal(err)
	}
	return p, regions
}

// ink counts black pixels of p inside r.
func ink(p *faxtiff.Page, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if p.Black(x, y) {
				n++
			}
		}
	}
	return n
}

func coverage(p *faxtiff.Page) float64 {
	return float64(ink(p, image.Rect(0, 0, p.Width, p.Height))) / float64(p.Width*p.Height)
}

func TestDimensions(t *testing.T) {
	want := map[Paper][3]int{A4: {1143, 2287, 4574}, Letter: {1076, 2151, 4303}}
	for paper, rows := range want {
		for i, res := range allRes {
			p, _ := mustRender(t, sampleCover(), res, paper)
			if p.Width != 1728 || p.Height != rows[i] || p.XDPI != 204 || p.YDPI != res.LPI() {
				t.Errorf("%v %v: %dx%d at %gx%g dpi, want 1728x%d at 204x%g", paper, res, p.Width, p.Height, p.XDPI, p.YDPI, rows[i], res.LPI())
			}
			// The physical length is the paper's, within T.4's 1 %.
			mm := float64(p.Height) / p.YDPI * 25.4
			if wantMM := map[Paper]float64{A4: 297, Letter: 279.4}[paper]; math.Abs(mm-wantMM)/wantMM > 0.01 {
				t.Errorf("%v %v: %.1f mm long, want %.1f", paper, res, mm, wantMM)
			}
		}
	}
}

// TestInkCoverage: a full cover is mostly paper, an empty one still has
// its frame, and the same design inks the same share of the page at
// every resolution (text neither vanishes nor bleeds at 98 lpi).
func TestInkCoverage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		c      Cover
		lo, hi float64
		spread float64 // relative difference allowed between resolutions
	}{
		{"sample", sampleCover(), 0.025, 0.06, 0.05},
		{"empty", Cover{}, 0.008, 0.025, 0.08}, // mostly the title, whose edges round differently
	} {
		var covs []float64
		for _, res := range allRes {
			p, _ := mustRender(t, tc.c, res, A4)
			cov := coverage(p)
			if cov < tc.lo || cov > tc.hi {
				t.Errorf("%s %v: ink covers %.2f%% of the page, want %.1f%%..%.1f%%", tc.name, res, cov*100, tc.lo*100, tc.hi*100)
			}
			t.Logf("%s %v: %.2f%% ink", tc.name, res, cov*100)
			covs = append(covs, cov)
		}
		for i, cov := range covs[1:] {
			if math.Abs(cov-covs[0])/covs[0] > tc.spread {
				t.Errorf("%s: coverage %.3f%% at %v differs by more than %.0f%% from %.3f%% at standard", tc.name, cov*100, allRes[i+1], tc.spread*100, covs[0]*100)
			}
		}
	}
}

// TestFieldPresence sets one field at a time on an otherwise empty cover:
// its region must have ink only when it is set, and nothing else on the
// page may change (the layout is stable).
func TestFieldPresence(t *testing.T) {
	s := sampleCover()
	fields := []struct {
		region string
		set    func(*Cover)
	}{
		{"to.name", func(c *Cover) { c.ToName = s.ToName }},
		{"to.company", func(c *Cover) { c.ToCompany = s.ToCompany }},
		{"to.fax", func(c *Cover) { c.ToFax = s.ToFax }},
		{"from.name", func(c *Cover) { c.FromName = s.FromName }},
		{"from.company", func(c *Cover) { c.FromCompany = s.FromCompany }},
		{"from.phone", func(c *Cover) { c.FromPhone = s.FromPhone }},
		{"from.fax", func(c *Cover) { c.FromFax = s.FromFax }},
		{"from.email", func(c *Cover) { c.FromEmail = s.FromEmail }},
		{"date", func(c *Cover) { c.Date = s.Date }},
		{"subject", func(c *Cover) { c.Subject = s.Subject }},
		{"comments", func(c *Cover) { c.Comments = s.Comments }},
		{"footer", func(c *Cover) { c.Footer = s.Footer }},
	}
	for _, res := range []faxtiff.Resolution{faxtiff.Standard, faxtiff.Fine} {
		empty, _ := mustRender(t, Cover{}, res, A4)
		for _, f := range fields {
			t.Run(fmt.Sprintf("%v/%s", res, f.region), func(t *testing.T) {
				var c Cover
				f.set(&c)
				p, regions := mustRender(t, c, res, A4)
				r, ok := regions[f.region]
				if !ok {
					t.Fatalf("no region %q", f.region)
				}
				if n := ink(p, r); n < 50 {
					t.Errorf("set: only %d black pixels in %v", n, r)
				}
				if n := ink(empty, r); n != 0 {
					t.Errorf("unset: %d black pixels in %v", n, r)
				}
				outside := 0
				for y := range p.Height {
					for x := range p.Width {
						if !(image.Point{x, y}).In(r) && p.Black(x, y) != empty.Black(x, y) {
							outside++
						}
					}
				}
				if outside != 0 {
					t.Errorf("%d pixels changed outside the field's region", outside)
				}
			})
		}
	}
}

// TestHeader: the logo and the company name each put ink in their own
// place, and a page without either starts higher.
func TestHeader(t *testing.T) {
	both, reg := mustRender(t, Cover{CompanyName: "Acme", Logo: lineArtLogo(400, 120)}, faxtiff.Fine, A4)
	for _, name := range []string{"logo", "company"} {
		if ink(both, reg[name]) < 200 {
			t.Errorf("%s: only %d black pixels", name, ink(both, reg[name]))
		}
	}
	if reg["logo"].Max.X >= reg["company"].Min.X {
		t.Errorf("logo %v and company name %v overlap", reg["logo"], reg["company"])
	}
	_, bare := mustRender(t, Cover{}, faxtiff.Fine, A4)
	if bare["title"].Min.Y >= reg["title"].Min.Y {
		t.Errorf("title at row %d without a header, %d with one", bare["title"].Min.Y, reg["title"].Min.Y)
	}
	nameOnly, nreg := mustRender(t, Cover{CompanyName: "Acme"}, faxtiff.Fine, A4)
	if nreg["company"].Min.X > reg["logo"].Min.X+5 || ink(nameOnly, nreg["company"]) == 0 {
		t.Errorf("without a logo the name should start at the margin: %v", nreg["company"])
	}
}

// TestLogoAspect: a 4:1 logo keeps its proportions on paper at every
// resolution, though fax pixels are not square.
func TestLogoAspect(t *testing.T) {
	for _, res := range allRes {
		p, reg := mustRender(t, Cover{Logo: lineArtLogo(400, 100)}, res, A4)
		r := reg["logo"]
		aspect := (float64(r.Dx()) / p.XDPI) / (float64(r.Dy()) / p.YDPI)
		if math.Abs(aspect-4) > 0.15 {
			t.Errorf("%v: logo box %v is %.2f:1 on paper, want 4:1", res, r, aspect)
		}
	}
}

func TestLogoBinarisation(t *testing.T) {
	for _, tc := range []struct {
		name  string
		img   image.Image
		photo bool
	}{
		{"line art", lineArtLogo(400, 120), false},
		{"light flat colour", flatLogo(color.RGBA{250, 220, 60, 255}), false},
		{"photo", photoLogo(300, 200), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, photo := logoInk(tc.img, 300, 90)
			if photo != tc.photo {
				t.Fatalf("photo = %v, want %v", photo, tc.photo)
			}
			black := 0
			for _, v := range out.Pix {
				if v != 0 && v != 255 {
					t.Fatalf("output level %d is not bilevel", v)
				}
				if v == 255 {
					black++
				}
			}
			share := float64(black) / float64(len(out.Pix))
			switch tc.name {
			case "line art": // the ring's centre is paper, its band ink
				if out.AlphaAt(45, 45).A != 0 || out.AlphaAt(75, 45).A != 255 {
					t.Errorf("ring drawn wrongly: centre %d, band %d", out.AlphaAt(45, 45).A, out.AlphaAt(75, 45).A)
				}
			case "light flat colour": // a pale shape on white still prints
				if share < 0.2 || share > 0.3 {
					t.Errorf("%.0f%% black, want the shape's 25%%", share*100)
				}
			case "photo": // dithering keeps the mean tone
				if want := meanDarkness(tc.img); math.Abs(share-want) > 0.08 {
					t.Errorf("%.2f black, source darkness %.2f", share, want)
				}
			}
		})
	}
}

// flatLogo is a pale rectangle covering a quarter of a white image.
func flatLogo(c color.RGBA) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 200, 60))
	for y := range 60 {
		for x := range 200 {
			img.SetRGBA(x, y, color.RGBA{255, 255, 255, 255})
			if x < 100 && y < 30 {
				img.SetRGBA(x, y, c)
			}
		}
	}
	return img
}

func meanDarkness(img image.Image) float64 {
	b := img.Bounds()
	var sum float64
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			sum += 1 - float64(color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y)/255
		}
	}
	return sum / float64(b.Dx()*b.Dy())
}

func TestPagesText(t *testing.T) {
	for _, tc := range []struct {
		pages   int
		exclude bool
		labels  Labels
		want    string
	}{
		{3, false, Labels{}, "4 (including cover)"},
		{3, true, Labels{}, "3 (excluding cover)"},
		{0, false, Labels{}, "1 (including cover)"},
		{5, false, Labels{IncludingCover: "page de garde incluse"}, "6 (page de garde incluse)"},
	} {
		c := Cover{Pages: tc.pages, ExcludeCover: tc.exclude}
		if got := c.pagesText(tc.labels.withDefaults()); got != tc.want {
			t.Errorf("Pages %d exclude %v: %q, want %q", tc.pages, tc.exclude, got, tc.want)
		}
	}
}

func TestDateText(t *testing.T) {
	d := time.Date(2026, 3, 4, 23, 30, 0, 0, time.UTC)
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		ny = time.FixedZone("EST", -5*3600)
	}
	for _, tc := range []struct {
		c    Cover
		want string
	}{
		{Cover{Date: d}, "4 March 2026, 23:30 UTC"},
		{Cover{Date: d, Location: time.FixedZone("CET", 3600)}, "5 March 2026, 00:30 CET"},
		{Cover{Date: d, Location: ny, DateFormat: "2006-01-02 15:04"}, "2026-03-04 18:30"},
		{Cover{}, ""},
	} {
		if got := tc.c.dateText(); got != tc.want {
			t.Errorf("dateText = %q, want %q", got, tc.want)
		}
	}
}

// TestWrap checks line breaking and truncation against measured widths.
func TestWrap(t *testing.T) {
	fonts, err := parsedFonts()
	if err != nil {
		t.Fatal(err)
	}
	ts := &typesetter{c: newCanvas(1728, 100, 204, 196)}
	st := style{font: fonts.regular, size: 11.5}
	const width = 200.0
	for _, tc := range []struct {
		name      string
		text      string
		max       int
		lines     int
		truncated bool
	}{
		{"fits", "Short line", 3, 1, false},
		{"empty", "", 3, 0, false},
		{"paragraphs", "one\n\ntwo", 5, 3, false},
		{"trailing blank lines", "one\n\n\n\n", 1, 1, false},
		{"long word split", strings.Repeat("x", 200), 10, 0, false},
		{"truncated", longText(2000), 4, 4, true},
		{"too many paragraphs", "a\nb\nc\nd", 2, 2, true},
		{"crlf", "a\r\nb", 2, 2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lines, trunc := ts.wrap(st, tc.text, width, tc.max)
			if tc.lines > 0 && len(lines) != tc.lines {
				t.Errorf("%d lines, want %d: %q", len(lines), tc.lines, lines)
			}
			if len(lines) > tc.max {
				t.Errorf("%d lines, at most %d allowed", len(lines), tc.max)
			}
			if trunc != tc.truncated {
				t.Errorf("truncated = %v, want %v", trunc, tc.truncated)
			}
			if trunc && !strings.HasSuffix(lines[len(lines)-1], ellipsis) {
				t.Errorf("cut text does not end with an ellipsis: %q", lines[len(lines)-1])
			}
			for _, l := range lines {
				if w := ts.width(st, l); w > width {
					t.Errorf("line %q is %.1f pt wide, box is %.0f", l, w, width)
				}
			}
			if tc.name == "long word split" && strings.Join(lines, "") != tc.text {
				t.Errorf("split word lost characters")
			}
		})
	}
	if got := ts.fit(st, "A long subject line that cannot fit", 80); !strings.HasSuffix(got, ellipsis) || ts.width(st, got) > 80 {
		t.Errorf("fit = %q (%.1f pt)", got, ts.width(st, got))
	}
}

// TestHostileInput: huge, malformed and unsupported text renders without
// panicking and without ink outside the page margins.
func TestHostileInput(t *testing.T) {
	long := Cover{
		CompanyName: longText(2000), ToName: longText(500), ToCompany: longText(500), ToFax: longText(500),
		FromName: longText(500), FromCompany: longText(500), FromPhone: longText(500), FromFax: longText(500),
		FromEmail: longText(500), Subject: longText(5000), Comments: longText(10000), Footer: longText(5000),
		Pages: math.MaxInt32, Date: time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), DateFormat: strings.Repeat("Monday ", 100),
		Logo:   photoLogo(2000, 10),
		Labels: Labels{Title: longText(300), To: longText(300), Phone: longText(300), Comments: longText(300), IncludingCover: longText(300)},
	}
	noSpaces := Cover{ToName: strings.Repeat("W", 500), Subject: strings.Repeat("M", 5000), Comments: strings.Repeat("@", 10000)}
	scripts := Cover{
		CompanyName: "שלום עולם", ToName: "مرحبا بالعالم", FromName: "😀👍🏽🇩🇪 family 👨‍👩‍👧",
		Subject: "\u202Ereversed\u202C \u200Bzero width", Comments: "\x00\x01\x02 nul\n\xff\xfe invalid UTF-8\ttab\r\nCJK 你好 世界",
		ToFax: "\n\n\n", Footer: strings.Repeat("\n", 1000),
	}
	newlines := Cover{Comments: strings.Repeat("line\n", 5000), Footer: strings.Repeat("x\n", 100)}
	for name, c := range map[string]Cover{"long": long, "no spaces": noSpaces, "scripts": scripts, "newlines": newlines, "empty": {}} {
		for _, res := range allRes {
			for _, paper := range []Paper{A4, Letter} {
				p, _ := mustRender(t, c, res, paper)
				checkMargins(t, fmt.Sprintf("%s %v %v", name, res, paper), p)
			}
		}
	}
}

// checkMargins wants no ink in the side margins or the bottom margin.
func checkMargins(t *testing.T, name string, p *faxtiff.Page) {
	t.Helper()
	sx, sy := p.XDPI/72, p.YDPI/72
	left, right := int(marginX*sx)-2, int((float64(p.Width)/sx-marginX)*sx)+2
	bottom := int((float64(p.Height)/sy - marginBottom + 3) * sy)
	for _, r := range []image.Rectangle{
		image.Rect(0, 0, left, p.Height), image.Rect(right, 0, p.Width, p.Height), image.Rect(0, bottom, p.Width, p.Height),
	} {
		if n := ink(p, r); n > 0 {
			t.Errorf("%s: %d black pixels in the margin %v", name, n, r)
		}
	}
}

func TestRenderErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		c     Cover
		res   faxtiff.Resolution
		paper Paper
	}{
		"negative pages": {Cover{Pages: -1}, faxtiff.Fine, A4},
		"resolution":     {Cover{}, faxtiff.Resolution(7), A4},
		"paper":          {Cover{}, faxtiff.Fine, Paper(3)},
		"huge logo":      {Cover{Logo: hugeImage{}}, faxtiff.Fine, A4},
	} {
		if _, err := Render(tc.c, tc.res, tc.paper); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// An empty logo image is no logo, not an error.
	if _, err := Render(Cover{Logo: image.NewGray(image.Rectangle{})}, faxtiff.Fine, A4); err != nil {
		t.Errorf("empty logo: %v", err)
	}
}

// hugeImage claims 100000×100000 pixels without holding them.
type hugeImage struct{}

func (hugeImage) ColorModel() color.Model { return color.GrayModel }
func (hugeImage) Bounds() image.Rectangle { return image.Rect(0, 0, 100000, 100000) }
func (hugeImage) At(x, y int) color.Color { return color.White }

// TestConcurrentRender: renders share the parsed fonts only; the same
// input gives the same page from many goroutines.
func TestConcurrentRender(t *testing.T) {
	want, _ := mustRender(t, sampleCover(), faxtiff.Fine, A4)
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for range 4 {
		wg.Go(func() {
			p, err := Render(sampleCover(), faxtiff.Fine, A4)
			if err != nil {
				errs <- err.Error()
			} else if d := faxtiff.Equal(p, want); d != 0 {
				errs <- fmt.Sprintf("%d pixels differ", d)
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestPreviewPNG: the preview of a cover page (document.Preview, as the
// settings API serves it) has square pixels and shows the page.
func TestPreviewPNG(t *testing.T) {
	for _, res := range allRes {
		page, _ := mustRender(t, sampleCover(), res, A4)
		data, err := document.Preview(page)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		b := img.Bounds()
		wantH := int(math.Round(float64(page.Height) * 204 / res.LPI()))
		if b.Dx() != 1728 || b.Dy() != wantH {
			t.Errorf("%v: preview %v, want 1728x%d", res, b.Size(), wantH)
		}
		// Same ink share as the page, within what row repetition changes
		// (superfine rows are averaged into grey in linear light, so ink
		// is measured as darkness there).
		var black float64
		for y := range b.Dy() {
			for x := range b.Dx() {
				g := float64(color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y) / 255
				black += 1 - math.Pow(g, 2.2)
			}
		}
		if got, want := black/float64(b.Dx()*b.Dy()), coverage(page); math.Abs(got-want)/want > 0.05 {
			t.Errorf("%v: preview ink %.3f, page ink %.3f", res, got, want)
		}
	}
}

func BenchmarkCoverRender(b *testing.B) {
	for _, res := range allRes {
		b.Run(res.String(), func(b *testing.B) {
			c := sampleCover()
			for b.Loop() {
				if _, err := Render(c, res, A4); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestLuma(t *testing.T) {
	for _, c := range []color.RGBA{{0, 0, 0, 255}, {255, 255, 255, 255}, {20, 40, 110, 255}, {250, 220, 60, 255}, {1, 2, 3, 255}, {200, 17, 99, 255}} {
		if got, want := luma(c.R, c.G, c.B), color.GrayModel.Convert(c).(color.Gray).Y; got != want {
			t.Errorf("luma(%v) = %d, want %d", c, got, want)
		}
	}
}

// TestHugeValues: megabyte-long values cost no more than a page's worth
// of measuring (this would take seconds if fit measured all of them).
func TestHugeValues(t *testing.T) {
	huge := strings.Repeat("0123456789 ", 100000)
	c := Cover{ToFax: huge, FromEmail: huge, FromPhone: huge, Subject: huge, Comments: huge, ToName: huge, Footer: huge, CompanyName: huge}
	p, _ := mustRender(t, c, faxtiff.Fine, A4)
	checkMargins(t, "huge", p)
}

// TestNonLatinText: with the system fallback fonts installed, a Chinese,
// Hebrew or Arabic subject is drawn as letters, not as question marks: it
// has ink, and its pixels differ from those of the same number of '?'.
func TestNonLatinText(t *testing.T) {
	var buf sfnt.Buffer
	if f, _ := glyph.Fallback(&buf, '中'); f == nil {
		t.Skip("fallback fonts not installed (scripts/install-deps.sh installs them)")
	}
	if f, _ := glyph.Fallback(&buf, 'א'); f == nil {
		t.Skip("fallback fonts not installed (scripts/install-deps.sh installs them)")
	}
	for _, subject := range []string{"報價單與合約", "הצעת מחיר חדשה", "عرض سعر جديد"} {
		c := sampleCover()
		c.Subject = subject
		p, regions := mustRender(t, c, faxtiff.Fine, A4)
		c.Subject = strings.Repeat("?", utf8.RuneCountInString(subject))
		q, _ := mustRender(t, c, faxtiff.Fine, A4)
		r := regions["subject"]
		if r.Empty() {
			t.Fatal("no subject region")
		}
		a, b := ink(p, r), ink(q, r)
		if diff := faxtiff.Equal(p, q); a < b/3 || diff < b/2 {
			t.Errorf("%q: subject ink %d, %d question marks' %d, %d pixels differ: not drawn as letters", subject, a, utf8.RuneCountInString(subject), b, diff)
		}
	}
}

// TestArabicShaped: Arabic is shaped before it is drawn: letters of a
// word join (a long unbroken stroke along the baseline), a lam-alef pair
// is one ligature, and a Korean subject is drawn as syllables.
func TestArabicShaped(t *testing.T) {
	var buf sfnt.Buffer
	if f, _ := glyph.Fallback(&buf, 0xFE92); f == nil {
		t.Skip("no font with Arabic presentation forms (scripts/install-deps.sh installs fonts-dejavu-core)")
	}
	longestRun := func(p *faxtiff.Page, r image.Rectangle) int {
		best := 0
		for y := r.Min.Y; y < r.Max.Y; y++ {
			run := 0
			for x := r.Min.X; x < r.Max.X; x++ {
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
	subject := func(s string) (*faxtiff.Page, image.Rectangle) {
		c := sampleCover()
		c.Subject = s
		p, regions := mustRender(t, c, faxtiff.Fine, A4)
		return p, regions["subject"]
	}
	// Ten behs: initial, eight medial, final make one long stroke; ten
	// isolated behs never make one longer than a letter.
	p, r := subject(strings.Repeat("ب", 10))
	q, _ := subject(strings.TrimSpace(strings.Repeat("ب ", 10)))
	joined, apart := longestRun(p, r), longestRun(q, r)
	if joined < 3*apart {
		t.Errorf("joined behs: longest stroke %d pixels, separate behs %d: letters not joined", joined, apart)
	}
	ts := &typesetter{}
	fonts, err := parsedFonts()
	if err != nil {
		t.Fatal(err)
	}
	st := style{font: fonts.regular, size: 12}
	if got := ts.shape(st, "سلام"); got != "\uFEB3\uFEFC\uFEE1" {
		t.Errorf("shape(سلام) = %U", []rune(got))
	}
	if a, b := ts.width(st, "لا"), ts.width(st, "ل ا"); a >= b {
		t.Errorf("lam-alef is %.1f pt wide, lam space alef %.1f: no ligature", a, b)
	}
	if got := ts.shape(st, "a\u200cb"); got != "ab" {
		t.Errorf("the joiner controls are not dropped: %q", got)
	}
	if f, _ := glyph.Fallback(&buf, '한'); f == nil {
		t.Log("no Hangul font installed: Korean part skipped")
		return
	}
	ko := "견적서 및 계약"
	p, r = subject(ko)
	q, _ = subject(strings.Repeat("?", utf8.RuneCountInString(ko)))
	if a, b := ink(p, r), ink(q, r); a < b || faxtiff.Equal(p, q) < b/2 {
		t.Errorf("Korean subject: ink %d against %d for question marks: not drawn as syllables", a, b)
	}
}
