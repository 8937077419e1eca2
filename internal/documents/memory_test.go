package documents_test

import (
	"bytes"
	"fmt"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"faxgate/internal/documents"
	"faxgate/internal/model"
	"faxgate/internal/store/storetest"
)

// workerPeakHeapLimit bounds the Go heap while the worker converts the
// 200-page text document below: measured 45 MB with the pages held
// T.6-coded, 200 MB when they were held as pixels (494 KB a fine page).
// The bound leaves room for garbage the collector has not reached yet.
const workerPeakHeapLimit = 100 << 20

// TestWorkerPeakHeap runs the conversion worker by hand on a 200-page text
// document at fine quality (the default page limit) and holds the peak of
// the Go heap to workerPeakHeapLimit; -v logs the figure
// (docs/benchmarks.md). The thumbnails the worker made from the coded
// pages must equal those rendered later from the stored file. SQLite only: the memory is the conversion's, not
// the database's, and the worker's paths on PostgreSQL are covered by
// TestWorkerIdempotent. Not in -short mode (several seconds).
func TestWorkerPeakHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("converts 200 pages")
	}
	e := newEnv(t, storetest.OpenSQLite(t), envOpt{noStart: true})
	d := e.create(t, e.w.TenantAActor, "long", model.QualityFine, upload("long.txt", "text/plain", longText(200)))
	runtime.GC()
	start := time.Now()
	var werr error
	peak := sampleHeap(func() { werr = e.worker.Work(t.Context(), job(d, d.Revision, 1)) })
	took := time.Since(start)
	if werr != nil {
		t.Fatalf("Work: %v", werr)
	}
	got, err := e.svc.Get(t.Context(), e.w.AdminActor, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != model.DocumentReady || got.Pages != 200 {
		t.Fatalf("document after Work: status %s, %d pages (%s); want ready, 200", got.Status, got.Pages, got.Error)
	}
	// The worker stored the thumbnails, from the coded pages; they are the
	// ones rendered later from the stored TIFF-F (one pass renders all).
	byWorker := map[int][]byte{}
	for _, n := range []int{1, 137, 200} {
		key := fmt.Sprintf("t/%s/doc/%s/r%d/thumb-%03d.png", d.TenantID, d.ID, d.Revision, n)
		if !e.blobExists(t, key) {
			t.Fatalf("thumbnail of page %d not stored by the worker", n)
		}
		byWorker[n] = e.thumbnail(t, got, n)
		if err := e.blobs.Delete(t.Context(), key); err != nil {
			t.Fatal(err)
		}
	}
	for n, b := range byWorker {
		if !bytes.Equal(b, e.thumbnail(t, got, n)) {
			t.Errorf("thumbnail of page %d: the worker's differs from the one rendered from the stored pages", n)
		}
	}
	t.Logf("200 fine text pages through the worker: peak heap %.0f MB, %s", float64(peak)/(1<<20), took.Round(time.Millisecond))
	if peak > workerPeakHeapLimit {
		t.Errorf("peak heap %d MB, want at most %d MB", peak>>20, workerPeakHeapLimit>>20)
	}
}

// thumbnail reads the PNG thumbnail of page n of d.
func (e *env) thumbnail(t *testing.T, d model.Document, n int) []byte {
	t.Helper()
	f, err := e.svc.PageImage(t.Context(), e.w.TenantAActor, d.ID, n, documents.Thumbnail)
	if err != nil {
		t.Fatalf("thumbnail of page %d: %v", n, err)
	}
	return readAll(t, f)
}

// longText is a plain text file of n pages of dense text, one form feed
// between pages.
func longText(n int) []byte {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte('\f')
		}
		fmt.Fprintf(&b, "Page %d of the memory test document\n\n", i+1)
		for l := range 55 {
			fmt.Fprintf(&b, "%d. The quick brown fox jumps over the lazy dog; pack my box with five dozen jugs.\n", l+1)
		}
	}
	return []byte(b.String())
}

// sampleHeap runs fn and returns the peak of the heap in use while it ran
// (live objects and garbage not yet collected), sampled every 2 ms through
// runtime/metrics, which does not stop the world.
func sampleHeap(fn func()) uint64 {
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
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
	})
	fn()
	close(stop)
	wg.Wait()
	return peak
}
