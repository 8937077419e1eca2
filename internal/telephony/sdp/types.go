package sdp

import (
	"net/netip"
	"strings"
)

// Limits Parse enforces. They are far above anything a fax peer sends and
// low enough that a hostile body costs little.
const (
	MaxSize       = 16 << 10 // octets of one session description
	MaxLineLength = 1024     // octets of one line, without its line end
	MaxMedia      = 32       // m= lines
)

// Description is one parsed or built session description.
type Description struct {
	Origin     Origin
	Name       string      // s=; "-" when absent or empty
	Connection *Connection // session-level c=, nil if none
	Bandwidths []Bandwidth // session-level b=
	// Times holds the t= and r= lines in order (values only, with Type 't'
	// or 'r'); empty means a single "t=0 0".
	Times []Line
	// Direction is the session-level direction attribute, the default of
	// every media description (DirNone: sendrecv).
	Direction  Direction
	Attributes []Attribute // session-level attributes
	// Extra keeps the other session-level lines (i=, u=, e=, p=, z=, k=) in
	// the canonical RFC 8866 order.
	Extra []Line
	Media []*Media
}

// Origin is the o= line: <username> <sess-id> <sess-version> IN <addrtype>
// <unicast-address>.
type Origin struct {
	Username  string // "-" if the user has none
	SessionID string // numeric per RFC 8866; kept as text: it is only compared
	Version   uint64
	AddrType  string // "IP4" or "IP6"
	Address   string // an address or host name; not interpreted
}

// Connection is a unicast c= line: IN IP4|IP6 <address>.
type Connection struct {
	Addr netip.Addr
}

// Unspecified reports whether the address is 0.0.0.0 or :: (RFC 2543 hold).
func (c *Connection) Unspecified() bool { return c != nil && c.Addr.IsUnspecified() }

// Bandwidth is one b=<type>:<kbit/s or bit/s> line.
type Bandwidth struct {
	Type  string // AS, CT, TIAS, ...
	Value uint64
}

// Line is an SDP line kept verbatim: its type letter and value.
type Line struct {
	Type  byte
	Value string
}

// Attribute is an a= line: a=<Name> or a=<Name>:<Value>.
type Attribute struct {
	Name  string
	Value string // empty for a property attribute
}

// Direction is a direction attribute (RFC 8866 §6.7).
type Direction int

const (
	DirNone     Direction = iota // no attribute: sendrecv unless the session says otherwise
	DirSendRecv                  // a=sendrecv
	DirSendOnly                  // a=sendonly
	DirRecvOnly                  // a=recvonly
	DirInactive                  // a=inactive
)

var dirNames = [...]string{"", "sendrecv", "sendonly", "recvonly", "inactive"}

// String returns the attribute name ("" for DirNone).
func (d Direction) String() string {
	if d < 0 || int(d) >= len(dirNames) {
		return "direction(?)"
	}
	return dirNames[d]
}

// Sends reports whether the direction lets its owner send media.
func (d Direction) Sends() bool { return d == DirNone || d == DirSendRecv || d == DirSendOnly }

// Receives reports whether the direction lets its owner receive media.
func (d Direction) Receives() bool { return d == DirNone || d == DirSendRecv || d == DirRecvOnly }

func directionFrom(send, recv bool) Direction {
	switch {
	case send && recv:
		return DirSendRecv
	case send:
		return DirSendOnly
	case recv:
		return DirRecvOnly
	}
	return DirInactive
}

func parseDirection(name string) Direction {
	for d := DirSendRecv; d <= DirInactive; d++ {
		if strings.EqualFold(name, dirNames[d]) {
			return d
		}
	}
	return DirNone
}

// Media is one media description (an m= line and the lines after it).
type Media struct {
	Type     string // audio, image, ... as written
	Port     int    // 0: stream rejected or disabled
	NumPorts int    // the /<number of ports> suffix, 0 when absent
	Proto    string // RTP/AVP, udptl, ... as written
	Formats  []string

	Connection *Connection // media-level c=, nil if none
	Bandwidths []Bandwidth
	Direction  Direction
	Ptime      int // a=ptime in milliseconds, 0 when absent
	RTPMaps    []RTPMap
	// T38 holds the T.38 attributes. It is non-nil for a T.38 stream (a t38
	// format or a T.38 attribute) even when no attribute was given.
	T38        *T38Params
	Attributes []Attribute // every other attribute, in order
	Extra      []Line      // i= and k= lines
}

// RTPMap is a=rtpmap:<payload type> <encoding name>/<clock rate>[/<params>].
type RTPMap struct {
	PT        uint8
	Encoding  string
	ClockRate uint32
	Params    string // channels for audio; "" when absent
}

// IsImage reports whether the media type is image (any case).
func (m *Media) IsImage() bool { return strings.EqualFold(m.Type, "image") }

// IsAudio reports whether the media type is audio (any case).
func (m *Media) IsAudio() bool { return strings.EqualFold(m.Type, "audio") }

// RTPMap returns the rtpmap of payload type pt, if any.
func (m *Media) RTPMap(pt uint8) (RTPMap, bool) {
	for _, r := range m.RTPMaps {
		if r.PT == pt {
			return r, true
		}
	}
	return RTPMap{}, false
}

// Attribute returns the value of the first attribute named name (exact
// case), and whether there is one.
func (m *Media) Attribute(name string) (string, bool) {
	for _, a := range m.Attributes {
		if a.Name == name {
			return a.Value, true
		}
	}
	return "", false
}

// EffectiveConnection returns the media's c= or, failing that, the
// session's; nil if there is neither.
func (d *Description) EffectiveConnection(m *Media) *Connection {
	if m.Connection != nil {
		return m.Connection
	}
	return d.Connection
}

// EffectiveDirection returns the media's direction, else the session's,
// else DirSendRecv.
func (d *Description) EffectiveDirection(m *Media) Direction {
	switch {
	case m.Direction != DirNone:
		return m.Direction
	case d.Direction != DirNone:
		return d.Direction
	}
	return DirSendRecv
}

func hasFormat(m *Media, f string) bool {
	for _, x := range m.Formats {
		if strings.EqualFold(x, f) {
			return true
		}
	}
	return false
}
