package udptl

import (
	"errors"
	"fmt"
)

// maxLen is the largest length one PER length determinant carries without
// fragmentation (X.691 10.9.3.7: 16K and more is sent in fragments).
const maxLen = 1<<14 - 1

// Errors returned by the encoder and decoder; the decoder wraps them with the
// field that failed, so test with errors.Is.
var (
	ErrTruncated  = errors.New("udptl: truncated")
	ErrFragmented = errors.New("udptl: fragmented length (16384 octets or more) not supported")
	ErrTrailing   = errors.New("udptl: trailing octets")
	ErrEmptyIFP   = errors.New("udptl: empty IFP")
	ErrPadding    = errors.New("udptl: non-zero padding bits")
	ErrBadFEC     = errors.New("udptl: malformed fec-info")
	ErrTooLarge   = errors.New("udptl: primary IFP alone exceeds the far end's max datagram")
	ErrBadIFP     = errors.New("udptl: malformed IFP")
)

// lenSize is the size of the length determinant for n (n <= maxLen).
func lenSize(n int) int {
	if n < 0x80 {
		return 1
	}
	return 2
}

// appendLen appends the length determinant for n (n <= maxLen).
func appendLen(dst []byte, n int) []byte {
	if n < 0x80 {
		return append(dst, byte(n))
	}
	return append(dst, 0x80|byte(n>>8), byte(n))
}

// readLen decodes the length determinant at b[off:].
func readLen(b []byte, off int) (n, next int, err error) {
	if off >= len(b) {
		return 0, off, ErrTruncated
	}
	c := b[off]
	switch {
	case c&0x80 == 0:
		return int(c), off + 1, nil
	case c&0x40 == 0:
		if off+1 >= len(b) {
			return 0, off, ErrTruncated
		}
		return int(c&0x3f)<<8 | int(b[off+1]), off + 2, nil
	default:
		return 0, off, ErrFragmented
	}
}

// readOctets decodes a length determinant and the octets it announces. The
// result aliases b and is capped so appends cannot overwrite b.
func readOctets(b []byte, off int) (v []byte, next int, err error) {
	n, off, err := readLen(b, off)
	if err != nil {
		return nil, off, err
	}
	if n > len(b)-off {
		return nil, off, fmt.Errorf("%w: %d octets announced, %d left", ErrTruncated, n, len(b)-off)
	}
	return b[off : off+n : off+n], off + n, nil
}

// intSize is the PER size of a non-negative unconstrained INTEGER: a length
// octet plus the minimal two's complement octets.
func intSize(v int) int {
	n := 1
	for v >= 0x80 {
		v >>= 8
		n++
	}
	return 1 + n
}

// appendInt appends a non-negative unconstrained INTEGER (v < 2^31).
func appendInt(dst []byte, v int) []byte {
	n := intSize(v) - 1
	dst = append(dst, byte(n))
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, byte(v>>(8*i)))
	}
	return dst
}

// readInt decodes a non-negative unconstrained INTEGER of at most 4 octets.
func readInt(b []byte, off int) (v, next int, err error) {
	n, off, err := readLen(b, off)
	if err != nil {
		return 0, off, err
	}
	if n < 1 || n > 4 {
		return 0, off, fmt.Errorf("%w: fec-npackets has %d octets", ErrBadFEC, n)
	}
	if n > len(b)-off {
		return 0, off, ErrTruncated
	}
	if b[off]&0x80 != 0 {
		return 0, off, fmt.Errorf("%w: negative fec-npackets", ErrBadFEC)
	}
	for _, c := range b[off : off+n] {
		v = v<<8 | int(c)
	}
	return v, off + n, nil
}
