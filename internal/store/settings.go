package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"faxgate/internal/model"
)

// Setting keys of the settings table. Each value is a JSON object whose
// shape is one of the *JSON types below; fields missing from a stored
// object (settings added by later versions) take their defaults when read.
const (
	settingFax       = "fax"
	settingCoverPage = "cover_page"
	settingPlatform  = "platform"
)

// errPlatformScope refuses platform settings to tenant scopes.
var errPlatformScope = fmt.Errorf("%w: platform settings need the platform scope", model.ErrForbidden)

type faxSettingsJSON struct {
	DefaultQuality       model.Quality `json:"default_quality"`
	DefaultRetries       int           `json:"default_retries"`
	RetryDelayS          int64         `json:"retry_delay_s"`
	DefaultCallerID      string        `json:"default_caller_id"`
	StationID            string        `json:"station_id"`
	PageHeader           string        `json:"page_header"`
	EmailBodyAsCover     bool          `json:"email_body_as_cover"`
	DefaultCountry       string        `json:"default_country"`
	TimeZone             string        `json:"time_zone"`
	EmailSubjectTemplate string        `json:"email_subject_template"`
	EmailBodyTemplate    string        `json:"email_body_template"`
}

func faxToJSON(f model.TenantFaxSettings) faxSettingsJSON {
	return faxSettingsJSON{
		DefaultQuality: f.DefaultQuality, DefaultRetries: f.DefaultRetries,
		RetryDelayS: int64(f.RetryDelay / time.Second), DefaultCallerID: f.DefaultCallerID,
		StationID: f.StationID, PageHeader: f.PageHeader, EmailBodyAsCover: f.EmailBodyAsCover,
		DefaultCountry: f.DefaultCountry, TimeZone: f.TimeZone,
		EmailSubjectTemplate: f.EmailSubjectTemplate, EmailBodyTemplate: f.EmailBodyTemplate,
	}
}

func (j faxSettingsJSON) apply(f *model.TenantFaxSettings) {
	f.DefaultQuality, f.DefaultRetries = j.DefaultQuality, j.DefaultRetries
	f.RetryDelay = time.Duration(j.RetryDelayS) * time.Second
	f.DefaultCallerID, f.StationID, f.PageHeader = j.DefaultCallerID, j.StationID, j.PageHeader
	f.EmailBodyAsCover, f.DefaultCountry, f.TimeZone = j.EmailBodyAsCover, j.DefaultCountry, j.TimeZone
	f.EmailSubjectTemplate, f.EmailBodyTemplate = j.EmailSubjectTemplate, j.EmailBodyTemplate
}

type coverJSON struct {
	Enabled    bool   `json:"enabled"`
	SenderName string `json:"sender_name"`
	Company    string `json:"company"`
	Phone      string `json:"phone"`
	Email      string `json:"email"`
	Comments   string `json:"comments"`
	ShowLogo   bool   `json:"show_logo"`
}

type smtpJSON struct {
	Host         string             `json:"host"`
	Port         int                `json:"port"`
	Security     model.SMTPSecurity `json:"security"`
	Username     string             `json:"username"`
	Password     string             `json:"password"` // sealed (sealed.go) when the store has a key
	EnvelopeFrom string             `json:"envelope_from"`
	FromName     string             `json:"from_name"`
	FromAddress  string             `json:"from_address"`
	HELOName     string             `json:"helo_name"`
}

type platformJSON struct {
	SMTP                       smtpJSON `json:"smtp"`
	EmailAttachmentLimit       int64    `json:"email_attachment_limit"`
	RetentionMinDays           int      `json:"retention_min_days"`
	RetentionMaxDays           int      `json:"retention_max_days"`
	RetentionDefaultDays       int      `json:"retention_default_days"`
	AllowPrivateWebhookTargets bool     `json:"allow_private_webhook_targets"`
	EmailToFaxDomain           string   `json:"email_to_fax_domain"`
}

func platformToJSON(p model.PlatformSettings) platformJSON {
	return platformJSON{
		SMTP:                 smtpJSON(p.SMTP),
		EmailAttachmentLimit: p.EmailAttachmentLimit,
		RetentionMinDays:     p.RetentionMinDays, RetentionMaxDays: p.RetentionMaxDays,
		RetentionDefaultDays: p.RetentionDefaultDays, AllowPrivateWebhookTargets: p.AllowPrivateWebhookTargets,
		EmailToFaxDomain: p.EmailToFaxDomain,
	}
}

func (j platformJSON) apply(p *model.PlatformSettings) {
	p.SMTP = model.SMTPRelay(j.SMTP)
	p.EmailAttachmentLimit = j.EmailAttachmentLimit
	p.RetentionMinDays, p.RetentionMaxDays, p.RetentionDefaultDays = j.RetentionMinDays, j.RetentionMaxDays, j.RetentionDefaultDays
	p.AllowPrivateWebhookTargets, p.EmailToFaxDomain = j.AllowPrivateWebhookTargets, j.EmailToFaxDomain
}

// decodeSetting reads a stored JSON object over dst, which holds the
// defaults: keys absent from the object keep them.
func decodeSetting(key, value string, dst any) error {
	if value == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(value), dst); err != nil {
		return fmt.Errorf("store: setting %q: %w", key, err)
	}
	return nil
}

// tenantSetting loads one tenant setting row with the tenant's retention
// days; an unknown tenant is ErrNotFound, a tenant without the row gives
// value "" and a zero time.
func (s *Store) tenantSetting(ctx context.Context, scope model.Scope, tenantID, key string) (value string, updated time.Time, retention int, err error) {
	if !scope.Valid() {
		return "", time.Time{}, 0, ErrInvalidScope
	}
	if !scope.Allows(tenantID) {
		return "", time.Time{}, 0, model.ErrNotFound
	}
	err = s.rdb.QueryRowContext(ctx, `SELECT t.retention_days, s.value, s.updated_at FROM tenants t
		LEFT JOIN settings s ON s.tenant_id = t.id AND s.key = $2 WHERE t.id = $1`, tenantID, key).
		Scan(&retention, scanStr(&value), scanTime(&updated))
	return value, updated, retention, s.mapErr(err)
}

// putTenantSetting upserts one tenant setting row inside tx; an unknown
// tenant is ErrNotFound.
func (s *Store) putTenantSetting(ctx context.Context, tx *sql.Tx, tenantID, key string, v any, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO settings (tenant_id, key, value, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (tenant_id, key) WHERE tenant_id IS NOT NULL
		DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		tenantID, key, mustJSON(v), s.tv(at))
	if err = s.mapErr(err); errors.Is(err, errForeignKey) {
		return fmt.Errorf("settings of tenant %s: %w", tenantID, model.ErrNotFound)
	}
	return err
}

// GetTenantFaxSettings returns a tenant's fax settings with defaults for
// everything it never saved, and its retention days (the platform bounds
// are left zero: the service fills them). A tenant outside scope or
// unknown is ErrNotFound.
func (s *Store) GetTenantFaxSettings(ctx context.Context, scope model.Scope, tenantID string) (model.TenantFaxSettings, error) {
	value, updated, retention, err := s.tenantSetting(ctx, scope, tenantID, settingFax)
	if err != nil {
		return model.TenantFaxSettings{}, err
	}
	f := model.DefaultTenantFaxSettings(tenantID)
	j := faxToJSON(f)
	if err := decodeSetting(settingFax, value, &j); err != nil {
		return model.TenantFaxSettings{}, err
	}
	j.apply(&f)
	f.RetentionDays, f.UpdatedAt = retention, updated
	return f, nil
}

// PutTenantFaxSettings saves a tenant's fax settings and, when
// f.RetentionDays > 0, the tenant's retention days, in one transaction,
// and sets UpdatedAt. The values must be validated already (the settings
// service does). A tenant outside scope or unknown is ErrNotFound.
func (s *Store) PutTenantFaxSettings(ctx context.Context, scope model.Scope, f *model.TenantFaxSettings) error {
	if !scope.Valid() {
		return ErrInvalidScope
	}
	if !scope.Allows(f.TenantID) {
		return model.ErrNotFound
	}
	at := now()
	err := s.RunTx(ctx, func(tx *sql.Tx) error {
		if f.RetentionDays > 0 {
			_, err := tx.ExecContext(ctx, `UPDATE tenants SET retention_days = $1, updated_at = $2
				WHERE id = $3 AND retention_days <> $1`, f.RetentionDays, s.tv(at), f.TenantID)
			if err != nil {
				return s.mapErr(err)
			}
		}
		return s.putTenantSetting(ctx, tx, f.TenantID, settingFax, faxToJSON(*f), at)
	})
	if err != nil {
		return err
	}
	f.UpdatedAt = at
	return nil
}

// GetCoverPageSettings returns a tenant's cover page settings with
// defaults for everything it never saved. A tenant outside scope or
// unknown is ErrNotFound.
func (s *Store) GetCoverPageSettings(ctx context.Context, scope model.Scope, tenantID string) (model.CoverPageSettings, error) {
	value, updated, _, err := s.tenantSetting(ctx, scope, tenantID, settingCoverPage)
	if err != nil {
		return model.CoverPageSettings{}, err
	}
	c := model.DefaultCoverPageSettings(tenantID)
	j := coverJSON{Enabled: c.Enabled, SenderName: c.SenderName, Company: c.Company, Phone: c.Phone,
		Email: c.Email, Comments: c.Comments, ShowLogo: c.ShowLogo}
	if err := decodeSetting(settingCoverPage, value, &j); err != nil {
		return model.CoverPageSettings{}, err
	}
	return model.CoverPageSettings{TenantID: tenantID, Enabled: j.Enabled, SenderName: j.SenderName,
		Company: j.Company, Phone: j.Phone, Email: j.Email, Comments: j.Comments, ShowLogo: j.ShowLogo,
		UpdatedAt: updated}, nil
}

// PutCoverPageSettings saves a tenant's cover page settings (validated
// already) and sets UpdatedAt. A tenant outside scope or unknown is
// ErrNotFound.
func (s *Store) PutCoverPageSettings(ctx context.Context, scope model.Scope, c *model.CoverPageSettings) error {
	if !scope.Valid() {
		return ErrInvalidScope
	}
	if !scope.Allows(c.TenantID) {
		return model.ErrNotFound
	}
	at := now()
	j := coverJSON{Enabled: c.Enabled, SenderName: c.SenderName, Company: c.Company, Phone: c.Phone,
		Email: c.Email, Comments: c.Comments, ShowLogo: c.ShowLogo}
	err := s.RunTx(ctx, func(tx *sql.Tx) error {
		return s.putTenantSetting(ctx, tx, c.TenantID, settingCoverPage, j, at)
	})
	if err != nil {
		return err
	}
	c.UpdatedAt = at
	return nil
}

// GetPlatformSettings returns the platform settings with defaults for
// everything never saved, including the SMTP password. Only the platform
// scope may read them (others: model.ErrForbidden).
func (s *Store) GetPlatformSettings(ctx context.Context, scope model.Scope) (model.PlatformSettings, error) {
	if !scope.Valid() {
		return model.PlatformSettings{}, ErrInvalidScope
	}
	if !scope.IsPlatform() {
		return model.PlatformSettings{}, errPlatformScope
	}
	var value string
	var updated time.Time
	err := s.rdb.QueryRowContext(ctx, `SELECT value, updated_at FROM settings WHERE tenant_id IS NULL AND key = $1`,
		settingPlatform).Scan(&value, scanTime(&updated))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return model.PlatformSettings{}, s.mapErr(err)
	}
	p := model.DefaultPlatformSettings()
	j := platformToJSON(p)
	if err := decodeSetting(settingPlatform, value, &j); err != nil {
		return model.PlatformSettings{}, err
	}
	if j.SMTP.Password, err = s.openStr(colSMTPPassword, j.SMTP.Password); err != nil {
		return model.PlatformSettings{}, err
	}
	j.apply(&p)
	p.UpdatedAt = updated
	return p, nil
}

// PutPlatformSettings saves the platform settings (validated already) and
// sets UpdatedAt. Only the platform scope may (others:
// model.ErrForbidden).
func (s *Store) PutPlatformSettings(ctx context.Context, scope model.Scope, p *model.PlatformSettings) error {
	if !scope.Valid() {
		return ErrInvalidScope
	}
	if !scope.IsPlatform() {
		return errPlatformScope
	}
	at := now()
	j := platformToJSON(*p)
	var err error
	if j.SMTP.Password, err = s.sealStr(colSMTPPassword, j.SMTP.Password); err != nil {
		return err
	}
	_, err = s.wdb.ExecContext(ctx, `INSERT INTO settings (tenant_id, key, value, updated_at) VALUES (NULL, $1, $2, $3)
		ON CONFLICT (key) WHERE tenant_id IS NULL
		DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		settingPlatform, mustJSON(j), s.tv(at))
	if err != nil {
		return s.mapErr(err)
	}
	p.UpdatedAt = at
	return nil
}
