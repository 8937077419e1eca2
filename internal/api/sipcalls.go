package api

import (
	"time"

	"faxgate/internal/model"
)

// CallSIP is the SIP record of a call (an outbound attempt or an inbound
// reception over a SIP trunk): null for calls on other lines and while the
// call runs.
type CallSIP struct {
	CallID            string      `json:"call_id" api:"required,readonly" doc:"The SIP Call-ID (the far end's on inbound calls)."`
	SIPCode           int         `json:"sip_code" api:"required,readonly" doc:"Final response to the initial INVITE (inbound: the one we sent), e.g. 200, 486, 488."`
	SIPReason         string      `json:"sip_reason" api:"required,readonly"`
	Cause             string      `json:"cause" api:"required,readonly" doc:"Cause class of the call's end as the SIP side saw it (busy, no_answer, fax_negotiation, ...); empty when it ended normally."`
	Transport         string      `json:"transport" api:"required,readonly" doc:"Media used last: t38, g711, or empty (no media)."`
	Codec             string      `json:"codec" api:"required,readonly" doc:"G.711 codec of the audio leg: PCMU or PCMA."`
	T38               *CallT38    `json:"t38" api:"required"`
	Packets           CallPackets `json:"packets" api:"required"`
	ReinvitesSent     int         `json:"reinvites_sent" api:"required,readonly" doc:"re-INVITEs we sent (T.38 requests, session refreshes)."`
	ReinvitesReceived int         `json:"reinvites_received" api:"required,readonly"`
	MediaSwitches     int         `json:"media_switches" api:"required,readonly" doc:"Changes of media (audio to T.38 and back)."`
	SessionRefreshes  int         `json:"session_refreshes" api:"required,readonly" doc:"Session-timer refreshes (RFC 4028)."`
	Peer              string      `json:"peer" api:"required,readonly" doc:"The far end's signalling address, ip:port."`
	TrunkID           string      `json:"trunk_id" api:"required,readonly"`
	StartedAt         time.Time   `json:"started_at" api:"required,readonly"`
	EndedAt           time.Time   `json:"ended_at" api:"required,readonly"`
}

// CallT38 are the T.38 parameters a call negotiated (null when T.38 was
// not used).
type CallT38 struct {
	Version         int    `json:"version" api:"required,readonly"`
	MaxBitRate      int    `json:"max_bit_rate" api:"required,readonly"`
	FillBitRemoval  bool   `json:"fill_bit_removal" api:"required,readonly"`
	RateManagement  string `json:"rate_management" api:"required,readonly" doc:"transferredTCF or localTCF."`
	ErrorCorrection string `json:"error_correction" api:"required,readonly" doc:"t38UDPRedundancy, t38UDPFEC or empty (none)."`
	Redundancy      int    `json:"redundancy" api:"required,readonly" doc:"Earlier packets repeated in each UDPTL datagram we sent."`
	FarMaxDatagram  int    `json:"far_max_datagram" api:"required,readonly" doc:"The far end's T38FaxMaxDatagram (0: not declared)."`
	MaxDatagram     int    `json:"max_datagram" api:"required,readonly" doc:"The datagram size limit we honoured."`
}

// CallPackets are a call's media packet counters, RTP and UDPTL legs
// summed.
type CallPackets struct {
	Sent      int64 `json:"sent" api:"required,readonly"`
	Received  int64 `json:"received" api:"required,readonly"`
	Lost      int64 `json:"lost" api:"required,readonly" doc:"Missing in the received sequence."`
	Recovered int64 `json:"recovered" api:"required,readonly" doc:"Lost packets rebuilt from UDPTL redundancy."`
}

func sipDTO(c *model.SIPCall) *CallSIP {
	if c == nil {
		return nil
	}
	d := &CallSIP{CallID: c.CallID, SIPCode: c.SIPCode, SIPReason: c.SIPReason, Cause: c.Cause,
		Transport: c.Transport, Codec: c.Codec, ReinvitesSent: c.ReinvitesSent,
		ReinvitesReceived: c.ReinvitesReceived, MediaSwitches: c.Switches, SessionRefreshes: c.Refreshes,
		Peer: c.Peer, TrunkID: c.TrunkID, StartedAt: utc(c.StartedAt), EndedAt: utc(c.EndedAt),
		Packets: CallPackets{Sent: c.Sent, Received: c.Received, Lost: c.Lost, Recovered: c.Recovered}}
	if t := c.T38; t != nil {
		d.T38 = &CallT38{Version: t.Version, MaxBitRate: t.MaxBitRate, FillBitRemoval: t.FillBitRemoval,
			RateManagement: t.RateManagement, ErrorCorrection: t.UDPEC, Redundancy: t.Redundancy,
			FarMaxDatagram: t.FarMaxDatagram, MaxDatagram: t.MaxDatagram}
	}
	return d
}
