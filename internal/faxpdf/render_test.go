package faxpdf

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"faxgate/internal/faxtiff"
)

// These tests read our PDFs with independent implementations: poppler
// (pdfinfo, pdftoppm) and Ghostscript. CI installs both (Debian
// poppler-utils, ghostscript).

func needTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"pdfinfo", "pdftoppm", "gs"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (Debian packages poppler-utils and ghostscript): cannot check the PDF with an independent reader", tool)
		}
	}
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// checkInfo asks pdfinfo for the page count and each page's size, and
// Ghostscript to interpret the whole file: it reports repairs and
// syntax problems as "****" lines even when it succeeds.
func checkInfo(t *testing.T, pdf string, pages []*faxtiff.Page) {
	t.Helper()
	out := run(t, "pdfinfo", "-f", "1", "-l", strconv.Itoa(len(pages)), pdf)
	if !regexp.MustCompile(`(?m)^Pages:\s+` + strconv.Itoa(len(pages)) + `$`).MatchString(out) {
		t.Errorf("pdfinfo: want %d pages:\n%s", len(pages), out)
	}
	if !regexp.MustCompile(`(?m)^Producer:\s+faxgate$`).MatchString(out) {
		t.Errorf("pdfinfo: no Producer faxgate:\n%s", out)
	}
	sizes := regexp.MustCompile(`(?m)^Page\s+(\d+) size:\s+([0-9.]+) x ([0-9.]+) pts`).FindAllStringSubmatch(out, -1)
	if len(sizes) != len(pages) {
		t.Fatalf("pdfinfo lists %d page sizes, want %d:\n%s", len(sizes), len(pages), out)
	}
	for i, m := range sizes {
		w, _ := strconv.ParseFloat(m[2], 64)
		h, _ := strconv.ParseFloat(m[3], 64)
		p := pages[i]
		if wantW, wantH := float64(p.Width)*72/p.XDPI, float64(p.Height)*72/p.YDPI; math.Abs(w-wantW) > 0.01 || math.Abs(h-wantH) > 0.01 {
			t.Errorf("page %s: %.3f x %.3f pts, want %.3f x %.3f", m[1], w, h, wantW, wantH)
		}
	}
	out = run(t, "gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-dPDFSTOPONERROR", "-sDEVICE=nullpage", pdf)
	if strings.Contains(out, "****") || strings.Contains(strings.ToLower(out), "error") {
		t.Errorf("Ghostscript complains:\n%s", out)
	}
}

// render returns page n of pdf rendered by pdftoppm at the page's own
// resolution; mode is "-mono" or "-gray".
func render(t *testing.T, pdf string, n int, p *faxtiff.Page, mode string) image.Image {
	t.Helper()
	prefix := filepath.Join(t.TempDir(), "page")
	run(t, "pdftoppm", "-r", "0", "-rx", fmt.Sprint(p.XDPI), "-ry", fmt.Sprint(p.YDPI),
		"-f", strconv.Itoa(n), "-l", strconv.Itoa(n), "-singlefile", mode, "-png", pdf, prefix)
	f, err := os.Open(prefix + ".png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// diff returns the number of pixels where img (dark = black) and p
// differ, or -1 when the sizes differ.
func diff(img image.Image, p *faxtiff.Page) int {
	b := img.Bounds()
	if b.Dx() != p.Width || b.Dy() != p.Height {
		return -1
	}
	d := 0
	for y := range p.Height {
		for x := range p.Width {
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			if black := (r+g+bl)/3 < 0x8000; black != p.Black(x, y) {
				d++
			}
		}
	}
	return d
}

// checkRender renders page n at the fax's resolution and wants back the
// page's exact pixels.
func checkRender(t *testing.T, pdf string, n int, p *faxtiff.Page, mode string) {
	t.Helper()
	img := render(t, pdf, n, p, mode)
	switch d := diff(img, p); {
	case d < 0:
		t.Errorf("page %d %s: rendered %v, page is %dx%d", n, mode, img.Bounds().Size(), p.Width, p.Height)
	case d > 0:
		t.Errorf("page %d %s: %d of %d pixels differ from the fax", n, mode, d, p.Width*p.Height)
	}
}

func writeFile(t *testing.T, pages []*faxtiff.Page) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fax.pdf")
	if err := os.WriteFile(path, writePDF(t, pages, testMeta), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRenderNative: every resolution and paper width renders back to the
// fax's own pixels, in monochrome and in grey.
func TestRenderNative(t *testing.T) {
	needTools(t)
	for _, tc := range []struct {
		width int
		res   faxtiff.Resolution
	}{
		{1728, faxtiff.Standard}, {1728, faxtiff.Fine}, {1728, faxtiff.Superfine},
		{2048, faxtiff.Fine}, {2432, faxtiff.Standard}, {1701, faxtiff.Fine}, // odd width: padding bits
	} {
		t.Run(fmt.Sprintf("%d-%v", tc.width, tc.res), func(t *testing.T) {
			p := testPage(tc.width, tc.res.A4Rows(), tc.res, uint64(tc.width))
			pdf := writeFile(t, []*faxtiff.Page{p})
			checkInfo(t, pdf, []*faxtiff.Page{p})
			checkRender(t, pdf, 1, p, "-mono")
			checkRender(t, pdf, 1, p, "-gray")
		})
	}
}

// TestBlackIs1: black fax pixels print black. The same file with the
// flag flipped must print a negative, which proves the check can fail.
func TestBlackIs1(t *testing.T) {
	needTools(t)
	p := faxtiff.NewPage(1728, 400, faxtiff.Fine)
	for y := 100; y < 200; y++ {
		for x := 300; x < 500; x++ {
			p.SetBlack(x, y, true)
		}
	}
	data := writePDF(t, []*faxtiff.Page{p}, testMeta)
	dir := t.TempDir()
	good, flipped := filepath.Join(dir, "good.pdf"), filepath.Join(dir, "flipped.pdf")
	os.WriteFile(good, data, 0o644)
	// Same length, so the cross-reference offsets stay right.
	os.WriteFile(flipped, bytes.Replace(data, []byte("/BlackIs1 false"), []byte("/BlackIs1 true "), 1), 0o644)

	img := render(t, good, 1, p, "-gray")
	ink := func(x, y int) bool { r, _, _, _ := img.At(x, y).RGBA(); return r < 0x8000 }
	if !ink(400, 150) || ink(10, 10) || ink(1000, 300) {
		t.Errorf("black block or white paper rendered wrongly: block %v, paper %v %v", ink(400, 150), ink(10, 10), ink(1000, 300))
	}
	if d := diff(img, p); d != 0 {
		t.Errorf("%d pixels differ", d)
	}
	if d := diff(render(t, flipped, 1, p, "-gray"), p); d != p.Width*p.Height {
		t.Errorf("with /BlackIs1 true %d of %d pixels differ; want a full negative", d, p.Width*p.Height)
	}
}

func TestTenPages(t *testing.T) {
	needTools(t)
	var pages []*faxtiff.Page
	for i := range 10 {
		res := []faxtiff.Resolution{faxtiff.Fine, faxtiff.Standard, faxtiff.Superfine}[i%3]
		pages = append(pages, testPage(1728, res.A4Rows(), res, uint64(i)))
	}
	pdf := writeFile(t, pages)
	checkInfo(t, pdf, pages)
	for _, n := range []int{1, 5, 10} {
		checkRender(t, pdf, n, pages[n-1], "-mono")
	}
}
