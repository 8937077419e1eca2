package tenancy

import (
	"fmt"
	"net/mail"
	"net/netip"
	"strings"
	"time"
	_ "time/tzdata" // time zones validate and convert even where the system has no zoneinfo
	"unicode/utf8"

	"faxgate/internal/model"
	"faxgate/internal/phone"
	"faxgate/internal/tz"
)

// FaxSettingsInput changes a tenant's fax settings; nil fields keep their
// value. An empty template restores the default one.
type FaxSettingsInput struct {
	DefaultQuality       *model.Quality
	DefaultRetries       *int
	RetryDelay           *time.Duration // whole seconds, 10 s .. 24 h
	DefaultCallerID      *string        // read in DefaultCountry unless it starts with +; "" = none
	StationID            *string
	PageHeader           *string
	EmailBodyAsCover     *bool
	DefaultCountry       *string
	TimeZone             *string
	EmailSubjectTemplate *string
	EmailBodyTemplate    *string
	// RetentionDays must lie within the platform's minimum and maximum.
	RetentionDays *int
}

// applyFaxSettings validates in (with the platform bounds p) and copies
// its set fields onto f. Field errors name the API fields.
func applyFaxSettings(f *model.TenantFaxSettings, in FaxSettingsInput, p model.PlatformSettings) error {
	v := &model.ValidationError{}
	if in.DefaultQuality != nil {
		if f.DefaultQuality = *in.DefaultQuality; !f.DefaultQuality.Valid() {
			v.Add("default_quality", "must be standard, fine or superfine")
		}
	}
	if in.DefaultRetries != nil {
		if f.DefaultRetries = *in.DefaultRetries; f.DefaultRetries < 0 || f.DefaultRetries > model.MaxDefaultRetries {
			v.Add("default_retries", fmt.Sprintf("must be between 0 and %d", model.MaxDefaultRetries))
		}
	}
	if in.RetryDelay != nil {
		f.RetryDelay = *in.RetryDelay
		switch {
		case f.RetryDelay < model.MinRetryDelay || f.RetryDelay > model.MaxRetryDelay:
			v.Add("retry_delay_s", fmt.Sprintf("must be between %d and %d seconds",
				int(model.MinRetryDelay/time.Second), int(model.MaxRetryDelay/time.Second)))
		case f.RetryDelay%time.Second != 0:
			v.Add("retry_delay_s", "must be a whole number of seconds")
		}
	}
	if in.DefaultCountry != nil {
		f.DefaultCountry = normCountry(v, *in.DefaultCountry)
	}
	if in.DefaultCallerID != nil {
		f.DefaultCallerID = normCallerID(v, *in.DefaultCallerID, f.DefaultCountry)
	}
	if in.StationID != nil {
		f.StationID = normStationID(v, *in.StationID)
	}
	if in.PageHeader != nil {
		f.PageHeader = normText(v, "page_header", *in.PageHeader, model.MaxPageHeaderLen)
	}
	if in.EmailBodyAsCover != nil {
		f.EmailBodyAsCover = *in.EmailBodyAsCover
	}
	if in.TimeZone != nil {
		f.TimeZone = normTimeZone(v, *in.TimeZone)
	}
	if in.EmailSubjectTemplate != nil {
		f.EmailSubjectTemplate = normTemplate(v, "email_subject_template", *in.EmailSubjectTemplate, model.DefaultEmailSubjectTemplate, true)
	}
	if in.EmailBodyTemplate != nil {
		f.EmailBodyTemplate = normTemplate(v, "email_body_template", *in.EmailBodyTemplate, model.DefaultEmailBodyTemplate, false)
	}
	if in.RetentionDays != nil {
		f.RetentionDays = *in.RetentionDays
		if f.RetentionDays < p.RetentionMinDays || f.RetentionDays > p.RetentionMaxDays {
			v.Add("retention_days", fmt.Sprintf("must be between %d and %d days", p.RetentionMinDays, p.RetentionMaxDays))
		}
	}
	return v.OrNil()
}

// normCountry upper-cases an ISO 3166 alpha-2 code and checks that phone
// numbers can be read in it.
func normCountry(v *model.ValidationError, s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if !phone.ValidRegion(s) {
		v.Add("default_country", "must be an ISO 3166 two-letter country code (like US, GB, DE)")
	}
	return s
}

// normCallerID reads a caller ID in the country and returns it as E.164.
func normCallerID(v *model.ValidationError, s, country string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	e164, err := phone.Normalize(s, country)
	if err != nil {
		v.Add("default_caller_id", err.Error())
		return s
	}
	return e164
}

// normStationID checks a T.30 station id: at most 20 printable ASCII
// characters (fax machines show nothing else).
func normStationID(v *model.ValidationError, s string) string {
	s = strings.TrimSpace(s)
	switch {
	case len(s) > model.MaxStationIDLen:
		v.Add("station_id", fmt.Sprintf("must be at most %d characters", model.MaxStationIDLen))
	case strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r > 0x7e }) >= 0:
		v.Add("station_id", "may contain only printable ASCII characters (letters, digits, spaces, + and the like)")
	}
	return s
}

// normTimeZone checks an IANA time zone name.
func normTimeZone(v *model.ValidationError, s string) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		v.Add("time_zone", "is required (an IANA name like Europe/Paris, or UTC)")
	case s == "Local" || len(s) > 64:
		v.Add("time_zone", "must be an IANA time zone name like Europe/Paris")
	default:
		if _, err := tz.Load(s); err != nil {
			v.Add("time_zone", "unknown time zone "+s+" (use an IANA name like Europe/Paris)")
		}
	}
	return s
}

// normTemplate checks a fax-to-email template; "" means the default.
func normTemplate(v *model.ValidationError, field, src, def string, subject bool) string {
	if strings.TrimSpace(src) == "" {
		return def
	}
	if _, err := ParseEmailTemplate(field, src, subject); err != nil {
		mergeInvalid(v, err)
	}
	return src
}

// CoverPageInput changes a tenant's cover page settings; nil fields keep
// their value.
type CoverPageInput struct {
	Enabled    *bool
	SenderName *string
	Company    *string
	Phone      *string
	Email      *string
	Comments   *string
	ShowLogo   *bool
}

func applyCoverPage(c *model.CoverPageSettings, in CoverPageInput) error {
	v := &model.ValidationError{}
	if in.Enabled != nil {
		c.Enabled = *in.Enabled
	}
	if in.ShowLogo != nil {
		c.ShowLogo = *in.ShowLogo
	}
	if in.SenderName != nil {
		c.SenderName = normText(v, "sender_name", *in.SenderName, maxNameLen)
	}
	if in.Company != nil {
		c.Company = normText(v, "company", *in.Company, maxNameLen)
	}
	if in.Phone != nil {
		c.Phone = normPhone(v, strings.TrimSpace(*in.Phone))
	}
	if in.Email != nil {
		c.Email = normAddress(v, "email", *in.Email)
	}
	if in.Comments != nil {
		c.Comments = normMultiline(v, "comments", *in.Comments, model.MaxCoverCommentsLen)
	}
	return v.OrNil()
}

// normMultiline trims s and checks its length and that its only control
// characters are line breaks and tabs.
func normMultiline(v *model.ValidationError, field, s string, maxLen int) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	switch {
	case !utf8.ValidString(s):
		v.Add(field, "must be valid text")
	case utf8.RuneCountInString(s) > maxLen:
		v.Add(field, fmt.Sprintf("must be at most %d characters", maxLen))
	case strings.IndexFunc(s, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' || r == 0x7f }) >= 0:
		v.Add(field, "must not contain control characters")
	}
	return s
}

// normAddress checks an optional bare email address (no display name) and
// lower-cases its domain.
func normAddress(v *model.ValidationError, field, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	a, err := mail.ParseAddress(s)
	local, domain, _ := strings.Cut(s, "@")
	switch {
	case len(s) > maxEmailLen:
		v.Add(field, fmt.Sprintf("must be at most %d characters", maxEmailLen))
	case err != nil || a.Address != s || a.Name != "":
		v.Add(field, "is not a valid email address")
	case !validHost(strings.ToLower(domain)):
		v.Add(field, "has an invalid domain")
	default:
		return local + "@" + strings.ToLower(domain)
	}
	return s
}

// PlatformSettingsInput changes the platform settings; nil fields keep
// their value. SMTPPassword is write-only: nil keeps the stored one, ""
// removes it. SMTPPort 0 means the usual port of SMTPSecurity; changing
// the security while the port is the old mode's usual one moves it to the
// new mode's.
type PlatformSettingsInput struct {
	SMTPHost         *string
	SMTPPort         *int
	SMTPSecurity     *model.SMTPSecurity
	SMTPUsername     *string
	SMTPPassword     *string
	SMTPEnvelopeFrom *string
	SMTPFromName     *string
	SMTPFromAddress  *string
	SMTPHELOName     *string

	EmailAttachmentLimit       *int64
	RetentionMinDays           *int
	RetentionMaxDays           *int
	RetentionDefaultDays       *int
	AllowPrivateWebhookTargets *bool
	EmailToFaxDomain           *string
}

func applyPlatform(p *model.PlatformSettings, in PlatformSettingsInput) error {
	v := &model.ValidationError{}
	applySMTP(v, &p.SMTP, in)
	if in.EmailAttachmentLimit != nil {
		p.EmailAttachmentLimit = *in.EmailAttachmentLimit
		if p.EmailAttachmentLimit < model.MinEmailAttachmentLimit || p.EmailAttachmentLimit > model.MaxEmailAttachmentLimit {
			v.Add("email_attachment_limit", fmt.Sprintf("must be between %d and %d bytes",
				model.MinEmailAttachmentLimit, model.MaxEmailAttachmentLimit))
		}
	}
	setIntPtr(&p.RetentionMinDays, in.RetentionMinDays)
	setIntPtr(&p.RetentionMaxDays, in.RetentionMaxDays)
	setIntPtr(&p.RetentionDefaultDays, in.RetentionDefaultDays)
	checkRetentionBounds(v, *p)
	if in.AllowPrivateWebhookTargets != nil {
		p.AllowPrivateWebhookTargets = *in.AllowPrivateWebhookTargets
	}
	if in.EmailToFaxDomain != nil {
		p.EmailToFaxDomain = normHost(v, "email_to_fax_domain", *in.EmailToFaxDomain)
	}
	return v.OrNil()
}

func setIntPtr(dst *int, src *int) {
	if src != nil {
		*dst = *src
	}
}

func checkRetentionBounds(v *model.ValidationError, p model.PlatformSettings) {
	inRange := func(n int) bool { return n >= 1 && n <= model.MaxRetentionDays }
	switch {
	case !inRange(p.RetentionMinDays):
		v.Add("retention_min_days", fmt.Sprintf("must be between 1 and %d days", model.MaxRetentionDays))
	case !inRange(p.RetentionMaxDays):
		v.Add("retention_max_days", fmt.Sprintf("must be between 1 and %d days", model.MaxRetentionDays))
	case p.RetentionMaxDays < p.RetentionMinDays:
		v.Add("retention_max_days", "must not be below the minimum")
	case p.RetentionDefaultDays < p.RetentionMinDays || p.RetentionDefaultDays > p.RetentionMaxDays:
		v.Add("retention_default_days", "must lie between the minimum and the maximum")
	}
}

// applySMTP validates and copies the relay fields, then checks that the
// whole relay makes sense: a From address when a host is set, AUTH only
// over TLS.
func applySMTP(v *model.ValidationError, r *model.SMTPRelay, in PlatformSettingsInput) {
	if in.SMTPHost != nil {
		r.Host = normRelayHost(v, *in.SMTPHost)
	}
	if in.SMTPSecurity != nil {
		old := r.Security
		if r.Security = *in.SMTPSecurity; !r.Security.Valid() {
			v.Add("smtp_security", "must be none, starttls or tls")
		} else if in.SMTPPort == nil && r.Port == old.DefaultPort() {
			r.Port = r.Security.DefaultPort()
		}
	}
	if in.SMTPPort != nil {
		if r.Port = *in.SMTPPort; r.Port == 0 && r.Security.Valid() {
			r.Port = r.Security.DefaultPort()
		}
		if r.Port < 1 || r.Port > 65535 {
			v.Add("smtp_port", "must be between 1 and 65535")
		}
	}
	if in.SMTPUsername != nil {
		r.Username = normText(v, "smtp_username", *in.SMTPUsername, maxEmailLen)
	}
	if in.SMTPPassword != nil {
		if r.Password = *in.SMTPPassword; len(r.Password) > 256 || strings.ContainsAny(r.Password, "\x00\r\n") {
			v.Add("smtp_password", "must be at most 256 characters on one line")
		}
	}
	if in.SMTPEnvelopeFrom != nil {
		r.EnvelopeFrom = normAddress(v, "smtp_envelope_from", *in.SMTPEnvelopeFrom)
	}
	if in.SMTPFromName != nil {
		r.FromName = normText(v, "smtp_from_name", *in.SMTPFromName, maxNameLen)
	}
	if in.SMTPFromAddress != nil {
		r.FromAddress = normAddress(v, "smtp_from_address", *in.SMTPFromAddress)
	}
	if in.SMTPHELOName != nil {
		r.HELOName = normHost(v, "smtp_helo_name", *in.SMTPHELOName)
	}
	checkRelay(v, *r)
}

func checkRelay(v *model.ValidationError, r model.SMTPRelay) {
	if !r.Configured() {
		return
	}
	if r.FromAddress == "" {
		v.Add("smtp_from_address", "is required when an SMTP relay is set")
	}
	if r.Username != "" && r.Security == model.SMTPNone {
		v.Add("smtp_security", "must be starttls or tls when a username is set (passwords never travel in clear)")
	}
	if r.Password != "" && r.Username == "" {
		v.Add("smtp_username", "is required with a password")
	}
}

// normRelayHost accepts a host name or an IP address.
func normRelayHost(v *model.ValidationError, s string) string {
	s = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	if s == "" {
		return ""
	}
	if _, err := netip.ParseAddr(s); err != nil && !validHost(s) {
		v.Add("smtp_host", "must be a host name (like smtp.example.com) or an IP address")
	}
	return s
}
