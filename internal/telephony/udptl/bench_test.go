package udptl

import "testing"

// The benchmarks use the largest IFP spandsp sends at 14400 bit/s (59
// octets: 54 octets of T.4 data per 30 ms) with depth 3, the common setup.

func BenchmarkEncode(b *testing.B) {
	ifp := t4IFP(54, 0x5a)
	b.Run("Encode", func(b *testing.B) {
		e := NewEncoder(EncoderConfig{Depth: 3})
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.Encode(ifp); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("AppendEncode", func(b *testing.B) {
		e := NewEncoder(EncoderConfig{Depth: 3})
		buf := make([]byte, 0, 512)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.AppendEncode(buf[:0], ifp); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("AppendEncodeFEC", func(b *testing.B) {
		e := NewEncoder(EncoderConfig{Mode: FEC})
		buf := make([]byte, 0, 512)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.AppendEncode(buf[:0], ifp); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDecode feeds datagrams with rising sequence numbers: the
// secondaries do not carry numbers, so templates are restamped.
func BenchmarkDecode(b *testing.B) {
	ifp := t4IFP(54, 0x5a)
	e := NewEncoder(EncoderConfig{Depth: 3})
	var tmpl [4][]byte
	for i := range 8 { // full depth from here on
		dg, _ := e.Encode(ifp)
		tmpl[i%4] = dg
	}
	run := func(b *testing.B, drop func(uint16) bool) {
		d := NewDecoder()
		b.ReportAllocs()
		seq := uint16(0)
		for b.Loop() {
			seq++
			if drop(seq) {
				continue
			}
			dg := tmpl[seq%4]
			dg[0], dg[1] = byte(seq>>8), byte(seq)
			if _, err := d.Decode(dg); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("InOrder", func(b *testing.B) { run(b, func(uint16) bool { return false }) })
	b.Run("Loss1in4", func(b *testing.B) { run(b, func(s uint16) bool { return s%4 == 1 }) })
	b.Run("Repeat3x", func(b *testing.B) {
		d := NewDecoder()
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			seq := uint16(n / 3)
			n++
			dg := tmpl[seq%4]
			dg[0], dg[1] = byte(seq>>8), byte(seq)
			if _, err := d.Decode(dg); err != nil {
				b.Fatal(err)
			}
		}
	})
}
