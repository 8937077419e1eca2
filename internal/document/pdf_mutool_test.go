package document

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"faxgate/internal/faxtiff"
)

// needMutool skips a test when mutool is not installed.
func needMutool(t testing.TB) {
	t.Helper()
	if tool("", "mutool") == "" {
		t.Skip("mutool (Debian mupdf-tools) is not installed")
	}
}

var (
	pdfiumOnce sync.Once
	pdfiumConv *Converter
)

// pdfiumConverter renders every PDF with PDFium, for comparisons.
func pdfiumConverter(t testing.TB) *Converter {
	pdfiumOnce.Do(func() {
		c, err := NewConverter(Config{MutoolPath: "-", CompilationCacheDir: testCache})
		if err != nil {
			panic(err)
		}
		pdfiumConv = c
	})
	t.Cleanup(func() {}) // the converter lives for the test binary
	return pdfiumConv
}

func convertWith(t testing.TB, c *Converter, opts Options, name string, data []byte) (*Result, error) {
	t.Helper()
	return c.Convert(context.Background(), []Input{BytesInput(name, data)}, opts)
}

// landscapePDF is a Letter page wider than tall with a title and text, to
// be turned a quarter.
func landscapePDF() []byte {
	content := textContent(792, 612, 14, "Landscape page: the title runs down the right edge of the fax.")
	return buildPDF([]testPage{{w: 792, h: 612, content: content + rectContent(60, 60, 200, 100)}}, nil)
}

// TestMutoolMatchesPDFium: pages rendered by mutool are those PDFium gives,
// up to anti-aliasing differences along edges: same count and size, ink
// coverage within a tenth (so text is neither thinner nor bolder), and at
// most a few percent of the inked pixels different. Legibility is held to
// the PDFium output of before.
func TestMutoolMatchesPDFium(t *testing.T) {
	needMutool(t)
	text, photos := benchFiles(t)
	hair := buildPDF([]testPage{{w: ptA4[0], h: ptA4[1], content: "0 G 0.1 w 100 400 m 500 400 l S 300 200 m 300 700 l S\n" +
		textContent(ptA4[0], 300, 6, "Six point print at the foot of the page.")}}, nil)
	docs := []struct {
		name string
		data []byte
	}{
		{"text", text}, {"photos", photos}, {"photo-and-text", imagePDF()}, {"landscape", landscapePDF()}, {"hairlines", hair},
		// Pages of several sizes: several mutool runs, pages of bits of
		// several lengths.
		{"mixed-sizes", buildPDF([]testPage{
			{w: 300, h: 200, content: textContent(300, 200, 12, "Small landscape card")},
			{w: ptA4[0], h: ptA4[1], content: textContent(ptA4[0], ptA4[1], 11, "A4 page")},
			{w: 612, h: 792, content: textContent(612, 792, 11, "Letter page")},
			{w: ptA4[0], h: ptA4[1], content: textContent(ptA4[0], ptA4[1], 11, "A4 again")},
		}, nil)},
	}
	for _, d := range docs {
		for _, res := range []faxtiff.Resolution{faxtiff.Standard, faxtiff.Fine} {
			t.Run(d.name+"/"+res.String(), func(t *testing.T) {
				want, err := convertWith(t, pdfiumConverter(t), Options{Resolution: res}, d.name+".pdf", d.data)
				if err != nil {
					t.Fatal(err)
				}
				got, err := convertWith(t, converter(t), Options{Resolution: res, Encoded: true}, d.name+".pdf", d.data)
				if err != nil {
					t.Fatal(err)
				}
				if got.Len() != want.Len() {
					t.Fatalf("%d pages, PDFium gives %d", got.Len(), want.Len())
				}
				for i := range min(4, len(want.Pages)) { // the text pages are alike
					g, err := got.Page(i)
					if err != nil {
						t.Fatal(err)
					}
					w := want.Pages[i]
					if g.Width != w.Width || g.Height != w.Height {
						t.Fatalf("page %d is %d×%d, PDFium's %d×%d", i+1, g.Width, g.Height, w.Width, w.Height)
					}
					gi, wi := ink(g, 0, 0, 1, 1), ink(w, 0, 0, 1, 1)
					if gi < wi*0.9-0.001 || gi > wi*1.1+0.001 {
						t.Errorf("page %d: ink %.4f, PDFium %.4f", i+1, gi, wi)
					}
					// Strokes: ink that has no ink of the other page within a
					// pixel is a stroke one of them lost or grew.
					if a, b := strayInk(g, w), strayInk(w, g); a > 0.03 || b > 0.03 {
						t.Errorf("page %d: %.1f %% of mutool's ink and %.1f %% of PDFium's have no counterpart", i+1, 100*a, 100*b)
					}
					// Tones: darkness of every 8 mm square within 0.1.
					if d := blockDifference(g, w, 64); d > 0.1 {
						t.Errorf("page %d: a 64-pixel block differs in darkness by %.2f", i+1, d)
					}
					t.Logf("page %d: ink %.4f / %.4f, stray %.4f / %.4f, block %.3f, %d bytes T.6", i+1, gi, wi,
						strayInk(g, w), strayInk(w, g), blockDifference(g, w, 64), len(got.Encoded[i].Data))
				}
			})
		}
	}
}

// TestEncodedSamePages: pages held encoded decode to exactly the pages held
// as pixels, and write the same TIFF-F file.
func TestEncodedSamePages(t *testing.T) {
	text, _ := benchFiles(t)
	for _, c := range []struct {
		name string
		conv *Converter
	}{{"default", converter(t)}, {"pdfium", pdfiumConverter(t)}} {
		t.Run(c.name, func(t *testing.T) {
			raw, err := convertWith(t, c.conv, Options{Resolution: faxtiff.Fine}, "text.pdf", text)
			if err != nil {
				t.Fatal(err)
			}
			enc, err := convertWith(t, c.conv, Options{Resolution: faxtiff.Fine, Encoded: true}, "text.pdf", text)
			if err != nil {
				t.Fatal(err)
			}
			if enc.Pages != nil || len(enc.Encoded) != len(raw.Pages) || raw.Encoded != nil {
				t.Fatalf("encoded result has %d pixel pages and %d encoded, raw %d", len(enc.Pages), len(enc.Encoded), len(raw.Pages))
			}
			for i, p := range raw.Pages {
				q, err := enc.Page(i)
				if err != nil {
					t.Fatal(err)
				}
				if d := faxtiff.Equal(p, q); d != 0 {
					t.Fatalf("page %d: %d pixels differ", i+1, d)
				}
			}
			dir := t.TempDir()
			a, b := filepath.Join(dir, "raw.tif"), filepath.Join(dir, "enc.tif")
			if err := raw.WriteFile(a); err != nil {
				t.Fatal(err)
			}
			if err := enc.WriteFile(b); err != nil {
				t.Fatal(err)
			}
			ab, _ := os.ReadFile(a)
			bb, _ := os.ReadFile(b)
			if string(ab) != string(bb) {
				t.Error("the TIFF-F files differ")
			}
		})
	}
}

// fakeMutool writes an executable script standing in for mutool.
func fakeMutool(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "mutool")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestMutoolFailureFallsBack: when mutool fails (crashes, prints garbage,
// stops half-way) PDFium renders the document and the result is complete.
func TestMutoolFailureFallsBack(t *testing.T) {
	needMutool(t)
	text, _ := benchFiles(t)
	want, err := convertWith(t, pdfiumConverter(t), Options{Resolution: faxtiff.Standard}, "text.pdf", text)
	if err != nil {
		t.Fatal(err)
	}
	real := tool("", "mutool")
	for name, body := range map[string]string{
		"exit":    "echo 'error: cannot render' >&2; exit 3",
		"garbage": "echo 'this is not a PGM image'",
		// The real thing, cut short after about one and a half pages.
		"truncated": fmt.Sprintf(`%q "$@" | head -c 3000000`, real),
	} {
		t.Run(name, func(t *testing.T) {
			c, err := NewConverter(Config{MutoolPath: fakeMutool(t, body), Workers: 2, CompilationCacheDir: testCache})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			got, err := convertWith(t, c, Options{Resolution: faxtiff.Standard}, "text.pdf", text)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Pages) != len(want.Pages) {
				t.Fatalf("%d pages, want %d", len(got.Pages), len(want.Pages))
			}
			for i := range want.Pages {
				if d := faxtiff.Equal(got.Pages[i], want.Pages[i]); d != 0 {
					t.Fatalf("page %d differs from PDFium's by %d pixels", i+1, d)
				}
			}
		})
	}
}

// TestMutoolPageTimeout: a renderer that stops answering is killed after
// the page timeout and the conversion fails as a timeout (not a fallback
// that would double the time).
func TestMutoolPageTimeout(t *testing.T) {
	needMutool(t)
	// A unique argument to find the process by (the sandbox forbids
	// writing files, so it cannot tell its pid).
	mark := fmt.Sprintf("600.%d", time.Now().UnixNano()%1_000_000)
	c, err := NewConverter(Config{MutoolPath: fakeMutool(t, "exec sleep "+mark), CompilationCacheDir: testCache})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	text, _ := benchFiles(t)
	_, err = convertWith(t, c, Options{Resolution: faxtiff.Standard, PageTimeout: time.Second}, "text.pdf", text)
	if KindOf(err) != KindTimeout {
		t.Fatalf("err = %v, want a timeout", err)
	}
	// Convert has killed and waited for the renderer: it no longer exists.
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		if b, _ := os.ReadFile(p); strings.Contains(string(b), "sleep\x00"+mark) {
			t.Errorf("the renderer still runs: %s", p)
		}
	}
}

// strayInk returns the share of a's black pixels with no black pixel of b
// at the same place or next to it (8-neighbourhood).
func strayInk(a, b *faxtiff.Page) float64 {
	stray, total := 0, 0
	for y := range a.Height {
		for x := range a.Width {
			if !a.Black(x, y) {
				continue
			}
			total++
			found := false
			for dy := -1; dy <= 1 && !found; dy++ {
				for dx := -1; dx <= 1 && !found; dx++ {
					found = b.Black(x+dx, y+dy)
				}
			}
			if !found {
				stray++
			}
		}
	}
	if total == 0 {
		return 0
	}
	return float64(stray) / float64(total)
}

// blockDifference returns the largest difference in ink coverage between a
// and b over blocks n pixels wide and as tall on paper.
func blockDifference(a, b *faxtiff.Page, n int) float64 {
	rows := max(1, int(float64(n)*a.YDPI/a.XDPI))
	count := func(p *faxtiff.Page, x0, y0 int) int {
		c := 0
		for y := y0; y < y0+rows; y++ {
			for x := x0; x < x0+n; x++ {
				if p.Black(x, y) {
					c++
				}
			}
		}
		return c
	}
	worst := 0.0
	for y := 0; y+rows <= a.Height; y += rows {
		for x := 0; x+n <= a.Width; x += n {
			d := math.Abs(float64(count(a, x, y)-count(b, x, y))) / float64(n*rows)
			worst = max(worst, d)
		}
	}
	return worst
}

// TestConcurrentPDFConversions: PDF conversions running at once share the
// converter's renderers (PDFium instances and mutool slots) and each gets
// its own complete, identical result.
func TestConcurrentPDFConversions(t *testing.T) {
	data := textPDF(6)
	want, err := convertWith(t, converter(t), Options{Resolution: faxtiff.Standard, Encoded: true}, "t.pdf", data)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			got, err := converter(t).Convert(context.Background(), []Input{BytesInput("t.pdf", data)}, Options{Resolution: faxtiff.Standard, Encoded: true})
			if err == nil && got.Len() != want.Len() {
				err = fmt.Errorf("%d pages, want %d", got.Len(), want.Len())
			}
			for i := 0; err == nil && i < got.Len(); i++ {
				if string(got.Encoded[i].Data) != string(want.Encoded[i].Data) {
					err = fmt.Errorf("page %d differs", i+1)
				}
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// TestReadPagePGM reads mutool's PGM pages of the page's full width (read
// in one go) and narrower (row by row, centred), with one row more or less
// than asked for (absorbed: cut, or paper added), two pages in a row.
func TestReadPagePGM(t *testing.T) {
	const rows = 40
	for _, width := range []int{pageWidth, pageWidth - 2, pageWidth - 1} {
		for _, height := range []int{rows - 1, rows, rows + 1} {
			fit := sheetFit{offX: (pageWidth - width) / 2, cw: width, ch: rows}
			pixel := func(page, x, y int) byte { return byte(x*7 + y*13 + page) }
			var in bytes.Buffer
			for page := range 2 {
				fmt.Fprintf(&in, "P5\n# comment\n%d %d\n255\n", width, height)
				for y := range height {
					for x := range width {
						in.WriteByte(pixel(page, x, y))
					}
				}
			}
			w := &mutoolWorker{j: &job{opts: Options{Resolution: faxtiff.Standard}}}
			br := bufio.NewReader(&in)
			for page := range 2 {
				g, err := w.readPage(br, fit)
				if err != nil {
					t.Fatalf("%d×%d, page %d: %v", width, height, page+1, err)
				}
				if g.w != pageWidth || g.h != rows {
					t.Fatalf("%d×%d: page of %d×%d, want %d×%d", width, height, g.w, g.h, pageWidth, rows)
				}
				for y := range rows {
					for x := range pageWidth {
						want := byte(255)
						if sx := x - fit.offX; sx >= 0 && sx < width && y < height {
							want = pixel(page, sx, y)
						}
						if got := g.row(y)[x]; got != want {
							t.Fatalf("%d×%d, page %d: pixel (%d,%d) is %d, want %d", width, height, page+1, x, y, got, want)
						}
					}
				}
			}
			if _, err := br.ReadByte(); err == nil {
				t.Errorf("%d×%d: bytes left after the pages", width, height)
			}
		}
	}
}
