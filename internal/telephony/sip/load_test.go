package sip

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"faxgate/internal/telephony/sip/media"
)

// TestLoad places FAXGATE_SIP_LOAD concurrent one-page fax calls from one
// UA to another over 127.0.0.1 (T.38, or G.711 with
// FAXGATE_SIP_LOAD_TRANSPORT=g711), started at FAXGATE_SIP_LOAD_RATE calls
// per second (default 20), and reports how many completed, the CPU used and
// the worst media clock lag. It is the benchmark of docs/benchmarks.md and
// is skipped unless FAXGATE_SIP_LOAD is set:
//
//	FAXGATE_SIP_LOAD=100 go test -count=1 -run TestLoad -v ./internal/telephony/sip/
func TestLoad(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("FAXGATE_SIP_LOAD"))
	if n <= 0 {
		t.Skip("set FAXGATE_SIP_LOAD=N to run N concurrent calls")
	}
	rate := 20.0
	if v, err := strconv.ParseFloat(os.Getenv("FAXGATE_SIP_LOAD_RATE"), 64); err == nil && v > 0 {
		rate = v
	}
	pol := policy(T38Request)
	want := media.T38
	if os.Getenv("FAXGATE_SIP_LOAD_TRANSPORT") == "g711" {
		pol, want = policy(T38Off), media.G711
	}
	b := startReceiver(t, pol, Config{})
	b.results = make(chan CallResult, n)
	a := startUA(t, "A", Config{})
	file := testDocument(t)

	cpu0, start := cpuTime(), time.Now()
	var wg sync.WaitGroup
	res := make([]CallResult, n)
	setup := make([]time.Duration, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := dialB(b.ua, file, pol)
			d.Timeout = time.Minute
			t0 := time.Now()
			d.Progress = func(e Event) {
				if e.Kind == EventAnswered {
					setup[i] = time.Since(t0)
				}
			}
			r, err := a.SendFax(context.Background(), d)
			if err != nil {
				t.Errorf("call %d: %v", i, err)
			}
			res[i] = r
		}()
		time.Sleep(time.Duration(float64(time.Second) / rate))
	}
	wg.Wait()
	wall, cpu := time.Since(start), cpuTime()-cpu0
	ok, lag, maxSetup, slowest := 0, time.Duration(0), time.Duration(0), time.Duration(0)
	for i, r := range res {
		if r.OK() && r.Transport == want {
			ok++
		} else {
			t.Logf("call %d: %s", i, describe(r))
		}
		lag, maxSetup = max(lag, r.MaxLag), max(maxSetup, setup[i])
		slowest = max(slowest, r.EndedAt.Sub(r.StartedAt))
	}
	for range n { // B's results, for its lag
		select {
		case r := <-b.results:
			lag = max(lag, r.MaxLag)
		case <-time.After(30 * time.Second):
		}
	}
	t.Logf("%d/%d calls OK over %s; wall %v (slowest call %v, worst answer %v); CPU %v (%.1f%% of one core, "+
		"%.1f ms per call, both ends); worst media clock lag %v",
		ok, n, want, wall.Round(time.Second), slowest.Round(100*time.Millisecond), maxSetup.Round(time.Millisecond),
		cpu.Round(10*time.Millisecond), 100*cpu.Seconds()/wall.Seconds(), float64(cpu.Milliseconds())/float64(n), lag)
	fmt.Fprintf(os.Stderr, "LOAD n=%d transport=%s ok=%d wall=%v cpu=%v lag=%v\n", n, want, ok, wall.Round(time.Second),
		cpu.Round(10*time.Millisecond), lag)
	if ok != n {
		t.Errorf("%d of %d calls failed", n-ok, n)
	}
}

// cpuTime is this process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
