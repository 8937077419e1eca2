//go:build cgo

package t30

import (
	"syscall"
	"testing"
	"time"

	"faxgate/internal/faxtiff"
)

// cpuTime is the process's user+system CPU time.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchCall runs one complete 1-page fine ECM call per iteration on the
// simulated clock and reports CPU per simulated minute of fax (both ends,
// including writing the received TIFF).
func benchCall(b *testing.B, run runner, law string) {
	b.Run("validate", func(b *testing.B) { benchCallWith(b, run, law, false) })
	b.Run("prevalidated", func(b *testing.B) { benchCallWith(b, run, law, true) })
}

// benchCallWith runs benchCall's calls with Options.TxValidated set or
// not: the difference is the per-call cost of the session's own check.
func benchCallWith(b *testing.B, run runner, law string, validated bool) {
	path, _ := writeDoc(b, 1, faxtiff.Fine)
	co, ao, _ := sendRecv(b, true, path)
	co.ECM, ao.ECM = true, true
	co.TxValidated = validated
	var sim time.Duration
	b.ReportAllocs()
	cpu0 := cpuTime(b)
	for b.Loop() {
		c := run(b, co, ao, link{law: law})
		if !c.a.Result().OK || !c.b.Result().OK {
			b.Fatalf("%+v / %+v", c.a.Result(), c.b.Result())
		}
		c.a.Close()
		c.b.Close()
		sim += c.sim
	}
	cpu := cpuTime(b) - cpu0
	b.ReportMetric(float64(cpu.Microseconds())/1000/sim.Minutes(), "cpu-ms/fax-min")
	b.ReportMetric(sim.Seconds()/float64(b.N), "sim-s/call")
}

func BenchmarkT38Call(b *testing.B)   { benchCall(b, runT38, "") }
func BenchmarkAudioCall(b *testing.B) { benchCall(b, runAudio, "pcmu") }
