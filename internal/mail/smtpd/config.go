package smtpd

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"faxgate/internal/audit"
	"faxgate/internal/auth"
	"faxgate/internal/documents"
	"faxgate/internal/mail/msgauth"
	"faxgate/internal/mail/senders"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/tenancy"
)

// Config tunes the server. Zero values take the defaults in brackets.
type Config struct {
	// Domain is the platform email domain (<number>@Domain); required.
	Domain string
	// Hostname is the name in the greeting and the self-signed
	// certificate [Domain].
	Hostname string
	// CertFile and KeyFile are a PEM certificate and key for STARTTLS.
	// When both are empty a self-signed certificate is generated on first
	// run and kept in DataDir/smtp (files 0600).
	CertFile, KeyFile string
	DataDir           string
	// MaxMessageBytes is announced with SIZE and enforced [25 MB].
	MaxMessageBytes int64
	// MaxRecipients per message [50].
	MaxRecipients int
	// ReadTimeout and WriteTimeout bound each network read and write [2 min].
	ReadTimeout, WriteTimeout time.Duration
	// MaxConns is the most simultaneous connections [200], MaxConnsPerIP
	// per remote address [10].
	MaxConns, MaxConnsPerIP int
	// MessagesPerMinuteIP and MessagesPerMinuteTenant rate-limit accepted
	// transactions (MAIL FROM) [30 and 120]; the bursts are a third.
	MessagesPerMinuteIP, MessagesPerMinuteTenant float64
	// ConvertWait is how long DATA waits for the document conversion
	// before answering [3 min]; SMTP clients wait 10 minutes.
	ConvertWait time.Duration
	// Extract bounds the MIME parsing (MaxBytes defaults to MaxMessageBytes).
	Extract ExtractLimits
}

func (c Config) withDefaults() Config {
	c.Domain = strings.ToLower(strings.TrimSpace(c.Domain))
	if c.Hostname == "" {
		c.Hostname = c.Domain
	}
	if c.MaxMessageBytes <= 0 {
		c.MaxMessageBytes = 25 << 20
	}
	if c.MaxRecipients <= 0 {
		c.MaxRecipients = 50
	}
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = 2 * time.Minute
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 2 * time.Minute
	}
	if c.MaxConns <= 0 {
		c.MaxConns = 200
	}
	if c.MaxConnsPerIP <= 0 {
		c.MaxConnsPerIP = 10
	}
	if c.MessagesPerMinuteIP <= 0 {
		c.MessagesPerMinuteIP = 30
	}
	if c.MessagesPerMinuteTenant <= 0 {
		c.MessagesPerMinuteTenant = 120
	}
	if c.ConvertWait <= 0 {
		c.ConvertWait = 3 * time.Minute
	}
	if c.Extract.MaxBytes <= 0 {
		c.Extract.MaxBytes = c.MaxMessageBytes
	}
	return c
}

// FaxRequest is one fax to queue for an email recipient; Source is always
// model.SourceEmail.
type FaxRequest struct {
	To         string // E.164
	DocumentID string // a ready document of the actor's tenant
	Title      string // the subject
	// CallerID and Retries are the tenant's defaults ("" = none; nil =
	// the fax service's default).
	CallerID string
	Retries  *int
	// CoverPage is set when the tenant puts the email body on the cover
	// page; nil = the tenant's default.
	CoverPage *model.CoverPage
	// IdempotencyKey is derived from the message and the recipient, so a
	// client that resends after a lost reply does not fax twice.
	IdempotencyKey string
}

// Submitter queues a fax and returns its id. faxoutsubmit.New adapts
// *faxout.Service.
type Submitter interface {
	SubmitEmailFax(ctx context.Context, actor model.Actor, r FaxRequest) (faxID string, err error)
}

// Deps are the services the server uses. All are required.
type Deps struct {
	Store     *store.Store
	Auth      *auth.Service
	Tenancy   *tenancy.Service
	Documents *documents.Service
	Submitter Submitter
	Audit     *audit.Service
	Logger    *slog.Logger
	// Senders, when set, lets senders without AUTH in: allowlisted
	// addresses, domains and networks, and (with Checker) users whose From
	// passes DMARC-aligned SPF or DKIM. It also records where the notices
	// of each fax go. Without it only authenticated sessions may send.
	Senders *senders.Service
	Checker *msgauth.Checker
	// Notices, when set, gets an acceptance notice per accepted message.
	Notices Notifier
}

// Notifier sends the acceptance notice of an accepted message.
type Notifier interface {
	Accepted(ctx context.Context, n Acceptance)
}

// Acceptance is what the acceptance notice says.
type Acceptance struct {
	TenantID  string
	To        string // the sender's notice address
	MessageID string // of the sender's email, without <>
	Subject   string
	Faxes     []AcceptedFax
	NotSent   []string // "number: reason"
}

// AcceptedFax is one fax queued from the message.
type AcceptedFax struct{ ID, To string }

func (d Deps) check() error {
	if d.Store == nil || d.Auth == nil || d.Tenancy == nil || d.Documents == nil || d.Submitter == nil || d.Audit == nil {
		return errors.New("smtpd: Store, Auth, Tenancy, Documents, Submitter and Audit are required")
	}
	return nil
}

// Audit actions of the email front door.
const (
	ActionAuth       = "email.auth"
	ActionAuthFailed = "email.auth_failed"
	ActionRefused    = "email.refused"
	ActionAccepted   = "email.accepted"
	// ActionSender records why an unauthenticated sender was let in.
	ActionSender = "email.sender_authorised"
)
