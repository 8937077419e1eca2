package rtp

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
)

// ErrNoPorts is returned (wrapped, with the counts) when every port pair
// of a PortPool is leased or busy.
var ErrNoPorts = errors.New("rtp: no free port pair")

// ParsePortRange parses an inclusive range "LO-HI" as given to --rtp-ports.
func ParsePortRange(s string) (lo, hi int, err error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	lo, err1 := strconv.Atoi(a)
	hi, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("rtp: port range %q is not LO-HI", s)
	}
	if lo < 1 || hi > 65535 || lo > hi {
		return 0, 0, fmt.Errorf("rtp: port range %d-%d is not within 1-65535 with LO <= HI", lo, hi)
	}
	return lo, hi, nil
}

// PortPool hands out RTP port pairs (an even port for RTP, the next odd
// one for RTCP) from an inclusive range. It is safe for concurrent use.
// Listen binds both sockets and skips pairs another process holds;
// Allocate only books a pair.
type PortPool struct {
	mu     sync.Mutex
	first  int    // lowest even port of the range
	leased []bool // per pair: (port-first)/2
	next   int    // pair index to try first, round robin so a just-released pair rests
	inUse  int
}

// NewPortPool returns a pool over lo..hi inclusive.
func NewPortPool(lo, hi int) (*PortPool, error) {
	if lo < 1 || hi > 65535 || lo > hi {
		return nil, fmt.Errorf("rtp: port range %d-%d is not within 1-65535 with LO <= HI", lo, hi)
	}
	first := lo + lo%2
	pairs := (hi - first + 1) / 2
	if pairs <= 0 {
		return nil, fmt.Errorf("rtp: port range %d-%d holds no even/odd port pair", lo, hi)
	}
	return &PortPool{first: first, leased: make([]bool, pairs)}, nil
}

// Pairs returns the number of pairs in the range; InUse how many are leased.
func (p *PortPool) Pairs() int { return len(p.leased) }

// InUse returns the number of leased pairs.
func (p *PortPool) InUse() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.inUse
}

func (p *PortPool) rangeText() string {
	return fmt.Sprintf("%d-%d", p.first, p.first+2*len(p.leased)-1)
}

// Allocate books the next free pair without binding and returns its even
// port. Release returns it.
func (p *PortPool) Allocate() (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for range len(p.leased) {
		i := p.advance()
		if !p.leased[i] {
			p.take(i)
			return p.first + 2*i, nil
		}
	}
	return 0, fmt.Errorf("%w in %s (%d pairs, all leased)", ErrNoPorts, p.rangeText(), len(p.leased))
}

// Release returns the pair of an even port; releasing a free or foreign
// port is a no-op.
func (p *PortPool) Release(port int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	i := (port - p.first) / 2
	if port < p.first || port%2 != p.first%2 || i >= len(p.leased) || !p.leased[i] {
		return
	}
	p.leased[i] = false
	p.inUse--
}

func (p *PortPool) advance() int {
	i := p.next
	p.next = (p.next + 1) % len(p.leased)
	return i
}

func (p *PortPool) take(i int) {
	p.leased[i] = true
	p.inUse++
}

// Lease is a bound RTP/RTCP socket pair. Close it to free the ports.
type Lease struct {
	Port int          // the RTP (even) port; RTCP is Port+1
	RTP  *net.UDPConn // also carries UDPTL after a switch to T.38
	RTCP *net.UDPConn // bound so no one else takes the port; faxgate sends no RTCP
	pool *PortPool
	once sync.Once
}

// Close closes both sockets and returns the pair to the pool. It is
// idempotent.
func (l *Lease) Close() error {
	var err error
	l.once.Do(func() {
		err = errors.Join(l.RTP.Close(), l.RTCP.Close())
		l.pool.Release(l.Port)
	})
	return err
}

// Listen binds the next free pair on ip (the zero Addr binds every
// interface), skipping pairs whose ports are busy (bound by another
// process), and returns it. When every pair is
// leased or busy it fails with ErrNoPorts.
func (p *PortPool) Listen(ip netip.Addr) (*Lease, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	busy := 0
	var lastErr error
	for range len(p.leased) {
		i := p.advance()
		if p.leased[i] {
			continue
		}
		port := p.first + 2*i
		rtp, rtcp, err := bindPair(ip, port)
		if err != nil {
			busy++
			lastErr = err
			continue
		}
		p.take(i)
		return &Lease{Port: port, RTP: rtp, RTCP: rtcp, pool: p}, nil
	}
	err := fmt.Errorf("%w in %s on %s (%d pairs: %d leased, %d busy)",
		ErrNoPorts, p.rangeText(), ip, len(p.leased), p.inUse, busy)
	if lastErr != nil {
		err = fmt.Errorf("%w; last bind error: %v", err, lastErr)
	}
	return nil, err
}

func bindPair(ip netip.Addr, port int) (*net.UDPConn, *net.UDPConn, error) {
	rtp, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(port))))
	if err != nil {
		return nil, nil, err
	}
	rtcp, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(port+1))))
	if err != nil {
		rtp.Close()
		return nil, nil, err
	}
	return rtp, rtcp, nil
}
