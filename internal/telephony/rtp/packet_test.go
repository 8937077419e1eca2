package rtp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func hx(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Vectors laid out by hand from RFC 3550 §5.1:
//
//	 0                   1                   2                   3
//	|V=2|P|X|  CC   |M|     PT      |       sequence number         |
//	|                           timestamp                           |
//	|           synchronization source (SSRC) identifier            |
//	|            contributing source (CSRC) identifiers             |
//
// and §5.3.1 for the extension (profile, length in 32-bit words, data).
func TestPacketVectors(t *testing.T) {
	tests := []struct {
		name string
		wire string
		want Packet
	}{
		{"PCMU, first packet with marker",
			"80 80 1234 000000a0 deadbeef 7f7e7d",
			Packet{Header: Header{Marker: true, PayloadType: 0, Seq: 0x1234, Timestamp: 160, SSRC: 0xdeadbeef}, Payload: []byte{0x7f, 0x7e, 0x7d}}},
		{"PCMA, sequence and timestamp near wrap",
			"80 08 ffff fffffff0 00000001 d5d5",
			Packet{Header: Header{PayloadType: 8, Seq: 0xffff, Timestamp: 0xfffffff0, SSRC: 1}, Payload: []byte{0xd5, 0xd5}}},
		{"two CSRCs",
			"82 00 0001 00000002 00000003 11111111 22222222 aa",
			Packet{Header: Header{Seq: 1, Timestamp: 2, SSRC: 3, CSRC: []uint32{0x11111111, 0x22222222}}, Payload: []byte{0xaa}}},
		{"one-word extension (RFC 8285 one-byte header profile)",
			"90 65 0002 00000003 00000004 bede 0001 10aa0000 ff",
			Packet{Header: Header{PayloadType: 101, Seq: 2, Timestamp: 3, SSRC: 4, Extension: true, ExtProfile: 0xbede, ExtData: []byte{0x10, 0xaa, 0, 0}}, Payload: []byte{0xff}}},
		{"empty extension",
			"90 00 0002 00000003 00000004 1234 0000 ee",
			Packet{Header: Header{Seq: 2, Timestamp: 3, SSRC: 4, Extension: true, ExtProfile: 0x1234, ExtData: []byte{}}, Payload: []byte{0xee}}},
		{"padding of 4",
			"a0 0d 0005 00000006 00000007 01 000000 04",
			Packet{Header: Header{PayloadType: 13, Seq: 5, Timestamp: 6, SSRC: 7}, Payload: []byte{1}, Padding: 4}},
		{"everything: P, X, CC=1, M",
			"b1 88 0009 0000000a 0000000b 0000000c abcd 0001 01020304 5566 00 02",
			Packet{Header: Header{Marker: true, PayloadType: 8, Seq: 9, Timestamp: 10, SSRC: 11, CSRC: []uint32{12},
				Extension: true, ExtProfile: 0xabcd, ExtData: []byte{1, 2, 3, 4}}, Payload: []byte{0x55, 0x66}, Padding: 2}},
		{"header only",
			"80 00 0000 00000000 00000000",
			Packet{Payload: []byte{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wire := hx(t, tt.wire)
			var got Packet
			if err := got.Unmarshal(wire); err != nil {
				t.Fatal(err)
			}
			if len(got.CSRC) == 0 {
				got.CSRC = nil
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Unmarshal\n got %+v\nwant %+v", got, tt.want)
			}
			enc, err := tt.want.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(enc, wire) || tt.want.Size() != len(wire) {
				t.Errorf("Marshal % x\n     want % x (size %d)", enc, wire, tt.want.Size())
			}
		})
	}
}

func TestPacketErrors(t *testing.T) {
	tests := []struct {
		name string
		wire []byte
		want error
	}{
		{"empty", nil, ErrShort},
		{"11 octets", hx(t, "80 00 0000 00000000 000000"), ErrShort},
		{"version 1", hx(t, "40 00 0000 00000000 00000000"), ErrVersion},
		{"version 0 (STUN-like)", hx(t, "00 01 0000 2112a442 00000000"), ErrVersion},
		{"CSRCs missing", hx(t, "83 00 0000 00000000 00000000 00000001"), ErrShort},
		{"extension header missing", hx(t, "90 00 0000 00000000 00000000 bede"), ErrExtension},
		{"extension data missing", hx(t, "90 00 0000 00000000 00000000 bede 0002 00000000"), ErrExtension},
		{"padding count zero", hx(t, "a0 00 0000 00000000 00000000 01 00"), ErrPadding},
		{"padding beyond payload", hx(t, "a0 00 0000 00000000 00000000 01 03"), ErrPadding},
		{"padding bit, nothing after header", hx(t, "a0 00 0000 00000000 00000001"), ErrPadding},
		{"RTCP SR on a muxed port", hx(t, "80 c8 0006 00000000 00000000"), ErrRTCP},
		{"RTCP RR", hx(t, "81 c9 0007 00000000 00000000 00000000"), ErrRTCP},
		{"too large", append(hx(t, "80 00 0000 00000000 00000000"), make([]byte, MaxPacketSize)...), ErrTooLarge},
	}
	for _, tt := range tests {
		var p Packet
		if err := p.Unmarshal(tt.wire); !errors.Is(err, tt.want) {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.want)
		}
	}
	// Padding octets other than the count may hold anything.
	var p Packet
	if err := p.Unmarshal(hx(t, "a0 00 0000 00000000 00000000 01 ffff 03")); err != nil || len(p.Payload) != 1 || p.Padding != 3 {
		t.Errorf("non-zero padding: %v %+v", err, p)
	}
	bad := []Packet{
		{Header: Header{PayloadType: 128}},
		{Header: Header{PayloadType: 72}},
		{Header: Header{CSRC: make([]uint32, 16)}},
		{Header: Header{Extension: true, ExtData: []byte{1, 2, 3}}},
		{Header: Header{ExtData: []byte{1, 2, 3, 4}}},
		{Payload: make([]byte, MaxPacketSize)},
	}
	for _, p := range bad {
		if _, err := p.Marshal(); err == nil {
			t.Errorf("Marshal %+v: no error", p.Header)
		}
	}
}

// TestUnmarshalReuse: a reused Packet neither allocates nor keeps stale
// CSRCs or extension data.
func TestUnmarshalReuse(t *testing.T) {
	with := hx(t, "92 00 0001 00000002 00000003 00000004 00000005 1234 0001 01020304 aa")
	without := hx(t, "80 00 0001 00000002 00000003 bb")
	var p Packet
	if err := p.Unmarshal(with); err != nil || len(p.CSRC) != 2 {
		t.Fatal(err, p.CSRC)
	}
	if err := p.Unmarshal(without); err != nil || len(p.CSRC) != 0 || p.Extension || p.ExtData != nil || p.Payload[0] != 0xbb {
		t.Fatalf("stale fields: %+v", p)
	}
	allocs := testing.AllocsPerRun(100, func() {
		_ = p.Unmarshal(with)
		_ = p.Unmarshal(without)
	})
	if allocs != 0 {
		t.Errorf("Unmarshal allocates %v times per run", allocs)
	}
}
