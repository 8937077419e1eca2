package udptl

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// The spandsp reference vector: tests/udptl.c, redundancy mode, gives for its
// third packet 00 02 03 c0 01 80 00 02 01 04 01 02. Read with the layout:
//
//	00 02        seq-number 2
//	03 c0 01 80  primary: length 3, IFP c0 01 80
//	00           error-recovery = secondary-ifp-packets
//	02           two secondaries (seq 2 has only two predecessors: windup)
//	01 04        seq 1: IFP 04
//	01 02        seq 0: IFP 02
//
// so the inputs were the IFPs 02, 04, c0 01 80 with seq 0, 1, 2 and a depth
// of at least 2. (02 and 04 are the indicators cng and ced; c0 01 80 is the
// start of a v21 hdlc-data IFP, not a complete one: the reference test feeds
// raw octets.) The first two packets follow from the same rules.
var spandspIFPs = [][]byte{{0x02}, {0x04}, {0xc0, 0x01, 0x80}}

func TestSpandspVector(t *testing.T) {
	want := [][]byte{
		hx(t, "0000 01 02 00 00"),
		hx(t, "0001 01 04 00 01 0102"),
		hx(t, "0002 03 c00180 00 02 0104 0102"), // the verified p2
	}
	for _, depth := range []int{2, 3, 0 /* default 3 */} {
		got := stream(t, EncoderConfig{Mode: Redundancy, Depth: depth}, spandspIFPs)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("depth %d: got % x, want % x", depth, got, want)
		}
	}
	// Alone, p2 delivers all three inputs with their own sequence numbers.
	pkts, err := NewDecoder().Decode(want[2])
	if err != nil {
		t.Fatal(err)
	}
	wantPkts := []Packet{{0, spandspIFPs[0], true}, {1, spandspIFPs[1], true}, {2, spandspIFPs[2], false}}
	if !reflect.DeepEqual(pkts, wantPkts) {
		t.Errorf("decode p2 = %v, want %v", pkts, wantPkts)
	}
	// The primary is a truncated data IFP, so the strict IFP parser refuses it.
	if _, err := ParseIFP(spandspIFPs[2], 1); !errors.Is(err, ErrBadIFP) {
		t.Errorf("ParseIFP(c0 01 80) error = %v, want ErrBadIFP", err)
	}
}

// TestDatagramVectors pins encodings worked out by hand from the layout.
func TestDatagramVectors(t *testing.T) {
	big := t4IFP(195, 0x5a) // 200-octet IFP: length determinant 80 c8
	tests := []struct {
		name string
		dg   Datagram
		wire []byte
	}{
		{"no EC", Datagram{Seq: 0x1234, Primary: []byte{0x1e}, Mode: None},
			hx(t, "1234 01 1e 00 00")},
		{"200-octet primary, two-octet length", Datagram{Seq: 7, Primary: big, Mode: None},
			cat(hx(t, "0007 80c8"), big, hx(t, "00 00"))},
		{"200-octet secondary", Datagram{Seq: 8, Primary: []byte{0x1e}, Mode: Redundancy, Secondaries: [][]byte{big}},
			cat(hx(t, "0008 01 1e 00 01 80c8"), big)},
		{"127 and 128 octets: the length boundary", Datagram{Seq: 9, Primary: bytes.Repeat([]byte{1}, 127), Mode: Redundancy, Secondaries: [][]byte{bytes.Repeat([]byte{2}, 128)}},
			cat(hx(t, "0009 7f"), bytes.Repeat([]byte{1}, 127), hx(t, "00 01 8080"), bytes.Repeat([]byte{2}, 128))},
		{"wrap: seq 0 carries 65535 and 65534", Datagram{Seq: 0, Primary: []byte{0x04}, Mode: Redundancy, Secondaries: [][]byte{{0x02}, {0x00}}},
			hx(t, "0000 01 04 00 02 0102 0100")},
		// FEC span 2, 1 entry: seq 3 carries 04 xor c0 01 80 (seq 1 and 2).
		{"FEC one entry", Datagram{Seq: 3, Primary: []byte{0x1e}, Mode: FEC, FECSpan: 2, FEC: [][]byte{{0xc4, 0x01, 0x80}}},
			hx(t, "0003 01 1e 80 0102 01 03c40180")},
		// FEC span 2, 2 entries at seq 4: entry 0 = seq 0 ^ seq 2, entry 1 = seq 1 ^ seq 3.
		{"FEC two entries", Datagram{Seq: 4, Primary: []byte{0x10}, Mode: FEC, FECSpan: 2, FEC: [][]byte{{0x05}, {0x0a}}},
			hx(t, "0004 01 10 80 0102 02 0105 010a")},
		{"FEC span 200: two-octet INTEGER", Datagram{Seq: 5, Primary: []byte{0x10}, Mode: FEC, FECSpan: 200},
			hx(t, "0005 01 10 80 0200c8 00")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.dg.Append(nil)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.wire) {
				t.Fatalf("Append = % x\nwant     % x", got, tt.wire)
			}
			if tt.dg.Size() != len(tt.wire) {
				t.Errorf("Size = %d, want %d", tt.dg.Size(), len(tt.wire))
			}
			var back Datagram
			if err := back.Parse(tt.wire); err != nil {
				t.Fatal(err)
			}
			if !sameDatagram(back, tt.dg) {
				t.Errorf("Parse = %+v, want %+v", back, tt.dg)
			}
		})
	}
}

// sameDatagram compares the fields that are on the wire for the mode.
func sameDatagram(a, b Datagram) bool {
	if a.Seq != b.Seq || !bytes.Equal(a.Primary, b.Primary) || a.Mode != b.Mode {
		return false
	}
	switch a.Mode {
	case Redundancy:
		return equalLists(a.Secondaries, b.Secondaries)
	case FEC:
		return a.FECSpan == b.FECSpan && equalLists(a.FEC, b.FEC)
	}
	return true
}

func equalLists(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// TestEncoderFECVectors: the encoder reproduces the hand-computed FEC
// datagrams, including the windup while history fills.
func TestEncoderFECVectors(t *testing.T) {
	t.Run("span 2, 1 entry", func(t *testing.T) {
		got := stream(t, EncoderConfig{Mode: FEC, FECSpan: 2, FECEntries: 1},
			[][]byte{{0x02}, {0x04}, {0xc0, 0x01, 0x80}, {0x1e}})
		want := [][]byte{
			hx(t, "0000 01 02 80 0100 00"), // nothing to cover yet: span 0, no entries
			hx(t, "0001 01 04 80 0100 00"),
			hx(t, "0002 03 c00180 80 0102 01 0106"), // 02 ^ 04
			hx(t, "0003 01 1e 80 0102 01 03c40180"), // 04 ^ c0 01 80
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got  % x\nwant % x", got, want)
		}
	})
	t.Run("span 2, 2 entries", func(t *testing.T) {
		got := stream(t, EncoderConfig{Mode: FEC, FECSpan: 2, FECEntries: 2},
			[][]byte{{0x01}, {0x02}, {0x04}, {0x08}, {0x10}})
		want := [][]byte{
			hx(t, "0000 01 01 80 0100 00"),
			hx(t, "0001 01 02 80 0100 00"),
			hx(t, "0002 01 04 80 0102 01 0103"), // one entry: 01 ^ 02
			hx(t, "0003 01 08 80 0102 01 0106"), // 02 ^ 04
			hx(t, "0004 01 10 80 0102 02 0105 010a"),
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got  % x\nwant % x", got, want)
		}
	})
}
