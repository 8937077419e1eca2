package udptl

import (
	"bytes"
	"errors"
	"testing"
)

func TestEncoderConfigDefaults(t *testing.T) {
	tests := []struct {
		in, want EncoderConfig
	}{
		{EncoderConfig{}, EncoderConfig{Depth: 3, FECSpan: 3, FECEntries: 3}},
		{EncoderConfig{Depth: -1}, EncoderConfig{Depth: 0, FECSpan: 3, FECEntries: 3}},
		{EncoderConfig{Depth: 99, MaxDatagram: -5}, EncoderConfig{Depth: MaxDepth, FECSpan: 3, FECEntries: 3}},
		{EncoderConfig{Mode: FEC, FECSpan: 10, FECEntries: 10}, EncoderConfig{Mode: FEC, Depth: 3, FECSpan: 10, FECEntries: 3}},
		{EncoderConfig{Mode: FEC, FECSpan: 100, FECEntries: 1}, EncoderConfig{Mode: FEC, Depth: 3, FECSpan: 32, FECEntries: 1}},
	}
	for _, tt := range tests {
		if got := NewEncoder(tt.in).Config(); got != tt.want {
			t.Errorf("NewEncoder(%+v).Config() = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

// TestRedundancyWindupAndDepth: secondaries grow with history up to the depth,
// newest first.
func TestRedundancyWindupAndDepth(t *testing.T) {
	ifps := distinctIFPs(8)
	for _, depth := range []int{-1, 1, 3, 5} {
		dgs := stream(t, EncoderConfig{Depth: depth}, ifps)
		for i, dg := range dgs {
			var d Datagram
			if err := d.Parse(dg); err != nil {
				t.Fatal(err)
			}
			want := min(i, max(depth, 0))
			if len(d.Secondaries) != want || d.Seq != uint16(i) || !bytes.Equal(d.Primary, ifps[i]) {
				t.Fatalf("depth %d, seq %d: %d secondaries, seq %d, want %d", depth, i, len(d.Secondaries), d.Seq, want)
			}
			for k, s := range d.Secondaries {
				if !bytes.Equal(s, ifps[i-1-k]) {
					t.Fatalf("depth %d, seq %d: secondary %d is not IFP %d", depth, i, k, i-1-k)
				}
			}
		}
	}
}

// TestTrimToMaxDatagram: secondaries are dropped oldest first until the
// datagram fits; the primary alone too large is an error.
func TestTrimToMaxDatagram(t *testing.T) {
	ifp := t4IFP(54, 0x11) // 59 octets, the measured maximum at 14400 bit/s
	// primary datagram: 2 seq + 1 len + 59 + 1 choice + 1 count = 64;
	// each secondary adds 60.
	tests := []struct {
		max, secondaries int
		err              error
	}{
		{0, 3, nil},
		{400, 3, nil}, // FreeSWITCH's default: full depth
		{244, 3, nil}, // 64 + 3×60: exactly
		{243, 2, nil},
		{124, 1, nil},
		{123, 0, nil},
		{64, 0, nil},
		{63, 0, ErrTooLarge},
	}
	for _, tt := range tests {
		e := NewEncoder(EncoderConfig{Depth: 3, MaxDatagram: tt.max})
		for range 3 {
			if _, err := e.Encode(ifp); err != nil && tt.err == nil {
				t.Fatal(err)
			}
		}
		dg, err := e.Encode(ifp)
		if !errors.Is(err, tt.err) {
			t.Fatalf("max %d: error %v, want %v", tt.max, err, tt.err)
		}
		if err != nil {
			continue
		}
		var d Datagram
		if err := d.Parse(dg); err != nil {
			t.Fatal(err)
		}
		if len(d.Secondaries) != tt.secondaries || (tt.max > 0 && len(dg) > tt.max) {
			t.Errorf("max %d: %d secondaries in %d octets, want %d", tt.max, len(d.Secondaries), len(dg), tt.secondaries)
		}
	}
}

// TestTrimKeepsNewest: with mixed sizes, trimming stops at the first
// secondary that does not fit even if an older, smaller one would: the
// receiver numbers secondaries by position.
func TestTrimKeepsNewest(t *testing.T) {
	e := NewEncoder(EncoderConfig{Depth: 3, MaxDatagram: 55}) // the 50-octet IFP as a primary
	for _, ifp := range [][]byte{{0x01}, bytes.Repeat([]byte{2}, 50), {0x03}} {
		if _, err := e.Encode(ifp); err != nil {
			t.Fatal(err)
		}
	}
	dg, err := e.Encode([]byte{0x04})
	if err != nil {
		t.Fatal(err)
	}
	var d Datagram
	if err := d.Parse(dg); err != nil {
		t.Fatal(err)
	}
	if len(d.Secondaries) != 1 || d.Secondaries[0][0] != 0x03 {
		t.Errorf("secondaries %x, want only seq 2 (03)", d.Secondaries)
	}
}

func TestEncodeErrorsKeepState(t *testing.T) {
	e := NewEncoder(EncoderConfig{MaxDatagram: 10})
	for _, tt := range []struct {
		ifp []byte
		err error
	}{
		{nil, ErrEmptyIFP},
		{make([]byte, 1<<14), ErrFragmented},
		{make([]byte, 6), ErrTooLarge}, // 2+1+6+2 = 11 > 10
	} {
		if _, err := e.Encode(tt.ifp); !errors.Is(err, tt.err) {
			t.Errorf("%d octets: error %v, want %v", len(tt.ifp), err, tt.err)
		}
	}
	if e.NextSeq() != 0 {
		t.Errorf("failed encodes consumed sequence numbers: next %d", e.NextSeq())
	}
	dg, err := e.Encode([]byte{0x02})
	if err != nil || !bytes.Equal(dg, hx(t, "0000 01 02 00 00")) {
		t.Errorf("after errors: % x, %v", dg, err)
	}
}

func TestNoneMode(t *testing.T) {
	dgs := stream(t, EncoderConfig{Mode: None}, spandspIFPs)
	if !bytes.Equal(dgs[2], hx(t, "0002 03 c00180 00 00")) {
		t.Errorf("got % x", dgs[2])
	}
}

// TestFECTrimmedRecomputes: when the FEC entries do not fit, fewer entries
// are sent and each covers the interleave the receiver derives from the
// count actually sent.
func TestFECTrimmedRecomputes(t *testing.T) {
	ifps := distinctIFPs(12)
	full := stream(t, EncoderConfig{Mode: FEC, FECSpan: 2, FECEntries: 3}, ifps)
	var d Datagram
	if err := d.Parse(full[11]); err != nil {
		t.Fatal(err)
	}
	limit := len(full[11]) - 1
	trimmed := stream(t, EncoderConfig{Mode: FEC, FECSpan: 2, FECEntries: 3, MaxDatagram: limit}, ifps)
	if err := d.Parse(trimmed[11]); err != nil {
		t.Fatal(err)
	}
	if len(trimmed[11]) > limit || len(d.FEC) != 2 || d.FECSpan != 2 {
		t.Fatalf("trimmed: %d octets, %d entries span %d", len(trimmed[11]), len(d.FEC), d.FECSpan)
	}
	for m, f := range d.FEC {
		want := xorAll(ifps[11+m-4], ifps[11+m-2])
		if !bytes.Equal(f, want) {
			t.Errorf("entry %d = % x, want % x", m, f, want)
		}
	}
}

func xorAll(ifps ...[]byte) []byte {
	var out []byte
	for _, b := range ifps {
		for len(out) < len(b) {
			out = append(out, 0)
		}
		for i, c := range b {
			out[i] ^= c
		}
	}
	return out
}

func TestSeqWrap(t *testing.T) {
	e := NewEncoder(EncoderConfig{Depth: 2})
	for i := range 65535 {
		if _, err := e.AppendEncode(nil, []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if e.NextSeq() != 65535 {
		t.Fatalf("next seq %d", e.NextSeq())
	}
	dg1, _ := e.Encode([]byte{0xaa})
	dg2, _ := e.Encode([]byte{0xbb})
	if !bytes.Equal(dg1, hx(t, "ffff 01 aa 00 02 01fe 01fd")) || !bytes.Equal(dg2, hx(t, "0000 01 bb 00 02 01aa 01fe")) {
		t.Errorf("across the wrap: % x / % x", dg1, dg2)
	}
}

// TestEncodeOwnership: Encode's datagram is the caller's: later encodes do
// not touch it, and the encoder keeps its own copy of the IFP.
func TestEncodeOwnership(t *testing.T) {
	e := NewEncoder(EncoderConfig{})
	ifp := []byte{0x02}
	first, _ := e.Encode(ifp)
	keep := bytes.Clone(first)
	ifp[0] = 0x99 // caller reuses its buffer
	second, _ := e.Encode([]byte{0x04})
	if !bytes.Equal(first, keep) {
		t.Errorf("first datagram changed: % x", first)
	}
	if !bytes.Equal(second, hx(t, "0001 01 04 00 01 0102")) {
		t.Errorf("secondary not the IFP as encoded: % x", second)
	}
}

func TestAppendEncodeMatchesEncode(t *testing.T) {
	for _, mode := range []ECMode{Redundancy, FEC, None} {
		cfg := EncoderConfig{Mode: mode, MaxDatagram: 200}
		a, b := NewEncoder(cfg), NewEncoder(cfg)
		buf := make([]byte, 0, 512)
		for i, ifp := range distinctIFPs(40) {
			want, err1 := a.Encode(ifp)
			got, err2 := b.AppendEncode(buf[:0], ifp)
			if (err1 == nil) != (err2 == nil) || !bytes.Equal(got, want) {
				t.Fatalf("%v #%d: AppendEncode % x (%v), Encode % x (%v)", mode, i, got, err2, want, err1)
			}
			if len(want) > 0 && cap(want) != len(want) {
				t.Errorf("Encode over-allocated: len %d cap %d", len(want), cap(want))
			}
		}
		prefix := []byte("hdr")
		got, _ := b.AppendEncode(prefix, []byte{1})
		if string(got[:3]) != "hdr" {
			t.Errorf("AppendEncode lost the prefix")
		}
	}
}

func TestAppendEncodeNoAlloc(t *testing.T) {
	ifp := t4IFP(54, 0x33)
	for _, mode := range []ECMode{Redundancy, FEC, None} {
		e := NewEncoder(EncoderConfig{Mode: mode})
		buf := make([]byte, 0, 1024)
		for range 20 { // fill history and scratch
			e.AppendEncode(buf[:0], ifp)
		}
		if n := testing.AllocsPerRun(200, func() { e.AppendEncode(buf[:0], ifp) }); n != 0 {
			t.Errorf("%v: %v allocations per AppendEncode", mode, n)
		}
	}
}
