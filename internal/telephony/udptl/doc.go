// Package udptl encodes and decodes UDPTL, the UDP transport of T.38 fax
// (ITU-T T.38 clause 9.1 and its ASN.1 module, Annex A), with the two error
// recovery schemes T.38 defines: redundancy (secondary IFP packets) and
// forward error correction (fec-info, XOR parity). It carries IFP packets as
// opaque octets: spandsp produces and consumes them. ParseIFP and AppendIFP
// decode and build the IFP header for logging and tests only.
//
// # Wire format
//
// A UDPTLPacket is encoded with the ALIGNED variant of ASN.1 PER (ITU-T X.691):
//
//	seq-number      2 octets, big endian; one per IFP, wraps 65535 -> 0
//	primary-ifp     open type: length determinant + IFP octets
//	error-recovery  1 octet CHOICE index with padding:
//	  0x00 secondary-ifp-packets: count (length determinant), then count
//	       open types, newest first: the i-th (from 0) carries seq-number-1-i
//	  0x80 fec-info: fec-npackets (unconstrained INTEGER: length octet +
//	       two's complement value), fec-data count (length determinant), then
//	       count OCTET STRINGs (length determinant + octets)
//
// A length determinant (X.691 10.9) is one octet 0xxxxxxx for 0..127, two
// octets 10xxxxxx xxxxxxxx for 128..16383, and 11xxxxxx for the fragmented
// form (16K octet blocks). Fragments never occur in fax (the largest IFP is a
// few hundred octets), so this package rejects them with ErrFragmented.
// "No error correction" is sent as secondary-ifp-packets with count 0.
//
// FEC follows the layout of spandsp's reference UDPTL (tests/udptl.c): with
// fec-npackets = span and e fec-data entries, entry m (0 <= m < e) of the
// packet with sequence number s is the XOR of the IFPs s+m-span*e+k*e for
// k = 0..span-1 (interleaved parity over the span*e preceding packets; a
// shorter IFP counts as zero-padded). A receiver missing exactly one IFP of
// such a group rebuilds it; as the parity carries no length, the rebuilt IFP
// is cut back to the length its own PER encoding states (see Decoder).
//
// Byte-exactness is pinned by a vector from spandsp's tests/udptl.c
// (see the package tests): seq 2 with secondaries for seq 1 and 0 is
// 00 02 03 c0 01 80 00 02 01 04 01 02.
//
// # Buffer ownership
//
// Encoder.Encode returns a newly allocated datagram that the caller owns;
// Encoder.AppendEncode appends to a caller buffer without allocating.
// Decoder.Decode returns packets whose IFP slices point into the decoder's
// own buffers (never into the datagram); they stay valid until the next call
// to Decode. Encoder and Decoder are not safe for concurrent use.
package udptl
