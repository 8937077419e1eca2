package sdp

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"faxgate/internal/telephony/udptl"
)

// ErrNoAcceptableMedia is returned (wrapped, with the reasons) when no
// stream of an offer or answer can be used; a SIP user agent answers 488.
var ErrNoAcceptableMedia = errors.New("sdp: no acceptable media stream")

// Far T38FaxMaxDatagram handling (see the package documentation).
const (
	DefaultFarMaxDatagram = 400  // when the far end states none (Asterisk's default)
	MaxFarDatagram        = 1400 // our datagrams stay below one Ethernet MTU
	minT38BitRate         = 2400 // V.27ter at its slowest; below it no fax modem is left
)

// LocalTCFMode says how Answer treats a T.38 offer with localTCF.
type LocalTCFMode int

const (
	// LocalTCFEcho accepts it and answers localTCF (FreeSWITCH and Asterisk
	// do so). The spandsp 0.0.6 terminal transfers TCF regardless.
	LocalTCFEcho LocalTCFMode = iota
	// LocalTCFReject refuses the stream (port 0).
	LocalTCFReject
)

// Policy is what Answer may accept.
type Policy struct {
	Local LocalMedia // our address, port (shared by audio and T.38), codecs
	// T38 is our T.38 capability (see DefaultT38Params); nil refuses every
	// T.38 stream. Its UDPEC list is not used: the error correction is
	// chosen from the offer (redundancy, else FEC, else none).
	T38 *T38Params
	// PreferT38 accepts the T.38 stream when an offer has both an acceptable
	// audio and an acceptable T.38 stream; otherwise audio wins and the
	// image stream is answered with port 0.
	PreferT38 bool
	LocalTCF  LocalTCFMode
}

// Kind is what a stream carries, as far as faxgate is concerned.
type Kind int

const (
	KindOther Kind = iota // anything we never accept (video, ...)
	KindAudio             // audio over RTP
	KindT38               // image/t38 (or audio/t38)
)

func (k Kind) String() string {
	switch k {
	case KindAudio:
		return "audio"
	case KindT38:
		return "t38"
	}
	return "other"
}

// Result describes every stream of a negotiation, in m= line order.
type Result struct {
	Streams []Stream
}

// Accepted returns the first accepted stream, nil if none.
func (r *Result) Accepted() *Stream {
	for i := range r.Streams {
		if r.Streams[i].Accepted {
			return &r.Streams[i]
		}
	}
	return nil
}

// Stream is the outcome for one m= line.
type Stream struct {
	Index    int
	Kind     Kind
	Accepted bool
	Reason   string // why the stream was not accepted
	// Remote is where the far end receives this stream; invalid when the
	// stream is rejected or on hold (c= 0.0.0.0).
	Remote    netip.AddrPort
	Hold      bool
	Direction Direction // ours: DirSendRecv, DirSendOnly, DirRecvOnly or DirInactive
	Audio     *AudioParams
	T38       *T38Result
}

// AudioParams configure an accepted audio stream.
type AudioParams struct {
	Codec          Codec // with the payload type of this call
	TelephoneEvent uint8 // the far end's telephone-event payload type; 0 = none
	Ptime          int   // the packet time the far end asks for, DefaultPtime if none
}

// T38Result configures an accepted T.38 stream.
type T38Result struct {
	// Params are the negotiated parameters; MaxBuffer, MaxDatagram and
	// VendorInfo are ours (what we declared).
	Params T38Params
	// FarMaxDatagram is the far T38FaxMaxDatagram as stated, 0 if absent.
	FarMaxDatagram int
	// Encoder is the config of our UDPTL encoder: the agreed error
	// correction and the datagram limit derived from FarMaxDatagram. Depth
	// is left 0 (the udptl default, 3) for the trunk policy to override.
	Encoder udptl.EncoderConfig
}

// Answer answers offer according to pol. It returns the answer (with a
// placeholder origin: stamp it with a Session), and the result of every
// stream. At most one stream is accepted; the others are answered with
// port 0 in the same position. If none can be accepted the error wraps
// ErrNoAcceptableMedia and the Result still says why for each stream.
func Answer(offer *Description, pol Policy) (*Description, *Result, error) {
	if err := pol.Local.validate(true); err != nil {
		return nil, nil, err
	}
	if pol.T38 != nil {
		if err := pol.T38.validateOurs(); err != nil {
			return nil, nil, err
		}
	}
	res := &Result{Streams: make([]Stream, len(offer.Media))}
	answers := make([]*Media, len(offer.Media))
	pick := [...]int{KindOther: -1, KindAudio: -1, KindT38: -1} // first acceptable stream of each kind
	for i, m := range offer.Media {
		answers[i] = evaluate(offer, m, pol, &res.Streams[i])
		res.Streams[i].Index = i
		if st := &res.Streams[i]; st.Accepted && pick[st.Kind] < 0 {
			pick[st.Kind] = i
		}
	}
	chosen := pick[KindAudio]
	if chosen < 0 || pol.PreferT38 && pick[KindT38] >= 0 {
		chosen = pick[KindT38]
	}
	ans := newDescription(pol.Local.Addr)
	for i, m := range offer.Media {
		st := &res.Streams[i]
		if i != chosen {
			if st.Accepted {
				*st = Stream{Index: i, Kind: st.Kind, Reason: "another stream was accepted", Direction: DirInactive}
			}
			answers[i] = rejected(m)
		}
		ans.Media = append(ans.Media, answers[i])
	}
	if chosen < 0 {
		return nil, res, noMedia(res)
	}
	return ans, res, nil
}

// noMedia wraps ErrNoAcceptableMedia with each stream's reason.
func noMedia(res *Result) error {
	var why []string
	for _, st := range res.Streams {
		why = append(why, fmt.Sprintf("m=%d %s: %s", st.Index, st.Kind, st.Reason))
	}
	if len(why) == 0 {
		why = append(why, "the description has no m= line")
	}
	return fmt.Errorf("%w (%s)", ErrNoAcceptableMedia, strings.Join(why, "; "))
}

// rejected answers m with port 0 (RFC 3264 §6), keeping type, transport
// and formats.
func rejected(m *Media) *Media {
	r := &Media{Type: m.Type, Proto: m.Proto, Formats: slices.Clone(m.Formats)}
	if isT38Media(r) {
		r.T38 = &T38Params{} // as Parse reads it back
	}
	return r
}

// evaluate fills st for offered stream m and returns the answer's media
// description if the stream is acceptable (st.Accepted), else nil.
func evaluate(offer *Description, m *Media, pol Policy, st *Stream) *Media {
	st.Kind = kindOf(m)
	st.Direction = DirInactive
	reject := func(format string, args ...any) *Media {
		st.Reason = fmt.Sprintf(format, args...)
		return nil
	}
	if m.Port == 0 {
		return reject("disabled by the offer (port 0)")
	}
	conn := offer.EffectiveConnection(m)
	if conn == nil {
		return reject("no c= address")
	}
	dir := answerDirection(offer.EffectiveDirection(m), pol.Local.Direction)
	var am *Media
	switch st.Kind {
	case KindAudio:
		am = answerAudio(m, pol, st)
	case KindT38:
		am = answerT38(m, pol, st)
	default:
		return reject("media %q is not supported", m.Type)
	}
	if am == nil {
		return nil
	}
	st.Accepted = true
	st.Direction = dir
	st.Hold = conn.Unspecified()
	if !st.Hold {
		st.Remote = netip.AddrPortFrom(conn.Addr, uint16(m.Port))
	}
	am.Port = pol.Local.Port
	if st.Kind == KindAudio || dir != DirSendRecv {
		am.Direction = dir
	}
	return am
}

func kindOf(m *Media) Kind {
	switch {
	case m.IsImage(), m.IsAudio() && isT38Media(m):
		return KindT38
	case m.IsAudio():
		return KindAudio
	}
	return KindOther
}

// answerDirection is RFC 3264 §6.1: we send only what the offerer
// receives, and receive only what it sends.
func answerDirection(offered, ours Direction) Direction {
	ours = orSendRecv(ours)
	return directionFrom(offered.Receives() && ours.Sends(), offered.Sends() && ours.Receives())
}

func answerAudio(m *Media, pol Policy, st *Stream) *Media {
	if !strings.EqualFold(m.Proto, "RTP/AVP") {
		st.Reason = fmt.Sprintf("transport %q is not supported (RTP/AVP only)", m.Proto)
		return nil
	}
	codec, ok := firstCodec(m, pol.Local.codecs())
	if !ok {
		st.Reason = fmt.Sprintf("no common codec (offered %s)", strings.Join(m.Formats, " "))
		return nil
	}
	te := telephoneEventPT(m)
	st.Audio = &AudioParams{Codec: codec, TelephoneEvent: te, Ptime: orDefaultPtime(m.Ptime)}
	am := &Media{Type: m.Type, Proto: m.Proto, Ptime: DefaultPtime}
	am.addFormat(codec.PT, codec.Name, codec.ClockRate)
	if pol.Local.TelephoneEvent != 0 && te != 0 {
		am.addTelephoneEvent(te, fmtpOf(m, te, telephoneEvents))
	}
	return am
}

// firstCodec returns the first format of m, in the offer's order, that is
// one of ours.
func firstCodec(m *Media, ours []Codec) (Codec, bool) {
	for _, f := range m.Formats {
		c, ok := formatCodec(m, f)
		if !ok {
			continue
		}
		for _, o := range ours {
			if strings.EqualFold(o.Name, c.Name) {
				return c, true
			}
		}
	}
	return Codec{}, false
}

// formatCodec names format f of m if it is PCMU or PCMA: by its rtpmap, or
// by the static payload type when it has none.
func formatCodec(m *Media, f string) (Codec, bool) {
	pt, ok := parsePT(f)
	if !ok {
		return Codec{}, false
	}
	if r, ok := m.RTPMap(pt); ok {
		c, known := knownCodec(r.Encoding, r.ClockRate)
		c.PT = pt
		return c, known && (r.Params == "" || r.Params == "1")
	}
	switch pt {
	case PCMU.PT:
		return PCMU, true
	case PCMA.PT:
		return PCMA, true
	}
	return Codec{}, false
}

func parsePT(f string) (uint8, bool) {
	n, err := strconv.Atoi(f)
	if err != nil || !isDigits(f) || n > 127 {
		return 0, false
	}
	return uint8(n), true
}

// telephoneEventPT returns the payload type of telephone-event/8000 in m's
// formats, 0 if none.
func telephoneEventPT(m *Media) uint8 {
	for _, f := range m.Formats {
		pt, ok := parsePT(f)
		if r, mapped := m.RTPMap(pt); ok && mapped && pt != 0 &&
			strings.EqualFold(r.Encoding, "telephone-event") && r.ClockRate == 8000 {
			return pt
		}
	}
	return 0
}

// fmtpOf returns the fmtp parameters of payload type pt, or def.
func fmtpOf(m *Media, pt uint8, def string) string {
	prefix := strconv.Itoa(int(pt)) + " "
	for _, a := range m.Attributes {
		if a.Name == "fmtp" && strings.HasPrefix(a.Value, prefix) {
			if v := strings.TrimSpace(a.Value[len(prefix):]); v != "" {
				return v
			}
		}
	}
	return def
}

func orDefaultPtime(p int) int {
	if p <= 0 {
		return DefaultPtime
	}
	return p
}

func answerT38(m *Media, pol Policy, st *Stream) *Media {
	format, err := t38Transport(m)
	if err == nil && pol.T38 == nil {
		err = errors.New("T.38 is off for this trunk")
	}
	var neg T38Params
	if err == nil {
		neg, err = negotiateT38(*pol.T38, far(m), pol.LocalTCF)
	}
	if err != nil {
		st.Reason = err.Error()
		return nil
	}
	st.T38 = newT38Result(neg, far(m).MaxDatagram)
	return &Media{Type: m.Type, Proto: m.Proto, Formats: []string{format}, T38: &neg}
}

// t38Transport checks that m is T.38 over UDPTL and returns its t38 format
// as spelled.
func t38Transport(m *Media) (string, error) {
	if !strings.EqualFold(m.Proto, "udptl") {
		return "", fmt.Errorf("T.38 over %q is not supported (UDPTL only)", m.Proto)
	}
	for _, f := range m.Formats {
		if strings.EqualFold(f, "t38") {
			return f, nil
		}
	}
	return "", fmt.Errorf("udptl stream without the t38 format (%s)", strings.Join(m.Formats, " "))
}

func far(m *Media) T38Params {
	if m.T38 == nil {
		return T38Params{}
	}
	return *m.T38
}

// negotiateT38 computes the answer to a far offer (see the package doc).
func negotiateT38(ours, theirs T38Params, localTCF LocalTCFMode) (T38Params, error) {
	neg := T38Params{
		Version:        min(ours.Version, theirs.Version),
		MaxBitRate:     minRate(ours.MaxBitRate, theirs.MaxBitRate),
		FillBitRemoval: ours.FillBitRemoval && theirs.FillBitRemoval,
		MaxBuffer:      ours.MaxBuffer,
		MaxDatagram:    ours.MaxDatagram,
		VendorInfo:     ours.VendorInfo,
	}
	switch theirs.RateManagement {
	case "", TransferredTCF:
		neg.RateManagement = TransferredTCF
	case LocalTCF:
		if localTCF == LocalTCFReject {
			return neg, errors.New("T38FaxRateManagement localTCF refused by policy")
		}
		neg.RateManagement = LocalTCF
	default:
		return neg, fmt.Errorf("unknown T38FaxRateManagement %q", theirs.RateManagement)
	}
	if neg.MaxBitRate < minT38BitRate {
		return neg, fmt.Errorf("T38MaxBitRate %d is below %d", neg.MaxBitRate, minT38BitRate)
	}
	if ec := chooseEC(theirs.UDPEC); ec != "" {
		neg.UDPEC = []UDPEC{ec}
	}
	return neg, nil
}

// minRate is the lower of two T38MaxBitRate values, 0 meaning 14400 for
// ours and "no limit" for theirs.
func minRate(ours, theirs int) int {
	if ours <= 0 {
		ours = 14400
	}
	if theirs > 0 {
		return min(ours, theirs)
	}
	return ours
}

// chooseEC picks redundancy if offered, else FEC, else an explicit
// t38UDPNoEC, else "" (no attribute: no error correction).
func chooseEC(offered []UDPEC) UDPEC {
	for _, want := range []UDPEC{UDPRedundancy, UDPFEC, UDPNoEC} {
		if slices.Contains(offered, want) {
			return want
		}
	}
	return ""
}

func newT38Result(neg T38Params, farMax int) *T38Result {
	r := &T38Result{Params: neg, FarMaxDatagram: farMax}
	r.Encoder.Mode = udptl.None
	if len(neg.UDPEC) > 0 {
		switch neg.UDPEC[0] {
		case UDPRedundancy:
			r.Encoder.Mode = udptl.Redundancy
		case UDPFEC:
			r.Encoder.Mode = udptl.FEC
		}
	}
	r.Encoder.MaxDatagram = EffectiveFarMaxDatagram(farMax)
	return r
}

// EffectiveFarMaxDatagram is the datagram limit we honour for a far
// T38FaxMaxDatagram value: DefaultFarMaxDatagram when absent (0), at most
// MaxFarDatagram.
func EffectiveFarMaxDatagram(farMax int) int {
	if farMax <= 0 {
		return DefaultFarMaxDatagram
	}
	return min(farMax, MaxFarDatagram)
}

// ReadAnswer interprets the far answer to our offer: which stream it
// accepted, where to send, and with what parameters. It is an error if the
// answer does not mirror the offer's m= lines or accepts nothing we can use.
func ReadAnswer(offer, answer *Description) (*Result, error) {
	if len(answer.Media) != len(offer.Media) {
		return nil, fmt.Errorf("sdp: the answer has %d m= lines, the offer had %d", len(answer.Media), len(offer.Media))
	}
	res := &Result{Streams: make([]Stream, len(offer.Media))}
	accepted := false
	for i, om := range offer.Media {
		am := answer.Media[i]
		if !strings.EqualFold(om.Type, am.Type) {
			return nil, fmt.Errorf("sdp: answer m= line %d has media %q, the offer had %q", i, am.Type, om.Type)
		}
		st := &res.Streams[i]
		readStream(offer, answer, om, am, st)
		st.Index = i
		accepted = accepted || st.Accepted
	}
	if !accepted {
		return res, noMedia(res)
	}
	return res, nil
}

func readStream(offer, answer *Description, om, am *Media, st *Stream) {
	st.Kind = kindOf(om)
	st.Direction = DirInactive
	conn := answer.EffectiveConnection(am)
	switch {
	case am.Port == 0:
		st.Reason = "rejected by the far end (port 0)"
		return
	case om.Port == 0:
		st.Reason = "disabled in our offer"
		return
	case conn == nil:
		st.Reason = "no c= address"
		return
	}
	switch st.Kind {
	case KindAudio:
		st.Audio, st.Reason = readAudio(om, am)
		st.Accepted = st.Audio != nil
	case KindT38:
		st.T38, st.Reason = readT38(om, am)
		st.Accepted = st.T38 != nil
	default:
		st.Reason = fmt.Sprintf("media %q is not supported", om.Type)
	}
	if !st.Accepted {
		return
	}
	theirs, ours := answer.EffectiveDirection(am), offer.EffectiveDirection(om)
	st.Direction = directionFrom(theirs.Receives() && ours.Sends(), theirs.Sends() && ours.Receives())
	st.Hold = conn.Unspecified()
	if !st.Hold {
		st.Remote = netip.AddrPortFrom(conn.Addr, uint16(am.Port))
	}
}

// readAudio finds the codec the answer chose among those we offered.
func readAudio(om, am *Media) (*AudioParams, string) {
	var ours []Codec
	for _, f := range om.Formats {
		if c, ok := formatCodec(om, f); ok {
			ours = append(ours, c)
		}
	}
	for _, f := range am.Formats {
		c, ok := formatCodec(am, f)
		if ok && slices.Contains(ours, c) {
			te := telephoneEventPT(am)
			if te != telephoneEventPT(om) {
				te = 0 // the answer must use the payload type we offered
			}
			return &AudioParams{Codec: c, TelephoneEvent: te, Ptime: orDefaultPtime(am.Ptime)}, ""
		}
	}
	return nil, fmt.Sprintf("the answer has none of our codecs (%s)", strings.Join(am.Formats, " "))
}

// readT38 derives the agreed parameters from our offer and the answer. An
// answer is not allowed to raise what we offered; if it does we still take
// the minimum.
func readT38(om, am *Media) (*T38Result, string) {
	if _, err := t38Transport(am); err != nil {
		return nil, err.Error()
	}
	ours, theirs := far(om), far(am)
	neg := T38Params{
		Version:        min(ours.Version, theirs.Version),
		MaxBitRate:     minRate(ours.MaxBitRate, theirs.MaxBitRate),
		FillBitRemoval: ours.FillBitRemoval && theirs.FillBitRemoval,
		RateManagement: theirs.RateManagement,
		MaxBuffer:      ours.MaxBuffer,
		MaxDatagram:    ours.MaxDatagram,
		VendorInfo:     ours.VendorInfo,
	}
	switch neg.RateManagement {
	case "":
		neg.RateManagement = ours.RateManagement
	case TransferredTCF, LocalTCF:
	default:
		return nil, fmt.Sprintf("unknown T38FaxRateManagement %q", neg.RateManagement)
	}
	if neg.MaxBitRate < minT38BitRate {
		return nil, fmt.Sprintf("T38MaxBitRate %d is below %d", neg.MaxBitRate, minT38BitRate)
	}
	if ec := chooseEC(theirs.UDPEC); ec != "" {
		neg.UDPEC = []UDPEC{ec}
	}
	return newT38Result(neg, theirs.MaxDatagram), ""
}
