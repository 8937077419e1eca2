package rtp

import (
	"errors"
	"math/rand/v2"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
)

var loopback = netip.MustParseAddr("127.0.0.1")

func TestParsePortRange(t *testing.T) {
	if lo, hi, err := ParsePortRange(" 10000-20000 "); err != nil || lo != 10000 || hi != 20000 {
		t.Errorf("got %d-%d %v", lo, hi, err)
	}
	for _, bad := range []string{"", "10000", "a-b", "20000-10000", "0-10", "60000-70000", "10000-", "-5"} {
		if _, _, err := ParsePortRange(bad); err == nil {
			t.Errorf("ParsePortRange(%q): no error", bad)
		}
	}
}

func TestNewPortPool(t *testing.T) {
	tests := []struct {
		lo, hi, pairs int
	}{
		{10000, 10001, 1}, {10000, 10002, 1}, {10001, 10004, 1}, {10001, 10005, 2}, {10000, 19999, 5000},
	}
	for _, tt := range tests {
		p, err := NewPortPool(tt.lo, tt.hi)
		if err != nil || p.Pairs() != tt.pairs {
			t.Errorf("%d-%d: %v pairs, err %v; want %d", tt.lo, tt.hi, p, err, tt.pairs)
		}
	}
	for _, bad := range [][2]int{{10001, 10002}, {10000, 10000}, {5, 3}, {0, 10}, {65535, 65536}} {
		if _, err := NewPortPool(bad[0], bad[1]); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

func TestAllocateRelease(t *testing.T) {
	p, _ := NewPortPool(10001, 10008) // pairs 10002, 10004, 10006
	var got []int
	for range 3 {
		port, err := p.Allocate()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, port)
	}
	if got[0] != 10002 || got[1] != 10004 || got[2] != 10006 || p.InUse() != 3 {
		t.Fatalf("allocated %v, in use %d", got, p.InUse())
	}
	if _, err := p.Allocate(); !errors.Is(err, ErrNoPorts) || !strings.Contains(err.Error(), "10002-10007 (3 pairs, all leased)") {
		t.Fatalf("exhausted: %v", err)
	}
	p.Release(10004)
	p.Release(10004) // twice: no effect
	p.Release(10005) // odd: not ours
	p.Release(9000)  // outside
	if p.InUse() != 2 {
		t.Fatalf("in use %d after release", p.InUse())
	}
	if port, err := p.Allocate(); err != nil || port != 10004 {
		t.Errorf("after release got %d %v", port, err)
	}
}

// TestAllocateConcurrent: many goroutines allocating and releasing never
// get the same pair at once.
func TestAllocateConcurrent(t *testing.T) {
	p, _ := NewPortPool(20000, 20063) // 32 pairs
	var mu sync.Mutex
	held := map[int]bool{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 500 {
				port, err := p.Allocate()
				if err != nil {
					continue // all 32 momentarily held by others
				}
				mu.Lock()
				if held[port] {
					t.Errorf("port %d handed out twice", port)
				}
				held[port] = true
				mu.Unlock()
				mu.Lock()
				delete(held, port)
				mu.Unlock()
				p.Release(port)
			}
		})
	}
	wg.Wait()
	if p.InUse() != 0 {
		t.Errorf("in use %d at the end", p.InUse())
	}
}

// freeRange finds n consecutive free UDP ports on loopback starting at an
// even port, by binding them all.
func freeRange(t *testing.T, n int) int {
	t.Helper()
	for range 50 {
		lo := 30000 + 2*rand.IntN(15000)
		var conns []*net.UDPConn
		for port := lo; port < lo+n; port++ {
			c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, uint16(port))))
			if err != nil {
				break
			}
			conns = append(conns, c)
		}
		ok := len(conns) == n
		for _, c := range conns {
			c.Close()
		}
		if ok {
			return lo
		}
	}
	t.Skip("no free run of UDP ports on 127.0.0.1")
	return 0
}

// TestListen binds real sockets: pairs whose RTP or RTCP port another
// socket holds are skipped, exhaustion says why, and Close frees the pair.
func TestListen(t *testing.T) {
	lo := freeRange(t, 8)     // pairs lo, lo+2, lo+4, lo+6
	busy := []int{lo, lo + 5} // RTP of the first pair, RTCP of the third
	for _, port := range busy {
		c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, uint16(port))))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	p, err := NewPortPool(lo, lo+7)
	if err != nil {
		t.Fatal(err)
	}
	a, err := p.Listen(loopback)
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Listen(loopback)
	if err != nil {
		t.Fatal(err)
	}
	if a.Port != lo+2 || b.Port != lo+6 {
		t.Fatalf("leased %d and %d, want %d and %d", a.Port, b.Port, lo+2, lo+6)
	}
	if got := a.RTP.LocalAddr().(*net.UDPAddr).Port; got != a.Port || a.RTCP.LocalAddr().(*net.UDPAddr).Port != a.Port+1 {
		t.Errorf("sockets bound to %d/%v", got, a.RTCP.LocalAddr())
	}
	_, err = p.Listen(loopback)
	if !errors.Is(err, ErrNoPorts) || !strings.Contains(err.Error(), "(4 pairs: 2 leased, 2 busy)") {
		t.Fatalf("exhausted: %v", err)
	}
	// The lease is usable: a datagram reaches it.
	if _, err := b.RTP.WriteToUDPAddrPort([]byte("x"), netip.AddrPortFrom(loopback, uint16(a.Port))); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 8)
	if n, _, err := a.RTP.ReadFromUDPAddrPort(buf); err != nil || string(buf[:n]) != "x" {
		t.Fatalf("read %q %v", buf[:n], err)
	}
	if err := a.Close(); err != nil || a.Close() != nil || p.InUse() != 1 {
		t.Fatalf("close: %v, in use %d", err, p.InUse())
	}
	c, err := p.Listen(loopback)
	if err != nil || c.Port != lo+2 {
		t.Fatalf("after close: %v %v", c, err)
	}
	c.Close()
	b.Close()
	if p.InUse() != 0 {
		t.Errorf("in use %d", p.InUse())
	}
}
