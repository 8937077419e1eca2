package rtp

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Limits and constants of the packet codec.
const (
	Version       = 2
	HeaderSize    = 12   // fixed header, without CSRCs or extension
	MaxCSRC       = 15   // the CC field has 4 bits
	MaxPacketSize = 1500 // one Ethernet MTU; a G.711 packet is 172 octets
)

// Errors of Unmarshal and Append.
var (
	ErrShort     = errors.New("rtp: packet shorter than its header")
	ErrVersion   = errors.New("rtp: version is not 2")
	ErrTooLarge  = errors.New("rtp: packet larger than MaxPacketSize")
	ErrPadding   = errors.New("rtp: invalid padding")
	ErrExtension = errors.New("rtp: header extension does not fit")
	ErrRTCP      = errors.New("rtp: packet looks like RTCP (payload type 72-76)")
	ErrInvalid   = errors.New("rtp: invalid header field")
)

// Header is the RTP fixed header plus CSRCs and the header extension.
type Header struct {
	Marker      bool
	PayloadType uint8 // 0..127
	Seq         uint16
	Timestamp   uint32
	SSRC        uint32
	CSRC        []uint32 // at most MaxCSRC
	Extension   bool
	ExtProfile  uint16 // "defined by profile" field of the extension
	ExtData     []byte // extension body, a multiple of 4 octets
}

// Packet is a whole RTP packet.
type Packet struct {
	Header
	Payload []byte
	// Padding is the number of padding octets, the count octet included;
	// 0 means no padding (P bit clear).
	Padding uint8
}

// Unmarshal parses b into p. Payload and ExtData alias b; p.CSRC reuses
// its capacity, so a Packet reused for every read does not allocate.
func (p *Packet) Unmarshal(b []byte) error {
	if len(b) > MaxPacketSize {
		return ErrTooLarge
	}
	if len(b) < HeaderSize {
		return ErrShort
	}
	if b[0]>>6 != Version {
		return ErrVersion
	}
	if pt := b[1] & 0x7f; pt >= 72 && pt <= 76 {
		return ErrRTCP
	}
	cc := int(b[0] & 0x0f)
	n := HeaderSize + 4*cc
	if len(b) < n {
		return ErrShort
	}
	p.Marker = b[1]&0x80 != 0
	p.PayloadType = b[1] & 0x7f
	p.Seq = binary.BigEndian.Uint16(b[2:])
	p.Timestamp = binary.BigEndian.Uint32(b[4:])
	p.SSRC = binary.BigEndian.Uint32(b[8:])
	p.CSRC = p.CSRC[:0]
	for i := HeaderSize; i < n; i += 4 {
		p.CSRC = append(p.CSRC, binary.BigEndian.Uint32(b[i:]))
	}
	p.Extension, p.ExtProfile, p.ExtData = b[0]&0x10 != 0, 0, nil
	if p.Extension {
		if len(b) < n+4 {
			return ErrExtension
		}
		p.ExtProfile = binary.BigEndian.Uint16(b[n:])
		words := int(binary.BigEndian.Uint16(b[n+2:]))
		if len(b) < n+4+4*words {
			return ErrExtension
		}
		p.ExtData = b[n+4 : n+4+4*words]
		n += 4 + 4*words
	}
	end := len(b)
	p.Padding = 0
	if b[0]&0x20 != 0 {
		pad := int(b[end-1])
		if end == n || pad == 0 || pad > end-n {
			return ErrPadding
		}
		p.Padding = uint8(pad)
		end -= pad
	}
	p.Payload = b[n:end]
	return nil
}

// Size returns the encoded length of p.
func (p *Packet) Size() int {
	n := HeaderSize + 4*len(p.CSRC) + len(p.Payload) + int(p.Padding)
	if p.Extension {
		n += 4 + len(p.ExtData)
	}
	return n
}

// Append appends the encoded packet to dst. Padding octets are zero but
// the last, which holds the count.
func (p *Packet) Append(dst []byte) ([]byte, error) {
	if err := p.check(); err != nil {
		return dst, err
	}
	b0 := byte(Version<<6) | byte(len(p.CSRC))
	if p.Padding > 0 {
		b0 |= 0x20
	}
	if p.Extension {
		b0 |= 0x10
	}
	b1 := p.PayloadType
	if p.Marker {
		b1 |= 0x80
	}
	dst = append(dst, b0, b1)
	dst = binary.BigEndian.AppendUint16(dst, p.Seq)
	dst = binary.BigEndian.AppendUint32(dst, p.Timestamp)
	dst = binary.BigEndian.AppendUint32(dst, p.SSRC)
	for _, c := range p.CSRC {
		dst = binary.BigEndian.AppendUint32(dst, c)
	}
	if p.Extension {
		dst = binary.BigEndian.AppendUint16(dst, p.ExtProfile)
		dst = binary.BigEndian.AppendUint16(dst, uint16(len(p.ExtData)/4))
		dst = append(dst, p.ExtData...)
	}
	dst = append(dst, p.Payload...)
	if p.Padding > 0 {
		for range p.Padding - 1 {
			dst = append(dst, 0)
		}
		dst = append(dst, p.Padding)
	}
	return dst, nil
}

// Marshal returns the encoded packet in a new slice.
func (p *Packet) Marshal() ([]byte, error) { return p.Append(make([]byte, 0, p.Size())) }

func (p *Packet) check() error {
	switch {
	case p.PayloadType > 127:
		return fmt.Errorf("%w: payload type %d", ErrInvalid, p.PayloadType)
	case p.PayloadType >= 72 && p.PayloadType <= 76:
		return fmt.Errorf("%w: payload type %d collides with RTCP", ErrInvalid, p.PayloadType)
	case len(p.CSRC) > MaxCSRC:
		return fmt.Errorf("%w: %d CSRCs", ErrInvalid, len(p.CSRC))
	case len(p.ExtData)%4 != 0 || len(p.ExtData) > 4*0xffff:
		return fmt.Errorf("%w: extension of %d octets", ErrInvalid, len(p.ExtData))
	case !p.Extension && (len(p.ExtData) > 0 || p.ExtProfile != 0):
		return fmt.Errorf("%w: extension data without the X bit", ErrInvalid)
	case p.Size() > MaxPacketSize:
		return ErrTooLarge
	}
	return nil
}
