package rtp

import (
	"bytes"
	"math/rand/v2"
	"net"
	"net/netip"
	"testing"
	"time"

	"faxgate/internal/telephony/g711"
)

// TestLoopbackUDP sends 500 G.711 frames between two real UDP sockets on
// 127.0.0.1 through a seeded impairment: about 5 % dropped, 3 % swapped
// with the next packet, 1 % duplicated, 0-8 ms of jitter. The receiver
// learns the sender's address (comedia: its SDP address is unknown), plays
// every frame that was not dropped, byte for byte, in order, and its
// counters match what the impairment did. Time is simulated (arrival and
// tick times are computed), the packets really cross the sockets.
func TestLoopbackUDP(t *testing.T) {
	const frames = 500
	connA, connB := udpPair(t)
	addrA := connA.LocalAddr().(*net.UDPAddr).AddrPort()
	addrB := connB.LocalAddr().(*net.UDPAddr).AddrPort()

	tx := newTestSession(t, Config{PayloadType: PTPCMU, Remote: addrB})
	rx := newTestSession(t, Config{PayloadType: PTPCMU}) // far address unknown: learn it

	// The audio: a 1 kHz tone, μ-law encoded, a different phase per frame.
	sent := make([][]byte, frames)
	for i := range sent {
		pcm := make([]int16, FrameSamples)
		for j := range pcm {
			pcm[j] = int16(8000 * sinTable[(i*FrameSamples+j)%8])
		}
		sent[i] = make([]byte, FrameSamples)
		g711.EncodeULaw(sent[i], pcm)
		sent[i][0] = byte(i) // and a frame number, so a mix-up cannot pass
	}

	// Build the impaired delivery order from the seeded dropper.
	rng := rand.New(rand.NewPCG(7, 11))
	type delivery struct {
		frame int
		wire  []byte
	}
	var order []delivery
	dropped, swapped, duplicated := map[int]bool{}, 0, 0
	var pending *delivery
	for i := range frames {
		wire, err := tx.AppendPacket(nil, sent[i])
		if err != nil {
			t.Fatal(err)
		}
		// Never drop the first or last frame: loss is counted between them.
		if i > 0 && i < frames-1 && rng.Float64() < 0.05 {
			dropped[i] = true
			continue
		}
		d := delivery{i, wire}
		switch {
		case pending != nil:
			order = append(order, d, *pending) // the held packet goes after this one
			pending = nil
			swapped++
		case i < frames-2 && rng.Float64() < 0.03:
			pending = &d
		default:
			order = append(order, d)
		}
		if rng.Float64() < 0.01 {
			order = append(order, d)
			duplicated++
		}
	}
	if pending != nil {
		order = append(order, *pending)
	}

	// Deliver at 20 ms per slot plus jitter, popping at every 20 ms tick.
	base := time.Now()
	buf := make([]byte, MaxPacketSize)
	var played [][]byte
	var fillins []int // positions in the played stream where a fill-in ran
	tick := func(k int) {
		before := rx.Stats().FillIns
		frame, ok := rx.Pop(base.Add(time.Duration(5+20*k) * time.Millisecond))
		switch {
		case ok:
			played = append(played, bytes.Clone(frame))
		case rx.Stats().FillIns > before: // playing, frame missing
			fillins = append(fillins, len(played)+len(fillins))
		}
	}
	k := 0
	var last time.Duration
	for slot, d := range order {
		// Sent at 20 ms per frame, arriving 0-8 ms later, in delivery order
		// (a swapped packet arrives right after the one that overtook it).
		at := time.Duration(20*d.frame)*time.Millisecond + time.Duration(rng.IntN(8000))*time.Microsecond
		at = max(at, last+time.Microsecond)
		last = at
		for ; time.Duration(5+20*k)*time.Millisecond < at; k++ {
			tick(k)
		}
		if _, err := connA.WriteToUDPAddrPort(d.wire, tx.Remote()); err != nil {
			t.Fatal(err)
		}
		connB.SetReadDeadline(time.Now().Add(2 * time.Second))
		n, from, err := connB.ReadFromUDPAddrPort(buf)
		if err != nil {
			t.Fatalf("delivery %d (frame %d): %v", slot, d.frame, err)
		}
		if err := rx.Push(buf[:n], from, base.Add(at)); err != nil {
			t.Fatalf("frame %d: %v", d.frame, err)
		}
	}
	for ; len(played)+len(fillins) < frames; k++ {
		tick(k)
	}

	// Every frame is either played in order or a fill-in, exactly where
	// the dropper dropped.
	p := 0
	for i := range frames {
		if dropped[i] {
			if len(fillins) == 0 || fillins[0] != i {
				t.Fatalf("frame %d was dropped but playout filled %v", i, fillins[:min(3, len(fillins))])
			}
			fillins = fillins[1:]
			continue
		}
		if !bytes.Equal(played[p], sent[i]) {
			t.Fatalf("played frame %d (number %d) differs from sent frame %d; dropped %v; swapped %d; stats %+v", p, played[p][0], i, dropped, swapped, rx.Stats())
		}
		p++
	}

	st := rx.Stats()
	want := Stats{Received: uint64(frames - len(dropped)), ReceivedOctets: uint64(FrameSamples * (frames - len(dropped))),
		Lost: uint64(len(dropped)), Duplicates: uint64(duplicated), Reordered: uint64(swapped), FillIns: uint64(len(dropped))}
	got := st
	got.Jitter, got.JitterUnits = 0, 0
	if got != want {
		t.Errorf("receiver stats\n got %+v\nwant %+v", st, want)
	}
	if st.JitterUnits == 0 || st.Jitter > 10*time.Millisecond {
		t.Errorf("jitter %v (%d units)", st.Jitter, st.JitterUnits)
	}
	if tx.Stats().Sent != frames || len(dropped) < 10 || swapped < 5 || duplicated < 2 {
		t.Errorf("impairment too weak: sent %d, dropped %d, swapped %d, duplicated %d", tx.Stats().Sent, len(dropped), swapped, duplicated)
	}
	t.Logf("500 frames: %d dropped, %d swapped, %d duplicated; jitter %v", len(dropped), swapped, duplicated, st.Jitter)

	// Symmetric RTP: the receiver learned the sender's address and its own
	// packets reach the sender's socket.
	if rx.Remote() != addrA {
		t.Fatalf("receiver learned %v, want %v", rx.Remote(), addrA)
	}
	back, _ := rx.AppendPacket(nil, sent[0])
	if _, err := connB.WriteToUDPAddrPort(back, rx.Remote()); err != nil {
		t.Fatal(err)
	}
	connA.SetReadDeadline(time.Now().Add(2 * time.Second))
	n, _, err := connA.ReadFromUDPAddrPort(buf)
	if err != nil || tx.Push(buf[:n], addrB, base) != nil || tx.Stats().Received != 1 {
		t.Fatalf("reverse direction: %v, stats %+v", err, tx.Stats())
	}
}

var sinTable = [8]float64{0, 0.7071, 1, 0.7071, 0, -0.7071, -1, -0.7071}

func udpPair(t *testing.T) (*net.UDPConn, *net.UDPConn) {
	t.Helper()
	var conns [2]*net.UDPConn
	for i := range conns {
		c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, 0)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		conns[i] = c
	}
	return conns[0], conns[1]
}
