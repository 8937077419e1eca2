package linesim

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string // "" = valid; else a part of the error
	}{
		{"t38", Config{Transport: T38}, ""},
		{"g711 pcma", Config{Transport: G711, Law: PCMA, Loss: 0.5}, ""},
		{"no transport", Config{}, "transport not set"},
		{"bad transport", Config{Transport: "rtp"}, `unknown transport "rtp"`},
		{"bad law", Config{Transport: G711, Law: "g722"}, `unknown G.711 law "g722"`},
		{"loss 1", Config{Transport: T38, Loss: 1}, "out of range"},
		{"loss negative", Config{Transport: T38, Loss: -0.1}, "out of range"},
		{"loss NaN", Config{Transport: T38, Loss: math.NaN()}, "out of range"},
		{"negative delay", Config{Transport: T38, Delay: -time.Millisecond}, "negative duration"},
		{"negative redundancy", Config{Transport: T38, Redundancy: -1}, "negative redundancy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// TestLineLossRate checks the seeded loss draw: the rate converges on the
// configured one and the same seed repeats the same pattern.
func TestLineLossRate(t *testing.T) {
	for _, loss := range []float64{0, 0.01, 0.1, 0.5} {
		pattern := func(seed int64) (int, string) {
			l := newLine(Config{Loss: loss, Seed: seed})
			var b strings.Builder
			for range 20000 {
				if l.send(100) {
					b.WriteByte('.')
				} else {
					b.WriteByte('x')
				}
			}
			return l.lost, b.String()
		}
		lost, p1 := pattern(1)
		_, p2 := pattern(1)
		_, p3 := pattern(2)
		if p1 != p2 {
			t.Errorf("loss %v: same seed, different loss pattern", loss)
		}
		if loss > 0 && p1 == p3 {
			t.Errorf("loss %v: seeds 1 and 2 gave the same pattern", loss)
		}
		if got := float64(lost) / 20000; math.Abs(got-loss) > 0.01 {
			t.Errorf("loss %v: measured %v", loss, got)
		}
	}
}

// TestDatagramLineOrder checks delivery times and that jitter reorders
// datagrams while equal arrival times keep the send order.
func TestDatagramLineOrder(t *testing.T) {
	t.Run("fixed delay keeps order", func(t *testing.T) {
		d := datagramLine{line: newLine(Config{Delay: 50 * time.Millisecond})}
		for i := range 5 {
			d.put(0, 1, []byte{byte(i)})
		}
		if _, ok := d.arrived(49 * time.Millisecond); ok {
			t.Fatal("datagram arrived before the line delay")
		}
		for i := range 5 {
			dg, ok := d.arrived(50 * time.Millisecond)
			if !ok || dg.b[0] != byte(i) || dg.to != 1 {
				t.Fatalf("arrival %d: %+v %v", i, dg, ok)
			}
		}
	})
	t.Run("jitter reorders within bounds", func(t *testing.T) {
		const delay, jitter = 40 * time.Millisecond, 60 * time.Millisecond
		d := datagramLine{line: newLine(Config{Delay: delay, Jitter: jitter, Seed: 3})}
		for i := range 200 {
			d.put(time.Duration(i)*10*time.Millisecond, 0, []byte{byte(i)})
		}
		reordered, last := 0, -1
		for now := time.Duration(0); now < 3*time.Second; now += step {
			for {
				dg, ok := d.arrived(now)
				if !ok {
					break
				}
				sent := time.Duration(dg.b[0]) * 10 * time.Millisecond
				if lat := dg.due - sent; lat < delay || lat >= delay+jitter {
					t.Fatalf("latency %v outside [%v, %v)", lat, delay, delay+jitter)
				}
				if dg.due > now || now-dg.due >= step {
					t.Fatalf("delivered at %v, due %v", now, dg.due)
				}
				if int(dg.b[0]) < last {
					reordered++
				}
				last = max(last, int(dg.b[0]))
			}
		}
		if reordered == 0 {
			t.Error("60 ms of jitter on a 10 ms packet stream reordered nothing")
		}
	})
}

// TestFrameLinePlayout checks the G.711 playout buffer: the delay in frames,
// lost and late frames, and the ring reuse.
func TestFrameLinePlayout(t *testing.T) {
	tests := []struct {
		name                 string
		cfg                  Config
		playout              int64
		wantLate, wantMissed bool
	}{
		{"no delay plays the same frame", Config{}, 0, false, false},
		{"delay rounds up to frames", Config{Delay: 30 * time.Millisecond}, 2, false, false},
		{"jitter within the buffer", Config{Delay: 40 * time.Millisecond, Jitter: 40 * time.Millisecond}, 4, false, false},
		{"buffer smaller than jitter", Config{Jitter: 100 * time.Millisecond, JitterBuffer: 20 * time.Millisecond, Seed: 1}, 1, true, true},
		{"loss", Config{Loss: 0.2, Seed: 1}, 0, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Transport = G711
			cfg, err := tt.cfg.withDefaults()
			if err != nil {
				t.Fatal(err)
			}
			fl := newFrameLine(cfg, 4)
			if fl.playout != tt.playout {
				t.Fatalf("playout %d frames, want %d", fl.playout, tt.playout)
			}
			const frames = 500
			missed := 0
			// Send 500 frames, then keep playing until every one was due.
			for f := int64(0); f < frames+fl.playout; f++ {
				if f < frames {
					fl.put(1, f, 4, func(dst []byte) { dst[0] = byte(f) })
				}
				got := fl.take(1, f)
				k := f - fl.playout
				switch {
				case k < 0:
					if got != nil {
						t.Fatalf("frame %d: something played before the first frame could arrive", f)
					}
				case got == nil:
					missed++
				case got[0] != byte(k):
					t.Fatalf("slot %d: played frame %d, want %d", f, got[0], byte(k))
				}
			}
			if (fl.late > 0) != tt.wantLate || (missed > 0) != tt.wantMissed {
				t.Errorf("late %d, missed %d; want late %v, missed %v", fl.late, missed, tt.wantLate, tt.wantMissed)
			}
			if missed != fl.lost+fl.late || fl.packets != frames {
				t.Errorf("sent %d, lost %d + late %d, but %d frames were missing at playout", fl.packets, fl.lost, fl.late, missed)
			}
		})
	}
}

func TestLagHistogram(t *testing.T) {
	var h lagHistogram
	if h.quantile(0.99) != 0 {
		t.Error("empty histogram has a quantile")
	}
	for i := range 1000 {
		h.add(time.Duration(i%10) * time.Millisecond) // 0..9 ms, 100 each
	}
	h.add(5 * time.Second)
	if got := h.quantile(0.5); got != 5*time.Millisecond {
		t.Errorf("p50 %v, want 5ms", got)
	}
	if got := h.quantile(0.99); got != 9*time.Millisecond {
		t.Errorf("p99 %v, want 9ms", got)
	}
	if got := h.quantile(1); got != 63*time.Millisecond || h.max != 5*time.Second {
		t.Errorf("p100 %v, max %v", got, h.max)
	}
}
