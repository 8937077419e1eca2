package model

import "time"

// ID prefixes of the contacts feature.
const (
	PrefixContact = "con"
	PrefixGroup   = "grp"
	PrefixDNC     = "dnc"
	PrefixImport  = "imp"
)

// Audit actions of contacts, groups and the do-not-contact lists.
const (
	ActionContactCreated = "contact.created"
	ActionContactUpdated = "contact.updated"
	ActionContactDeleted = "contact.deleted"
	ActionGroupCreated   = "group.created"
	ActionGroupUpdated   = "group.updated"
	ActionGroupDeleted   = "group.deleted"
	ActionGroupMembers   = "group.members_changed" // detail says added/removed and how many
	ActionGroupImported  = "group.imported"        // detail is the import summary
	ActionDNCAdded       = "dnc.added"
	ActionDNCRemoved     = "dnc.removed"
	ActionDNCImported    = "dnc.imported"
)

// Contact field limits.
const (
	MaxContactCustom  = 5    // custom fields per contact
	MaxContactName    = 100  // first and last name
	MaxContactEmail   = 254  // email
	MaxContactField   = 200  // company, custom fields
	MaxContactAddress = 500  // address
	MaxContactDesc    = 1000 // description
	MaxGroupName      = 100
	MaxGroupDesc      = 1000
	MaxDNCNote        = 500
)

// Contact is an entry of a tenant's address book. Fax is E.164 and unique
// per tenant.
type Contact struct {
	ID          string
	TenantID    string
	FirstName   string
	LastName    string
	Fax         string // E.164
	Email       string
	Company     string
	Address     string
	Description string
	Custom      [MaxContactCustom]string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Group is a named set of a tenant's contacts (a contact may be in many).
type Group struct {
	ID          string
	TenantID    string
	Name        string // unique per tenant (case-insensitive)
	Description string
	MemberCount int // filled by reads
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// DNCEntry is a number on a do-not-contact list: a tenant's (TenantID set)
// or the platform-wide global list (TenantID "").
type DNCEntry struct {
	ID        string
	TenantID  string
	Number    string // E.164
	Note      string
	CreatedBy string // email of who added it, kept as text
	CreatedAt time.Time
}

// ImportStatus is the state of a background CSV import.
type ImportStatus string

// Import states.
const (
	ImportQueued  ImportStatus = "queued"
	ImportRunning ImportStatus = "running"
	ImportDone    ImportStatus = "done"
	ImportFailed  ImportStatus = "failed"
)

// ContactImport is a CSV import into a group running as a background job;
// its progress is persisted so the portal can show it.
type ContactImport struct {
	ID        string
	TenantID  string
	GroupID   string
	UserID    string
	UserEmail string
	Filename  string
	FileKey   string // blob key of the uploaded file ("" once processed)
	FileBytes int64
	Options   string // JSON of the import options
	Status    ImportStatus
	RowsDone  int64
	BytesRead int64
	Result    string // JSON of the summary when done
	Error     string // why it failed
	CreatedAt time.Time
	UpdatedAt time.Time
}
