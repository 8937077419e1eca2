package faxout

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"faxgate/internal/document/cover"
	"faxgate/internal/faxtiff"
)

// typedPage is a fine A4 page that codes like typed text: 60 lines of
// words made of letter-sized strokes, seeded by i.
func typedPage(i int) *faxtiff.Page {
	p := faxtiff.NewPage(1728, faxtiff.Fine.A4Rows(), faxtiff.Fine)
	rng := rand.New(rand.NewPCG(uint64(i), 7))
	for line := range 60 {
		y0 := 120 + line*35
		for x := 160; x < 1560; {
			word := 3 + rng.IntN(8)
			for range word {
				h := 14 + rng.IntN(10)
				for y := y0 + 24 - h; y < y0+24; y++ {
					for dx := range 3 {
						p.SetBlack(x+dx, y, true)
					}
					if rng.IntN(4) == 0 {
						p.SetBlack(x+3+rng.IntN(9), y, true)
					}
				}
				x += 17
			}
			x += 17
		}
	}
	return p
}

// writeDoc writes n typed pages as a TIFF-F document and returns its path.
func writeDoc(t testing.TB, n int) string {
	t.Helper()
	enc := make([]*faxtiff.Encoded, n)
	for i := range n {
		enc[i] = faxtiff.Encode(typedPage(i % 10))
	}
	path := filepath.Join(t.TempDir(), "doc.tif")
	if err := faxtiff.WriteEncodedFile(path, enc); err != nil {
		t.Fatal(err)
	}
	return path
}

func renderCover(pages int, res faxtiff.Resolution) (*faxtiff.Page, error) {
	return cover.Render(cover.Cover{CompanyName: "Acme", ToFax: "+1 202 555 0199", Subject: "Invoices",
		Pages: pages, Date: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)}, res, cover.A4)
}

// TestWriteWithCover: the cover comes first, drawn for the document's
// page count and resolution; the document's pages follow with their T.6
// strips copied byte for byte.
func TestWriteWithCover(t *testing.T) {
	doc := writeDoc(t, 5)
	out := filepath.Join(t.TempDir(), "send.tif")
	var drawn *faxtiff.Page
	n, err := writeWithCover(context.Background(), doc, out, func(pages int, res faxtiff.Resolution) (*faxtiff.Page, error) {
		if pages != 5 || res != faxtiff.Fine {
			t.Errorf("cover asked for %d pages at %v, want 5 at fine", pages, res)
		}
		p, err := renderCover(pages, res)
		drawn = p
		return p, err
	})
	if err != nil || n != 6 {
		t.Fatalf("writeWithCover: %d pages, %v", n, err)
	}
	if _, err := faxtiff.Validate(out); err != nil {
		t.Fatalf("the file with the cover is not valid TIFF-F: %v", err)
	}
	strips := func(path string) [][]byte {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var s [][]byte
		if err := faxtiff.ReadEachRaw(bytes.NewReader(b), int64(len(b)), func(_ int, p *faxtiff.RawPage) error {
			e, ok := p.G4()
			if !ok {
				t.Fatal("a page is not one T.6 strip")
			}
			s = append(s, e.Data)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return s
	}
	got, want := strips(out), strips(doc)
	if len(got) != 6 {
		t.Fatalf("%d pages written", len(got))
	}
	for i := range want {
		if !bytes.Equal(got[i+1], want[i]) {
			t.Errorf("page %d: strip not copied as stored", i+1)
		}
	}
	pages, err := faxtiff.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if d := faxtiff.Equal(pages[0], drawn); d != 0 {
		t.Errorf("the first page differs from the cover in %d pixels", d)
	}
}

// TestWriteWithCoverRecoded: pages stored otherwise (T.4, or T.6 in
// FillOrder 2 and big-endian order) are decoded and coded again, page by
// page; a missing or broken document is an error and no file is left
// half-written for the caller to send.
func TestWriteWithCoverRecoded(t *testing.T) {
	for _, name := range []string{"gs-g3.tif", "libtiff-g4-lsb-mm.tif"} {
		src := filepath.Join("..", "faxtiff", "testdata", name)
		in, err := faxtiff.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(t.TempDir(), "send.tif")
		n, err := writeWithCover(context.Background(), src, out, renderCover)
		if err != nil || n != len(in)+1 {
			t.Fatalf("%s: %d pages, %v", name, n, err)
		}
		back, err := faxtiff.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		for i := range in {
			if d := faxtiff.Equal(back[i+1], in[i]); d != 0 {
				t.Errorf("%s page %d: %d pixels differ", name, i+1, d)
			}
		}
	}
	out := filepath.Join(t.TempDir(), "send.tif")
	if _, err := writeWithCover(context.Background(), filepath.Join(t.TempDir(), "none.tif"), out, renderCover); err == nil {
		t.Error("a missing document gave no error")
	}
	junk := filepath.Join(t.TempDir(), "junk.tif")
	os.WriteFile(junk, []byte("II*\x00junk"), 0o644)
	if _, err := writeWithCover(context.Background(), junk, out, renderCover); err == nil {
		t.Error("a broken document gave no error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := writeWithCover(ctx, writeDoc(t, 2), out, renderCover); err == nil {
		t.Error("a cancelled context gave no error")
	}
}

// TestWriteWithCoverMemory: putting a cover in front of 60 fine pages
// allocates the cover, one page at a time and the strips' bytes, not
// the document's pixels (60 × 494 KB = 29 MB, which decoding every page
// allocated).
func TestWriteWithCoverMemory(t *testing.T) {
	const n = 60
	doc := writeDoc(t, n)
	st, _ := os.Stat(doc)
	out := filepath.Join(t.TempDir(), "send.tif")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if _, err := writeWithCover(context.Background(), doc, out, renderCover); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	// The cover: 4 MB of coverage and its page; the strips: the file's
	// size; some slack for buffers.
	limit := uint64(2*st.Size()) + 16<<20
	t.Logf("%d pages, %.1f MB file: %.1f MB allocated", n, float64(st.Size())/1e6, float64(alloc)/1e6)
	if alloc > limit {
		t.Errorf("%.1f MB allocated for a %.1f MB document: pages decoded?", float64(alloc)/1e6, float64(st.Size())/1e6)
	}
}

// BenchmarkCoverPrepend: a cover page in front of 200 fine pages, as
// sending did it before (every page decoded, then all coded again) and
// as it does now (strips copied). peak-heap-MB is the largest live heap
// seen by a sampler every 200 µs (runtime/metrics), alloc-MB/op what
// one run allocates.
func BenchmarkCoverPrepend(b *testing.B) {
	doc := writeDoc(b, 200)
	out := filepath.Join(b.TempDir(), "send.tif")
	decodeAll := func() error {
		pages, err := faxtiff.ReadFile(doc)
		if err != nil {
			return err
		}
		page, err := renderCover(len(pages), pages[0].Resolution())
		if err != nil {
			return err
		}
		return faxtiff.WriteFile(out, append([]*faxtiff.Page{page}, pages...))
	}
	stream := func() error {
		_, err := writeWithCover(context.Background(), doc, out, renderCover)
		return err
	}
	for _, bc := range []struct {
		name string
		fn   func() error
	}{{"decode-all", decodeAll}, {"stream", stream}} {
		b.Run(bc.name, func(b *testing.B) {
			runtime.GC()
			peak := samplePeakHeap()
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			for b.Loop() {
				if err := bc.fn(); err != nil {
					b.Fatal(err)
				}
			}
			runtime.ReadMemStats(&ms1)
			b.ReportMetric(float64(peak())/1e6, "peak-heap-MB")
			b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/float64(b.N)/1e6, "alloc-MB/op")
		})
	}
}

// samplePeakHeap starts sampling the live heap; the function it returns
// stops and returns the largest value seen.
func samplePeakHeap() func() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(200 * time.Microsecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	})
	return func() uint64 {
		close(stop)
		wg.Wait()
		return peak
	}
}
