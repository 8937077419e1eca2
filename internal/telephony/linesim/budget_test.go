package linesim

import (
	"syscall"
	"testing"
	"time"

	"faxgate/internal/faxtiff"
	"faxgate/internal/telephony/linesim/testdoc"
)

// lineBudget returns the notes' rule of thumb for a V.17 14400 call,
// 15 s + Σ(bytes×8/14400 + perPage + perBlock × extra 64 KiB ECM blocks), and
// the pure line time Σ bytes×8/14400, with bytes the page's size as coded on
// the line. With ECM the line coding is T.6 (MMR), so the page's G4 size
// stands in for spandsp's image_size (t30.Result does not carry it).
func lineBudget(pages []*faxtiff.Page, perPage, perBlock time.Duration) (rule, line time.Duration) {
	rule = 15 * time.Second
	for _, p := range pages {
		n := len(faxtiff.EncodeG4(p))
		d := time.Duration(n) * 8 * time.Second / 14400
		line += d
		rule += d + perPage + perBlock*time.Duration((n-1)/65536)
	}
	return rule, line
}

// TestLineRateBudget compares the simulated call time with the line-rate
// limit: a call can never beat the bits at 14400 bit/s plus the answer-to-DCS
// skeleton (7.5 s), and should stay within 10 % of the rule of thumb for ECM:
// about 4.5 s per page instead of 2.9 s, plus about 5 s for every further
// 64 KiB ECM block of a page (another PPS/MCF round and retrain).
func TestLineRateBudget(t *testing.T) {
	for _, tr := range []Transport{T38, G711} {
		for _, n := range []int{1, 3} {
			f := fax{res: faxtiff.Fine, pages: n, ecm: true}
			t.Run(string(tr)+"-"+f.String(), func(t *testing.T) {
				if tr == G711 && n == 3 && testing.Short() {
					t.Skip("long call; runs without -short")
				}
				t.Parallel()
				o, tx, rx, rxFile := f.run(t, Config{Transport: tr, Redundancy: 3})
				requireDelivered(t, f, o, tx, rx, rxFile)
				pages := testdoc.Document(f.res, n, testdoc.Options{Seed: uint64(n)})
				rule29, line := lineBudget(pages, 2900*time.Millisecond, 0)
				ruleECM, _ := lineBudget(pages, 4500*time.Millisecond, 5*time.Second)
				t.Logf("%s %d fine page(s), ECM, %d bit/s: sim %.1f s; line time %.1f s; "+
					"15 s+Σ(bytes·8/14400+2.9 s) = %.1f s (sim/rule %.2f); ECM rule (4.5 s/page + 5 s/extra 64 KiB block) = %.1f s (sim/rule %.2f); page times %v",
					tr, n, tx.BitRate, o.SimTime.Seconds(), line.Seconds(), rule29.Seconds(), o.SimTime.Seconds()/rule29.Seconds(),
					ruleECM.Seconds(), o.SimTime.Seconds()/ruleECM.Seconds(), tx.PageTimes)
				if o.SimTime < line+7500*time.Millisecond {
					t.Errorf("call took %v, faster than the line allows (%v + 7.5 s)", o.SimTime, line)
				}
				if r := o.SimTime.Seconds() / ruleECM.Seconds(); r < 0.9 || r > 1.1 {
					t.Errorf("call took %v, %.2f × the ECM rule of thumb %v", o.SimTime, r, ruleECM)
				}
			})
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchmarkCall measures a 1-page fine ECM call on the simulated clock and
// reports the CPU it costs per minute of fax (call) time.
func benchmarkCall(b *testing.B, cfg Config) {
	f := fax{res: faxtiff.Fine, pages: 1, ecm: true}
	document(b, f.res, f.pages)
	var sim time.Duration
	calls := 0
	cpu0 := cpuTime()
	for b.Loop() {
		o, _, _, _ := f.run(b, cfg)
		if !o.OK() {
			b.Fatalf("call failed: %q", o.Failure())
		}
		sim += o.SimTime
		calls++
	}
	cpu := cpuTime() - cpu0
	b.ReportMetric(sim.Seconds()/float64(calls), "sim-s/call")
	b.ReportMetric(float64(cpu.Milliseconds())/sim.Minutes(), "cpu-ms/fax-min")
}

func BenchmarkCallT38(b *testing.B) { benchmarkCall(b, Config{Transport: T38, Redundancy: 3}) }

func BenchmarkCallG711(b *testing.B) { benchmarkCall(b, Config{Transport: G711, Law: PCMU}) }
