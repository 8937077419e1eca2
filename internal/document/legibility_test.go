package document

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"faxgate/internal/faxtiff"
)

// TestLegibilityVsGhostscript reads small print back from our fax pages
// and from Ghostscript's (gs -sDEVICE=tiffg4, the same PDF, the same
// resolution) with the Tesseract OCR engine and compares how many
// characters each gets wrong: ours must not be less legible. One page per
// type size (5 to 8 pt Helvetica, 24 lines of words and digits), at fine
// and at standard. Gated like TestCompareGhostscript (FAXGATE_BENCH_GS=1)
// and skipped without tesseract (Debian: tesseract-ocr).
func TestLegibilityVsGhostscript(t *testing.T) {
	if os.Getenv("FAXGATE_BENCH_GS") == "" {
		t.Skip("set FAXGATE_BENCH_GS=1 to compare with Ghostscript")
	}
	gs := needGS(t)
	tess, err := exec.LookPath("tesseract")
	if err != nil {
		t.Skip("tesseract is not installed (Debian: tesseract-ocr)")
	}
	sizes := []float64{5, 6, 7, 8}
	var pages []testPage
	var want []string
	for _, s := range sizes {
		content, lines := smallPrint(s, 24)
		pages = append(pages, testPage{w: ptA4[0], h: ptA4[1], content: content})
		want = append(want, lines)
	}
	pdf := buildPDF(pages, nil)
	dir := t.TempDir()
	in := filepath.Join(dir, "small.pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	ocr := func(p *faxtiff.Page, name string) string {
		png, err := Preview(p)
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(dir, name+".png")
		if err := os.WriteFile(f, png, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(tess, f, "stdout", "--psm", "6").Output()
		if err != nil {
			t.Fatalf("tesseract: %v", err)
		}
		return string(out)
	}
	for _, q := range []struct {
		name string
		res  faxtiff.Resolution
		gsR  string
	}{{"fine", faxtiff.Fine, "-r204x196"}, {"standard", faxtiff.Standard, "-r204x98"}} {
		res, err := converter(t).Convert(context.Background(), []Input{BytesInput("small.pdf", pdf)}, Options{Resolution: q.res})
		if err != nil {
			t.Fatal(err)
		}
		gsOut := filepath.Join(dir, q.name+"-gs.tif")
		if b, err := exec.Command(gs, "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=tiffg4", q.gsR, "-sOutputFile="+gsOut, in).CombinedOutput(); err != nil {
			t.Fatalf("gs: %v %s", err, b)
		}
		gsPages, err := faxtiff.ReadFile(gsOut)
		if err != nil {
			t.Fatal(err)
		}
		if len(gsPages) != len(sizes) || res.Len() != len(sizes) {
			t.Fatalf("%s: %d pages from gs, %d from us, want %d", q.name, len(gsPages), res.Len(), len(sizes))
		}
		for i, s := range sizes {
			ours := charErrors(ocr(res.Pages[i], fmt.Sprintf("%s-%g-ours", q.name, s)), want[i])
			theirs := charErrors(ocr(gsPages[i], fmt.Sprintf("%s-%g-gs", q.name, s)), want[i])
			n := float64(len(want[i]))
			fmt.Printf("legibility %-8s %gpt: characters misread: faxgate %5.1f %%, Ghostscript %5.1f %%\n", q.name, s, 100*float64(ours)/n, 100*float64(theirs)/n)
			// One point of OCR noise allowed either way.
			if float64(ours-theirs)/n > 0.01 {
				t.Errorf("%s %g pt: OCR misreads %.1f %% of our characters, %.1f %% of Ghostscript's", q.name, s, 100*float64(ours)/n, 100*float64(theirs)/n)
			}
		}
	}
}

// smallPrint is a page of n lines of text at size pt, and the lines.
func smallPrint(size float64, n int) (string, string) {
	words := strings.Fields("invoice amount payable within thirty days account number reference " +
		"delivery address quantity description unit price total signature date " +
		"Hamburg Lyon Bristol Utrecht Graz Bergen Porto Krakow Zurich Gent")
	var b strings.Builder
	var lines []string
	k := 0
	for l := range n {
		var line []string
		for len(strings.Join(line, " ")) < int(480/size*1.9) {
			k = (k*7 + 3) % len(words)
			line = append(line, words[k])
			if k%4 == 0 {
				line = append(line, fmt.Sprintf("%d-%03d", 10+k*l%90, (k*37+l*11)%1000))
			}
		}
		text := strings.Join(line, " ")
		lines = append(lines, text)
		fmt.Fprintf(&b, "BT /F1 %g Tf 50 %g Td (%s) Tj ET\n", size, 800-float64(l)*size*1.4, text)
	}
	return b.String(), strings.Join(lines, "\n")
}

// charErrors is the edit distance between what OCR read (blank lines and
// surrounding space dropped) and the text.
func charErrors(got, want string) int {
	var ls []string
	for _, l := range strings.Split(got, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			ls = append(ls, l)
		}
	}
	a, b := []rune(strings.Join(ls, "\n")), []rune(want)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
