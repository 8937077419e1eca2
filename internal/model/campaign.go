package model

import (
	"time"
)

// CampaignStatus is where a campaign is in its life:
// draft -> running <-> paused -> completed | stopped.
type CampaignStatus string

// Campaign statuses.
const (
	CampaignDraft     CampaignStatus = "draft"
	CampaignRunning   CampaignStatus = "running"
	CampaignPaused    CampaignStatus = "paused"
	CampaignCompleted CampaignStatus = "completed"
	CampaignStopped   CampaignStatus = "stopped"
)

// Valid reports whether s is a known status.
func (s CampaignStatus) Valid() bool {
	switch s {
	case CampaignDraft, CampaignRunning, CampaignPaused, CampaignCompleted, CampaignStopped:
		return true
	}
	return false
}

// PrefixCampaign starts campaign ids.
const PrefixCampaign = "cmp"

// AllDays is the CampaignWindow.Days mask of every day of the week.
const AllDays = 0x7f

// CampaignWindow is when a campaign may send, in the tenant's time zone:
// the days of the week (bit 0 Sunday .. bit 6 Saturday) and the hours
// [StartHour, EndHour) of each of them. The zero window is "always".
type CampaignWindow struct {
	Days      uint8
	StartHour int
	EndHour   int
}

// AlwaysOpen is the window without restriction.
func AlwaysOpen() CampaignWindow { return CampaignWindow{Days: AllDays, StartHour: 0, EndHour: 24} }

// OrAlways maps the zero window to AlwaysOpen.
func (w CampaignWindow) OrAlways() CampaignWindow {
	if w == (CampaignWindow{}) {
		return AlwaysOpen()
	}
	return w
}

// IsAlways reports whether the window restricts nothing.
func (w CampaignWindow) IsAlways() bool { return w.OrAlways() == AlwaysOpen() }

// Open reports whether t (any zone) falls in the window, in loc.
func (w CampaignWindow) Open(t time.Time, loc *time.Location) bool {
	w = w.OrAlways()
	lt := t.In(loc)
	if w.Days&(1<<uint(lt.Weekday())) == 0 {
		return false
	}
	h := lt.Hour()
	return h >= w.StartHour && h < w.EndHour
}

// NextOpen is the first instant at or after t when the window is open, in
// loc (t itself when it is open). A window with no day returns the zero
// time.
func (w CampaignWindow) NextOpen(t time.Time, loc *time.Location) time.Time {
	w = w.OrAlways()
	if w.Open(t, loc) {
		return t
	}
	lt := t.In(loc)
	for d := 0; d <= 7; d++ {
		day := time.Date(lt.Year(), lt.Month(), lt.Day()+d, 0, 0, 0, 0, loc)
		if w.Days&(1<<uint(day.Weekday())) == 0 {
			continue
		}
		start := time.Date(day.Year(), day.Month(), day.Day(), w.StartHour, 0, 0, 0, loc)
		end := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc).Add(time.Duration(w.EndHour) * time.Hour)
		if start.Before(t) {
			start = t
		}
		if start.Before(end) && w.Open(start, loc) {
			return start.UTC()
		}
	}
	return time.Time{}
}

// Days of the week in CampaignWindow.Days order, for forms and documents.
var weekdayNames = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// DayNames lists the window's days ("mon", ...).
func (w CampaignWindow) DayNames() []string {
	var out []string
	for i, n := range weekdayNames {
		if w.Days&(1<<uint(i)) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// DaysFromNames builds a Days mask from day names; ok is false for an
// unknown name.
func DaysFromNames(names []string) (days uint8, ok bool) {
	for _, n := range names {
		found := false
		for i, w := range weekdayNames {
			if n == w {
				days |= 1 << uint(i)
				found = true
			}
		}
		if !found {
			return 0, false
		}
	}
	return days, true
}

// WeekdayNames are the day names DaysFromNames accepts, Sunday first.
func WeekdayNames() []string { return weekdayNames[:] }

// Campaign is one bulk fax: a document sent to every member of a contact
// group, paced, within a schedule window.
type Campaign struct {
	ID         string
	TenantID   string
	UserID     string // creator; the sender submits faxes in its name
	Title      string
	DocumentID string
	GroupID    string
	CallerID   string
	// Retries per fax (0..10) and the pause before each (0: the tenant's).
	Retries        int
	RetryDelay     time.Duration
	CallsPerMinute int
	MaxLines       int
	Window         CampaignWindow
	CoverPage      bool
	// OptOut is printed on the first page (the cover page, which it
	// turns on): "to stop receiving faxes call/fax ...".
	OptOut string

	Status       CampaignStatus
	StatusReason string // why it paused (quota, a bad setting, a user)

	// Recipient counts by state; Total is their sum. InProgress counts
	// faxes submitted and not final yet (queued, sending, retrying).
	Total, Pending, InProgress, Delivered, Failed, Skipped, Canceled int

	Cursor     int64     // seq of the last recipient the sender handled
	NextSendAt time.Time // the next pacing slot

	CreatedAt, UpdatedAt, StartedAt, CompletedAt time.Time
}

// Sent counts recipients a fax was submitted to.
func (c Campaign) Sent() int { return c.InProgress + c.Delivered + c.Failed }

// Finished counts recipients in a final state.
func (c Campaign) Finished() int { return c.Delivered + c.Failed + c.Skipped + c.Canceled }

// Percent is the share of recipients finished, 0..100.
func (c Campaign) Percent() int {
	if c.Total == 0 {
		return 0
	}
	return c.Finished() * 100 / c.Total
}

// ETA estimates the time the remaining submissions take at the campaign's
// pace (schedule windows aside); 0 when nothing is left to submit.
func (c Campaign) ETA() time.Duration {
	if c.Pending == 0 || c.CallsPerMinute <= 0 {
		return 0
	}
	return time.Duration(c.Pending) * time.Minute / time.Duration(c.CallsPerMinute)
}

// Editable reports whether the campaign's settings may change.
func (c Campaign) Editable() bool { return c.Status == CampaignDraft }

// Deletable reports whether the campaign may be deleted.
func (c Campaign) Deletable() bool {
	return c.Status == CampaignDraft || c.Status == CampaignCompleted || c.Status == CampaignStopped
}

// CampaignFilter narrows a list of campaigns.
type CampaignFilter struct {
	Status CampaignStatus // "" = any
	Query  string         // substring of the title (case-insensitive); "" = any
}

// RecipientState is where one recipient of a campaign is:
// pending -> submitting -> in_progress -> delivered | failed, or skipped
// (do-not-contact, duplicate number, invalid number) or canceled (the
// campaign stopped before its turn). Submitting is the short step between
// taking the recipient's turn and the fax being queued; a crash there is
// repaired by submitting again with the same idempotency key.
type RecipientState string

// Recipient states.
const (
	RecipientPending    RecipientState = "pending"
	RecipientSubmitting RecipientState = "submitting"
	RecipientInProgress RecipientState = "in_progress"
	RecipientDelivered  RecipientState = "delivered"
	RecipientFailed     RecipientState = "failed"
	RecipientSkipped    RecipientState = "skipped"
	RecipientCanceled   RecipientState = "canceled"
)

// Valid reports whether st is a known state.
func (st RecipientState) Valid() bool {
	switch st {
	case RecipientPending, RecipientSubmitting, RecipientInProgress, RecipientDelivered, RecipientFailed,
		RecipientSkipped, RecipientCanceled:
		return true
	}
	return false
}

// Recipient is one row of a campaign's snapshot of its group.
type Recipient struct {
	CampaignID  string
	Seq         int64 // 1.. in the group's order at start
	ContactID   string
	Name        string
	Fax         string
	State       RecipientState
	Reason      string // why it was skipped or failed
	Sends       int    // submissions so far (retry-failed adds one)
	FaxID       string
	SubmittedAt time.Time
	CompletedAt time.Time
}

// RecipientFilter narrows a list of a campaign's recipients.
type RecipientFilter struct {
	State RecipientState // "" = every state
	Query string         // substring of the fax number or the name (case-insensitive); "" = any
}

// Reasons of skipped recipients.
const (
	ReasonDuplicateNumber = "duplicate number in the group"
	ReasonDoNotContact    = "on the do-not-contact list"
)
