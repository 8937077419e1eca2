// Package dnstest is a tiny authoritative DNS server on 127.0.0.1 (UDP)
// for tests of the sender checks: it answers A, AAAA, TXT and MX queries
// from a fixed zone, NXDOMAIN for unknown names, so SPF, DKIM and DMARC
// lookups go through the real resolver code and the real wire format.
package dnstest

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
)

// Record types served.
const (
	TypeA    uint16 = 1
	TypeMX   uint16 = 15
	TypeTXT  uint16 = 16
	TypeAAAA uint16 = 28
)

// RR is one answer: Type and Value ("192.0.2.1", a TXT string, or
// "10 mx.example." for MX).
type RR struct {
	Type  uint16
	Value string
}

// Server is the test DNS server.
type Server struct {
	Addr string // host:port of the UDP socket
	pc   net.PacketConn

	mu   sync.Mutex
	zone map[string][]RR // lower-case name without the final dot
	seen []string        // "TYPE name" of every query, for assertions
}

// Start serves on 127.0.0.1 until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("dnstest: %v", err)
	}
	s := &Server{Addr: pc.LocalAddr().String(), pc: pc, zone: map[string][]RR{}}
	go s.serve()
	t.Cleanup(func() { _ = pc.Close() })
	return s
}

// Add adds records under name.
func (s *Server) Add(name string, rrs ...RR) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := canon(name)
	s.zone[k] = append(s.zone[k], rrs...)
}

// TXT adds one TXT record.
func (s *Server) TXT(name, value string) { s.Add(name, RR{Type: TypeTXT, Value: value}) }

// Queried reports whether a query for name was received.
func (s *Server) Queried(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, q := range s.seen {
		if strings.HasSuffix(q, " "+canon(name)) {
			return true
		}
	}
	return false
}

// Resolver is a Go resolver that asks only this server.
func (s *Server) Resolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", s.Addr)
	}}
}

func canon(name string) string { return strings.ToLower(strings.TrimSuffix(name, ".")) }

func (s *Server) serve() {
	buf := make([]byte, 1500)
	for {
		n, from, err := s.pc.ReadFrom(buf)
		if err != nil {
			return
		}
		if resp, err := s.answer(buf[:n]); err == nil {
			_, _ = s.pc.WriteTo(resp, from)
		}
	}
}

// answer builds the response to one query (no compression in queries).
func (s *Server) answer(q []byte) ([]byte, error) {
	if len(q) < 12 || binary.BigEndian.Uint16(q[4:]) != 1 {
		return nil, errors.New("dnstest: want one question")
	}
	name, end, err := readName(q, 12)
	if err != nil || end+4 > len(q) {
		return nil, errors.New("dnstest: bad question")
	}
	qtype := binary.BigEndian.Uint16(q[end:])
	s.mu.Lock()
	rrs, known := s.zone[name]
	s.seen = append(s.seen, typeName(qtype)+" "+name)
	s.mu.Unlock()

	resp := make([]byte, 12, 512)
	copy(resp, q[:4])              // id, then flags below
	resp[2] = 0x84 | (q[2] & 0x79) // QR, AA; opcode and RD copied
	resp[3] = 0x80                 // RA
	if !known {
		resp[3] |= 3 // NXDOMAIN
	}
	binary.BigEndian.PutUint16(resp[4:], 1)
	resp = append(resp, q[12:end+4]...)
	var count uint16
	for _, rr := range rrs {
		rdata, ok := encode(rr, qtype)
		if !ok {
			continue
		}
		resp = append(resp, 0xC0, 12) // the question's name
		resp = binary.BigEndian.AppendUint16(resp, rr.Type)
		resp = binary.BigEndian.AppendUint16(resp, 1) // IN
		resp = binary.BigEndian.AppendUint32(resp, 60)
		resp = binary.BigEndian.AppendUint16(resp, uint16(len(rdata)))
		resp = append(resp, rdata...)
		count++
	}
	binary.BigEndian.PutUint16(resp[6:], count)
	if len(resp) > 1232 {
		return nil, errors.New("dnstest: answer too large for UDP")
	}
	return resp, nil
}

func encode(rr RR, qtype uint16) ([]byte, bool) {
	if rr.Type != qtype {
		return nil, false
	}
	switch rr.Type {
	case TypeA:
		ip := net.ParseIP(rr.Value).To4()
		return ip, ip != nil
	case TypeAAAA:
		ip := net.ParseIP(rr.Value)
		return ip.To16(), ip != nil && ip.To4() == nil
	case TypeTXT:
		var out []byte
		v := rr.Value
		for len(v) > 0 {
			n := min(len(v), 255)
			out = append(append(out, byte(n)), v[:n]...)
			v = v[n:]
		}
		return out, true
	case TypeMX:
		pref, host, ok := strings.Cut(rr.Value, " ")
		if !ok {
			return nil, false
		}
		var p uint16
		for _, c := range pref {
			p = p*10 + uint16(c-'0')
		}
		out := binary.BigEndian.AppendUint16(nil, p)
		for _, l := range strings.Split(canon(host), ".") {
			out = append(append(out, byte(len(l))), l...)
		}
		return append(out, 0), true
	}
	return nil, false
}

func readName(b []byte, off int) (string, int, error) {
	var labels []string
	for {
		if off >= len(b) {
			return "", 0, errors.New("short name")
		}
		l := int(b[off])
		off++
		if l == 0 {
			return strings.ToLower(strings.Join(labels, ".")), off, nil
		}
		if l > 63 || off+l > len(b) {
			return "", 0, errors.New("bad label")
		}
		labels = append(labels, string(b[off:off+l]))
		off += l
	}
}

func typeName(t uint16) string {
	switch t {
	case TypeA:
		return "A"
	case TypeAAAA:
		return "AAAA"
	case TypeTXT:
		return "TXT"
	case TypeMX:
		return "MX"
	}
	return "TYPE?"
}
