package model

// CDR is one call detail record: a call (an outbound attempt or an inbound
// reception) together with the fax it belongs to.
type CDR struct {
	Attempt
	Direction FaxDirection
	FaxStatus FaxStatus
	Source    FaxSource
	Title     string
	UserID    string // "" when the fax has no user (or the user was deleted)
	UserEmail string
	// From and To are the parties of the call: outbound, our caller ID and
	// the destination; inbound, the caller's number and our DID.
	From, To string
	// Line is the report's part of the call's SIP record (the whole record
	// is read with the fax, Attempt.SIP, which CDR reads leave nil); nil
	// for calls on other lines and calls still running.
	Line *SIPSummary
}

// SIPSummary is what the CDR report shows of a call's SIP record
// (model.SIPCall): Call-ID, final SIP status, codec and packet counters.
type SIPSummary struct {
	CallID                          string
	SIPCode                         int
	SIPReason                       string
	Codec                           string
	Sent, Received, Lost, Recovered int64
}

// Valid reports whether s is a known attempt status.
func (s AttemptStatus) Valid() bool {
	switch s {
	case AttemptDialing, AttemptRinging, AttemptConnected, AttemptCompleted, AttemptFailed:
		return true
	}
	return false
}
