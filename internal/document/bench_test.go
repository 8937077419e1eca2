package document

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/klippa-app/go-pdfium/requests"

	"faxgate/internal/faxtiff"
)

// Benchmarks (see docs in the report / docs/benchmarks.md):
//
//	go test ./internal/document/ -run '^$' -bench 'Convert' -benchtime 5x
//	FAXGATE_BENCH_GS=1 go test ./internal/document/ -run TestCompareGhostscript -v
//
// The files are generated: a 20-page text PDF (dense Helvetica, 60 lines
// of 10 pt per A4 page) and a 5-page PDF of full-page colour photographs
// (JPEG streams, 1200 × 1600 pixels each, with a caption).

// benchTextPDF is 20 pages of dense text.
func benchTextPDF() []byte { return textPDF(20) }

// textPDF is n pages of dense text.
func textPDF(n int) []byte {
	var pages []testPage
	for i := range n {
		var b strings.Builder
		fmt.Fprintf(&b, "BT /F1 14 Tf 72 790 Td (Page %d of the benchmark document) Tj ET\n", i+1)
		for l := range 60 {
			fmt.Fprintf(&b, "BT /F1 10 Tf 56 %g Td (%d. The quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs 0123456789.) Tj ET\n", 760-float64(l)*11.5, l+1)
		}
		b.WriteString("0.5 w 56 60 m 540 60 l S\n")
		pages = append(pages, testPage{w: ptA4[0], h: ptA4[1], content: b.String()})
	}
	return buildPDF(pages, nil)
}

// benchPhotoPDF is 5 pages, each a 1200 × 1600 colour JPEG photograph
// drawn over most of an A4 page.
func benchPhotoPDF(tb testing.TB) []byte {
	var jpegs [][]byte
	for i := range 5 {
		jpegs = append(jpegs, encodeJPEG(tb, benchPhoto(1200, 1600, i)))
	}
	var pages []testPage
	for i := range 5 {
		pages = append(pages, testPage{w: ptA4[0], h: ptA4[1],
			content:   fmt.Sprintf("q 480 0 0 640 57 150 cm /Im%d Do Q BT /F1 12 Tf 57 120 Td (Photograph %d) Tj ET\n", i+1, i+1),
			resources: fmt.Sprintf("/XObject << /Im%d %d 0 R >>", i+1, i+1)})
	}
	return buildPDF(pages, func(w *pdfWriter) string {
		for _, j := range jpegs {
			w.add(pdfStream("/Type /XObject /Subtype /Image /Width 1200 /Height 1600 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode", j))
		}
		return ""
	})
}

// benchPhoto is a detailed synthetic photograph (rings, shading, texture),
// varied by seed.
func benchPhoto(w, h, seed int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			r := math.Hypot(fx-0.4, fy-0.45)
			v := 0.5 + 0.35*math.Sin(r*40+float64(seed)) + 0.15*math.Sin(float64(x*y)/900)
			v = math.Max(0, math.Min(1, v*(1.2-fy*0.6)))
			img.Set(x, y, color.RGBA{uint8(255 * v), uint8(230 * v * fx), uint8(200 * v * (1 - fx)), 255})
		}
	}
	return img
}

var (
	benchOnce            sync.Once
	benchText, benchFoto []byte
)

func benchFiles(tb testing.TB) ([]byte, []byte) {
	benchOnce.Do(func() {
		benchText, benchFoto = benchTextPDF(), benchPhotoPDF(tb)
	})
	return benchText, benchFoto
}

// convStats is what one conversion cost.
type convStats struct {
	pages     int
	total     time.Duration
	firstPage time.Duration
	peakHeap  uint64 // heap in use, sampled every 2 ms; PDFium's WebAssembly memory is Go heap
}

// measure converts data once, sampling the Go heap while it runs.
func measure(tb testing.TB, c *Converter, data []byte, res faxtiff.Resolution) convStats {
	runtime.GC() // count this conversion's heap, not earlier garbage
	var (
		out   *Result
		err   error
		first time.Duration
		total time.Duration
	)
	// runtime/metrics reads without stopping the world (ReadMemStats
	// would, and would slow the conversion it measures).
	peak := sampleHeap(func() {
		start := time.Now()
		out, err = c.Convert(context.Background(), []Input{BytesInput("bench.pdf", data)}, Options{Resolution: res, Encoded: true, Progress: func(n int) {
			if n == 1 {
				first = time.Since(start)
			}
		}})
		if err == nil {
			// Coding the pages (T.6, done by the workers with Encoded) and
			// writing the file is part of the work Ghostscript does too.
			err = out.Write(discard{})
		}
		total = time.Since(start)
	})
	if err != nil {
		tb.Fatal(err)
	}
	return convStats{pages: out.Len(), total: total, firstPage: first, peakHeap: peak}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func benchConvert(b *testing.B, data []byte, workers int, mutool string) {
	c, err := NewConverter(Config{Workers: workers, MutoolPath: mutool, CompilationCacheDir: testCache})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if err := c.Warm(); err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	var pages int
	var first time.Duration
	var peak uint64
	b.ResetTimer()
	for b.Loop() {
		s := measure(b, c, data, faxtiff.Fine)
		pages += s.pages
		first += s.firstPage
		peak = max(peak, s.peakHeap)
	}
	b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
	b.ReportMetric(float64(first.Milliseconds())/float64(b.N), "ms-first-page")
	b.ReportMetric(float64(peak)/(1<<20), "MB-peak-heap")
}

// renderers are the PDF renderers benchmarked: PDFium alone ("-") and
// mutool when installed.
var renderers = []struct{ name, mutool string }{{"pdfium", "-"}, {"mutool", ""}}

func benchRenderers(b *testing.B, data []byte) {
	for _, r := range renderers {
		if r.mutool == "" && tool("", "mutool") == "" {
			continue
		}
		for _, w := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers=%d", r.name, w), func(b *testing.B) { benchConvert(b, data, w, r.mutool) })
		}
	}
}

func BenchmarkConvertTextPDF(b *testing.B) {
	text, _ := benchFiles(b)
	benchRenderers(b, text)
}

func BenchmarkConvertPhotoPDF(b *testing.B) {
	_, photos := benchFiles(b)
	benchRenderers(b, photos)
}

// BenchmarkConvert200Pages converts a 200-page text PDF (the default page
// limit) holding the pages as pixels and T.6-coded (Options.Encoded), and
// reports the peak heap of each: the memory bound of Encoded.
func BenchmarkConvert200Pages(b *testing.B) {
	data := textPDF(200)
	for _, enc := range []bool{false, true} {
		b.Run(fmt.Sprintf("encoded=%v", enc), func(b *testing.B) {
			c := converter(b)
			var peak uint64
			var pages int
			for b.Loop() {
				runtime.GC()
				s := sampleHeap(func() {
					res, err := c.Convert(context.Background(), []Input{BytesInput("long.pdf", data)}, Options{Resolution: faxtiff.Fine, Encoded: enc})
					if err != nil {
						b.Fatal(err)
					}
					pages = res.Len()
					runtime.KeepAlive(res)
				})
				peak = max(peak, s)
			}
			b.ReportMetric(float64(peak)/(1<<20), "MB-peak-heap")
			b.ReportMetric(float64(pages), "pages")
		})
	}
}

// sampleHeap runs fn and returns the peak of the heap in use while it
// ran, sampled every 2 ms.
func sampleHeap(fn func()) uint64 {
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64()+sample[1].Value.Uint64())
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	fn()
	close(stop)
	wg.Wait()
	return peak
}

// BenchmarkBinarize is the grey-to-bits step alone on a fine page of text
// and photograph.
func BenchmarkBinarize(b *testing.B) {
	g := newGray(1728, 2287)
	g.fillWhite()
	ph := toGray(benchPhoto(800, 1000, 1))
	newResampler(ph, false, 100, 100, 800, 1000).drawBand(context.Background(), g, 0)
	p := faxtiff.NewPage(1728, 2287, faxtiff.Fine)
	for b.Loop() {
		clear(p.Pix)
		binarize(g, thresholdRender, p)
	}
}

// TestCompareGhostscript converts the benchmark PDFs with Ghostscript's
// fax device and with Convert, alternately in the same run, and prints
// both throughputs. It writes PNG renders of page 1 of both for a visual
// comparison into $FAXGATE_BENCH_OUT (default: a temporary folder).
func TestCompareGhostscript(t *testing.T) {
	if os.Getenv("FAXGATE_BENCH_GS") == "" {
		t.Skip("set FAXGATE_BENCH_GS=1 to compare with Ghostscript")
	}
	gs := needGS(t)
	text, photos := benchFiles(t)
	out := os.Getenv("FAXGATE_BENCH_OUT")
	if out == "" {
		out = t.TempDir()
	}
	const rounds = 5
	for _, doc := range []struct {
		name string
		data []byte
	}{{"text-20p", text}, {"photo-5p", photos}} {
		in := filepath.Join(out, doc.name+".pdf")
		if err := os.WriteFile(in, doc.data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, rc := range compareConfigs() {
			workers := rc.Workers
			c, err := NewConverter(rc)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Warm(); err != nil {
				t.Fatal(err)
			}
			var ours, theirs time.Duration
			var oursCPU, theirsCPU time.Duration
			var pages int
			var first time.Duration
			var peak uint64
			for range rounds {
				gsOut := filepath.Join(out, doc.name+"-gs.tif")
				u0 := childCPU()
				t0 := time.Now()
				cmd := exec.Command(gs, "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=tiffg4", "-r204x196", "-sOutputFile="+gsOut, in)
				if b, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("gs: %v %s", err, b)
				}
				theirs += time.Since(t0)
				theirsCPU += childCPU() - u0
				// Our CPU includes mutool's (children, counted once waited).
				s0 := selfCPU() + childCPU()
				s := measure(t, c, doc.data, faxtiff.Fine)
				ours += s.total
				oursCPU += selfCPU() + childCPU() - s0
				pages, first, peak = s.pages, first+s.firstPage, max(peak, s.peakHeap)
			}
			res, _ := c.Convert(context.Background(), []Input{BytesInput(doc.name, doc.data)}, Options{Resolution: faxtiff.Fine})
			c.Close()
			png, _ := Preview(res.Pages[0])
			os.WriteFile(filepath.Join(out, fmt.Sprintf("%s-faxgate-%s-p1.png", doc.name, rendererName(rc))), png, 0o644)
			gsPages, err := faxtiff.ReadFile(filepath.Join(out, doc.name+"-gs.tif"))
			if err == nil {
				png, _ = Preview(gsPages[0])
				os.WriteFile(filepath.Join(out, fmt.Sprintf("%s-gs-p1.png", doc.name)), png, 0o644)
			}
			pps := func(d time.Duration) float64 { return float64(pages*rounds) / d.Seconds() }
			fmt.Printf("%-9s %-6s workers=%d  faxgate %6.1f pages/s (CPU %5.1f pages/s)  gs %6.1f pages/s (CPU %5.1f pages/s)  ratio %.2fx wall, %.2fx CPU; first page %v; peak heap %d MB\n",
				doc.name, rendererName(rc), workers, pps(ours), pps(oursCPU), pps(theirs), pps(theirsCPU), theirs.Seconds()/ours.Seconds(), theirsCPU.Seconds()/oursCPU.Seconds(),
				(first / rounds).Round(time.Millisecond), peak>>20)
		}
	}
	fmt.Println("renders in", out)
}

// compareConfigs are the converters compared with Ghostscript: PDFium
// alone and, when installed, mutool, each with one and two workers;
// $FAXGATE_BENCH_RENDERER=mutool (or pdfium) keeps only that renderer.
func compareConfigs() []Config {
	var out []Config
	only := os.Getenv("FAXGATE_BENCH_RENDERER") // "mutool" or "pdfium": only that one
	for _, r := range renderers {
		if r.mutool == "" && tool("", "mutool") == "" || only != "" && only != r.name {
			continue
		}
		out = append(out, Config{Workers: 1, MutoolPath: r.mutool, CompilationCacheDir: testCache}, Config{Workers: 2, MutoolPath: r.mutool, CompilationCacheDir: testCache})
	}
	return out
}

func rendererName(c Config) string {
	if c.MutoolPath == "-" {
		return "pdfium"
	}
	return "mutool"
}

// selfCPU and childCPU return user+system CPU time of this process and of
// its finished children.
func selfCPU() time.Duration  { return rusage(syscall.RUSAGE_SELF) }
func childCPU() time.Duration { return rusage(syscall.RUSAGE_CHILDREN) }

func rusage(who int) time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(who, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkBinarizeText is the grey-to-bits step on page 1 of the text
// benchmark PDF as PDFium renders it (fine).
func BenchmarkBinarizeText(b *testing.B) {
	text, _ := benchFiles(b)
	c := converter(b)
	rend, err := c.pdfRenderer()
	if err != nil {
		b.Fatal(err)
	}
	inst, release, err := rend.acquire(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	defer release()
	doc, err := openPDF(inst, bytes.NewReader(text), int64(len(text)), "")
	if err != nil {
		b.Fatal(err)
	}
	defer doc.close()
	lp, err := inst.FPDF_LoadPage(&requests.FPDF_LoadPage{Document: doc.doc, Index: 0})
	if err != nil {
		b.Fatal(err)
	}
	page := requests.Page{ByReference: &lp.Page}
	fit := fitSheet(210, 297, faxtiff.Fine)
	view, rel, err := renderPDFBand(context.Background(), inst, page, fit, 0, 0, fit.ch, time.Now().Add(time.Minute), time.Minute)
	if err != nil {
		b.Fatal(err)
	}
	g := &gray{w: view.w, h: view.h, stride: view.w, pix: make([]byte, view.w*view.h)}
	for y := range view.h {
		copy(g.row(y), view.row(y))
	}
	rel()
	p := faxtiff.NewPage(1728, g.h, faxtiff.Fine)
	for b.Loop() {
		clear(p.Pix)
		binarize(g, thresholdRender, p)
	}
}
