package udptl

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

// hx decodes a hex string with optional spaces; "…" parts are spelled out by
// the caller with bytes.Repeat.
func hx(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// t4IFP builds a T.38 version 1+ t30-data v17-14400 IFP carrying one
// t4-non-ecm-data field of n octets (n+5 octets in all), as spandsp sends
// during phase C.
func t4IFP(n int, fill byte) []byte {
	b := []byte{0xd0, 0x01, 0xb0, byte((n - 1) >> 8), byte(n - 1)}
	return append(b, bytes.Repeat([]byte{fill}, n)...)
}

// stream encodes ifps with cfg and returns the datagrams.
func stream(t testing.TB, cfg EncoderConfig, ifps [][]byte) [][]byte {
	t.Helper()
	e := NewEncoder(cfg)
	out := make([][]byte, len(ifps))
	for i, ifp := range ifps {
		dg, err := e.Encode(ifp)
		if err != nil {
			t.Fatalf("encode %d: %v", i, err)
		}
		out[i] = dg
	}
	return out
}

// distinctIFPs returns n IFPs of varying length that differ from each other.
func distinctIFPs(n int) [][]byte {
	ifps := make([][]byte, n)
	for i := range ifps {
		ifps[i] = t4IFP(1+i%7*9, byte(i))
	}
	return ifps
}

// decodeAll feeds datagrams to d and collects every delivered packet (IFPs
// copied, as the decoder reuses its buffers).
func decodeAll(t testing.TB, d *Decoder, dgs [][]byte) []Packet {
	t.Helper()
	var got []Packet
	for i, dg := range dgs {
		pkts, err := d.Decode(dg)
		if err != nil {
			t.Fatalf("decode datagram %d: %v", i, err)
		}
		for _, p := range pkts {
			p.IFP = bytes.Clone(p.IFP)
			got = append(got, p)
		}
	}
	return got
}
