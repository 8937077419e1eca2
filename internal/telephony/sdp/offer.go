package sdp

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Codec is an audio codec as negotiated: its name, the payload type used
// on this call, and its clock rate.
type Codec struct {
	Name      string
	PT        uint8
	ClockRate uint32
}

// The two codecs faxgate speaks, with their static payload types.
var (
	PCMU = Codec{Name: "PCMU", PT: 0, ClockRate: 8000}
	PCMA = Codec{Name: "PCMA", PT: 8, ClockRate: 8000}
)

// DefaultPtime is the packet time faxgate sends and asks for (ms).
const DefaultPtime = 20

// telephoneEvents is the fmtp of telephone-event we offer (DTMF 0-9*#A-D
// and flash).
const telephoneEvents = "0-16"

// LocalMedia describes our end of a media stream.
type LocalMedia struct {
	Addr netip.Addr // the address peers send to (--public-ip or the interface)
	Port int        // our RTP port; a T.38 stream uses the same socket
	// Codecs in our order of preference (offers list them in this order);
	// nil means PCMU, PCMA. Only PCMU and PCMA are understood.
	Codecs []Codec
	// TelephoneEvent is the payload type offered for RFC 4733 events
	// (usually 101); 0 means none. Answers include telephone-event only if
	// it is set and the offer has it.
	TelephoneEvent uint8
	// Direction we want; DirNone means sendrecv.
	Direction Direction
}

func (l LocalMedia) codecs() []Codec {
	if len(l.Codecs) == 0 {
		return []Codec{PCMU, PCMA}
	}
	return l.Codecs
}

func (l LocalMedia) validate(wantPort bool) error {
	if !l.Addr.IsValid() || l.Addr.Zone() != "" {
		return errors.New("sdp: local media needs an IP address")
	}
	if wantPort && (l.Port <= 0 || l.Port > 65535) {
		return fmt.Errorf("sdp: local port %d is out of range", l.Port)
	}
	if l.TelephoneEvent != 0 && (l.TelephoneEvent < 96 || l.TelephoneEvent > 127) {
		return fmt.Errorf("sdp: telephone-event payload type %d is not dynamic (96..127)", l.TelephoneEvent)
	}
	for _, c := range l.codecs() {
		if _, ok := knownCodec(c.Name, c.ClockRate); !ok {
			return fmt.Errorf("sdp: codec %s/%d is not supported (PCMU, PCMA)", c.Name, c.ClockRate)
		}
	}
	return nil
}

// knownCodec returns our codec for an encoding name and clock rate.
func knownCodec(name string, rate uint32) (Codec, bool) {
	for _, c := range []Codec{PCMU, PCMA} {
		if strings.EqualFold(name, c.Name) && rate == c.ClockRate {
			return c, true
		}
	}
	return Codec{}, false
}

// newDescription returns a description with our connection and a
// placeholder origin (Session.Stamp sets the real one).
func newDescription(addr netip.Addr) *Description {
	return &Description{
		Origin:     Origin{Username: "-", SessionID: "0", AddrType: addrTypeOf(addr), Address: addr.String()},
		Name:       "-",
		Connection: &Connection{Addr: addr},
		Times:      []Line{{'t', "0 0"}},
	}
}

// OfferAudio builds a G.711 offer: one m=audio RTP/AVP stream with our
// codecs, telephone-event if configured, ptime 20 and our direction.
func OfferAudio(local LocalMedia) (*Description, error) {
	if err := local.validate(true); err != nil {
		return nil, err
	}
	d := newDescription(local.Addr)
	m := &Media{Type: "audio", Port: local.Port, Proto: "RTP/AVP", Ptime: DefaultPtime, Direction: orSendRecv(local.Direction)}
	for _, c := range local.codecs() {
		m.addFormat(c.PT, c.Name, c.ClockRate)
	}
	if local.TelephoneEvent != 0 {
		m.addTelephoneEvent(local.TelephoneEvent, telephoneEvents)
	}
	d.Media = []*Media{m}
	return d, nil
}

// OfferT38 builds a T.38 offer (a re-INVITE usually): one m=image udptl t38
// stream with params. An empty RateManagement is sent as transferredTCF,
// and transcoding is never claimed.
func OfferT38(local LocalMedia, params T38Params) (*Description, error) {
	if err := local.validate(true); err != nil {
		return nil, err
	}
	if err := params.validateOurs(); err != nil {
		return nil, err
	}
	p := params
	p.UDPEC = append([]UDPEC(nil), params.UDPEC...)
	p.TranscodingMMR, p.TranscodingJBIG = false, false
	if p.RateManagement == "" {
		p.RateManagement = TransferredTCF
	}
	d := newDescription(local.Addr)
	d.Media = []*Media{{Type: "image", Port: local.Port, Proto: "udptl", Formats: []string{"t38"}, T38: &p}}
	return d, nil
}

// validateOurs checks parameters we are about to send or answer with.
func (p T38Params) validateOurs() error {
	switch {
	case p.Version < 0 || p.Version > 3:
		return fmt.Errorf("sdp: T.38 version %d is not 0..3", p.Version)
	case p.MaxBitRate < 0 || p.MaxBuffer < 0 || p.MaxDatagram < 0:
		return errors.New("sdp: negative T.38 parameter")
	case p.RateManagement != "" && p.RateManagement != TransferredTCF && p.RateManagement != LocalTCF:
		return fmt.Errorf("sdp: unknown T.38 rate management %q", p.RateManagement)
	}
	for _, ec := range p.UDPEC {
		if ec != UDPRedundancy && ec != UDPFEC && ec != UDPNoEC {
			return fmt.Errorf("sdp: unknown T.38 error correction %q", ec)
		}
	}
	return nil
}

func (m *Media) addFormat(pt uint8, name string, rate uint32) {
	m.Formats = append(m.Formats, strconv.Itoa(int(pt)))
	m.RTPMaps = append(m.RTPMaps, RTPMap{PT: pt, Encoding: name, ClockRate: rate})
}

func (m *Media) addTelephoneEvent(pt uint8, fmtp string) {
	m.addFormat(pt, "telephone-event", 8000)
	m.Attributes = append(m.Attributes, Attribute{"fmtp", strconv.Itoa(int(pt)) + " " + fmtp})
}

func orSendRecv(d Direction) Direction {
	if d == DirNone {
		return DirSendRecv
	}
	return d
}
