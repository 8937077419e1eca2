package udptl

import (
	"crypto/subtle"
	"fmt"
	"slices"
)

// Defaults and limits of EncoderConfig.
const (
	DefaultDepth      = 3  // secondaries per datagram; spandsp/FreeSWITCH/Asterisk use 3
	MaxDepth          = 32 // more is pointless: MaxDatagram trims long before
	DefaultFECSpan    = 3
	DefaultFECEntries = 3
	MaxFECWindow      = 32 // FECSpan × FECEntries, the packets one datagram's parity covers

	histSize = 64 // power of two above MaxDepth and MaxFECWindow
	histMask = histSize - 1
)

// EncoderConfig selects the error recovery of an outgoing UDPTL stream.
type EncoderConfig struct {
	Mode ECMode
	// Depth is the number of secondaries in Redundancy mode: 0 selects
	// DefaultDepth, a negative value none; capped at MaxDepth.
	Depth int
	// MaxDatagram is the far end's T38FaxMaxDatagram, the largest UDPTL
	// payload it accepts; 0 means no limit.
	MaxDatagram int
	// FECSpan (fec-npackets) is how many IFPs one parity entry covers and
	// FECEntries how many interleaved entries a datagram carries; 0 selects
	// the defaults. Their product is capped at MaxFECWindow by lowering
	// FECEntries (FECSpan is capped at MaxFECWindow first).
	FECSpan, FECEntries int
}

// normalize applies the documented defaults and limits.
func (c EncoderConfig) normalize() EncoderConfig {
	switch {
	case c.Depth == 0:
		c.Depth = DefaultDepth
	case c.Depth < 0:
		c.Depth = 0
	}
	c.Depth = min(c.Depth, MaxDepth)
	if c.FECSpan <= 0 {
		c.FECSpan = DefaultFECSpan
	}
	if c.FECEntries <= 0 {
		c.FECEntries = DefaultFECEntries
	}
	c.FECSpan = min(c.FECSpan, MaxFECWindow)
	c.FECEntries = min(c.FECEntries, MaxFECWindow/c.FECSpan)
	c.MaxDatagram = max(c.MaxDatagram, 0)
	return c
}

// Encoder builds the UDPTL datagrams of one outgoing stream. It keeps the
// last IFPs it sent for redundancy and FEC. Not safe for concurrent use.
type Encoder struct {
	cfg   EncoderConfig
	seq   uint16
	count int // IFPs in hist, saturating at histSize
	hist  [histSize][]byte
	fec   [][]byte // parity scratch, one per entry
}

// NewEncoder returns an encoder whose first datagram has sequence number 0.
func NewEncoder(cfg EncoderConfig) *Encoder {
	cfg = cfg.normalize()
	return &Encoder{cfg: cfg, fec: make([][]byte, cfg.FECEntries)}
}

// Config returns the configuration in effect, defaults and limits applied.
func (e *Encoder) Config() EncoderConfig { return e.cfg }

// NextSeq is the sequence number the next successful Encode will use.
func (e *Encoder) NextSeq() uint16 { return e.seq }

// Encode assigns the next sequence number to ifp and returns one UDPTL
// datagram carrying it plus as many secondaries (or FEC entries) as fit in
// MaxDatagram; the primary is never dropped. The datagram is newly allocated
// and belongs to the caller (send it as often as spandsp's count asks). On
// error nothing is sent and the sequence number is not consumed.
func (e *Encoder) Encode(ifp []byte) ([]byte, error) {
	p, err := e.plan(ifp)
	if err != nil {
		return nil, err
	}
	return e.write(make([]byte, 0, p.size), ifp, p), nil
}

// AppendEncode is Encode appending to dst; it does not allocate when dst has
// room. The result aliases dst. ifp is copied, the caller keeps it.
func (e *Encoder) AppendEncode(dst, ifp []byte) ([]byte, error) {
	p, err := e.plan(ifp)
	if err != nil {
		return dst, err
	}
	return e.write(slices.Grow(dst, p.size), ifp, p), nil
}

// plan decides what goes into the datagram for ifp: n secondaries, or n FEC
// entries over span packets each, and the resulting size.
type plan struct {
	n, span, size int
}

func (e *Encoder) plan(ifp []byte) (plan, error) {
	if err := checkIFP(ifp); err != nil {
		return plan{}, fmt.Errorf("udptl: encode %d-octet IFP: %w", len(ifp), err)
	}
	base := 2 + lenSize(len(ifp)) + len(ifp) + 1
	var p plan
	var ok bool
	switch e.cfg.Mode {
	case FEC:
		p, ok = e.planFEC(base)
	case Redundancy:
		p, ok = e.planRedundancy(base)
	default:
		p = plan{size: base + 1}
		ok = e.fits(p.size)
	}
	if !ok {
		return plan{}, fmt.Errorf("%w: %d-octet IFP, max datagram %d", ErrTooLarge, len(ifp), e.cfg.MaxDatagram)
	}
	return p, nil
}

func (e *Encoder) fits(size int) bool { return e.cfg.MaxDatagram == 0 || size <= e.cfg.MaxDatagram }

// planRedundancy adds secondaries newest first while they fit: the receiver
// numbers them by position, so only the oldest can be left out.
func (e *Encoder) planRedundancy(base int) (plan, bool) {
	p := plan{size: base + lenSize(0)}
	if !e.fits(p.size) {
		return p, false
	}
	for p.n < min(e.cfg.Depth, e.count) {
		s := e.hist[(int(e.seq)-1-p.n)&histMask]
		size := p.size + lenSize(p.n+1) - lenSize(p.n) + lenSize(len(s)) + len(s)
		if !e.fits(size) {
			break
		}
		p.n, p.size = p.n+1, size
	}
	return p, true
}

// planFEC winds the entries up while history fills (span × entries earlier
// IFPs must exist) and lowers them until the datagram fits. Unlike spandsp,
// which drops trailing entries but keeps the parity computed for the full
// count (the receiver then XORs the wrong packets), fewer entries are
// recomputed with the interleave the receiver will assume.
func (e *Encoder) planFEC(base int) (plan, bool) {
	span := e.cfg.FECSpan
	for n := min(e.cfg.FECEntries, e.count/span); n >= 0; n-- {
		p := plan{n: n, span: span}
		if n == 0 {
			p.span = 0
		}
		p.size = base + intSize(p.span) + lenSize(n)
		for m := range n {
			l := e.parityLen(p, m)
			p.size += lenSize(l) + l
		}
		if e.fits(p.size) {
			return p, true
		}
	}
	return plan{}, false
}

// covered returns the history index of the k-th IFP that FEC entry m covers.
func (e *Encoder) covered(p plan, m, k int) int {
	return (int(e.seq) + m - p.span*p.n + k*p.n) & histMask
}

func (e *Encoder) parityLen(p plan, m int) int {
	l := 0
	for k := range p.span {
		l = max(l, len(e.hist[e.covered(p, m, k)]))
	}
	return l
}

// write encodes the planned datagram (dst has room) and records ifp.
func (e *Encoder) write(dst, ifp []byte, p plan) []byte {
	dst = append(dst, byte(e.seq>>8), byte(e.seq))
	dst = appendLen(dst, len(ifp))
	dst = append(dst, ifp...)
	switch e.cfg.Mode {
	case FEC:
		dst = append(dst, 0x80)
		dst = appendInt(dst, p.span)
		dst = appendLen(dst, p.n)
		for m := range p.n {
			f := e.parity(p, m)
			dst = appendLen(dst, len(f))
			dst = append(dst, f...)
		}
	case Redundancy:
		dst = append(dst, 0x00)
		dst = appendLen(dst, p.n)
		for i := range p.n {
			s := e.hist[(int(e.seq)-1-i)&histMask]
			dst = appendLen(dst, len(s))
			dst = append(dst, s...)
		}
	default:
		dst = append(dst, 0x00, 0x00)
	}
	slot := &e.hist[e.seq&histMask]
	*slot = append((*slot)[:0], ifp...)
	e.count = min(e.count+1, histSize)
	e.seq++
	return dst
}

// parity XORs the IFPs FEC entry m covers into a reused scratch buffer.
func (e *Encoder) parity(p plan, m int) []byte {
	f := e.fec[m][:0]
	for k := range p.span {
		s := e.hist[e.covered(p, m, k)]
		if n := len(s); n > len(f) {
			old := len(f)
			f = slices.Grow(f, n-old)[:n]
			clear(f[old:])
		}
		subtle.XORBytes(f, f, s) // SIMD XOR of the first len(s) octets
	}
	e.fec[m] = f
	return f
}
