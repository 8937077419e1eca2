package udptl

import (
	"bytes"
	"testing"
)

func decodeSeeds(t testing.TB) [][]byte {
	big := t4IFP(195, 0x5a)
	seeds := [][]byte{
		hx(t, "0002 03 c00180 00 02 0104 0102"),
		hx(t, "0000 01 04 00 02 0102 0100"),
		hx(t, "0003 01 1e 80 0102 01 03c40180"),
		hx(t, "0004 01 10 80 0102 02 0105 010a"),
		hx(t, "0005 01 10 80 0200c8 00"),
		cat(hx(t, "0007 80c8"), big, hx(t, "00 00")),
		cat(hx(t, "0008 01 1e 00 01 80c8"), big),
		hx(t, "0001 01 02 00 01 0104 ff"),
		hx(t, "0001 c1 00"),
		{},
	}
	// A stream: chunks prefixed with their length, as FuzzDecode's second
	// reading splits the input.
	var s []byte
	for _, dg := range stream(t, EncoderConfig{Mode: FEC, FECSpan: 2, FECEntries: 2}, distinctIFPs(8)) {
		s = append(append(s, byte(len(dg))), dg...)
	}
	seeds = append(seeds, s)
	s = nil
	for i, dg := range stream(t, EncoderConfig{}, distinctIFPs(10)) {
		if i%3 != 1 {
			s = append(append(s, byte(len(dg))), dg...)
		}
	}
	return append(seeds, s)
}

// FuzzDecode reads the input twice: as one datagram, checking that what is
// delivered is what the datagram carries and re-encodes to itself; and as a
// stream of length-prefixed datagrams, checking the decoder's bookkeeping.
// Neither may panic.
func FuzzDecode(f *testing.F) {
	for _, s := range decodeSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkOneDatagram(t, data)
		checkStream(t, data)
	})
}

func checkOneDatagram(t *testing.T, data []byte) {
	pkts, err := NewDecoder().Decode(data)
	var dg Datagram
	perr := dg.Parse(data)
	if (err == nil) != (perr == nil) {
		t.Fatalf("Decode error %v, Parse error %v", err, perr)
	}
	if err != nil {
		return
	}
	// A fresh decoder delivers the secondaries oldest first (as many as its
	// ring holds), then the primary.
	secs := dg.Secondaries[:min(len(dg.Secondaries), ringSize-1)]
	if len(pkts) != len(secs)+1 {
		t.Fatalf("%d packets from %d secondaries", len(pkts), len(dg.Secondaries))
	}
	for i, p := range pkts {
		want, rec := dg.Primary, false
		if i < len(secs) {
			want, rec = secs[len(secs)-1-i], true
		}
		if p.Seq != dg.Seq-uint16(len(pkts)-1-i) || !bytes.Equal(p.IFP, want) || p.Recovered != rec {
			t.Fatalf("packet %d = %+v, want seq %d % x", i, p, dg.Seq-uint16(len(pkts)-1-i), want)
		}
	}
	// The parsed fields re-encode to a datagram that parses back the same,
	// and re-encoding is stable.
	enc, err := dg.Append(nil)
	if err != nil {
		t.Fatalf("Append of a parsed datagram: %v", err)
	}
	if len(enc) > len(data) || len(enc) != dg.Size() {
		t.Fatalf("re-encoding is %d octets from %d (Size %d)", len(enc), len(data), dg.Size())
	}
	var back Datagram
	if err := back.Parse(enc); err != nil || !sameDatagram(back, dg) {
		t.Fatalf("re-parse: %v, %+v vs %+v", err, back, dg)
	}
	// Each delivered IFP, re-encoded on its own, is delivered back as is.
	for _, p := range pkts {
		one, err := (&Datagram{Seq: p.Seq, Primary: p.IFP, Mode: None}).Append(nil)
		if err != nil {
			t.Fatal(err)
		}
		again, err := NewDecoder().Decode(one)
		if err != nil || len(again) != 1 || again[0].Seq != p.Seq || !bytes.Equal(again[0].IFP, p.IFP) {
			t.Fatalf("re-encoded packet %+v came back as %+v, %v", p, again, err)
		}
	}
}

func checkStream(t *testing.T, data []byte) {
	d := NewDecoder()
	var delivered, calls uint64
	var next uint16
	started := false
	for len(data) > 0 {
		n := min(int(data[0]), len(data)-1)
		chunk := data[1 : 1+n]
		data = data[1+n:]
		before := d.Stats()
		pkts, err := d.Decode(chunk)
		after := d.Stats()
		calls++
		if err != nil {
			if pkts != nil || after.Malformed != before.Malformed+1 {
				t.Fatalf("error %v with %d packets, stats %+v", err, len(pkts), after)
			}
			continue
		}
		// Packets rise in sequence; every number skipped (before the first
		// one, or between two: FEC can rebuild a later IFP of a gap and not
		// an earlier one) is counted lost.
		skipped := uint64(0)
		for i, p := range pkts {
			if len(p.IFP) == 0 {
				t.Fatalf("empty IFP delivered at seq %d", p.Seq)
			}
			if i > 0 {
				step := p.Seq - pkts[i-1].Seq
				if step == 0 || step > ringSize {
					t.Fatalf("seq %d after %d", p.Seq, pkts[i-1].Seq)
				}
				skipped += uint64(step - 1)
			}
		}
		if len(pkts) > 0 {
			if started && after.Resyncs == before.Resyncs {
				skipped += uint64(pkts[0].Seq - next)
			}
			if lost := after.Lost - before.Lost; started && after.Resyncs == before.Resyncs && lost != skipped {
				t.Fatalf("%d sequence numbers skipped but %d counted lost", skipped, lost)
			}
			next, started = pkts[len(pkts)-1].Seq+1, true
			if after.Duplicates != before.Duplicates || after.Late != before.Late {
				t.Fatalf("delivered and dropped at once: %+v -> %+v", before, after)
			}
		} else if after.Duplicates+after.Late != before.Duplicates+before.Late+1 {
			t.Fatalf("nothing delivered and nothing dropped: %+v -> %+v", before, after)
		}
		delivered += uint64(len(pkts))
	}
	if st := d.Stats(); st.Delivered != delivered || st.Received+st.Malformed != calls || st.Recovered > st.Delivered {
		t.Fatalf("stats %+v after %d calls delivering %d", st, calls, delivered)
	}
}

// FuzzParseIFP: ParseIFP never panics, a parsed IFP re-encodes and parses
// back the same, never longer than the input, and the allocation-free scan
// agrees on the length.
func FuzzParseIFP(f *testing.F) {
	for _, s := range []string{"02", "1e", "2000", "2180", "d0 01 b0 0002 aaaaaa", "d0 01 e0 0002 aaaaaa",
		"c0 02 21", "c0 02 2e 0000 55", "c0 02 80 0000 7e 40", "e0 00 01 c0 00 0000 42", "e0 40 01 c0 c0 0002 323838",
		"50", "c0 8082 0808", "c0 01 80", "82", ""} {
		for v := range uint8(2) {
			f.Add(hx(f, s), v)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, version uint8) {
		v := int(version % 4)
		p, err := ParseIFP(data, v)
		n, serr := scanIFP(data, v, nil)
		if err != nil {
			if serr == nil && n == len(data) {
				t.Fatalf("ParseIFP failed (%v) where the scan accepts all %d octets", err, n)
			}
			return
		}
		if serr != nil || n != len(data) {
			t.Fatalf("scan: %d octets, %v", n, serr)
		}
		_ = p.String()
		enc, err := AppendIFP(nil, p, v)
		if err != nil {
			t.Fatalf("AppendIFP(%+v): %v", p, err)
		}
		if len(enc) > len(data) {
			t.Fatalf("re-encoding % x longer than % x", enc, data)
		}
		back, err := ParseIFP(enc, v)
		if err != nil || !sameIFP(back, p) {
			t.Fatalf("re-parse of % x: %+v, %v; want %+v", enc, back, err, p)
		}
	})
}
