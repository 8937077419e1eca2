package rtp

import (
	"testing"
	"time"
)

// The benchmarks use a 20 ms G.711 packet (12 + 160 octets), what a fax
// call sends and receives 50 times a second in each direction.

func BenchmarkRTPEncode(b *testing.B) {
	s, _ := NewSession(Config{})
	payload := make([]byte, FrameSamples)
	buf := make([]byte, 0, MaxPacketSize)
	b.SetBytes(HeaderSize + FrameSamples)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.AppendPacket(buf[:0], payload); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRTPDecode(b *testing.B) {
	wire := mk(1, 160, 0xabc, PTPCMU, FrameSamples)
	var p Packet
	b.SetBytes(int64(len(wire)))
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Unmarshal(wire); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSessionPushPop is the whole receive path per 20 ms: parse,
// SSRC/sequence/jitter bookkeeping, buffer write, and one Pop.
func BenchmarkSessionPushPop(b *testing.B) {
	s, _ := NewSession(Config{Comedia: ComediaOff})
	const n = 1 << 12
	wires := make([][]byte, n)
	for i := range wires {
		wires[i] = mk(uint16(i), uint32(i*FrameSamples), 0xabc, PTPCMU, FrameSamples)
	}
	base := time.Unix(0, 0)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		// Rewrite the sequence number and timestamp so the stream goes on
		// for as long as the benchmark runs.
		w := wires[i%n]
		seq, ts := uint16(i), uint32(i*FrameSamples)
		w[2], w[3] = byte(seq>>8), byte(seq)
		w[4], w[5], w[6], w[7] = byte(ts>>24), byte(ts>>16), byte(ts>>8), byte(ts)
		now := base.Add(time.Duration(i) * 20 * time.Millisecond)
		if err := s.Push(w, farAddr, now); err != nil {
			b.Fatal(err)
		}
		s.Pop(now)
		i++
	}
	if st := s.Stats(); st.FillIns > 4 {
		b.Fatalf("fill-ins %d: %+v", st.FillIns, st)
	}
}
