package sdp

import (
	"net/netip"
	"strconv"
)

// Marshal returns the description in RFC 8866 order with CRLF line ends.
func (d *Description) Marshal() []byte { return d.AppendTo(make([]byte, 0, 512)) }

// String returns Marshal as a string.
func (d *Description) String() string { return string(d.Marshal()) }

// AppendTo appends the description to b. It does not validate: a
// description built by this package or returned by Parse marshals to text
// that Parse reads back to an equal Description.
func (d *Description) AppendTo(b []byte) []byte {
	b = append(b, "v=0\r\n"...)
	b = appendOrigin(b, d.Origin)
	b = appendLine(b, 's', orDash(d.Name))
	b = appendExtra(b, d.Extra, "iuep")
	b = appendConnection(b, d.Connection)
	b = appendBandwidths(b, d.Bandwidths)
	if len(d.Times) == 0 {
		b = append(b, "t=0 0\r\n"...)
	}
	for _, t := range d.Times {
		b = appendLine(b, t.Type, t.Value)
	}
	b = appendExtra(b, d.Extra, "zk")
	if d.Direction != DirNone {
		b = appendAttr(b, d.Direction.String(), "")
	}
	for _, a := range d.Attributes {
		b = appendAttr(b, a.Name, a.Value)
	}
	for _, m := range d.Media {
		b = m.appendTo(b)
	}
	return b
}

func (m *Media) appendTo(b []byte) []byte {
	b = append(b, "m="...)
	b = append(b, m.Type...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(m.Port), 10)
	if m.NumPorts > 0 {
		b = append(b, '/')
		b = strconv.AppendInt(b, int64(m.NumPorts), 10)
	}
	b = append(b, ' ')
	b = append(b, m.Proto...)
	for _, f := range m.Formats {
		b = append(b, ' ')
		b = append(b, f...)
	}
	b = append(b, "\r\n"...)
	b = appendExtra(b, m.Extra, "i")
	b = appendConnection(b, m.Connection)
	b = appendBandwidths(b, m.Bandwidths)
	b = appendExtra(b, m.Extra, "k")
	for _, r := range m.RTPMaps {
		b = append(b, "a=rtpmap:"...)
		b = strconv.AppendInt(b, int64(r.PT), 10)
		b = append(b, ' ')
		b = append(b, r.Encoding...)
		b = append(b, '/')
		b = strconv.AppendUint(b, uint64(r.ClockRate), 10)
		if r.Params != "" {
			b = append(b, '/')
			b = append(b, r.Params...)
		}
		b = append(b, "\r\n"...)
	}
	// A t38 format implies T.38 parameters; when they are all absent there
	// is nothing to write (a rejected "m=image 0 udptl t38" stays bare).
	if m.T38 != nil && (!isT38Media(m) || !m.T38.isZero()) {
		b = appendT38(b, m.T38)
	}
	for _, a := range m.Attributes {
		b = appendAttr(b, a.Name, a.Value)
	}
	if m.Ptime > 0 {
		b = appendAttrInt(b, "ptime", m.Ptime)
	}
	if m.Direction != DirNone {
		b = appendAttr(b, m.Direction.String(), "")
	}
	return b
}

func appendOrigin(b []byte, o Origin) []byte {
	b = append(b, "o="...)
	b = append(b, orDash(o.Username)...)
	b = append(b, ' ')
	b = append(b, orZero(o.SessionID)...)
	b = append(b, ' ')
	b = strconv.AppendUint(b, o.Version, 10)
	b = append(b, " IN "...)
	at, addr := o.AddrType, o.Address
	if at == "" {
		at = "IP4"
	}
	if addr == "" {
		addr = "0.0.0.0"
	}
	b = append(b, at...)
	b = append(b, ' ')
	b = append(b, addr...)
	return append(b, "\r\n"...)
}

func appendConnection(b []byte, c *Connection) []byte {
	if c == nil {
		return b
	}
	b = append(b, "c=IN "...)
	b = append(b, addrTypeOf(c.Addr)...)
	b = append(b, ' ')
	b = c.Addr.AppendTo(b)
	return append(b, "\r\n"...)
}

func addrTypeOf(a netip.Addr) string {
	if a.Is4() {
		return "IP4"
	}
	return "IP6"
}

func appendBandwidths(b []byte, bws []Bandwidth) []byte {
	for _, bw := range bws {
		b = append(b, "b="...)
		b = append(b, bw.Type...)
		b = append(b, ':')
		b = strconv.AppendUint(b, bw.Value, 10)
		b = append(b, "\r\n"...)
	}
	return b
}

// appendExtra appends the kept lines whose type is in types.
func appendExtra(b []byte, lines []Line, types string) []byte {
	for i := 0; i < len(types); i++ {
		for _, l := range lines {
			if l.Type == types[i] {
				b = appendLine(b, l.Type, l.Value)
			}
		}
	}
	return b
}

func appendLine(b []byte, typ byte, value string) []byte {
	b = append(b, typ, '=')
	b = append(b, value...)
	return append(b, "\r\n"...)
}

func appendAttr(b []byte, name, value string) []byte {
	b = append(b, "a="...)
	b = append(b, name...)
	if value != "" {
		b = append(b, ':')
		b = append(b, value...)
	}
	return append(b, "\r\n"...)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}
