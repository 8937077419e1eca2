package ui

import (
	"fmt"
	"strconv"
	"strings"

	"faxgate/internal/model"
)

// sipView is a call's SIP record as the fax pages and the CDR report show
// it: compact in tables, every field in the details.
type sipView struct{ *model.SIPCall }

// newSIPView is nil when the call has no SIP record.
func newSIPView(c *model.SIPCall) *sipView {
	if c == nil {
		return nil
	}
	return &sipView{c}
}

// Status is the final SIP response, e.g. "200 OK" or "486 Busy Here".
func (s *sipView) Status() string { return sipStatus(s.SIPCode, s.SIPReason) }

// ShortCallID is the Call-ID cut to fit a table cell (the full one is in
// the title and the details).
func (s *sipView) ShortCallID() string { return shortCallID(s.CallID) }

// CodecText is the G.711 codec, "—" when no audio was negotiated.
func (s *sipView) CodecText() string { return orDash(s.Codec) }

// cdrSIPView is the SIP part of a CDR report row.
type cdrSIPView struct{ *model.SIPSummary }

func (s cdrSIPView) Status() string      { return sipStatus(s.SIPCode, s.SIPReason) }
func (s cdrSIPView) ShortCallID() string { return shortCallID(s.CallID) }
func (s cdrSIPView) CodecText() string   { return orDash(s.Codec) }

func sipStatus(code int, reason string) string {
	if code == 0 {
		return "—"
	}
	return strings.TrimSpace(strconv.Itoa(code) + " " + reason)
}

func shortCallID(id string) string {
	const n = 20
	if r := []rune(id); len(r) > n {
		return string(r[:n]) + "…"
	}
	return id
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// MediaText names the media used last.
func (s *sipView) MediaText() string {
	switch s.Transport {
	case string(model.TransportT38):
		return "T.38 (UDPTL)"
	case string(model.TransportG711):
		return "G.711 audio (RTP)"
	}
	return "none"
}

// T38Text is the negotiated T.38 parameters in one line, "" without T.38.
func (s *sipView) T38Text() string {
	t := s.T38
	if t == nil {
		return ""
	}
	parts := []string{fmt.Sprintf("version %d", t.Version), fmt.Sprintf("%d bit/s", t.MaxBitRate)}
	if t.RateManagement != "" {
		parts = append(parts, t.RateManagement)
	}
	switch t.UDPEC {
	case "":
		parts = append(parts, "no error correction")
	case "t38UDPRedundancy":
		parts = append(parts, fmt.Sprintf("redundancy depth %d", t.Redundancy))
	default:
		parts = append(parts, t.UDPEC)
	}
	dg := fmt.Sprintf("max datagram %d", t.MaxDatagram)
	if t.FarMaxDatagram > 0 {
		dg += fmt.Sprintf(" (far end %d)", t.FarMaxDatagram)
	}
	parts = append(parts, dg)
	if t.FillBitRemoval {
		parts = append(parts, "fill-bit removal")
	}
	return strings.Join(parts, ", ")
}

// PacketsText is the media packet counters.
func (s *sipView) PacketsText() string {
	return fmt.Sprintf("%d sent, %d received, %d lost, %d recovered by redundancy", s.Sent, s.Received, s.Lost,
		s.Recovered)
}

// SignallingText is the re-INVITEs, media switches and refreshes.
func (s *sipView) SignallingText() string {
	return fmt.Sprintf("%d re-INVITE(s) sent, %d received; %d media switch(es), %d session refresh(es)",
		s.ReinvitesSent, s.ReinvitesReceived, s.Switches, s.Refreshes)
}

// SIPCall is the attempt's SIP record, nil when it has none.
func (a attemptView) SIPCall() *sipView { return newSIPView(a.SIP) }

// SIPCall is the record's SIP part, nil when it has none.
func (c cdrRow) SIPCall() *cdrSIPView {
	if c.Line == nil {
		return nil
	}
	return &cdrSIPView{c.Line}
}
