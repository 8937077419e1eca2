package udptl

import "fmt"

// ECMode is the error-recovery scheme of a UDPTL stream, negotiated in SDP
// as a=T38FaxUdpEC (t38UDPRedundancy, t38UDPFEC, or absent).
type ECMode int

const (
	Redundancy ECMode = iota // secondary-ifp-packets: earlier IFPs repeated
	FEC                      // fec-info: XOR parity over earlier IFPs
	None                     // secondary-ifp-packets with no entries
)

func (m ECMode) String() string {
	switch m {
	case Redundancy:
		return "redundancy"
	case FEC:
		return "fec"
	case None:
		return "none"
	}
	return fmt.Sprintf("ECMode(%d)", int(m))
}

// Datagram is one UDPTLPacket with its fields broken out. Parse fills it
// with slices of the parsed buffer; Append encodes it.
type Datagram struct {
	Seq     uint16
	Primary []byte
	// Mode is Redundancy or FEC; Parse reports None for a secondary list
	// with no entries, which is how "no error correction" is sent.
	Mode ECMode
	// Secondaries holds earlier IFPs newest first: Secondaries[i] is the
	// IFP with sequence number Seq-1-i.
	Secondaries [][]byte
	// FECSpan is fec-npackets and FEC the fec-data entries (FEC mode).
	FECSpan int
	FEC     [][]byte
}

// Parse decodes b into dg. The byte slices in dg alias b; the Secondaries and
// FEC slices are reused from the previous call, so Parse does not allocate
// once they have grown. Every malformed input gives an error, none panics:
// truncation, fragmented lengths, empty IFPs, non-zero padding in the
// error-recovery CHOICE octet, a negative or oversized fec-npackets, and
// octets after the error-recovery field.
func (dg *Datagram) Parse(b []byte) error {
	*dg = Datagram{Secondaries: dg.Secondaries[:0], FEC: dg.FEC[:0]}
	if len(b) < 2 {
		return fmt.Errorf("udptl: seq-number: %w", ErrTruncated)
	}
	dg.Seq = uint16(b[0])<<8 | uint16(b[1])
	p, off, err := readOctets(b, 2)
	if err != nil {
		return fmt.Errorf("udptl: primary IFP: %w", err)
	}
	if len(p) == 0 {
		return fmt.Errorf("udptl: primary IFP: %w", ErrEmptyIFP)
	}
	dg.Primary = p
	if off >= len(b) {
		return fmt.Errorf("udptl: error-recovery: %w", ErrTruncated)
	}
	choice := b[off]
	if choice&0x7f != 0 {
		return fmt.Errorf("udptl: error-recovery choice %#02x: %w", choice, ErrPadding)
	}
	if choice == 0 {
		off, err = dg.parseSecondaries(b, off+1)
	} else {
		off, err = dg.parseFEC(b, off+1)
	}
	if err != nil {
		return err
	}
	if off != len(b) {
		return fmt.Errorf("udptl: %d octets after error-recovery: %w", len(b)-off, ErrTrailing)
	}
	return nil
}

func (dg *Datagram) parseSecondaries(b []byte, off int) (int, error) {
	n, off, err := readLen(b, off)
	if err != nil {
		return off, fmt.Errorf("udptl: secondary count: %w", err)
	}
	// Each entry takes at least two octets; checking first keeps a short
	// hostile datagram from growing the slice.
	if n > (len(b)-off)/2 {
		return off, fmt.Errorf("udptl: %d secondaries in %d octets: %w", n, len(b)-off, ErrTruncated)
	}
	dg.Mode = None
	if n > 0 {
		dg.Mode = Redundancy
	}
	for i := range n {
		var s []byte
		if s, off, err = readOctets(b, off); err != nil {
			return off, fmt.Errorf("udptl: secondary %d: %w", i, err)
		}
		if len(s) == 0 {
			return off, fmt.Errorf("udptl: secondary %d: %w", i, ErrEmptyIFP)
		}
		dg.Secondaries = append(dg.Secondaries, s)
	}
	return off, nil
}

func (dg *Datagram) parseFEC(b []byte, off int) (int, error) {
	dg.Mode = FEC
	span, off, err := readInt(b, off)
	if err != nil {
		return off, fmt.Errorf("udptl: fec-npackets: %w", err)
	}
	dg.FECSpan = span
	n, off, err := readLen(b, off)
	if err != nil {
		return off, fmt.Errorf("udptl: fec-data count: %w", err)
	}
	if n > len(b)-off {
		return off, fmt.Errorf("udptl: %d fec-data entries in %d octets: %w", n, len(b)-off, ErrTruncated)
	}
	for i := range n {
		var f []byte
		if f, off, err = readOctets(b, off); err != nil {
			return off, fmt.Errorf("udptl: fec-data %d: %w", i, err)
		}
		dg.FEC = append(dg.FEC, f)
	}
	return off, nil
}

// Size is the encoded size of dg in octets (valid when Append succeeds).
func (dg *Datagram) Size() int {
	n := 2 + lenSize(len(dg.Primary)) + len(dg.Primary) + 1
	switch dg.Mode {
	case FEC:
		n += intSize(dg.FECSpan) + lenSize(len(dg.FEC))
		for _, f := range dg.FEC {
			n += lenSize(len(f)) + len(f)
		}
	case Redundancy:
		n += lenSize(len(dg.Secondaries))
		for _, s := range dg.Secondaries {
			n += lenSize(len(s)) + len(s)
		}
	default:
		n++
	}
	return n
}

// Append appends the encoding of dg to dst. Mode None ignores Secondaries
// and FEC; Mode Redundancy ignores FEC; Mode FEC ignores Secondaries.
func (dg *Datagram) Append(dst []byte) ([]byte, error) {
	if err := dg.check(); err != nil {
		return dst, err
	}
	dst = append(dst, byte(dg.Seq>>8), byte(dg.Seq))
	dst = appendLen(dst, len(dg.Primary))
	dst = append(dst, dg.Primary...)
	switch dg.Mode {
	case FEC:
		dst = append(dst, 0x80)
		dst = appendInt(dst, dg.FECSpan)
		dst = appendLen(dst, len(dg.FEC))
		for _, f := range dg.FEC {
			dst = appendLen(dst, len(f))
			dst = append(dst, f...)
		}
	case Redundancy:
		dst = append(dst, 0x00)
		dst = appendLen(dst, len(dg.Secondaries))
		for _, s := range dg.Secondaries {
			dst = appendLen(dst, len(s))
			dst = append(dst, s...)
		}
	default:
		dst = append(dst, 0x00, 0x00)
	}
	return dst, nil
}

// check reports what Append cannot encode.
func (dg *Datagram) check() error {
	if err := checkIFP(dg.Primary); err != nil {
		return fmt.Errorf("udptl: primary IFP: %w", err)
	}
	switch dg.Mode {
	case Redundancy:
		if len(dg.Secondaries) > maxLen {
			return fmt.Errorf("udptl: %d secondaries: %w", len(dg.Secondaries), ErrFragmented)
		}
		for i, s := range dg.Secondaries {
			if err := checkIFP(s); err != nil {
				return fmt.Errorf("udptl: secondary %d: %w", i, err)
			}
		}
	case FEC:
		if dg.FECSpan < 0 || dg.FECSpan > 1<<31-1 || len(dg.FEC) > maxLen {
			return fmt.Errorf("udptl: span %d, %d entries: %w", dg.FECSpan, len(dg.FEC), ErrBadFEC)
		}
		for i, f := range dg.FEC {
			if len(f) > maxLen {
				return fmt.Errorf("udptl: fec-data %d: %w", i, ErrFragmented)
			}
		}
	case None:
	default:
		return fmt.Errorf("udptl: unknown mode %v", dg.Mode)
	}
	return nil
}

func checkIFP(ifp []byte) error {
	switch {
	case len(ifp) == 0:
		return ErrEmptyIFP
	case len(ifp) > maxLen:
		return ErrFragmented
	}
	return nil
}
