package rtp

import (
	"math"
	"testing"
	"time"
)

func TestSeqTracker(t *testing.T) {
	seqs := func(from, to int) []uint16 {
		var s []uint16
		for i := from; i <= to; i++ {
			s = append(s, uint16(i))
		}
		return s
	}
	cat := func(parts ...[]uint16) []uint16 {
		var s []uint16
		for _, p := range parts {
			s = append(s, p...)
		}
		return s
	}
	tests := []struct {
		name     string
		in       []uint16
		lost     int64
		verdicts map[seqVerdict]int
		extRange int64 // max - base + 1 at the end
	}{
		{"in order", seqs(1, 10), 0, map[seqVerdict]int{seqFresh: 10}, 10},
		{"wrap-around", seqs(65530, 65545), 0, map[seqVerdict]int{seqFresh: 16}, 16},
		{"loss across the wrap", cat(seqs(65530, 65534), seqs(65537, 65540)), 2, map[seqVerdict]int{seqFresh: 9}, 11},
		{"reordered", []uint16{1, 2, 4, 3, 5}, 0, map[seqVerdict]int{seqFresh: 4, seqReordered: 1}, 5},
		{"reordered across the wrap", []uint16{65534, 0, 65535, 1}, 0, map[seqVerdict]int{seqFresh: 3, seqReordered: 1}, 4},
		{"loss, then one of them late", []uint16{1, 2, 5, 6, 3}, 1, map[seqVerdict]int{seqFresh: 4, seqReordered: 1}, 6},
		{"duplicates", []uint16{1, 2, 2, 1, 3, 3}, 0, map[seqVerdict]int{seqFresh: 3, seqDuplicate: 3}, 3},
		{"reordered before the first", []uint16{10, 9, 11}, 0, map[seqVerdict]int{seqFresh: 2, seqReordered: 1}, 3},
		{"too old to tell", cat(seqs(1, 100), []uint16{20}), 0, map[seqVerdict]int{seqFresh: 100, seqTooOld: 1}, 100},
		{"big jump confirmed: restart keeps earlier loss", cat([]uint16{1, 2, 4}, []uint16{9000, 9001, 9002}), 1,
			map[seqVerdict]int{seqFresh: 4, seqProbation: 1, seqRestart: 1}, 2},
		{"lone stray jump is ignored", cat(seqs(1, 5), []uint16{40000}, seqs(6, 8)), 0,
			map[seqVerdict]int{seqFresh: 8, seqProbation: 1}, 8},
		{"backward restart", cat(seqs(1000, 1010), seqs(200, 203)), 0,
			map[seqVerdict]int{seqFresh: 13, seqProbation: 1, seqRestart: 1}, 3},
	}
	for _, tt := range tests {
		var s seqTracker
		got := map[seqVerdict]int{}
		for _, q := range tt.in {
			got[s.update(q)]++
		}
		if s.lost() != tt.lost || s.max-s.base+1 != tt.extRange {
			t.Errorf("%s: lost %d range %d, want %d %d", tt.name, s.lost(), s.max-s.base+1, tt.lost, tt.extRange)
		}
		for v, n := range tt.verdicts {
			if got[v] != n {
				t.Errorf("%s: %d of verdict %d, want %d (all %v)", tt.name, got[v], v, n, got)
			}
		}
	}
}

// TestJitterWorkedExample computes RFC 3550 A.8 jitter for packets sent
// every 20 ms (160 units) and arriving at 0, 20, 45, 60, 80 and 110 ms:
//
//	arrival (units)   0  160  360  480  640  880
//	transit           0    0   40    0    0   80
//	|D|                    0   40   40    0   80
//	J*16 (A.8 code)   0    0   40   77   72  147   -> J = 147>>4 = 9 units
//
// The real-valued recurrence J += (|D|-J)/16 gives 9.257; the RFC's
// integer code truncates to 9 units, 1.125 ms.
func TestJitterWorkedExample(t *testing.T) {
	arrivalsMS := []int{0, 20, 45, 60, 80, 110}
	s := newTestSession(t, Config{Comedia: ComediaOff})
	base := time.Unix(1000, 0)
	var j jitter
	var want []uint32
	real := 0.0
	for i, ms := range arrivalsMS {
		ts := uint32(5000 + 160*i)
		if err := s.Push(mk(uint16(i), ts, 0x1234, PTPCMU, 160), farAddr, base.Add(time.Duration(ms)*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		j.update(uint32(ms*8), ts)
		want = append(want, j.scaled)
		if i > 0 {
			d := math.Abs(float64((ms*8 - arrivalsMS[i-1]*8) - 160))
			real += (d - real) / 16
		}
	}
	if got := []uint32{0, 0, 40, 77, 72, 147}; !equalU32(want, got) {
		t.Errorf("scaled jitter steps %v, want %v", want, got)
	}
	st := s.Stats()
	if st.JitterUnits != 9 || st.Jitter != 1125*time.Microsecond {
		t.Errorf("jitter %d units / %v, want 9 / 1.125ms", st.JitterUnits, st.Jitter)
	}
	if math.Abs(real-9.257) > 0.001 || math.Abs(real-float64(st.JitterUnits)) >= 1 {
		t.Errorf("real-valued jitter %.3f, integer %d", real, st.JitterUnits)
	}
}

func equalU32(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
