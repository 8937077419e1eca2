package model

import (
	"log/slog"
	"strconv"
	"time"
)

// Audit actions of settings (ActionSettingsUpdated is in audit.go).
const (
	ActionTestEmailSent = "settings.test_email"
)

// Bounds and defaults of tenant fax settings.
const (
	MaxDefaultRetries     = 10
	MinRetryDelay         = 10 * time.Second
	MaxRetryDelay         = 24 * time.Hour
	DefaultRetryDelay     = 60 * time.Second
	DefaultFaxRetries     = 3
	DefaultFaxCountry     = "US"
	DefaultFaxTimeZone    = "UTC"
	MaxStationIDLen       = 20 // T.30 TSI/CSID
	MaxPageHeaderLen      = 50
	MaxEmailSubjectTplLen = 500
	MaxEmailBodyTplLen    = 10000
)

// TenantFaxSettings are a tenant's "Configuration > Fax Settings": the
// defaults of new faxes and how received faxes are emailed. Read them with
// defaults applied (DefaultTenantFaxSettings): nothing is ever "unset".
type TenantFaxSettings struct {
	TenantID       string
	DefaultQuality Quality
	// DefaultRetries is how many further tries a failed fax gets (0..10);
	// RetryDelay the wait between tries (10 s .. 24 h, whole seconds).
	DefaultRetries int
	RetryDelay     time.Duration
	// DefaultCallerID is an E.164 number ("" = none). Whether the tenant
	// may use it is checked when a fax is sent, not here.
	DefaultCallerID string
	// StationID is the TSI/CSID shown by the far machine: at most 20
	// printable ASCII characters ("" = the caller ID).
	StationID string
	// PageHeader is the text of the header line on every sent page (≤ 50).
	PageHeader string
	// EmailBodyAsCover puts the text body of an email-to-fax message on the
	// cover page (as its comments) instead of dropping it.
	EmailBodyAsCover bool
	// DefaultCountry is the ISO 3166 alpha-2 country numbers without a
	// leading + are read in ("US").
	DefaultCountry string
	// TimeZone is an IANA zone name ("Europe/Paris") for times shown to the
	// tenant and printed on pages and emails.
	TimeZone string
	// EmailSubjectTemplate and EmailBodyTemplate are text/template sources
	// for fax-to-email messages; see tenancy.FaxEmailData for their fields.
	EmailSubjectTemplate string
	EmailBodyTemplate    string

	// RetentionDays is the tenant's fax retention period. It is stored on
	// the tenant (model.Tenant.RetentionDays) and is saved together with
	// these settings; RetentionMinDays/MaxDays are the platform's bounds
	// (read-only here, filled in by the settings service).
	RetentionDays    int
	RetentionMinDays int
	RetentionMaxDays int

	UpdatedAt time.Time // zero when the tenant never saved its settings
}

// Default fax-to-email templates. Their fields are those of
// tenancy.FaxEmailData.
const (
	DefaultEmailSubjectTemplate = `Fax from {{.From}} to {{.To}} ({{.Pages}} page{{if ne .Pages 1}}s{{end}})`
	DefaultEmailBodyTemplate    = `You received a fax.

From:     {{.From}}{{if .RemoteStationID}} ({{.RemoteStationID}}){{end}}
To:       {{.To}}
Pages:    {{.Pages}}
Received: {{.ReceivedAt}}
Result:   {{.Result}}
{{if .Attached}}
The fax is attached as a PDF.
{{else}}
The fax is too large to attach to this email.
{{end}}{{if .Link}}
View it in the portal: {{.Link}}
{{end}}`
)

// DefaultTenantFaxSettings are the settings of a tenant that saved none
// (retention excluded: it lives on the tenant).
func DefaultTenantFaxSettings(tenantID string) TenantFaxSettings {
	return TenantFaxSettings{
		TenantID:             tenantID,
		DefaultQuality:       QualityFine,
		DefaultRetries:       DefaultFaxRetries,
		RetryDelay:           DefaultRetryDelay,
		DefaultCountry:       DefaultFaxCountry,
		TimeZone:             DefaultFaxTimeZone,
		EmailSubjectTemplate: DefaultEmailSubjectTemplate,
		EmailBodyTemplate:    DefaultEmailBodyTemplate,
	}
}

// Bounds of cover page settings.
const (
	MaxCoverCommentsLen = 2000
)

// CoverPageSettings are a tenant's "Configuration > Cover Page": whether
// new faxes get a cover page by default, and the sender details printed on
// it.
type CoverPageSettings struct {
	TenantID   string
	Enabled    bool
	SenderName string
	Company    string
	Phone      string
	Email      string
	Comments   string // default comments (a fax may bring its own)
	ShowLogo   bool   // print the tenant's branding logo
	UpdatedAt  time.Time
}

// DefaultCoverPageSettings are the cover page settings of a tenant that
// saved none: disabled, logo shown when enabled.
func DefaultCoverPageSettings(tenantID string) CoverPageSettings {
	return CoverPageSettings{TenantID: tenantID, ShowLogo: true}
}

// SMTPSecurity is how faxgate protects its connection to the SMTP relay.
type SMTPSecurity string

const (
	// SMTPNone sends in clear: loopback or development relays only. AUTH
	// is refused on such connections.
	SMTPNone SMTPSecurity = "none"
	// SMTPStartTLS requires STARTTLS; a relay that does not offer it fails
	// the delivery (never a silent downgrade to plain text).
	SMTPStartTLS SMTPSecurity = "starttls"
	// SMTPTLS is implicit TLS from the first byte (port 465).
	SMTPTLS SMTPSecurity = "tls"
)

// Valid reports whether s is a known security mode.
func (s SMTPSecurity) Valid() bool { return s == SMTPNone || s == SMTPStartTLS || s == SMTPTLS }

// DefaultPort is the usual port of the mode: 25, 587 or 465.
func (s SMTPSecurity) DefaultPort() int {
	switch s {
	case SMTPTLS:
		return 465
	case SMTPStartTLS:
		return 587
	}
	return 25
}

// SMTPRelay is the platform's outgoing mail relay. Password is stored in
// the database encrypted under the --secret-key-file key (package seal);
// the API never returns it.
type SMTPRelay struct {
	Host     string // "" = not configured: no email is sent
	Port     int
	Security SMTPSecurity
	Username string // "" = no AUTH
	Password string
	// EnvelopeFrom is the SMTP MAIL FROM (bounce) address; "" = FromAddress.
	EnvelopeFrom string
	FromName     string
	FromAddress  string
	// HELOName is the name faxgate gives in EHLO; "" = the host name of
	// the machine.
	HELOName string
}

// Configured reports whether a relay host is set.
func (r SMTPRelay) Configured() bool { return r.Host != "" }

// Addr is "host:port".
func (r SMTPRelay) Addr() string {
	return r.Host + ":" + strconv.Itoa(r.Port)
}

// Sender is the envelope sender: EnvelopeFrom, or FromAddress.
func (r SMTPRelay) Sender() string {
	if r.EnvelopeFrom != "" {
		return r.EnvelopeFrom
	}
	return r.FromAddress
}

// LogValue implements slog.LogValuer without the password.
func (r SMTPRelay) LogValue() slog.Value {
	return slog.GroupValue(slog.String("host", r.Host), slog.Int("port", r.Port),
		slog.String("security", string(r.Security)), slog.String("username", r.Username),
		slog.Bool("password_set", r.Password != ""), slog.String("from", r.FromAddress))
}

// Bounds and defaults of platform settings.
const (
	DefaultRetentionMinDays     = 1
	DefaultRetentionMaxDays     = 365
	DefaultRetentionDays        = 30
	MaxRetentionDays            = 3650
	DefaultEmailAttachmentLimit = 10 << 20
	MinEmailAttachmentLimit     = 64 << 10
	MaxEmailAttachmentLimit     = 100 << 20
)

// PlatformSettings are the admin's global settings.
type PlatformSettings struct {
	SMTP SMTPRelay
	// EmailAttachmentLimit bounds the attachments of one outgoing email
	// (bytes, all attachments together). Bigger files are linked instead.
	EmailAttachmentLimit int64
	// Retention bounds every tenant's retention period; new tenants get
	// RetentionDefaultDays.
	RetentionMinDays     int
	RetentionMaxDays     int
	RetentionDefaultDays int
	// AllowPrivateWebhookTargets lets webhook endpoints point at loopback
	// and private addresses.
	AllowPrivateWebhookTargets bool
	// EmailToFaxDomain is the domain of <number>@domain email-to-fax
	// addresses; "" = the --email-domain flag.
	EmailToFaxDomain string
	UpdatedAt        time.Time
}

// DefaultPlatformSettings are the platform settings before an admin saved
// any: no relay, STARTTLS on port 587 once a host is set, retention 1..365
// days (30 for new tenants), 10 MiB of attachments per email.
func DefaultPlatformSettings() PlatformSettings {
	return PlatformSettings{
		SMTP:                 SMTPRelay{Port: SMTPStartTLS.DefaultPort(), Security: SMTPStartTLS},
		EmailAttachmentLimit: DefaultEmailAttachmentLimit,
		RetentionMinDays:     DefaultRetentionMinDays,
		RetentionMaxDays:     DefaultRetentionMaxDays,
		RetentionDefaultDays: DefaultRetentionDays,
	}
}

// ClampRetention bounds a tenant's retention period by the platform's
// minimum and maximum (tenants saved before the bounds changed may lie
// outside them): the purge uses the clamped value.
func (p PlatformSettings) ClampRetention(days int) int {
	return min(max(days, p.RetentionMinDays), p.RetentionMaxDays)
}
