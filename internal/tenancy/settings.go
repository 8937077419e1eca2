package tenancy

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"faxgate/internal/model"
)

// Settings permissions: everyone of a tenant reads its fax and cover page
// settings (the send form needs the defaults), tenant admins change them,
// platform admins read and change any tenant's and the platform settings.
// Another tenant's settings are model.ErrNotFound.

// GetFaxSettings returns a tenant's fax settings with defaults for what it
// never saved, its retention period and the platform's retention bounds.
// tenantID "" means the actor's own tenant (admins must name one).
func (s *Service) GetFaxSettings(ctx context.Context, actor model.Actor, tenantID string) (model.TenantFaxSettings, error) {
	id, err := s.settingsTenant(actor, tenantID, false)
	if err != nil {
		return model.TenantFaxSettings{}, err
	}
	f, _, err := s.faxSettings(ctx, id)
	return f, err
}

// faxSettings loads fax settings with the platform bounds filled in.
func (s *Service) faxSettings(ctx context.Context, tenantID string) (model.TenantFaxSettings, model.PlatformSettings, error) {
	f, err := s.st.GetTenantFaxSettings(ctx, model.PlatformScope(), tenantID)
	if err != nil {
		return model.TenantFaxSettings{}, model.PlatformSettings{}, err
	}
	p, err := s.st.GetPlatformSettings(ctx, model.PlatformScope())
	if err != nil {
		return model.TenantFaxSettings{}, model.PlatformSettings{}, err
	}
	f.RetentionMinDays, f.RetentionMaxDays = p.RetentionMinDays, p.RetentionMaxDays
	return f, p, nil
}

// UpdateFaxSettings changes a tenant's fax settings (tenant admins: their
// own; platform admins: any named tenant; users: model.ErrForbidden).
// Invalid fields, template errors included, are a *model.ValidationError;
// the retention period must lie within the platform's bounds. The change
// is audited with the list of changed fields.
func (s *Service) UpdateFaxSettings(ctx context.Context, actor model.Actor, tenantID string, in FaxSettingsInput) (model.TenantFaxSettings, error) {
	id, err := s.settingsTenant(actor, tenantID, true)
	if err != nil {
		return model.TenantFaxSettings{}, err
	}
	old, p, err := s.faxSettings(ctx, id)
	if err != nil {
		return model.TenantFaxSettings{}, err
	}
	f := old
	if err := applyFaxSettings(&f, in, p); err != nil {
		return model.TenantFaxSettings{}, err
	}
	changes := faxSettingsChanges(old, f)
	if len(changes) == 0 {
		return old, nil
	}
	if err := s.st.PutTenantFaxSettings(ctx, model.TenantScope(id), &f); err != nil {
		return model.TenantFaxSettings{}, err
	}
	s.au.Record(ctx, actor, model.ActionSettingsUpdated, "fax_settings", id, "fax settings: "+changes.String(), id)
	return f, nil
}

// GetCoverPage returns a tenant's cover page settings (defaults when never
// saved); tenantID "" means the actor's own tenant.
func (s *Service) GetCoverPage(ctx context.Context, actor model.Actor, tenantID string) (model.CoverPageSettings, error) {
	id, err := s.settingsTenant(actor, tenantID, false)
	if err != nil {
		return model.CoverPageSettings{}, err
	}
	return s.st.GetCoverPageSettings(ctx, model.TenantScope(id), id)
}

// UpdateCoverPage changes a tenant's cover page settings, with the same
// permissions as UpdateFaxSettings, and audits the changed fields.
func (s *Service) UpdateCoverPage(ctx context.Context, actor model.Actor, tenantID string, in CoverPageInput) (model.CoverPageSettings, error) {
	id, err := s.settingsTenant(actor, tenantID, true)
	if err != nil {
		return model.CoverPageSettings{}, err
	}
	old, err := s.st.GetCoverPageSettings(ctx, model.TenantScope(id), id)
	if err != nil {
		return model.CoverPageSettings{}, err
	}
	c := old
	if err := applyCoverPage(&c, in); err != nil {
		return model.CoverPageSettings{}, err
	}
	changes := coverChanges(old, c)
	if len(changes) == 0 {
		return old, nil
	}
	if err := s.st.PutCoverPageSettings(ctx, model.TenantScope(id), &c); err != nil {
		return model.CoverPageSettings{}, err
	}
	s.au.Record(ctx, actor, model.ActionSettingsUpdated, "cover_page", id, "cover page: "+changes.String(), id)
	return c, nil
}

// GetPlatformSettings returns the platform settings (platform admins
// only). The SMTP password is included: the API layer must never return it
// (it is write-only there).
func (s *Service) GetPlatformSettings(ctx context.Context, actor model.Actor) (model.PlatformSettings, error) {
	if err := requirePlatformAdmin(actor); err != nil {
		return model.PlatformSettings{}, err
	}
	return s.st.GetPlatformSettings(ctx, model.PlatformScope())
}

// UpdatePlatformSettings changes the platform settings (platform admins
// only) and audits the changed fields; the SMTP password appears in the
// audit log only as "changed", never its value.
func (s *Service) UpdatePlatformSettings(ctx context.Context, actor model.Actor, in PlatformSettingsInput) (model.PlatformSettings, error) {
	if err := requirePlatformAdmin(actor); err != nil {
		return model.PlatformSettings{}, err
	}
	old, err := s.st.GetPlatformSettings(ctx, model.PlatformScope())
	if err != nil {
		return model.PlatformSettings{}, err
	}
	p := old
	if err := applyPlatform(&p, in); err != nil {
		return model.PlatformSettings{}, err
	}
	changes := platformChanges(old, p)
	if len(changes) == 0 {
		return old, nil
	}
	if err := s.st.PutPlatformSettings(ctx, model.PlatformScope(), &p); err != nil {
		return model.PlatformSettings{}, err
	}
	s.au.Record(ctx, actor, model.ActionSettingsUpdated, "platform_settings", "platform", "platform settings: "+changes.String(), "")
	return p, nil
}

// RetentionDays is a tenant's retention period as the purge must apply it:
// the tenant's value bounded by the platform's current minimum and maximum
// (system use, no actor). An unknown tenant is model.ErrNotFound.
func (s *Service) RetentionDays(ctx context.Context, tenantID string) (int, error) {
	t, err := s.st.GetTenant(ctx, model.PlatformScope(), tenantID)
	if err != nil {
		return 0, err
	}
	p, err := s.st.GetPlatformSettings(ctx, model.PlatformScope())
	if err != nil {
		return 0, err
	}
	return p.ClampRetention(t.RetentionDays), nil
}

// settingsTenant resolves whose settings the actor addresses; write asks
// for the right to change them.
func (s *Service) settingsTenant(actor model.Actor, tenantID string, write bool) (string, error) {
	if err := checkActor(actor); err != nil {
		return "", err
	}
	id, err := ownTenant(actor, tenantID)
	if err != nil {
		return "", err
	}
	if write && actor.Role == model.RoleUser {
		return "", fmt.Errorf("%w: only tenant admins change the settings", model.ErrForbidden)
	}
	return id, nil
}

func requirePlatformAdmin(a model.Actor) error {
	if err := checkActor(a); err != nil {
		return err
	}
	if !a.IsAdmin() {
		return fmt.Errorf("%w: only platform admins see and change platform settings", model.ErrForbidden)
	}
	return nil
}

// changeList is the audit detail of a settings change: the changed fields
// with short values; long texts (templates, comments) and secrets are
// named only.
type changeList []string

func (c changeList) String() string { return strings.Join(c, ", ") }

// maxShownValue is the longest value written into an audit detail.
const maxShownValue = 40

func (c *changeList) add(name string, old, new any) {
	o, n := fmt.Sprint(old), fmt.Sprint(new)
	if o == n {
		return
	}
	if len(o) > maxShownValue || len(n) > maxShownValue || strings.ContainsAny(o+n, "\n\r") {
		*c = append(*c, name+" changed")
		return
	}
	*c = append(*c, fmt.Sprintf("%s %s → %s", name, quoteIfText(old, o), quoteIfText(new, n)))
}

// addSecret records that a secret changed without showing any value.
func (c *changeList) addSecret(name, old, new string) {
	switch {
	case old == new:
	case new == "":
		*c = append(*c, name+" removed")
	default:
		*c = append(*c, name+" changed")
	}
}

func quoteIfText(v any, s string) string {
	switch v.(type) {
	case string, model.Quality, model.SMTPSecurity:
		return strconv.Quote(s)
	}
	return s
}

func faxSettingsChanges(a, b model.TenantFaxSettings) changeList {
	var c changeList
	c.add("default_quality", a.DefaultQuality, b.DefaultQuality)
	c.add("default_retries", a.DefaultRetries, b.DefaultRetries)
	c.add("retry_delay_s", int(a.RetryDelay/time.Second), int(b.RetryDelay/time.Second))
	c.add("default_caller_id", a.DefaultCallerID, b.DefaultCallerID)
	c.add("station_id", a.StationID, b.StationID)
	c.add("page_header", a.PageHeader, b.PageHeader)
	c.add("email_body_as_cover", a.EmailBodyAsCover, b.EmailBodyAsCover)
	c.add("default_country", a.DefaultCountry, b.DefaultCountry)
	c.add("time_zone", a.TimeZone, b.TimeZone)
	c.add("email_subject_template", a.EmailSubjectTemplate, b.EmailSubjectTemplate)
	c.add("email_body_template", a.EmailBodyTemplate, b.EmailBodyTemplate)
	c.add("retention_days", a.RetentionDays, b.RetentionDays)
	return c
}

func coverChanges(a, b model.CoverPageSettings) changeList {
	var c changeList
	c.add("enabled", a.Enabled, b.Enabled)
	c.add("sender_name", a.SenderName, b.SenderName)
	c.add("company", a.Company, b.Company)
	c.add("phone", a.Phone, b.Phone)
	c.add("email", a.Email, b.Email)
	c.add("comments", a.Comments, b.Comments)
	c.add("show_logo", a.ShowLogo, b.ShowLogo)
	return c
}

func platformChanges(a, b model.PlatformSettings) changeList {
	var c changeList
	c.add("smtp_host", a.SMTP.Host, b.SMTP.Host)
	c.add("smtp_port", a.SMTP.Port, b.SMTP.Port)
	c.add("smtp_security", a.SMTP.Security, b.SMTP.Security)
	c.add("smtp_username", a.SMTP.Username, b.SMTP.Username)
	c.addSecret("smtp_password", a.SMTP.Password, b.SMTP.Password)
	c.add("smtp_envelope_from", a.SMTP.EnvelopeFrom, b.SMTP.EnvelopeFrom)
	c.add("smtp_from_name", a.SMTP.FromName, b.SMTP.FromName)
	c.add("smtp_from_address", a.SMTP.FromAddress, b.SMTP.FromAddress)
	c.add("smtp_helo_name", a.SMTP.HELOName, b.SMTP.HELOName)
	c.add("email_attachment_limit", a.EmailAttachmentLimit, b.EmailAttachmentLimit)
	c.add("retention_min_days", a.RetentionMinDays, b.RetentionMinDays)
	c.add("retention_max_days", a.RetentionMaxDays, b.RetentionMaxDays)
	c.add("retention_default_days", a.RetentionDefaultDays, b.RetentionDefaultDays)
	c.add("allow_private_webhook_targets", a.AllowPrivateWebhookTargets, b.AllowPrivateWebhookTargets)
	c.add("email_to_fax_domain", a.EmailToFaxDomain, b.EmailToFaxDomain)
	return c
}
