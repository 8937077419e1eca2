package model

import "time"

// SIPCall is the SIP part of a call's CDR (table sip_calls): what the
// attempt row does not say about the line, for support and carrier
// disputes. One per call: an outbound attempt or an inbound reception.
type SIPCall struct {
	CallID    string
	Direction FaxDirection
	TenantID  string
	FaxID     string
	AttemptID string // the attempt (inbound: the reception's); "" when it was never stored
	TrunkID   string
	Peer      string // the far signalling address, ip:port
	SIPCode   int    // final response to the initial INVITE (inbound: the one we sent)
	SIPReason string
	Cause     string
	Transport string // t38, g711 or "" (no media)
	Codec     string // PCMU, PCMA
	T38       *T38Params
	// Sent, Received, Lost and Recovered sum both media legs (RTP and UDPTL
	// datagrams); Recovered are the packets rebuilt from UDPTL redundancy.
	Sent, Received, Lost, Recovered int64
	// Switches counts media changes (audio to T.38 and back), Refreshes
	// session refreshes; ReinvitesSent/Received the re-INVITEs each way
	// (T.38 requests and refreshes).
	Switches, Refreshes              int
	ReinvitesSent, ReinvitesReceived int
	StartedAt, EndedAt               time.Time
}

// T38Params are the T.38 parameters a call negotiated. The field names
// are the stored JSON's keys (sip_calls.t38).
type T38Params struct {
	Version        int
	MaxBitRate     int
	FillBitRemoval bool
	RateManagement string // transferredTCF or localTCF
	UDPEC          string // t38UDPRedundancy, t38UDPFEC or "" (none)
	// FarMaxDatagram is the far end's T38FaxMaxDatagram (0: absent),
	// MaxDatagram the limit we honoured, Redundancy our depth.
	FarMaxDatagram, MaxDatagram, Redundancy int
}
