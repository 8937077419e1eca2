package model

import "time"

// PrefixOutboundEmail is the id prefix of outgoing emails.
const PrefixOutboundEmail = "eml"

// EmailStatus is where an outgoing email is: queued (waiting for its first
// or next try), sent (the relay accepted it) or failed (refused for good,
// or every try failed).
type EmailStatus string

const (
	EmailQueued EmailStatus = "queued"
	EmailSent   EmailStatus = "sent"
	EmailFailed EmailStatus = "failed"
)

// Valid reports whether s is a known status.
func (s EmailStatus) Valid() bool { return s == EmailQueued || s == EmailSent || s == EmailFailed }

// Final reports whether nothing will happen to the email any more.
func (s EmailStatus) Final() bool { return s == EmailSent || s == EmailFailed }

// Kinds of outgoing email (free text in the database; these are faxgate's).
const (
	EmailKindFaxToEmail = "fax_to_email"
	EmailKindNotice     = "notice"
	EmailKindTest       = "test"
)

// OutboundEmail is one message faxgate sends through the platform's SMTP
// relay, kept so that its delivery can be retried and shown (a received fax
// lists the emails with RelatedType "fax" and its id).
type OutboundEmail struct {
	ID       string
	TenantID string // "" for platform mail (test emails)
	// MessageID is the RFC 5322 Message-ID without angle brackets; it is
	// fixed when the email is queued, so every try sends the same one.
	MessageID   string
	Kind        string
	RelatedType string // "fax", ...; "" when about nothing stored
	RelatedID   string
	To          []string
	ReplyTo     string
	Subject     string
	TextBody    string
	HTMLBody    string // optional alternative to TextBody
	InReplyTo   string // Message-ID (without brackets) this one answers
	References  []string
	Attachments []EmailAttachment

	Status        EmailStatus
	Attempts      int
	LastError     string
	LastAttemptAt time.Time
	SentAt        time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// EmailAttachment is one attached file, stored as a blob. Owned blobs were
// written for this email (and are removed once it is sent or failed);
// others belong to another object, e.g. a received fax's PDF.
type EmailAttachment struct {
	Position    int // 1, 2, ... in message order
	Filename    string
	ContentType string
	SizeBytes   int64
	BlobKey     string
	Owned       bool
}
