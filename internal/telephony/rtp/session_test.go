package rtp

import (
	"errors"
	"net/netip"
	"slices"
	"testing"
	"time"
)

var (
	farAddr   = netip.MustParseAddrPort("198.51.100.7:40000")
	otherAddr = netip.MustParseAddrPort("198.51.100.99:40000")
)

func newTestSession(t testing.TB, cfg Config) *Session {
	t.Helper()
	s, err := NewSession(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// payloadFor fills a G.711 payload whose octets identify the samples'
// timestamps, so played frames can be checked sample by sample.
func payloadFor(ts uint32, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte((ts + uint32(i)) * 2654435761 >> 24) // Knuth's multiplicative hash: no short period
	}
	return b
}

func mk(seq uint16, ts, ssrc uint32, pt uint8, n int) []byte {
	p := Packet{Header: Header{PayloadType: pt, Seq: seq, Timestamp: ts, SSRC: ssrc}, Payload: payloadFor(ts, n)}
	b, err := p.Marshal()
	if err != nil {
		panic(err)
	}
	return b
}

func TestNewSessionConfig(t *testing.T) {
	for _, cfg := range []Config{{PayloadType: 18}, {Delay: -time.Millisecond}, {Delay: time.Second}} {
		if _, err := NewSession(cfg); err == nil {
			t.Errorf("NewSession(%+v): no error", cfg)
		}
	}
}

func TestOutgoing(t *testing.T) {
	s := newTestSession(t, Config{PayloadType: PTPCMA})
	payload := make([]byte, FrameSamples)
	var first Packet
	var buf []byte
	for i := range 3 {
		b, err := s.AppendPacket(buf[:0], payload)
		if err != nil {
			t.Fatal(err)
		}
		buf = b
		var p Packet
		if err := p.Unmarshal(b); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = p
		}
		if p.Marker != (i == 0) || p.PayloadType != PTPCMA || p.SSRC != s.SSRC() ||
			p.Seq != first.Seq+uint16(i) || p.Timestamp != first.Timestamp+uint32(160*i) || len(p.Payload) != 160 {
			t.Errorf("packet %d: %+v", i, p.Header)
		}
	}
	s.MarkNext()
	b, _ := s.AppendPacket(nil, payload[:80])
	var p Packet
	_ = p.Unmarshal(b)
	if !p.Marker || p.Timestamp != first.Timestamp+480 {
		t.Errorf("after MarkNext: %+v", p.Header)
	}
	if _, err := s.AppendPacket(nil, nil); err == nil {
		t.Errorf("empty payload accepted")
	}
	if st := s.Stats(); st.Sent != 4 || st.SentOctets != 560 {
		t.Errorf("stats %+v", st)
	}
	// Initial values are random (RFC 3550 §5.1): three sessions, three SSRCs.
	a, b2, c := newTestSession(t, Config{}), newTestSession(t, Config{}), newTestSession(t, Config{})
	if a.SSRC() == b2.SSRC() && b2.SSRC() == c.SSRC() {
		t.Errorf("SSRCs are not random")
	}
}

// feed pushes packets of 160 samples numbered from 0, packet k arriving at
// base + arrive[k] ms, and pops one frame per 20 ms tick starting 5 ms in,
// interleaved in time order. It returns, per tick, the frame timestamp
// played (or -1 for a fill-in / nothing).
type event struct {
	seq uint16
	at  int // ms
}

const ts0 = 1 << 20

func play(t *testing.T, s *Session, events []event, ticks int, samples int) []int {
	t.Helper()
	base := time.Unix(2000, 0)
	events = slices.Clone(events)
	slices.SortStableFunc(events, func(a, b event) int { return a.at - b.at })
	var out []int
	e := 0
	for k := range ticks {
		now := 5 + 20*k
		for e < len(events) && events[e].at <= now {
			ev := events[e]
			ts := uint32(ts0 + samples*int(ev.seq))
			_ = s.Push(mk(ev.seq, ts, 0xabc, PTPCMU, samples), farAddr, base.Add(time.Duration(ev.at)*time.Millisecond))
			e++
		}
		frame, ok := s.Pop(base.Add(time.Duration(now) * time.Millisecond))
		if !ok {
			out = append(out, -1)
			continue
		}
		// The frame must be the samples of one contiguous timestamp range.
		start := -1
		for ts := uint32(ts0); ts < ts0+1<<18; ts += FrameSamples {
			if frame[0] == payloadFor(ts, 1)[0] && string(frame) == string(payloadFor(ts, FrameSamples)) {
				start = int(ts-ts0) / FrameSamples
				break
			}
		}
		if start < 0 {
			t.Fatalf("tick %d: frame does not match any timestamp", k)
		}
		out = append(out, start)
	}
	return out
}

func regular(n int) []event {
	ev := make([]event, n)
	for i := range ev {
		ev[i] = event{uint16(i), 20 * i}
	}
	return ev
}

func TestPlayout(t *testing.T) {
	swap := regular(8)
	swap[2], swap[3] = event{3, 40}, event{2, 60} // 3 overtakes 2, which is 20 ms late
	lost := append(regular(3), regular(8)[4:]...) // packet 3 never arrives
	late := regular(8)
	late[3].at = 200 // 3 arrives after its slot (played at 65+60=125 ms)
	first := regular(6)
	first[0], first[1] = event{1, 0}, event{0, 10} // reordered before the first packet
	tests := []struct {
		name    string
		events  []event
		samples int
		want    []int
		check   func(t *testing.T, st Stats)
	}{
		// The first packet arrives at 0 ms; with a 60 ms delay playout
		// starts at the tick at 65 ms (the fourth).
		{"in order", regular(6), 160, []int{-1, -1, -1, 0, 1, 2, 3, 4, 5, -1}, func(t *testing.T, st Stats) {
			if st.Received != 6 || st.Lost != 0 || st.FillIns != 1 || st.Late != 0 {
				t.Errorf("%+v", st)
			}
		}},
		{"reordered within the delay", swap, 160, []int{-1, -1, -1, 0, 1, 2, 3, 4, 5, 6, 7}, func(t *testing.T, st Stats) {
			if st.Reordered != 1 || st.Lost != 0 || st.FillIns != 0 {
				t.Errorf("%+v", st)
			}
		}},
		{"lost packet: fill-in", lost, 160, []int{-1, -1, -1, 0, 1, 2, -1, 4, 5, 6, 7}, func(t *testing.T, st Stats) {
			if st.Lost != 1 || st.FillIns != 1 || st.Received != 7 {
				t.Errorf("%+v", st)
			}
		}},
		{"late packet: counted, not played", late, 160, []int{-1, -1, -1, 0, 1, 2, -1, 4, 5, 6, 7}, func(t *testing.T, st Stats) {
			if st.Late != 1 || st.Lost != 0 || st.Reordered != 1 || st.FillIns != 1 {
				t.Errorf("%+v", st)
			}
		}},
		{"reordered before the first packet", first, 160, []int{-1, -1, -1, 0, 1, 2, 3, 4, 5}, func(t *testing.T, st Stats) {
			if st.Reordered != 1 || st.FillIns != 0 {
				t.Errorf("%+v", st)
			}
		}},
		// 30 ms packets (240 samples) every 30 ms are played as 20 ms frames.
		{"30 ms packetization", func() []event {
			ev := make([]event, 6)
			for i := range ev {
				ev[i] = event{uint16(i), 30 * i}
			}
			return ev
		}(), 240, []int{-1, -1, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8}, func(t *testing.T, st Stats) {
			if st.FillIns != 0 || st.Received != 6 {
				t.Errorf("%+v", st)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestSession(t, Config{Comedia: ComediaOff})
			got := play(t, s, tt.events, len(tt.want), tt.samples)
			for i := range tt.want {
				if got[i] != tt.want[i] {
					t.Fatalf("played %v\n    want %v", got, tt.want)
				}
			}
			tt.check(t, s.Stats())
		})
	}
}

// TestPlayoutClockDrift: a far clock 5 % fast overruns the buffer, which
// drops audio to keep the delay; a far clock 5 % slow starves it until
// late packets make it start over. Either way playout continues.
func TestPlayoutClockDrift(t *testing.T) {
	for _, tt := range []struct {
		name   string
		period float64 // ms between packets
		check  func(st Stats) bool
	}{
		{"fast", 19, func(st Stats) bool { return st.Overruns > 0 && st.Resyncs == 0 }},
		{"slow", 21, func(st Stats) bool { return st.Resyncs > 0 && st.Overruns == 0 && st.Late > 0 }},
	} {
		s := newTestSession(t, Config{Comedia: ComediaOff})
		ev := make([]event, 400)
		for i := range ev {
			ev[i] = event{uint16(i), int(float64(i) * tt.period)}
		}
		got := play(t, s, ev, 400, 160)
		played := 0
		for _, f := range got[300:350] { // the stream still runs (the fast one ends at 7.6 s)
			if f >= 0 {
				played++
			}
		}
		st := s.Stats()
		if !tt.check(st) || played < 40 {
			t.Errorf("%s: played %d of 50 ticks; stats %+v", tt.name, played, st)
		}
		if depth := int32(s.play.end - s.play.next); depth > int32(s.play.delaySamples+overrunSlack) {
			t.Errorf("%s: buffer depth %d samples", tt.name, depth)
		}
	}
}

func TestTimestampJump(t *testing.T) {
	s := newTestSession(t, Config{Comedia: ComediaOff})
	base := time.Unix(3000, 0)
	for i := range 5 {
		_ = s.Push(mk(uint16(i), uint32(160*i), 1, PTPCMU, 160), farAddr, base.Add(time.Duration(20*i)*time.Millisecond))
	}
	// Same sequence run, timestamps 10 s later (the far end restarted its clock).
	at := base.Add(100 * time.Millisecond)
	_ = s.Push(mk(5, 80000, 1, PTPCMU, 160), farAddr, at)
	if st := s.Stats(); st.Resyncs != 1 {
		t.Fatalf("resyncs %d", st.Resyncs)
	}
	if _, ok := s.Pop(at.Add(59 * time.Millisecond)); ok {
		t.Errorf("played before the delay after a resync")
	}
	if f, ok := s.Pop(at.Add(60 * time.Millisecond)); !ok || string(f) != string(payloadFor(80000, 160)) {
		t.Errorf("the resynced packet is not played")
	}
}

// TestIgnoredPayloadTypes: comfort noise and telephone-events are counted
// and never played, and their sequence numbers do not count as loss.
func TestIgnoredPayloadTypes(t *testing.T) {
	s := newTestSession(t, Config{PayloadType: PTPCMA, EventPT: 96, Comedia: ComediaOff})
	base := time.Unix(4000, 0)
	pts := []uint8{PTPCMA, PTComfortNoise, 96, PTPCMA, PTPCMU, 101}
	for i, pt := range pts {
		_ = s.Push(mk(uint16(i), uint32(160*i), 7, pt, 160), farAddr, base.Add(time.Duration(20*i)*time.Millisecond))
	}
	st := s.Stats()
	if st.Received != 6 || st.Lost != 0 || st.CN != 1 || st.Events != 1 || st.OtherPT != 2 {
		t.Errorf("stats %+v", st)
	}
	now := base.Add(60 * time.Millisecond)
	var played []bool
	for k := range 4 {
		_, ok := s.Pop(now.Add(time.Duration(20*k) * time.Millisecond))
		played = append(played, ok)
	}
	if want := []bool{true, false, false, true}; string(fmtBools(played)) != string(fmtBools(want)) {
		t.Errorf("played %v, want %v", played, want)
	}
}

func fmtBools(b []bool) []byte {
	out := make([]byte, len(b))
	for i, v := range b {
		out[i] = '0'
		if v {
			out[i] = '1'
		}
	}
	return out
}

func TestSSRCLatch(t *testing.T) {
	s := newTestSession(t, Config{Comedia: ComediaOff})
	base := time.Unix(5000, 0)
	at := func(i int) time.Time { return base.Add(time.Duration(20*i) * time.Millisecond) }
	for i := range 3 {
		if err := s.Push(mk(uint16(i), uint32(160*i), 0xaaaa, PTPCMU, 160), farAddr, at(i)); err != nil {
			t.Fatal(err)
		}
	}
	// Another SSRC: dropped until it sends relatchAfter packets in a row.
	var errs []error
	for i := range 3 {
		errs = append(errs, s.Push(mk(uint16(500+i), uint32(90000+160*i), 0xbbbb, PTPCMU, 160), farAddr, at(3+i)))
	}
	if !errors.Is(errs[0], ErrForeignSSRC) || !errors.Is(errs[1], ErrForeignSSRC) || errs[2] != nil {
		t.Fatalf("errors %v", errs)
	}
	// Our own SSRC looped back is never accepted.
	if err := s.Push(mk(9, 9, s.SSRC(), PTPCMU, 160), farAddr, at(6)); !errors.Is(err, ErrForeignSSRC) {
		t.Errorf("looped packet: %v", err)
	}
	// The old SSRC is now foreign.
	if err := s.Push(mk(3, 480, 0xaaaa, PTPCMU, 160), farAddr, at(7)); !errors.Is(err, ErrForeignSSRC) {
		t.Errorf("old SSRC after relatch: %v", err)
	}
	st := s.Stats()
	if st.SSRCChanges != 1 || st.ForeignSSRC != 5 || st.Received != 4 || st.Lost != 0 {
		t.Errorf("stats %+v", st)
	}
	if f, ok := s.Pop(at(5).Add(60 * time.Millisecond)); !ok || string(f) != string(payloadFor(90320, 160)) {
		t.Errorf("new stream not played from its first accepted packet")
	}
}

func TestComedia(t *testing.T) {
	private := netip.MustParseAddrPort("192.168.1.20:4000")
	public := netip.MustParseAddrPort("203.0.113.5:4000")
	tests := []struct {
		name   string
		cfg    Config
		learns bool
	}{
		{"auto, private SDP address", Config{Remote: private}, true},
		{"auto, CGNAT address", Config{Remote: netip.MustParseAddrPort("100.64.3.4:4000")}, true},
		{"auto, unspecified (hold)", Config{Remote: netip.MustParseAddrPort("0.0.0.0:4000")}, true},
		{"auto, ULA IPv6", Config{Remote: netip.MustParseAddrPort("[fd00::1]:4000")}, true},
		{"auto, unknown", Config{}, true},
		{"auto, public", Config{Remote: public}, false},
		{"on, public", Config{Remote: public, Comedia: ComediaOn}, true},
		{"off, private", Config{Remote: private, Comedia: ComediaOff}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestSession(t, tt.cfg)
			base := time.Unix(6000, 0)
			// A malformed packet from elsewhere first: it must not be learned.
			_ = s.Push([]byte{1, 2, 3}, otherAddr, base)
			if err := s.Push(mk(1, 160, 5, PTPCMU, 160), farAddr, base); err != nil {
				t.Fatal(err)
			}
			err := s.Push(mk(2, 320, 5, PTPCMU, 160), otherAddr, base)
			if tt.learns {
				if s.Remote() != farAddr || !errors.Is(err, ErrStray) || s.Stats().Stray != 1 {
					t.Errorf("remote %v, stray err %v", s.Remote(), err)
				}
				// A new SDP address (re-INVITE) learns again.
				s.SetRemote(private)
				if err := s.Push(mk(3, 480, 5, PTPCMU, 160), otherAddr, base); err != nil || s.Remote() != otherAddr {
					t.Errorf("after SetRemote: %v, remote %v", err, s.Remote())
				}
			} else if s.Remote() != tt.cfg.Remote || err != nil {
				t.Errorf("remote %v (want the SDP address %v), err %v", s.Remote(), tt.cfg.Remote, err)
			}
		})
	}
}
