package rtp

import (
	"bytes"
	"reflect"
	"testing"
	"time"
)

// FuzzParseRTP reads the input twice. As one packet: Unmarshal never
// panics, and an accepted packet re-encodes to the same length and parses
// back to the same fields (padding octets are rewritten as zeros). As a
// stream: two-octet chunks give a length and an arrival step, and each
// packet goes through a Session, popped every tick; the counters must stay
// consistent.
func FuzzParseRTP(f *testing.F) {
	seeds := []string{
		"80801234000000a0deadbeef7f7e7d",
		"b1880009 0000000a 0000000b 0000000c abcd0001 01020304 5566 0002",
		"90650002000000030000000 4bede000110aa0000ff",
		"a00d000500000006000000070100000004",
		"80c80006 00000000 00000000",
	}
	for _, s := range seeds {
		f.Add(hx(f, removeSpaces(s)))
	}
	var stream []byte
	for i := range 12 {
		pkt := mk(uint16(100+i^1), uint32(160*(i^1)), 9, PTPCMU, 160)
		stream = append(stream, byte(len(pkt)), 20)
		stream = append(stream, pkt...)
	}
	f.Add(stream)
	f.Fuzz(func(t *testing.T, data []byte) {
		checkPacket(t, data)
		checkStream(t, data)
	})
}

func removeSpaces(s string) string { return string(bytes.ReplaceAll([]byte(s), []byte(" "), nil)) }

func checkPacket(t *testing.T, data []byte) {
	var p Packet
	if err := p.Unmarshal(data); err != nil {
		return
	}
	if p.Size() != len(data) {
		t.Fatalf("Size %d for %d octets", p.Size(), len(data))
	}
	enc, err := p.Marshal()
	if err != nil {
		t.Fatalf("Marshal of a parsed packet: %v", err)
	}
	var q Packet
	if err := q.Unmarshal(enc); err != nil {
		t.Fatalf("re-encoded packet does not parse: %v", err)
	}
	if len(p.CSRC) == 0 {
		p.CSRC, q.CSRC = nil, nil
	}
	if !reflect.DeepEqual(p, q) {
		t.Fatalf("re-encoded packet differs:\n%+v\n%+v", p, q)
	}
	// Only the padding octets before the count may change.
	end := len(data) - int(p.Padding)
	if !bytes.Equal(enc[:end], data[:end]) || len(enc) != len(data) {
		t.Fatalf("re-encoding changed the packet:\n% x\n% x", data, enc)
	}
}

func checkStream(t *testing.T, data []byte) {
	s, err := NewSession(Config{Comedia: ComediaOn})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(0, 0)
	pushed := uint64(0)
	for len(data) >= 2 {
		n, step := int(data[0]), time.Duration(data[1])*time.Millisecond
		data = data[2:]
		n = min(n, len(data))
		_ = s.Push(data[:n], farAddr, now)
		pushed++
		data = data[n:]
		now = now.Add(step)
		if frame, ok := s.Pop(now); ok && len(frame) != FrameSamples {
			t.Fatalf("frame of %d samples", len(frame))
		}
	}
	st := s.Stats()
	accounted := st.Received + st.Duplicates + st.Malformed + st.ForeignSSRC + st.Stray
	if accounted > pushed || st.CN+st.Events+st.OtherPT > st.Received {
		t.Fatalf("counters inconsistent with %d pushes: %+v", pushed, st)
	}
	if depth := int32(s.play.end - s.play.next); depth < 0 || depth > ringSize {
		t.Fatalf("playout depth %d", depth)
	}
}
