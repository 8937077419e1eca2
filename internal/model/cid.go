package model

import "time"

// CallerID is a number of the admin's caller-ID pool. A CID assigned to a
// tenant (TenantID set) may be shown as the sender of that tenant's faxes;
// an unassigned one is spare.
type CallerID struct {
	ID        string
	Number    string // E.164, unique across the platform
	TenantID  string // "" = in the pool, not assigned
	Label     string // free text for the admin ("London office")
	CreatedAt time.Time
	UpdatedAt time.Time
}
