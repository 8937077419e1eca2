package udptl

import (
	"fmt"
	"strings"
)

// IFP header decoding (T.38 clause 7 / Annex A, ASN.1 IFPPacket in ALIGNED
// PER), for logging and tests. The bit layout follows what spandsp sends and
// accepts, which is where it matters for interoperation:
//
//	octet 0: bit 7 data-field present, bit 6 type-of-msg (0 t30-indicator,
//	         1 t30-data), bit 5 enumeration extension, bits 4..1 the root
//	         value (bit 0 padding); an extension value (T.38 version 1+) is a
//	         normally-small number: bit 4 = 0, bits 3..0 and bits 7..6 of
//	         octet 1 hold the 6-bit index
//	data-field: count (length determinant), then per field one octet
//	         (two for an extended field type) followed, when field-data is
//	         present, by a 16-bit length-1 and the octets
//
// Version 0 (T.38 1998) has no extension bit on field-type, so a field is
// 4 bits and a field without data shares its octet with the next field; from
// version 1 spandsp starts every field on an octet and places an extended
// field type's index like the indicator's (bits 3..0 and 7..6 of the next
// octet), which is one bit off strict PER; ParseIFP does the same.

// MsgType is the IFP type-of-msg CHOICE.
type MsgType uint8

const (
	T30Indicator MsgType = iota
	T30Data
)

func (t MsgType) String() string {
	if t == T30Indicator {
		return "t30-indicator"
	}
	return "t30-data"
}

// Indicator is a t30-indicator value. Values from IndV8ANSam on are T.38
// version 1+ extensions.
type Indicator uint8

const (
	IndNoSignal Indicator = iota
	IndCNG
	IndCED
	IndV21Preamble
	IndV27_2400Training
	IndV27_4800Training
	IndV29_7200Training
	IndV29_9600Training
	IndV17_7200ShortTraining
	IndV17_7200LongTraining
	IndV17_9600ShortTraining
	IndV17_9600LongTraining
	IndV17_12000ShortTraining
	IndV17_12000LongTraining
	IndV17_14400ShortTraining
	IndV17_14400LongTraining
	IndV8ANSam
	IndV8Signal
	IndV34CntlChannel1200
	IndV34PriChannel
	IndV34CCRetrain
	IndV33_12000Training
	IndV33_14400Training
)

var indicatorNames = [...]string{
	"no-signal", "cng", "ced", "v21-preamble", "v27-2400-training", "v27-4800-training",
	"v29-7200-training", "v29-9600-training", "v17-7200-short-training", "v17-7200-long-training",
	"v17-9600-short-training", "v17-9600-long-training", "v17-12000-short-training",
	"v17-12000-long-training", "v17-14400-short-training", "v17-14400-long-training",
	"v8-ansam", "v8-signal", "v34-cntl-channel-1200", "v34-pri-channel", "v34-CC-retrain",
	"v33-12000-training", "v33-14400-training",
}

func (i Indicator) String() string { return enumName(indicatorNames[:], int(i), "Indicator") }

// DataType is the modulation of a t30-data IFP. Values from DataV8 on are
// T.38 version 1+ extensions.
type DataType uint8

const (
	DataV21 DataType = iota
	DataV27_2400
	DataV27_4800
	DataV29_7200
	DataV29_9600
	DataV17_7200
	DataV17_9600
	DataV17_12000
	DataV17_14400
	DataV8
	DataV34PriRate
	DataV34CC1200
	DataV34PriCh
	DataV33_12000
	DataV33_14400
)

var dataNames = [...]string{
	"v21", "v27-2400", "v27-4800", "v29-7200", "v29-9600", "v17-7200", "v17-9600",
	"v17-12000", "v17-14400", "v8", "v34-pri-rate", "v34-CC-1200", "v34-pri-ch",
	"v33-12000", "v33-14400",
}

func (d DataType) String() string { return enumName(dataNames[:], int(d), "DataType") }

// FieldType is the field-type of one data field. Values from FieldCMMessage
// on are T.38 version 1+ extensions.
type FieldType uint8

const (
	FieldHDLCData FieldType = iota
	FieldHDLCSigEnd
	FieldHDLCFCSOK
	FieldHDLCFCSBad
	FieldHDLCFCSOKSigEnd
	FieldHDLCFCSBadSigEnd
	FieldT4NonECMData
	FieldT4NonECMSigEnd
	FieldCMMessage
	FieldJMMessage
	FieldCIMessage
	FieldV34Rate
)

var fieldNames = [...]string{
	"hdlc-data", "hdlc-sig-end", "hdlc-fcs-OK", "hdlc-fcs-BAD", "hdlc-fcs-OK-sig-end",
	"hdlc-fcs-BAD-sig-end", "t4-non-ecm-data", "t4-non-ecm-sig-end",
	"cm-message", "jm-message", "ci-message", "v34rate",
}

func (f FieldType) String() string { return enumName(fieldNames[:], int(f), "FieldType") }

func enumName(names []string, v int, typ string) string {
	if v < len(names) {
		return names[v]
	}
	return fmt.Sprintf("%s(%d)", typ, v)
}

// Root sizes of the enumerations: values below are sent in the root bit
// field, the rest as extensions.
const (
	rootIndicators = 16
	rootDataTypes  = 9
	rootFieldTypes = 8
)

// IFP is a decoded IFP packet.
type IFP struct {
	Type      MsgType
	Indicator Indicator // when Type == T30Indicator
	Data      DataType  // when Type == T30Data
	Fields    []Field   // when Type == T30Data; nil without a data-field
}

// Field is one element of an IFP data-field.
type Field struct {
	Type FieldType
	Data []byte // field-data; empty when absent (never present and empty)
}

// String renders the IFP for logs, e.g. "data v21 [hdlc-data:3 hdlc-fcs-OK-sig-end]".
func (p IFP) String() string {
	if p.Type == T30Indicator {
		return "indicator " + p.Indicator.String()
	}
	var b strings.Builder
	b.WriteString("data ")
	b.WriteString(p.Data.String())
	if len(p.Fields) > 0 {
		b.WriteString(" [")
		for i, f := range p.Fields {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(f.Type.String())
			if len(f.Data) > 0 {
				fmt.Fprintf(&b, ":%d", len(f.Data))
			}
		}
		b.WriteByte(']')
	}
	return b.String()
}

// ParseIFP decodes one IFP packet as sent by a T.38 peer of the given
// version (T38FaxVersion, 0..3; only 0 differs on the wire). It is strict:
// the packet must end exactly where its encoding does. Field data aliases b.
func ParseIFP(b []byte, version int) (IFP, error) {
	var p IFP
	n, err := scanIFP(b, version, &p)
	if err != nil {
		return IFP{}, err
	}
	if n != len(b) {
		return IFP{}, fmt.Errorf("%w: encoding ends at octet %d of %d", ErrTrailing, n, len(b))
	}
	return p, nil
}

// scanIFP walks the IFP at the start of b and returns the octets its
// encoding takes; it fills p when p is not nil (without p it never allocates).
func scanIFP(b []byte, version int, p *IFP) (int, error) {
	if len(b) == 0 {
		return 0, fmt.Errorf("%w: empty", ErrBadIFP)
	}
	hasData := b[0]&0x80 != 0
	typ := MsgType(b[0] >> 6 & 1)
	v, ext, n, err := scanEnum(b)
	if err != nil {
		return 0, err
	}
	if typ == T30Indicator {
		if ext {
			v += rootIndicators
		}
		if hasData || v > int(IndV33_14400Training) {
			return 0, fmt.Errorf("%w: indicator %d with data-field %v", ErrBadIFP, v, hasData)
		}
		if p != nil {
			*p = IFP{Type: typ, Indicator: Indicator(v)}
		}
		return n, nil
	}
	if ext {
		v += rootDataTypes
	}
	if (!ext && v >= rootDataTypes) || v > int(DataV33_14400) {
		return 0, fmt.Errorf("%w: unknown data type (index %d, extension %v)", ErrBadIFP, v, ext)
	}
	if p != nil {
		*p = IFP{Type: typ, Data: DataType(v)}
	}
	if !hasData {
		return n, nil
	}
	return scanFields(b, n, version, p)
}

// scanEnum decodes the extensible enumeration after the two leading bits of
// b[0]: the extension bit (bit 5), then either the 4-bit root value in bits
// 4..1 or a normally-small extension index in bits 3..0 and b[1] bits 7..6.
func scanEnum(b []byte) (v int, ext bool, n int, err error) {
	if b[0]&0x20 == 0 {
		return int(b[0] >> 1 & 0xf), false, 1, nil
	}
	if len(b) < 2 {
		return 0, true, 0, fmt.Errorf("%w: extended value: %w", ErrBadIFP, ErrTruncated)
	}
	if b[0]&0x10 != 0 {
		return 0, true, 0, fmt.Errorf("%w: extension index 64 or more", ErrBadIFP)
	}
	return int(b[0]&0x0f)<<2 | int(b[1]>>6), true, 2, nil
}

// scanFields walks the data-field starting at b[off].
func scanFields(b []byte, off, version int, p *IFP) (int, error) {
	count, off, err := readLen(b, off)
	if err != nil {
		return 0, fmt.Errorf("%w: field count: %w", ErrBadIFP, err)
	}
	half := false // version 0: the previous field ended mid-octet
	for i := range count {
		if off >= len(b) {
			return 0, fmt.Errorf("%w: field %d of %d: %w", ErrBadIFP, i, count, ErrTruncated)
		}
		var f Field
		var present bool
		if version == 0 {
			f.Type, present, off, half = scanFieldV0(b[off], off, half)
		} else if f.Type, present, off, err = scanFieldV1(b, off); err != nil {
			return 0, fmt.Errorf("%w: field %d: %w", ErrBadIFP, i, err)
		}
		if present {
			if f.Data, off, err = scanFieldData(b, off); err != nil {
				return 0, fmt.Errorf("%w: field %d data: %w", ErrBadIFP, i, err)
			}
		}
		if p != nil {
			p.Fields = append(p.Fields, f)
		}
	}
	if half {
		off++
	}
	return off, nil
}

// scanFieldV0 decodes a 4-bit version 0 field header: the high nibble of c,
// or the low one when the previous field left the octet half used. A field
// with data is followed by octet-aligned data.
func scanFieldV0(c byte, off int, half bool) (t FieldType, present bool, next int, nowHalf bool) {
	if half {
		return FieldType(c & 7), c&0x08 != 0, off + 1, false
	}
	present = c&0x80 != 0
	if present {
		return FieldType(c >> 4 & 7), true, off + 1, false
	}
	return FieldType(c >> 4 & 7), false, off, true
}

func scanFieldV1(b []byte, off int) (FieldType, bool, int, error) {
	c := b[off]
	present := c&0x80 != 0
	if c&0x40 == 0 {
		return FieldType(c >> 3 & 7), present, off + 1, nil
	}
	if off+1 >= len(b) {
		return 0, false, off, fmt.Errorf("extended field type: %w", ErrTruncated)
	}
	t := rootFieldTypes + (int(c&0x0f)<<2 | int(b[off+1]>>6))
	if c&0x30 != 0 || t > int(FieldV34Rate) {
		return 0, false, off, fmt.Errorf("unknown extended field type")
	}
	return FieldType(t), present, off + 2, nil
}

// scanFieldData decodes field-data: OCTET STRING (SIZE(1..65535)) as a
// 16-bit length-1 and the octets.
func scanFieldData(b []byte, off int) ([]byte, int, error) {
	if off+2 > len(b) {
		return nil, off, ErrTruncated
	}
	n := (int(b[off])<<8 | int(b[off+1])) + 1
	if n > 65535 {
		return nil, off, fmt.Errorf("field-data length 65536")
	}
	off += 2
	if n > len(b)-off {
		return nil, off, fmt.Errorf("%d octets announced, %d left: %w", n, len(b)-off, ErrTruncated)
	}
	return b[off : off+n : off+n], off + n, nil
}

// AppendIFP appends the encoding of p for a peer of the given T.38 version.
// Extended indicator and data values are encoded for any version (version 0
// peers do not know them); extended field types need version 1 or later.
func AppendIFP(dst []byte, p IFP, version int) ([]byte, error) {
	if p.Type == T30Indicator {
		if len(p.Fields) > 0 || p.Indicator > IndV33_14400Training {
			return dst, fmt.Errorf("%w: indicator %v with %d fields", ErrBadIFP, p.Indicator, len(p.Fields))
		}
		return appendEnum(dst, 0x00, int(p.Indicator), rootIndicators), nil
	}
	if p.Type != T30Data || p.Data > DataV33_14400 {
		return dst, fmt.Errorf("%w: type %d data %d", ErrBadIFP, p.Type, p.Data)
	}
	if len(p.Fields) == 0 {
		return appendEnum(dst, 0x40, int(p.Data), rootDataTypes), nil
	}
	if len(p.Fields) > maxLen {
		return dst, fmt.Errorf("%w: %d fields", ErrFragmented, len(p.Fields))
	}
	dst = appendEnum(dst, 0xc0, int(p.Data), rootDataTypes)
	dst = appendLen(dst, len(p.Fields))
	half := -1 // version 0: index of an octet whose low nibble is free
	for i, f := range p.Fields {
		if len(f.Data) > 65535 {
			return dst, fmt.Errorf("%w: field %d has %d octets", ErrBadIFP, i, len(f.Data))
		}
		var err error
		if version == 0 {
			dst, half, err = appendFieldV0(dst, f, half)
		} else {
			dst, err = appendFieldV1(dst, f)
		}
		if err != nil {
			return dst, fmt.Errorf("%w: field %d: %w", ErrBadIFP, i, err)
		}
		if len(f.Data) > 0 {
			dst = append(dst, byte((len(f.Data)-1)>>8), byte(len(f.Data)-1))
			dst = append(dst, f.Data...)
		}
	}
	return dst, nil
}

// appendEnum appends the first octet(s) of an IFP: head carries the
// data-field and type-of-msg bits.
func appendEnum(dst []byte, head byte, v, root int) []byte {
	if v < root {
		return append(dst, head|byte(v<<1))
	}
	v -= root
	return append(dst, head|0x20|byte(v>>2), byte(v<<6))
}

func appendFieldV0(dst []byte, f Field, half int) ([]byte, int, error) {
	if f.Type >= rootFieldTypes {
		return dst, half, fmt.Errorf("field type %v needs T.38 version 1", f.Type)
	}
	present := len(f.Data) > 0
	if half >= 0 {
		nib := byte(f.Type)
		if present {
			nib |= 0x08
		}
		dst[half] |= nib
		return dst, -1, nil
	}
	c := byte(f.Type) << 4
	if present {
		return append(dst, 0x80|c), -1, nil
	}
	return append(dst, c), len(dst), nil
}

func appendFieldV1(dst []byte, f Field) ([]byte, error) {
	if f.Type > FieldV34Rate {
		return dst, fmt.Errorf("unknown field type %d", f.Type)
	}
	var c byte
	if len(f.Data) > 0 {
		c = 0x80
	}
	if f.Type < rootFieldTypes {
		return append(dst, c|byte(f.Type)<<3), nil
	}
	v := byte(f.Type - rootFieldTypes)
	return append(dst, c|0x40|v>>2, v<<6), nil
}
