package sdp

import (
	"fmt"
	"strconv"
	"strings"
)

// T38Params are the T.38 attributes of one media description (ITU-T T.38
// Annex D). Zero values mean "absent".
type T38Params struct {
	Version         int            // T38FaxVersion; absent = 0
	MaxBitRate      int            // T38MaxBitRate in bit/s; 0 = absent
	FillBitRemoval  bool           // T38FaxFillBitRemoval
	TranscodingMMR  bool           // T38FaxTranscodingMMR
	TranscodingJBIG bool           // T38FaxTranscodingJBIG
	RateManagement  RateManagement // T38FaxRateManagement; "" = absent
	MaxBuffer       int            // T38FaxMaxBuffer in octets; 0 = absent
	MaxDatagram     int            // T38FaxMaxDatagram in octets; 0 = absent
	UDPEC           []UDPEC        // T38FaxUdpEC lines in order
	VendorInfo      string         // T38VendorInfo; "" = absent
}

func (p *T38Params) isZero() bool {
	return p.Version == 0 && p.MaxBitRate == 0 && !p.FillBitRemoval && !p.TranscodingMMR && !p.TranscodingJBIG &&
		p.RateManagement == "" && p.MaxBuffer == 0 && p.MaxDatagram == 0 && len(p.UDPEC) == 0 && p.VendorInfo == ""
}

// RateManagement is a T38FaxRateManagement value.
type RateManagement string

const (
	TransferredTCF RateManagement = "transferredTCF"
	LocalTCF       RateManagement = "localTCF"
)

// UDPEC is a T38FaxUdpEC value.
type UDPEC string

const (
	UDPRedundancy UDPEC = "t38UDPRedundancy"
	UDPFEC        UDPEC = "t38UDPFEC"
	UDPNoEC       UDPEC = "t38UDPNoEC" // not in T.38 Annex D, but sent by rtpengine and others
)

// Bounds of numeric T.38 values. T.38 defines versions 0..3; a newer one
// is still a number, so it parses and negotiation takes the minimum.
const (
	maxT38Version = 255
	maxT38Number  = 1_000_000_000
)

// DefaultT38Params returns the parameters faxgate offers and answers with
// unless the trunk says otherwise: FreeSWITCH's request_t38() defaults
// without fill bit removal (the far end decides that in its offer).
func DefaultT38Params() T38Params {
	return T38Params{
		Version:        0,
		MaxBitRate:     14400,
		RateManagement: TransferredTCF,
		MaxBuffer:      2000,
		MaxDatagram:    400,
		UDPEC:          []UDPEC{UDPRedundancy},
	}
}

// Canonical T.38 attribute names, and the kind of value each takes.
const (
	attrVersion     = "T38FaxVersion"
	attrMaxBitRate  = "T38MaxBitRate"
	attrFillBit     = "T38FaxFillBitRemoval"
	attrMMR         = "T38FaxTranscodingMMR"
	attrJBIG        = "T38FaxTranscodingJBIG"
	attrRateMgmt    = "T38FaxRateManagement"
	attrMaxBuffer   = "T38FaxMaxBuffer"
	attrMaxDatagram = "T38FaxMaxDatagram"
	attrUDPEC       = "T38FaxUdpEC"
	attrVendorInfo  = "T38VendorInfo"
)

// t38Aliases maps lower-cased attribute names seen in the wild to the
// canonical name.
var t38Aliases = map[string]string{
	"t38faxversion":         attrVersion,
	"t38maxbitrate":         attrMaxBitRate,
	"t38faxmaxrate":         attrMaxBitRate,
	"t38faxfillbitremoval":  attrFillBit,
	"t38faxtranscodingmmr":  attrMMR,
	"t38faxtranscodingjbig": attrJBIG,
	"t38faxratemanagement":  attrRateMgmt,
	"t38faxmaxbuffer":       attrMaxBuffer,
	"t38faxmaxbuffersize":   attrMaxBuffer,
	"t38faxmaxdatagram":     attrMaxDatagram,
	"t38maxdatagram":        attrMaxDatagram,
	"t38faxudpec":           attrUDPEC,
	"t38vendorinfo":         attrVendorInfo,
}

// canonicalT38 returns the canonical name of a T.38 attribute, or "".
func canonicalT38(name string) string {
	if len(name) < 4 || !strings.EqualFold(name[:3], "t38") {
		return ""
	}
	return t38Aliases[strings.ToLower(name)]
}

// set applies one T.38 attribute (canonical name) to p.
func (p *T38Params) set(name, value string) error {
	value = strings.TrimSpace(value)
	var err error
	switch name {
	case attrVersion:
		p.Version, err = t38Number(name, value, maxT38Version)
	case attrMaxBitRate:
		p.MaxBitRate, err = t38Number(name, value, maxT38Number)
	case attrMaxBuffer:
		p.MaxBuffer, err = t38Number(name, value, maxT38Number)
	case attrMaxDatagram:
		p.MaxDatagram, err = t38Number(name, value, maxT38Number)
	case attrFillBit:
		p.FillBitRemoval, err = t38Bool(name, value)
	case attrMMR:
		p.TranscodingMMR, err = t38Bool(name, value)
	case attrJBIG:
		p.TranscodingJBIG, err = t38Bool(name, value)
	case attrRateMgmt:
		p.RateManagement = RateManagement(canonicalValue(value, string(TransferredTCF), string(LocalTCF)))
		if value == "" {
			err = fmt.Errorf("%s has no value", name)
		}
	case attrUDPEC:
		if value == "" {
			return fmt.Errorf("%s has no value", name)
		}
		ec := UDPEC(canonicalValue(value, string(UDPRedundancy), string(UDPFEC), string(UDPNoEC)))
		for _, have := range p.UDPEC {
			if have == ec {
				return nil // the same line twice says nothing new
			}
		}
		p.UDPEC = append(p.UDPEC, ec)
	case attrVendorInfo:
		p.VendorInfo = value
	}
	return err
}

func t38Number(name, value string, limit int) (int, error) {
	n, err := strconv.Atoi(value)
	if err != nil || n < 0 || n > limit || !isDigits(value) {
		return 0, fmt.Errorf("%s value %q is not a number in 0..%d", name, value, limit)
	}
	return n, nil
}

// t38Bool reads a boolean T.38 attribute: presence means true; ":1"/":0"
// and ":true"/":false" come from FreeSWITCH's broken_boolean peers.
func t38Bool(name, value string) (bool, error) {
	switch strings.ToLower(value) {
	case "", "1", "true":
		return true, nil
	case "0", "false":
		return false, nil
	}
	return false, fmt.Errorf("%s value %q is not a boolean (presence, 1 or 0)", name, value)
}

// canonicalValue returns the known spelling that matches value in any case,
// else value itself.
func canonicalValue(value string, known ...string) string {
	for _, k := range known {
		if strings.EqualFold(value, k) {
			return k
		}
	}
	return value
}

// appendT38 writes the T.38 attributes of p in the order FreeSWITCH uses.
func appendT38(b []byte, p *T38Params) []byte {
	b = appendAttrInt(b, attrVersion, p.Version)
	if p.MaxBitRate > 0 {
		b = appendAttrInt(b, attrMaxBitRate, p.MaxBitRate)
	}
	for _, f := range []struct {
		on   bool
		name string
	}{{p.FillBitRemoval, attrFillBit}, {p.TranscodingMMR, attrMMR}, {p.TranscodingJBIG, attrJBIG}} {
		if f.on {
			b = appendAttr(b, f.name, "")
		}
	}
	if p.RateManagement != "" {
		b = appendAttr(b, attrRateMgmt, string(p.RateManagement))
	}
	if p.MaxBuffer > 0 {
		b = appendAttrInt(b, attrMaxBuffer, p.MaxBuffer)
	}
	if p.MaxDatagram > 0 {
		b = appendAttrInt(b, attrMaxDatagram, p.MaxDatagram)
	}
	for _, ec := range p.UDPEC {
		b = appendAttr(b, attrUDPEC, string(ec))
	}
	if p.VendorInfo != "" {
		b = appendAttr(b, attrVendorInfo, p.VendorInfo)
	}
	return b
}

func appendAttrInt(b []byte, name string, v int) []byte {
	b = append(b, "a="...)
	b = append(b, name...)
	b = append(b, ':')
	b = strconv.AppendInt(b, int64(v), 10)
	return append(b, "\r\n"...)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
