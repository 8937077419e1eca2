// Package g711 converts between 16-bit linear PCM and ITU-T G.711 8-bit
// companded PCM: µ-law (PCMU, RTP payload type 0) and A-law (PCMA, payload
// type 8), at 8 kHz one octet per sample.
//
// G.711 quantizes a 14-bit (µ-law) or 13-bit (A-law) uniform sample into one
// of 128 magnitude intervals per sign: 8 segments of 16 equal steps, the step
// doubling from segment to segment (G.711 Tables 1 and 2). The code octet
// carries the sign, the 3-bit segment and the 4-bit step; A-law inverts the
// even bits (XOR 0x55), µ-law inverts all bits. A decoder outputs the middle
// of the interval (µ-law: 0 for the first one).
//
// 16-bit samples are scaled to G.711's range by dropping the low 2 (µ-law)
// or 3 (A-law) bits, and a negative sample x is quantized by the magnitude
// of its one's complement (-x-1), as the ITU-T reference implementation
// (G.191 Software Tool Library, g711.c) and spandsp do: the quantizer is then
// exactly symmetric, x and -1-x differ only in the sign bit. Decoded values
// are the G.191 ones (µ-law ±32124 at most, A-law ±32256).
//
// µ-law zero-code suppression (the optional replacement of code 0x00, once
// needed for T1 ones density) is not applied: -32768 encodes to 0x00.
//
// Encoding and decoding are table lookups (16 KiB µ-law and 4 KiB A-law
// encode tables, 512 octets per decode table); the slice functions do not
// allocate.
package g711

import "math/bits"

var (
	ulawEnc [1 << 14]uint8 // by the top 14 bits of the sample
	alawEnc [1 << 12]uint8 // by the top 12 bits of the sample
	ulawDec [256]int16
	alawDec [256]int16
)

func init() {
	for i := range ulawEnc {
		ulawEnc[i] = ulawCompress(int16(i << 2))
	}
	for i := range alawEnc {
		alawEnc[i] = alawCompress(int16(i << 4))
	}
	for c := range 256 {
		ulawDec[c] = ulawExpand(uint8(c))
		alawDec[c] = alawExpand(uint8(c))
	}
}

// ulawCompress is the segment/bias formula the table is built from. The
// bias of 33 (in 14-bit units) aligns the segment boundaries on powers of
// two, so the segment is the bit length of the biased magnitude.
func ulawCompress(x int16) uint8 {
	mask := uint8(0xff) // positive: all bits inverted, sign bit set
	v := int(x) >> 2
	if v < 0 {
		v, mask = ^v, 0x7f
	}
	v = min(v+33, 0x1fff) // clip at the top of segment 7
	seg := bits.Len(uint(v)) - 6
	return uint8(seg<<4|v>>(seg+1)&0xf) ^ mask
}

func ulawExpand(c uint8) int16 {
	u := ^c
	seg := u >> 4 & 7
	mag := (int(u&0xf)<<3+0x84)<<seg - 0x84
	if u&0x80 != 0 {
		return int16(-mag)
	}
	return int16(mag)
}

// alawCompress: segments 0 and 1 share the smallest step, so magnitudes
// below 32 (in 12-bit units) are their own code.
func alawCompress(x int16) uint8 {
	mask := uint8(0xd5) // positive: sign bit set, even bits inverted
	v := int(x) >> 4
	if v < 0 {
		v, mask = ^v, 0x55
	}
	if v < 32 {
		return uint8(v) ^ mask
	}
	seg := bits.Len(uint(v)) - 4
	return uint8(seg<<4|v>>(seg-1)&0xf) ^ mask
}

func alawExpand(c uint8) int16 {
	a := c ^ 0x55
	seg := a >> 4 & 7
	mag := int(a&0xf)<<4 + 8
	if seg > 0 {
		mag = (mag + 0x100) << (seg - 1)
	}
	if a&0x80 != 0 {
		return int16(mag)
	}
	return int16(-mag)
}

// LinearToULaw encodes one sample as µ-law.
func LinearToULaw(x int16) uint8 { return ulawEnc[uint16(x)>>2] }

// ULawToLinear decodes one µ-law octet.
func ULawToLinear(c uint8) int16 { return ulawDec[c] }

// LinearToALaw encodes one sample as A-law.
func LinearToALaw(x int16) uint8 { return alawEnc[uint16(x)>>4] }

// ALawToLinear decodes one A-law octet.
func ALawToLinear(c uint8) int16 { return alawDec[c] }

// EncodeULaw encodes src into dst[:len(src)]; dst shorter than src panics.
func EncodeULaw(dst []byte, src []int16) {
	dst = dst[:len(src)]
	for i, x := range src {
		dst[i] = ulawEnc[uint16(x)>>2]
	}
}

// DecodeULaw decodes src into dst[:len(src)]; dst shorter than src panics.
func DecodeULaw(dst []int16, src []byte) {
	dst = dst[:len(src)]
	for i, c := range src {
		dst[i] = ulawDec[c]
	}
}

// EncodeALaw encodes src into dst[:len(src)]; dst shorter than src panics.
func EncodeALaw(dst []byte, src []int16) {
	dst = dst[:len(src)]
	for i, x := range src {
		dst[i] = alawEnc[uint16(x)>>4]
	}
}

// DecodeALaw decodes src into dst[:len(src)]; dst shorter than src panics.
func DecodeALaw(dst []int16, src []byte) {
	dst = dst[:len(src)]
	for i, c := range src {
		dst[i] = alawDec[c]
	}
}
