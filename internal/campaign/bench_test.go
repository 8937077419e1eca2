package campaign_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"faxgate/internal/campaign"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
)

// genCSV streams a CSV file of n contacts (numbers from offset on) without
// ever holding it in memory.
type genCSV struct {
	i, n, offset int
	buf          []byte
	header       bool
}

func newGenCSV(n, offset int) *genCSV { return &genCSV{n: n, offset: offset} }

func (g *genCSV) Read(p []byte) (int, error) {
	for len(g.buf) < len(p) && (g.i < g.n || !g.header) {
		if !g.header {
			g.buf = append(g.buf, "First Name,Last Name,Fax Number,E-mail,Company,Notes\n"...)
			g.header = true
			continue
		}
		k := g.i + g.offset
		g.buf = fmt.Appendf(g.buf, "First%d,\"Last, %d\",%s,user%d@example.org,Company %d,note %d\n", k, k, fax(k), k, k%97, k)
		g.i++
	}
	if len(g.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.buf)
	g.buf = g.buf[:copy(g.buf, g.buf[n:])]
	return n, nil
}

// heapPeak samples the live heap every few milliseconds until stopped.
type heapPeak struct {
	mu   sync.Mutex
	peak uint64
	stop chan struct{}
	done chan struct{}
}

func startHeapPeak() *heapPeak {
	runtime.GC()
	h := &heapPeak{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			h.sample()
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	}()
	return h
}

func (h *heapPeak) sample() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	h.mu.Lock()
	h.peak = max(h.peak, m.HeapAlloc)
	h.mu.Unlock()
}

// Stop returns the peak HeapAlloc in MiB.
func (h *heapPeak) Stop() float64 {
	close(h.stop)
	<-h.done
	h.sample()
	return float64(h.peak) / (1 << 20)
}

type benchEngine struct {
	name string
	open func(testing.TB) *store.Store
}

func benchEngines() []benchEngine {
	out := []benchEngine{{"sqlite", func(t testing.TB) *store.Store { return storetest.OpenSQLite(t) }}}
	if dsn := os.Getenv(storetest.EnvPostgres); dsn != "" {
		out = append(out, benchEngine{"postgres", func(t testing.TB) *store.Store { return storetest.OpenPostgres(t, dsn) }})
	}
	return out
}

// runImport imports n generated rows into a new group and returns the
// result, rows per second and peak heap (MiB).
func runImport(tb testing.TB, e *env, n, offset int, name string) (campaign.ImportResult, float64, float64) {
	tb.Helper()
	g, err := e.svc.CreateGroup(ctx(tb), e.userA, campaign.GroupInput{Name: name})
	if err != nil {
		tb.Fatal(err)
	}
	c, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	h := startHeapPeak()
	start := time.Now()
	res, err := e.svc.ImportGroupCSV(c, e.userA, g.ID, newGenCSV(n, offset), campaign.ImportOptions{})
	elapsed := time.Since(start)
	peak := h.Stop()
	if err != nil {
		tb.Fatal(err)
	}
	if res.Imported != n || res.Invalid != 0 {
		tb.Fatalf("imported %d of %d (%d invalid: %v)", res.Imported, n, res.Invalid, res.Errors)
	}
	return res, float64(n) / elapsed.Seconds(), peak
}

// BenchmarkImport100k imports 100,000 generated contacts per iteration
// (new numbers each time) and reports rows/s and the peak live heap.
//
//	go test ./internal/campaign -run '^$' -bench Import100k -benchtime 1x
func BenchmarkImport100k(b *testing.B) {
	for _, eng := range benchEngines() {
		b.Run(eng.name, func(b *testing.B) {
			e := newEnv(b, eng.open(b))
			const n = 100_000
			var rate, peak float64
			i := 0
			for b.Loop() {
				_, r, p := runImport(b, e, n, i*n, fmt.Sprintf("bench %d", i))
				rate, peak = rate+r, max(peak, p)
				i++
			}
			b.ReportMetric(rate/float64(i), "rows/s")
			b.ReportMetric(peak, "peak-heap-MiB")
		})
	}
}

// TestImportMillion imports 1,000,000 rows (FAXGATE_BENCH_MILLION=1) and
// checks the live heap stays bounded.
//
//	FAXGATE_BENCH_MILLION=1 go test ./internal/campaign -run ImportMillion -v -timeout 30m
func TestImportMillion(t *testing.T) {
	if os.Getenv("FAXGATE_BENCH_MILLION") != "1" {
		t.Skip("set FAXGATE_BENCH_MILLION=1 to import 1,000,000 rows")
	}
	for _, eng := range benchEngines() {
		t.Run(eng.name, func(t *testing.T) {
			e := newEnv(t, eng.open(t))
			const n = 1_000_000
			res, rate, peak := runImport(t, e, n, 0, "million")
			t.Logf("%s: %d rows imported, %.0f rows/s, peak heap %.1f MiB", eng.name, res.Imported, rate, peak)
			if peak > 64 {
				t.Errorf("peak heap %.1f MiB, want bounded (< 64 MiB)", peak)
			}
		})
	}
}
