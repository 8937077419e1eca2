package faxout_test

import (
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"faxgate/internal/faxout"
	"faxgate/internal/model"
	"faxgate/internal/store/storetest"
)

// TestRealtimeCapacity (run with FAXGATE_BENCH=1; FAXGATE_RT_CALLS=N, default
// 8; FAXGATE_RT_T38=off for G.711 audio calls, whose modems cost far more
// CPU than T.38) measures how many concurrent real-time calls one node sustains on the
// test trunk: it submits N one-page faxes at once to a real-time test trunk
// with N channels (SQLite, River, the worker, the real engine on both ends
// paced by the wall clock) and reports whether every fax was delivered on
// its first try, the process CPU per call and in total, and how much longer
// the calls took than one call alone (a node that cannot keep up finishes
// its 20 ms audio steps late, which stretches calls until the far end's
// timers fail them).
func TestRealtimeCapacity(t *testing.T) {
	if os.Getenv("FAXGATE_BENCH") == "" {
		t.Skip("benchmark; set FAXGATE_BENCH=1")
	}
	n := 8
	if v, err := strconv.Atoi(os.Getenv("FAXGATE_RT_CALLS")); err == nil && v > 0 {
		n = v
	}
	e := benchEnv(t, storetest.OpenSQLite(t), n)
	e.ctx = t.Context()
	rt, t38 := model.SpeedRealtime, model.T38Request
	if os.Getenv("FAXGATE_RT_T38") == "off" {
		t38 = model.T38Off
	}
	if _, err := e.svc.UpdateTrunk(e.ctx, e.w.AdminActor, e.fast.ID, faxout.TrunkPatch{Speed: &rt, T38: &t38}); err != nil {
		t.Fatal(err)
	}
	doc := e.doc(t, e.w.UserA, 1)
	e.startJobs(t, e.svc, envOptions{workers: n + 4})

	alone := e.wait(t, e.submit(t, e.w.UserAActor, doc, "+12025550100", 0).ID, nil)
	if alone.Status != model.FaxDelivered {
		t.Fatalf("single call: %s %s", alone.Status, alone.ResultText)
	}
	base := callTime(alone)

	cpu0, start := processCPU(t), time.Now()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = e.submit(t, e.w.UserAActor, doc, "+12025550100", 0).ID
	}
	delivered, longest := 0, time.Duration(0)
	for _, id := range ids {
		f := e.wait(t, id, nil)
		if f.Status == model.FaxDelivered && len(f.Attempts) == 1 {
			delivered++
		} else {
			t.Errorf("fax %s: %s after %d calls: %s", id, f.Status, len(f.Attempts), f.ResultText)
		}
		longest = max(longest, callTime(f))
	}
	wall, cpu := time.Since(start), processCPU(t)-cpu0
	t.Logf("%d concurrent real-time %s calls (max %d at once): %d/%d delivered on the first try; one call alone "+
		"%v, longest of the batch %v (+%.1f %%); batch wall %v, process CPU %v (%.0f ms per call, %.2f cores busy), "+
		"peak RSS %d MB",
		n, alone.Attempts[0].Transport, e.lines.maxOn(e.fast.ID), delivered, n, base.Round(time.Millisecond), longest.Round(time.Millisecond),
		100*(longest.Seconds()/base.Seconds()-1), wall.Round(time.Millisecond), cpu.Round(time.Millisecond),
		float64(cpu.Milliseconds())/float64(n), cpu.Seconds()/wall.Seconds(), peakRSS(t)>>10)
}

// callTime is a delivered fax's call from answer to hang-up.
func callTime(f model.Fax) time.Duration {
	if len(f.Attempts) == 0 {
		return 0
	}
	a := f.Attempts[len(f.Attempts)-1]
	return a.EndedAt.Sub(a.AnsweredAt)
}

// processCPU is the process's user+system CPU time.
func processCPU(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS is the process's peak resident set size in KiB (Linux).
func peakRSS(t *testing.T) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return ru.Maxrss
}
