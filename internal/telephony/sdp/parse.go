package sdp

import (
	"bytes"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// ParseError is a syntax or limit error; Line is 1-based, 0 for the whole
// body.
type ParseError struct {
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line == 0 {
		return "sdp: " + e.Msg
	}
	return fmt.Sprintf("sdp: line %d: %s", e.Line, e.Msg)
}

// Parse parses one session description. See the package documentation for
// what it accepts.
func Parse(b []byte) (*Description, error) {
	if len(b) > MaxSize {
		return nil, &ParseError{0, fmt.Sprintf("body is %d octets, more than the %d allowed", len(b), MaxSize)}
	}
	p := parser{d: &Description{}}
	for n := 1; len(b) > 0; n++ {
		var line []byte
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			line, b = b, nil
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if len(line) > MaxLineLength {
			return nil, &ParseError{n, fmt.Sprintf("line is %d octets, more than the %d allowed", len(line), MaxLineLength)}
		}
		line = bytes.TrimRight(line, " \t")
		if len(line) == 0 {
			continue // blank lines, e.g. a doubled CRLF at the end of a SIP body
		}
		if err := p.line(n, string(line)); err != nil {
			return nil, &ParseError{n, err.Error()}
		}
	}
	if err := p.finish(); err != nil {
		return nil, err
	}
	return p.d, nil
}

// parser holds the state of one Parse call.
type parser struct {
	d         *Description
	m         *Media // the media description being read, nil before the first m=
	mediaLine []int  // line number of each m=
	lines     int    // the current line number
	seenV     bool
	seenO     bool
	seenS     bool
}

// errorf builds the message of a ParseError; Parse adds the line number.
func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

func (p *parser) line(n int, s string) error {
	p.lines = n
	if i := strings.IndexFunc(s, isControl); i >= 0 {
		return errorf("contains the control character %#02x", s[i])
	}
	if len(s) < 2 || s[1] != '=' || s[0] < 'a' || s[0] > 'z' {
		return errorf("expected <letter>=<value>, got %q", clip(s))
	}
	typ, val := s[0], s[2:]
	if !p.seenV && typ != 'v' {
		return errorf("the first line must be v=0, got %q", clip(s))
	}
	if p.m != nil && strings.IndexByte("vosueptrz", typ) >= 0 {
		return errorf("%c= is not allowed after the first m= line", typ)
	}
	switch typ {
	case 'v':
		return p.version(val)
	case 'o':
		return p.origin(val)
	case 's':
		if p.seenS {
			return errorf("more than one s= line")
		}
		p.seenS = true
		p.d.Name = strings.TrimSpace(val)
	case 'i', 'u', 'e', 'p', 'z', 'k':
		p.extra(typ, val)
	case 'c':
		return p.connection(val)
	case 'b':
		return p.bandwidth(val)
	case 't', 'r':
		return p.timing(typ, val)
	case 'a':
		return p.attribute(val)
	case 'm':
		return p.media(val)
	default:
		return errorf("unknown line type %q", string(typ))
	}
	return nil
}

func (p *parser) version(val string) error {
	if p.seenV {
		return errorf("more than one v= line")
	}
	if strings.TrimSpace(val) != "0" {
		return errorf("unsupported SDP version %q (only 0 exists)", clip(val))
	}
	p.seenV = true
	return nil
}

func (p *parser) origin(val string) error {
	if p.seenO {
		return errorf("more than one o= line")
	}
	f := strings.Fields(val)
	if len(f) != 6 {
		return errorf("o= line needs 6 fields (user, session id, version, IN, address type, address), got %d", len(f))
	}
	v, err := strconv.ParseUint(f[2], 10, 64)
	if err != nil || !isDigits(f[2]) {
		return errorf("o= line has a session version %q that is not a 64-bit number", clip(f[2]))
	}
	if !strings.EqualFold(f[3], "IN") {
		return errorf("o= line has network type %q, want IN", clip(f[3]))
	}
	at, ok := addrType(f[4])
	if !ok {
		return errorf("o= line has address type %q, want IP4 or IP6", clip(f[4]))
	}
	p.d.Origin = Origin{Username: f[0], SessionID: f[1], Version: v, AddrType: at, Address: f[5]}
	p.seenO = true
	return nil
}

func addrType(s string) (string, bool) {
	switch {
	case strings.EqualFold(s, "IP4"):
		return "IP4", true
	case strings.EqualFold(s, "IP6"):
		return "IP6", true
	}
	return "", false
}

func (p *parser) extra(typ byte, val string) {
	l := Line{typ, val}
	if p.m != nil {
		p.m.Extra = append(p.m.Extra, l)
		return
	}
	p.d.Extra = append(p.d.Extra, l)
}

func (p *parser) connection(val string) error {
	c, err := parseConnection(val)
	if err != nil {
		return err
	}
	target := &p.d.Connection
	if p.m != nil {
		target = &p.m.Connection
	}
	if *target != nil {
		return errorf("more than one c= line in a description (multicast layering is not supported)")
	}
	*target = c
	return nil
}

func parseConnection(val string) (*Connection, error) {
	f := strings.Fields(val)
	if len(f) != 3 {
		return nil, errorf("c= line needs 3 fields (IN, address type, address), got %d", len(f))
	}
	if !strings.EqualFold(f[0], "IN") {
		return nil, errorf("c= line has network type %q, want IN", clip(f[0]))
	}
	at, ok := addrType(f[1])
	if !ok {
		return nil, errorf("c= line has address type %q, want IP4 or IP6", clip(f[1]))
	}
	if strings.Contains(f[2], "/") {
		return nil, errorf("c= address %q is multicast (ttl or count); only unicast is supported", clip(f[2]))
	}
	a, err := netip.ParseAddr(f[2])
	if err != nil || a.Zone() != "" {
		return nil, errorf("c= address %q is not an IP address (host names are not supported)", clip(f[2]))
	}
	if (at == "IP4") != a.Is4() {
		return nil, errorf("c= address %q does not match address type %s", clip(f[2]), at)
	}
	return &Connection{Addr: a}, nil
}

func (p *parser) bandwidth(val string) error {
	typ, v, ok := strings.Cut(val, ":")
	n, err := strconv.ParseUint(v, 10, 64)
	if !ok || !isToken(typ) || err != nil || !isDigits(v) {
		return errorf("b= line %q is not <type>:<number>", clip(val))
	}
	bw := Bandwidth{Type: typ, Value: n}
	if p.m != nil {
		p.m.Bandwidths = append(p.m.Bandwidths, bw)
	} else {
		p.d.Bandwidths = append(p.d.Bandwidths, bw)
	}
	return nil
}

func (p *parser) timing(typ byte, val string) error {
	f := strings.Fields(val)
	if typ == 'r' {
		if len(p.d.Times) == 0 {
			return errorf("r= line without a preceding t= line")
		}
		if len(f) < 3 {
			return errorf("r= line needs at least 3 fields, got %d", len(f))
		}
	} else if len(f) != 2 || !isDigits(f[0]) || !isDigits(f[1]) {
		return errorf("t= line %q is not <start> <stop>", clip(val))
	}
	p.d.Times = append(p.d.Times, Line{typ, strings.Join(f, " ")})
	return nil
}

func (p *parser) media(val string) error {
	if len(p.d.Media) == MaxMedia {
		return errorf("more than %d m= lines", MaxMedia)
	}
	f := strings.Fields(val)
	if len(f) < 3 {
		return errorf("m= line needs <media> <port> <proto> <formats>, got %q", clip(val))
	}
	m := &Media{Type: f[0], Proto: f[2], Formats: f[3:]}
	if !isToken(m.Type) {
		return errorf("m= line has an invalid media type %q", clip(m.Type))
	}
	port, count, hasCount := strings.Cut(f[1], "/")
	if !isDigits(port) {
		return errorf("m= line has a non-numeric port %q", clip(f[1]))
	}
	n, err := strconv.Atoi(port)
	if err != nil || n > 65535 {
		return errorf("m= line port %s is out of range", clip(port))
	}
	m.Port = n
	if hasCount {
		c, err := strconv.Atoi(count)
		if err != nil || !isDigits(count) || c < 1 || c > 65535 {
			return errorf("m= line has an invalid port count %q", clip(count))
		}
		m.NumPorts = c
	}
	if !isProto(m.Proto) {
		return errorf("m= line has an invalid transport %q", clip(m.Proto))
	}
	if len(m.Formats) == 0 && m.Port != 0 {
		return errorf("m= line has no formats")
	}
	for _, fm := range m.Formats {
		if !isToken(fm) {
			return errorf("m= line has an invalid format %q", clip(fm))
		}
	}
	if len(m.Formats) == 0 {
		m.Formats = nil
	}
	p.d.Media = append(p.d.Media, m)
	p.mediaLine = append(p.mediaLine, p.lines)
	p.m = m
	return nil
}

func (p *parser) attribute(val string) error {
	name, value, _ := strings.Cut(val, ":")
	if !isToken(name) {
		return errorf("attribute name %q is not a token", clip(name))
	}
	if d := parseDirection(name); d != DirNone && value == "" {
		return p.direction(d)
	}
	if p.m == nil {
		p.d.Attributes = append(p.d.Attributes, Attribute{name, value})
		return nil
	}
	switch {
	case name == "rtpmap":
		return p.rtpmap(value)
	case name == "ptime":
		return p.ptime(value)
	}
	if canon := canonicalT38(name); canon != "" {
		if p.m.T38 == nil {
			p.m.T38 = &T38Params{}
		}
		return p.m.T38.set(canon, value)
	}
	p.m.Attributes = append(p.m.Attributes, Attribute{name, value})
	return nil
}

func (p *parser) direction(d Direction) error {
	target := &p.d.Direction
	if p.m != nil {
		target = &p.m.Direction
	}
	if *target != DirNone && *target != d {
		return errorf("conflicting direction attributes %s and %s", *target, d)
	}
	*target = d
	return nil
}

func (p *parser) rtpmap(value string) error {
	pt, rest, ok := strings.Cut(value, " ")
	n, err := strconv.Atoi(pt)
	if !ok || err != nil || !isDigits(pt) || n > 127 {
		return errorf("rtpmap %q has no payload type in 0..127", clip(value))
	}
	enc, rate, _ := strings.Cut(strings.TrimSpace(rest), "/")
	rate, params, _ := strings.Cut(rate, "/")
	r, err := strconv.ParseUint(rate, 10, 32)
	if enc == "" || !isToken(enc) || err != nil || !isDigits(rate) || r == 0 || !isTokenOrEmpty(params) {
		return errorf("rtpmap %q is not <pt> <encoding>/<clock rate>[/<params>]", clip(value))
	}
	m := RTPMap{PT: uint8(n), Encoding: enc, ClockRate: uint32(r), Params: params}
	if old, dup := p.m.RTPMap(m.PT); dup {
		if old != m {
			return errorf("payload type %d has two different rtpmap lines", n)
		}
		return nil
	}
	p.m.RTPMaps = append(p.m.RTPMaps, m)
	return nil
}

// ptime accepts an integer or decimal number of milliseconds ("20",
// "20.0"; RFC 8866 allows decimals) and keeps it rounded to a millisecond.
func (p *parser) ptime(value string) error {
	f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
	if err != nil || !(f >= 0.5 && f <= 1000) || strings.ContainsAny(value, "eExXpPnN_+-") {
		return errorf("ptime %q is not a number of milliseconds in 1..1000", clip(value))
	}
	p.m.Ptime = int(f + 0.5)
	return nil
}

// finish checks what needs the whole description and normalizes it.
func (p *parser) finish() error {
	d := p.d
	switch {
	case !p.seenV:
		return &ParseError{0, "empty description (no v= line)"}
	case !p.seenO:
		return &ParseError{0, "missing o= line"}
	}
	if d.Name == "" {
		d.Name = "-"
	}
	if len(d.Times) == 0 {
		d.Times = []Line{{'t', "0 0"}}
	}
	sortExtra(d.Extra, "iuepzk")
	for i, m := range d.Media {
		sortExtra(m.Extra, "ik")
		if m.Port != 0 && d.EffectiveConnection(m) == nil {
			return &ParseError{p.mediaLine[i], "m= line has no c= address and there is none at session level"}
		}
		if m.T38 == nil && isT38Media(m) {
			m.T38 = &T38Params{}
		}
	}
	return nil
}

// isT38Media reports whether m carries T.38: image/t38 over UDPTL or RTP,
// or audio/t38 (RFC 4612).
func isT38Media(m *Media) bool {
	if hasFormat(m, "t38") {
		return true
	}
	for _, r := range m.RTPMaps {
		if strings.EqualFold(r.Encoding, "t38") {
			return true
		}
	}
	return false
}

// sortExtra orders kept lines by the RFC 8866 order of their types (order),
// keeping the relative order of lines of the same type.
func sortExtra(lines []Line, order string) {
	slices.SortStableFunc(lines, func(a, b Line) int {
		return strings.IndexByte(order, a.Type) - strings.IndexByte(order, b.Type)
	})
}

func isControl(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }

// isToken reports whether s is an RFC 8866 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case strings.IndexByte("!#$%&'*+-.^_`{|}~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func isTokenOrEmpty(s string) bool { return s == "" || isToken(s) }

// isProto reports whether s is a transport: tokens joined by '/'.
func isProto(s string) bool {
	for part := range strings.SplitSeq(s, "/") {
		if !isToken(part) {
			return false
		}
	}
	return true
}

// clip shortens a value quoted in an error message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
