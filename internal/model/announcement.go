package model

import "time"

// PrefixAnnouncement starts announcement ids.
const PrefixAnnouncement = "ann"

// Audit actions of announcements.
const (
	ActionAnnouncementCreated = "announcement.created"
	ActionAnnouncementUpdated = "announcement.updated"
	ActionAnnouncementDeleted = "announcement.deleted"
)

// AnnouncementLevel is how an announcement is styled.
type AnnouncementLevel string

const (
	AnnouncementInfo    AnnouncementLevel = "info"
	AnnouncementWarning AnnouncementLevel = "warning"
)

// Valid reports whether l is a known level.
func (l AnnouncementLevel) Valid() bool { return l == AnnouncementInfo || l == AnnouncementWarning }

// Announcement is a message shown to a tenant's users (TenantID "" : to
// every user of the platform) on the dashboard and the login page, from
// StartsAt until ExpiresAt (zero: until it is removed).
type Announcement struct {
	ID        string
	TenantID  string
	Message   string
	Level     AnnouncementLevel
	StartsAt  time.Time
	ExpiresAt time.Time
	CreatedBy string // email of the author
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ActiveAt reports whether the announcement is shown at t.
func (a Announcement) ActiveAt(t time.Time) bool {
	return !t.Before(a.StartsAt) && (a.ExpiresAt.IsZero() || t.Before(a.ExpiresAt))
}
