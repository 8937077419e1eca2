package faxpdf

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"faxgate/internal/faxtiff"
)

// testPage draws a page that exercises the coder and the renderer:
// isolated pixels, one-pixel lines in both directions, ink touching all
// four edges, solid blocks, a dithered patch and a pattern that depends on
// seed (so pages of a document differ).
func testPage(width, height int, res faxtiff.Resolution, seed uint64) *faxtiff.Page {
	p := faxtiff.NewPage(width, height, res)
	rng := rand.New(rand.NewPCG(seed, 7))
	for x := range width { // top and bottom rows, dashed
		p.SetBlack(x, 0, x%5 != 0)
		p.SetBlack(x, height-1, x%3 == 0)
	}
	for y := range height { // left and right columns
		p.SetBlack(0, y, y%4 != 0)
		p.SetBlack(width-1, y, true)
	}
	for i := range 40 { // horizontal and vertical hairlines
		y := 10 + i*(height-20)/40
		for x := 100 + i; x < width-100; x++ {
			p.SetBlack(x, y, true)
		}
		x := 50 + i*(width-100)/40
		for y := 20; y < height/3; y++ {
			p.SetBlack(x, y, true)
		}
	}
	for range 30 { // solid blocks
		x0, y0 := rng.IntN(width-60), rng.IntN(height-40)
		w, h := 1+rng.IntN(60), 1+rng.IntN(40)
		for y := y0; y < y0+h; y++ {
			for x := x0; x < x0+w; x++ {
				p.SetBlack(x, y, true)
			}
		}
	}
	for y := height / 2; y < height/2+height/8; y++ { // noise patch
		for x := width / 4; x < width/2; x++ {
			p.SetBlack(x, y, rng.IntN(3) == 0)
		}
	}
	for range 500 { // isolated dots
		p.SetBlack(rng.IntN(width), rng.IntN(height), true)
	}
	return p
}

var testMeta = Meta{Title: "Fax from +1 555 0100", CreationDate: time.Date(2026, 3, 4, 5, 6, 7, 0, time.FixedZone("", 3600+1800))}

func writePDF(t testing.TB, pages []*faxtiff.Page, meta Meta) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, pages, meta); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// checkXref checks the structure without any PDF library: the header,
// that startxref points at the table, that every in-use entry points at
// "n 0 obj" of its own number, and the trailer's /Size.
func checkXref(t *testing.T, pdf []byte) (objects int) {
	t.Helper()
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.4\n")) {
		t.Fatalf("header %q", pdf[:min(len(pdf), 10)])
	}
	m := regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n$`).FindSubmatch(pdf)
	if m == nil {
		t.Fatalf("no startxref at the end: %q", pdf[max(0, len(pdf)-60):])
	}
	xref, _ := strconv.Atoi(string(m[1]))
	if xref >= len(pdf) || !bytes.HasPrefix(pdf[xref:], []byte("xref\n0 ")) {
		t.Fatalf("startxref %d does not point at the xref table", xref)
	}
	rest := pdf[xref+len("xref\n"):]
	var first, count int
	if _, err := fmt.Sscanf(string(rest[:bytes.IndexByte(rest, '\n')]), "%d %d", &first, &count); err != nil || first != 0 {
		t.Fatalf("xref subsection header: %q", rest[:20])
	}
	rest = rest[bytes.IndexByte(rest, '\n')+1:]
	for i := range count {
		e := rest[i*20 : i*20+20]
		if !bytes.HasSuffix(e, []byte("\r\n")) {
			t.Fatalf("xref entry %d is not 20 bytes: %q", i, e)
		}
		off, _ := strconv.Atoi(string(e[:10]))
		switch {
		case i == 0 && string(e[:18]) != "0000000000 65535 f":
			t.Errorf("entry 0 = %q", e)
		case i > 0 && e[17] != 'n':
			t.Errorf("entry %d not in use: %q", i, e)
		case i > 0 && !bytes.HasPrefix(pdf[off:], fmt.Appendf(nil, "%d 0 obj\n", i)):
			t.Errorf("entry %d points at %q", i, pdf[off:min(len(pdf), off+12)])
		}
	}
	if !regexp.MustCompile(fmt.Sprintf(`trailer\n<< /Size %d /Root 1 0 R /Info 3 0 R /ID \[<[0-9a-f]{32}> <[0-9a-f]{32}>\] >>`, count)).Match(rest[count*20:]) {
		t.Errorf("trailer: %q", rest[count*20:])
	}
	return count - 1
}

func TestStructure(t *testing.T) {
	pages := []*faxtiff.Page{testPage(1728, 300, faxtiff.Fine, 1), testPage(1728, 200, faxtiff.Standard, 2)}
	pdf := writePDF(t, pages, testMeta)
	if n := checkXref(t, pdf); n != 3+3*len(pages) {
		t.Errorf("%d objects, want %d", n, 3+3*len(pages))
	}
	for _, want := range []string{
		"/Producer (faxgate)",
		"/Title (Fax from +1 555 0100)",
		"/CreationDate (D:20260304050607+01'30')",
		"/Type /Pages /Count 2 /Kids [6 0 R 9 0 R]",
		"/Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns 1728 /Rows 300 /BlackIs1 false >>",
		"/MediaBox [0 0 609.8823 110.204]", // 1728/204 in × 300/196 in
		"/MediaBox [0 0 609.8823 146.9387]",
	} {
		if !bytes.Contains(pdf, []byte(want)) {
			t.Errorf("missing %q", want)
		}
	}
	// The image stream is the page's T.6 coding, byte for byte.
	for _, p := range pages {
		if !bytes.Contains(pdf, append(append([]byte("stream\n"), faxtiff.EncodeG4(p)...), "\nendstream"...)) {
			t.Error("T.6 data not embedded as is")
		}
	}
	// Same input and date, same file (the /ID is a digest of the content).
	if again := writePDF(t, pages, testMeta); !bytes.Equal(pdf, again) {
		t.Error("output is not deterministic")
	}
}

func TestMetaStrings(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "(plain)"},
		{`a (b) \c`, `(a \(b\) \\c)`},
		{"Fax für Zoë", "<FEFF0046006100780020006600FC00720020005A006F00EB>"},
		{"€ 😀", "<FEFF20AC0020D83DDE00>"},
		{"line\nbreak", "<FEFF006C0069006E0065000A0062007200650061006B>"},
	} {
		if got := textString(tc.in); got != tc.want {
			t.Errorf("textString(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "D:20260102030405Z"},
		{time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", -(4*3600+30*60))), "D:20260102030405-04'30'"},
	} {
		if got := pdfDate(tc.t); got != tc.want {
			t.Errorf("pdfDate(%v) = %s, want %s", tc.t, got, tc.want)
		}
	}
}

func TestRefusesBadInput(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, nil, testMeta); !errors.Is(err, ErrNoPages) {
		t.Errorf("Write(no pages) = %v, want ErrNoPages", err)
	}
	pw := NewWriter(&buf, testMeta)
	if err := pw.Close(); !errors.Is(err, ErrNoPages) {
		t.Errorf("Close with no pages = %v, want ErrNoPages", err)
	}
	if buf.Len() != 0 {
		t.Errorf("%d bytes written for a PDF without pages", buf.Len())
	}
	noRes := faxtiff.NewPage(1728, 10, faxtiff.Fine)
	noRes.YDPI = 0
	short := faxtiff.NewPage(1728, 10, faxtiff.Fine)
	short.Pix = short.Pix[:100]
	for name, p := range map[string]*faxtiff.Page{"nil": nil, "no resolution": noRes, "short buffer": short, "empty": faxtiff.NewPage(0, 0, faxtiff.Fine)} {
		pw := NewWriter(&buf, testMeta)
		if err := pw.AddPage(p); err == nil {
			t.Errorf("%s page accepted", name)
		}
	}
	// A failed page poisons the writer: no half-valid PDF can be closed.
	pw = NewWriter(&buf, testMeta)
	if err := pw.AddPage(testPage(1728, 50, faxtiff.Fine, 1)); err != nil {
		t.Fatal(err)
	}
	pw.AddPage(nil)
	if err := pw.Close(); err == nil {
		t.Error("Close after a failed page succeeded")
	}
}

// TestA4SameSize: an A4 page is the same paper at every resolution.
func TestA4SameSize(t *testing.T) {
	a4h := 297 / 25.4 * 72 // 841.89 pt
	var sizes [][2]float64
	for _, res := range []faxtiff.Resolution{faxtiff.Standard, faxtiff.Fine, faxtiff.Superfine} {
		p := faxtiff.NewPage(1728, res.A4Rows(), res)
		pdf := writePDF(t, []*faxtiff.Page{p}, testMeta)
		w, h := mediaBox(t, pdf)
		if math.Abs(w-609.88) > 0.01 {
			t.Errorf("%v: width %.2f pt, want 609.88 (8.47 in)", res, w)
		}
		if math.Abs(h-a4h)/a4h > 0.005 {
			t.Errorf("%v: height %.2f pt, A4 is %.2f", res, h, a4h)
		}
		sizes = append(sizes, [2]float64{w, h})
	}
	for _, s := range sizes[1:] {
		if math.Abs(s[1]-sizes[0][1])/sizes[0][1] > 0.005 || s[0] != sizes[0][0] {
			t.Errorf("page sizes differ: %v", sizes)
		}
	}
}

func mediaBox(t *testing.T, pdf []byte) (w, h float64) {
	t.Helper()
	m := regexp.MustCompile(`/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]`).FindSubmatch(pdf)
	if m == nil {
		t.Fatal("no MediaBox")
	}
	w, _ = strconv.ParseFloat(string(m[1]), 64)
	h, _ = strconv.ParseFloat(string(m[2]), 64)
	return w, h
}

// TestStreamsPages checks that the Writer does not hold pages: after each
// AddPage the page's data has reached the underlying writer.
func TestStreamsPages(t *testing.T) {
	var buf bytes.Buffer
	pw := NewWriter(&buf, testMeta)
	prev := 0
	for i := range 3 {
		p := testPage(1728, 2287, faxtiff.Fine, uint64(i))
		if err := pw.AddPage(p); err != nil {
			t.Fatal(err)
		}
		// Flushed in 64 KB blocks: at most that much may wait.
		if grown := buf.Len() - prev; grown < len(faxtiff.EncodeG4(p))-64<<10 {
			t.Errorf("page %d: only %d bytes reached the writer", i+1, grown)
		}
		prev = buf.Len()
	}
	if err := pw.Close(); err != nil {
		t.Fatal(err)
	}
	checkXref(t, buf.Bytes())
}

func TestFromTIFFReusesG4(t *testing.T) {
	pages := []*faxtiff.Page{testPage(1728, 400, faxtiff.Fine, 1), testPage(2048, 300, faxtiff.Superfine, 2), testPage(1728, 200, faxtiff.Standard, 3)}
	path := filepath.Join(t.TempDir(), "in.tif")
	if err := faxtiff.WriteFile(path, pages); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file   string
		pages  []*faxtiff.Page
		reused int
	}{
		{path, pages, 3},
		{"testdata/spandsp-rx-t6.tif", nil, 2},   // T.6, FillOrder 2: reversed, not re-coded
		{"testdata/spandsp-rx-t42d.tif", nil, 0}, // T.4 2D: re-coded
	} {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			want := tc.pages
			if want == nil {
				var err error
				if want, err = faxtiff.ReadFile(tc.file); err != nil {
					t.Fatal(err)
				}
			}
			f, err := os.Open(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			st, _ := f.Stat()
			var buf bytes.Buffer
			reused, err := convertTIFF(&buf, f, st.Size(), testMeta)
			if err != nil {
				t.Fatal(err)
			}
			if reused != tc.reused {
				t.Errorf("%d pages kept their T.6 data, want %d", reused, tc.reused)
			}
			checkXref(t, buf.Bytes())
			// Whatever the path, the pages render as the TIFF's pixels.
			pdf := filepath.Join(t.TempDir(), "out.pdf")
			os.WriteFile(pdf, buf.Bytes(), 0o644)
			needTools(t)
			checkInfo(t, pdf, want)
			for i, p := range want {
				checkRender(t, pdf, i+1, p, "-mono")
			}
		})
	}
}

func TestFromTIFFErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.tif")
	if err := faxtiff.WriteFile(good, []*faxtiff.Page{testPage(1728, 300, faxtiff.Fine, 1), testPage(1728, 300, faxtiff.Fine, 2)}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(good)
	trunc := filepath.Join(dir, "trunc.tif")
	os.WriteFile(trunc, data[:len(data)*2/3], 0o644)
	junk := filepath.Join(dir, "junk.tif")
	os.WriteFile(junk, []byte("%PDF-1.4 not a tiff at all"), 0o644)
	for _, path := range []string{trunc, junk, filepath.Join(dir, "missing.tif")} {
		if err := FromTIFF(&bytes.Buffer{}, path, testMeta); err == nil {
			t.Errorf("%s: no error", filepath.Base(path))
		}
	}
	if err := FromTIFF(&bytes.Buffer{}, good, testMeta); err != nil {
		t.Errorf("good file: %v", err)
	}
}

// failWriter fails after n bytes.
type failWriter struct{ n int }

func (w *failWriter) Write(b []byte) (int, error) {
	if len(b) > w.n {
		k := w.n
		w.n = 0
		return k, errors.New("disk full")
	}
	w.n -= len(b)
	return len(b), nil
}

func TestWriterErrors(t *testing.T) {
	pages := []*faxtiff.Page{testPage(1728, 2287, faxtiff.Fine, 1), testPage(1728, 2287, faxtiff.Fine, 2)}
	size := len(writePDF(t, pages, testMeta))
	for _, n := range []int{0, 10, 70000, size / 2, size - 10} {
		if err := Write(&failWriter{n: n}, pages, testMeta); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("failing after %d bytes: %v", n, err)
		}
	}
}

func BenchmarkFaxPDF(b *testing.B) {
	pages := make([]*faxtiff.Page, 10)
	for i := range pages {
		pages[i] = testPage(1728, faxtiff.Fine.A4Rows(), faxtiff.Fine, uint64(i))
	}
	path := filepath.Join(b.TempDir(), "in.tif")
	if err := faxtiff.WriteFile(path, pages); err != nil {
		b.Fatal(err)
	}
	b.Run("Write", func(b *testing.B) { // pages in memory, coded here
		for b.Loop() {
			if err := Write(discard{}, pages, testMeta); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(pages))*float64(b.N)/b.Elapsed().Seconds(), "pages/s")
	})
	b.Run("FromTIFF", func(b *testing.B) { // decode to check, embed stored T.6
		for b.Loop() {
			if err := FromTIFF(discard{}, path, testMeta); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(pages))*float64(b.N)/b.Elapsed().Seconds(), "pages/s")
	})
}

type discard struct{}

func (discard) Write(b []byte) (int, error) { return len(b), nil }
