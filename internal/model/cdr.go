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
}

// Valid reports whether s is a known attempt status.
func (s AttemptStatus) Valid() bool {
	switch s {
	case AttemptDialing, AttemptRinging, AttemptConnected, AttemptCompleted, AttemptFailed:
		return true
	}
	return false
}
