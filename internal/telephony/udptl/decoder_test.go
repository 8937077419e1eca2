package udptl

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"
)

// deliveredSeqs checks that the packets carry the IFPs of their sequence
// numbers and returns the sequence numbers.
func deliveredSeqs(t *testing.T, pkts []Packet, ifps [][]byte, base uint16) []int {
	t.Helper()
	var seqs []int
	for _, p := range pkts {
		i := int(p.Seq - base)
		if i >= len(ifps) || !bytes.Equal(p.IFP, ifps[i]) {
			t.Fatalf("seq %d: IFP % x is not the one sent", p.Seq, p.IFP)
		}
		seqs = append(seqs, i)
	}
	return seqs
}

func without(n int, drop ...int) []int {
	var keep []int
	for i := range n {
		if !slices.Contains(drop, i) {
			keep = append(keep, i)
		}
	}
	return keep
}

func pick(dgs [][]byte, idx []int) [][]byte {
	out := make([][]byte, len(idx))
	for i, k := range idx {
		out[i] = dgs[k]
	}
	return out
}

// TestRedundancyLoss: with depth 3, up to three consecutive losses are filled
// from the next datagram; the fourth is lost and counted.
func TestRedundancyLoss(t *testing.T) {
	const n = 20
	ifps := distinctIFPs(n)
	dgs := stream(t, EncoderConfig{Depth: 3}, ifps)
	tests := []struct {
		drop           []int
		lost           []int
		recovered      uint64
		delivered      int
		lostCount      uint64
		recoveredFlags []int // seqs delivered with Recovered set
	}{
		{drop: nil, delivered: n},
		{drop: []int{5}, recovered: 1, delivered: n, recoveredFlags: []int{5}},
		{drop: []int{5, 6}, recovered: 2, delivered: n, recoveredFlags: []int{5, 6}},
		{drop: []int{5, 6, 7}, recovered: 3, delivered: n, recoveredFlags: []int{5, 6, 7}},
		{drop: []int{5, 6, 7, 8}, lost: []int{5}, recovered: 3, delivered: n - 1, lostCount: 1, recoveredFlags: []int{6, 7, 8}},
		{drop: []int{5, 6, 7, 8, 9, 10}, lost: []int{5, 6, 7}, recovered: 3, delivered: n - 3, lostCount: 3, recoveredFlags: []int{8, 9, 10}},
		{drop: []int{2, 4, 6, 8, 10, 12}, recovered: 6, delivered: n, recoveredFlags: []int{2, 4, 6, 8, 10, 12}},
		{drop: []int{0, 1}, recovered: 2, delivered: n, recoveredFlags: []int{0, 1}}, // start-up loss
		{drop: []int{19}, delivered: n - 1}, // nothing after it: not yet known lost
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.drop), func(t *testing.T) {
			d := NewDecoder()
			pkts := decodeAll(t, d, pick(dgs, without(n, tt.drop...)))
			seqs := deliveredSeqs(t, pkts, ifps, 0)
			want := without(n, tt.lost...)
			if tt.drop != nil && tt.drop[len(tt.drop)-1] == n-1 {
				want = without(n, n-1)
			}
			if !slices.Equal(seqs, want) {
				t.Errorf("delivered %v, want %v", seqs, want)
			}
			var flagged []int
			for _, p := range pkts {
				if p.Recovered {
					flagged = append(flagged, int(p.Seq))
				}
			}
			if !slices.Equal(flagged, tt.recoveredFlags) {
				t.Errorf("recovered flags on %v, want %v", flagged, tt.recoveredFlags)
			}
			st := d.Stats()
			want2 := Stats{Received: uint64(n - len(tt.drop)), Delivered: uint64(tt.delivered), Recovered: tt.recovered, Lost: tt.lostCount}
			if st != want2 {
				t.Errorf("stats %+v, want %+v", st, want2)
			}
		})
	}
}

// TestDuplicates: spandsp sends indicators three times under one sequence
// number; the copies are dropped and counted.
func TestDuplicates(t *testing.T) {
	ifps := distinctIFPs(6)
	dgs := stream(t, EncoderConfig{}, ifps)
	var line [][]byte
	for _, dg := range dgs {
		line = append(line, dg, dg, dg)
	}
	d := NewDecoder()
	seqs := deliveredSeqs(t, decodeAll(t, d, line), ifps, 0)
	if !slices.Equal(seqs, without(6)) {
		t.Errorf("delivered %v", seqs)
	}
	if st := d.Stats(); st != (Stats{Received: 18, Delivered: 6, Duplicates: 12}) {
		t.Errorf("stats %+v", st)
	}
}

// TestReordering: a datagram overtaken by its successor is recovered from the
// successor's secondaries and then dropped as a duplicate; without
// redundancy it is lost and then dropped as late.
func TestReordering(t *testing.T) {
	ifps := distinctIFPs(10)
	order := []int{0, 1, 2, 4, 3, 5, 7, 6, 8, 9}
	tests := []struct {
		mode  ECMode
		seqs  []int
		stats Stats
	}{
		{Redundancy, without(10), Stats{Received: 10, Delivered: 10, Duplicates: 2, Recovered: 2}},
		{None, without(10, 3, 6), Stats{Received: 10, Delivered: 8, Lost: 2, Late: 2}},
	}
	for _, tt := range tests {
		d := NewDecoder()
		dgs := stream(t, EncoderConfig{Mode: tt.mode}, ifps)
		seqs := deliveredSeqs(t, decodeAll(t, d, pick(dgs, order)), ifps, 0)
		if !slices.Equal(seqs, tt.seqs) {
			t.Errorf("%v: delivered %v, want %v", tt.mode, seqs, tt.seqs)
		}
		if st := d.Stats(); st != tt.stats {
			t.Errorf("%v: stats %+v, want %+v", tt.mode, st, tt.stats)
		}
	}
}

// TestWrapAround: sequence numbers run 65533..65535, 0..3 with losses on
// both sides of the wrap.
func TestWrapAround(t *testing.T) {
	e := NewEncoder(EncoderConfig{Depth: 3})
	for range 65533 {
		e.AppendEncode(nil, []byte{0x02})
	}
	ifps := distinctIFPs(7)
	var dgs [][]byte
	for _, ifp := range ifps {
		dg, err := e.Encode(ifp)
		if err != nil {
			t.Fatal(err)
		}
		dgs = append(dgs, dg)
	}
	d := NewDecoder()
	// Start at 65533 (its secondaries 65530..65532 come first), lose 65535
	// and 0 (recovered from seq 1), lose 2 (recovered from 3).
	pkts := decodeAll(t, d, pick(dgs, []int{0, 1, 4, 6}))
	for i, p := range pkts[:3] {
		if p.Seq != uint16(65530+i) || !p.Recovered || !bytes.Equal(p.IFP, []byte{0x02}) {
			t.Fatalf("start-up secondary %d: %+v", i, p)
		}
	}
	pkts = pkts[3:]
	seqs := deliveredSeqs(t, pkts, ifps, 65533)
	if !slices.Equal(seqs, without(7)) {
		t.Errorf("delivered %v", seqs)
	}
	if pkts[2].Seq != 65535 || pkts[3].Seq != 0 {
		t.Errorf("seqs %d, %d across the wrap", pkts[2].Seq, pkts[3].Seq)
	}
	if st := d.Stats(); st.Lost != 0 || st.Recovered != 3+3 {
		t.Errorf("stats %+v", st)
	}
	// A repeat of 65535 after the wrap is a duplicate, not a jump.
	if pkts, _ := d.Decode(dgs[2]); len(pkts) != 0 || d.Stats().Duplicates != 1 {
		t.Errorf("old 65535 after wrap: %v, stats %+v", pkts, d.Stats())
	}
}

// TestResync: a jump beyond the acceptable offset restarts the numbering
// instead of counting thousands of losses or dropping everything as late.
func TestResync(t *testing.T) {
	d := NewDecoder()
	for _, seq := range []uint16{100, 101, 102} {
		mustDecode(t, d, Datagram{Seq: seq, Primary: []byte{0x02}, Mode: None})
	}
	for _, tt := range []struct {
		seq  uint16
		want int
	}{
		{30000, 1}, {30001, 1}, // far end jumped forward
		{5, 1}, {6, 1}, // and restarted from a low number
	} {
		if pkts := mustDecode(t, d, Datagram{Seq: tt.seq, Primary: []byte{0x04}, Mode: None}); len(pkts) != tt.want || pkts[0].Seq != tt.seq {
			t.Errorf("seq %d: delivered %v", tt.seq, pkts)
		}
	}
	if st := d.Stats(); st.Resyncs != 2 || st.Lost != 0 || st.Late != 0 {
		t.Errorf("stats %+v", st)
	}
	// A step back within the window is late, as spandsp would judge it too.
	if pkts := mustDecode(t, d, Datagram{Seq: 1, Primary: []byte{0x04}, Mode: None}); len(pkts) != 0 || d.Stats().Late != 1 {
		t.Errorf("step back: %v, %+v", pkts, d.Stats())
	}
}

func mustDecode(t *testing.T, d *Decoder, dg Datagram) []Packet {
	t.Helper()
	b, err := dg.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	pkts, err := d.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return pkts
}

// TestLargeGap: a gap beyond the ring counts every missing packet lost.
func TestLargeGap(t *testing.T) {
	d := NewDecoder()
	mustDecode(t, d, Datagram{Seq: 0, Primary: []byte{1}, Mode: None})
	pkts := mustDecode(t, d, Datagram{Seq: 1000, Primary: []byte{2}, Mode: Redundancy, Secondaries: [][]byte{{3}, {4}}})
	if len(pkts) != 3 || pkts[0].Seq != 998 || pkts[2].Seq != 1000 {
		t.Errorf("delivered %v", pkts)
	}
	if st := d.Stats(); st.Lost != 997 || st.Recovered != 2 {
		t.Errorf("stats %+v", st)
	}
}

// TestFECRecovery: one missing IFP per parity group is rebuilt, exactly.
func TestFECRecovery(t *testing.T) {
	const n = 30
	ifps := distinctIFPs(n)
	tests := []struct {
		span, entries int
		drop          []int
		lost          []int
	}{
		{3, 1, []int{10}, nil},
		{3, 1, []int{10, 11}, []int{10, 11}}, // two in one group: neither
		{3, 1, []int{10, 14}, nil},
		{3, 3, []int{10, 11, 12}, nil},               // a burst of 3 spread over 3 groups
		{3, 3, []int{10, 11, 12, 13}, []int{10, 13}}, // 10 and 13 share a group
		{2, 2, []int{7, 8}, nil},
		{3, 3, []int{0}, []int{0}}, // no parity covers the first packet yet... seq 3 does
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("span%d_entries%d_drop%v", tt.span, tt.entries, tt.drop), func(t *testing.T) {
			dgs := stream(t, EncoderConfig{Mode: FEC, FECSpan: tt.span, FECEntries: tt.entries}, ifps)
			d := NewDecoder()
			pkts := decodeAll(t, d, pick(dgs, without(n, tt.drop...)))
			seqs := deliveredSeqs(t, pkts, ifps, 0)
			want := without(n, tt.lost...)
			if tt.drop[0] == 0 {
				want = without(n, 0) // the first datagram defines the start: nothing before it is awaited
			}
			if !slices.Equal(seqs, want) {
				t.Errorf("delivered %v, want %v", seqs, want)
			}
			st := d.Stats()
			if tt.drop[0] != 0 && (st.Recovered != uint64(len(tt.drop)-len(tt.lost)) || st.Lost != uint64(len(tt.lost))) {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

// TestFECTrimsPadding: parity is as long as the longest IFP of its group, so
// a rebuilt shorter IFP is cut back to the length its encoding states.
func TestFECTrimsPadding(t *testing.T) {
	ced := []byte{0x04}                   // indicator ced
	hdlc := hx(t, "c0 01 80 0002 ff13c8") // v21 hdlc-data, 3 octets (version 1)
	v0 := hx(t, "c0 02 80 0000 7e 40")    // version 0: hdlc-data 7e, then hdlc-fcs-OK-sig-end in a nibble
	v0packed := hx(t, "c0 02 21")         // version 0: hdlc-fcs-OK + hdlc-sig-end share an octet
	for _, tt := range []struct {
		name    string
		lost    []byte
		other   []byte
		version int
	}{
		{"indicator", ced, hdlc, -1},
		{"version 1 data", hdlc, t4IFP(20, 0xee), -1},
		{"version 0 nibble", v0, t4IFP(20, 0xee), -1},
		{"version 0 packed", v0packed, t4IFP(20, 0xee), -1},
		{"version 0 packed, version known", v0packed, t4IFP(20, 0xee), 0},
		{"version 1, version known", hdlc, t4IFP(20, 0xee), 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Group {0, 1}: seq 2's parity is other ^ lost, padded to other.
			ifps := [][]byte{tt.other, tt.lost, {0x1e}}
			dgs := stream(t, EncoderConfig{Mode: FEC, FECSpan: 2, FECEntries: 1}, ifps)
			d := NewDecoder()
			d.SetT38Version(tt.version)
			pkts := decodeAll(t, d, [][]byte{dgs[0], dgs[2]})
			if len(pkts) != 3 || !pkts[1].Recovered || !bytes.Equal(pkts[1].IFP, tt.lost) {
				t.Fatalf("delivered %v, want % x recovered second", pkts, tt.lost)
			}
			if _, err := ParseIFP(tt.lost, max(tt.version, 0)); tt.version >= 0 && err != nil {
				t.Errorf("test IFP does not parse: %v", err)
			}
		})
	}
}

func TestMalformed(t *testing.T) {
	tests := []struct {
		name string
		in   string
		err  error
	}{
		{"empty", "", ErrTruncated},
		{"one octet", "00", ErrTruncated},
		{"no primary length", "0001", ErrTruncated},
		{"primary short", "0001 05 0102", ErrTruncated},
		{"primary two-octet length short", "0001 80", ErrTruncated},
		{"primary fragmented", "0001 c1 00", ErrFragmented},
		{"empty primary", "0001 00 00 00", ErrEmptyIFP},
		{"no error-recovery", "0001 01 02", ErrTruncated},
		{"padding in choice", "0001 01 02 01 00", ErrPadding},
		{"no secondary count", "0001 01 02 00", ErrTruncated},
		{"secondary count too big", "0001 01 02 00 05 0104", ErrTruncated},
		{"secondary short", "0001 01 02 00 01 0204", ErrTruncated},
		{"empty secondary", "0001 01 02 00 01 00 00", ErrEmptyIFP},
		{"secondary count fragmented", "0001 01 02 00 c1", ErrFragmented},
		{"secondary fragmented", "0001 01 02 00 01 c1 00", ErrFragmented},
		{"trailing after secondaries", "0001 01 02 00 01 0104 ff", ErrTrailing},
		{"trailing after none", "0001 01 02 00 00 00", ErrTrailing},
		{"fec no span", "0001 01 02 80", ErrTruncated},
		{"fec span zero octets", "0001 01 02 80 00 00", ErrBadFEC},
		{"fec span five octets", "0001 01 02 80 05 0000000001 00", ErrBadFEC},
		{"fec span negative", "0001 01 02 80 01 ff 00", ErrBadFEC},
		{"fec span short", "0001 01 02 80 02 00", ErrTruncated},
		{"fec no count", "0001 01 02 80 01 03", ErrTruncated},
		{"fec count too big", "0001 01 02 80 01 03 09 00", ErrTruncated},
		{"fec entry short", "0001 01 02 80 01 03 01 03 0102", ErrTruncated},
		{"fec entry fragmented", "0001 01 02 80 01 03 01 c1", ErrFragmented},
		{"trailing after fec", "0001 01 02 80 01 03 01 01 02 00", ErrTrailing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDecoder()
			pkts, err := d.Decode(hx(t, tt.in))
			if !errors.Is(err, tt.err) || pkts != nil {
				t.Errorf("Decode(%s) = %v, %v; want error %v", tt.in, pkts, err, tt.err)
			}
			if st := d.Stats(); st != (Stats{Malformed: 1}) {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

// TestMalformedKeepsState: a bad datagram in mid-stream changes nothing.
func TestMalformedKeepsState(t *testing.T) {
	ifps := distinctIFPs(4)
	dgs := stream(t, EncoderConfig{Mode: None}, ifps)
	d := NewDecoder()
	decodeAll(t, d, dgs[:2])
	if _, err := d.Decode(hx(t, "0009 01 02 00 01")); err == nil {
		t.Fatal("no error")
	}
	seqs := deliveredSeqs(t, decodeAll(t, d, dgs[2:]), ifps, 0)
	if !slices.Equal(seqs, []int{2, 3}) || d.Stats().Lost != 0 {
		t.Errorf("after a malformed datagram: %v, %+v", seqs, d.Stats())
	}
}

// TestDecodeOwnership: packets do not alias the datagram, and stay intact
// while the caller reuses its receive buffer.
func TestDecodeOwnership(t *testing.T) {
	dgs := stream(t, EncoderConfig{}, spandspIFPs)
	buf := bytes.Clone(dgs[2])
	pkts, err := NewDecoder().Decode(buf)
	if err != nil {
		t.Fatal(err)
	}
	clear(buf)
	for i, p := range pkts {
		if !bytes.Equal(p.IFP, spandspIFPs[i]) {
			t.Errorf("packet %d changed with the datagram buffer: % x", i, p.IFP)
		}
	}
}

func TestDecodeNoAlloc(t *testing.T) {
	e := NewEncoder(EncoderConfig{})
	d := NewDecoder()
	ifp := t4IFP(54, 0x44)
	buf := make([]byte, 0, 512)
	for range 70 { // warm every ring slot
		dg, _ := e.AppendEncode(buf[:0], ifp)
		d.Decode(dg)
	}
	dg, _ := e.AppendEncode(buf[:0], ifp)
	seq := uint16(dg[0])<<8 | uint16(dg[1])
	if n := testing.AllocsPerRun(200, func() {
		dg[0], dg[1] = byte(seq>>8), byte(seq)
		seq++
		d.Decode(dg)
	}); n != 0 {
		t.Errorf("%v allocations per Decode", n)
	}
}
