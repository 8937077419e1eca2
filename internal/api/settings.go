package api

import (
	"net/http"
	"time"

	"faxgate/internal/httpx"
	"faxgate/internal/model"
	"faxgate/internal/tenancy"
)

// FaxSettings are a tenant's fax settings.
type FaxSettings struct {
	TenantID             string     `json:"tenant_id" api:"required,readonly"`
	DefaultQuality       string     `json:"default_quality" api:"required" enum:"standard,fine,superfine"`
	DefaultRetries       int        `json:"default_retries" api:"required" doc:"Further tries of a failed fax (0 to 10)."`
	RetryDelayS          int        `json:"retry_delay_s" api:"required" doc:"Seconds between tries (10 to 86400)."`
	DefaultCallerID      string     `json:"default_caller_id" api:"required" doc:"E.164 number, empty for none."`
	StationID            string     `json:"station_id" api:"required" doc:"TSI/CSID shown by the far machine: at most 20 printable ASCII characters; empty = the caller ID."`
	PageHeader           string     `json:"page_header" api:"required" doc:"Header line printed on every sent page (at most 50 characters)."`
	EmailBodyAsCover     bool       `json:"email_body_as_cover" api:"required" doc:"Email to fax: the message text goes on the cover page."`
	DefaultCountry       string     `json:"default_country" api:"required" doc:"ISO 3166 alpha-2 country numbers without + are read in."`
	TimeZone             string     `json:"time_zone" api:"required" doc:"IANA zone name (Europe/Paris)."`
	EmailSubjectTemplate string     `json:"email_subject_template" api:"required" doc:"Go text/template of fax-to-email subjects."`
	EmailBodyTemplate    string     `json:"email_body_template" api:"required" doc:"Go text/template of fax-to-email bodies."`
	RetentionDays        int        `json:"retention_days" api:"required" doc:"Days received and sent faxes are kept, within the platform's bounds."`
	RetentionMinDays     int        `json:"retention_min_days" api:"required,readonly"`
	RetentionMaxDays     int        `json:"retention_max_days" api:"required,readonly"`
	UpdatedAt            *time.Time `json:"updated_at,omitempty" api:"readonly" doc:"Absent until the tenant first saves."`
}

// FaxSettingsInput changes fax settings; absent fields keep their value.
type FaxSettingsInput struct {
	DefaultQuality       *string `json:"default_quality,omitempty" enum:"standard,fine,superfine"`
	DefaultRetries       *int    `json:"default_retries,omitempty"`
	RetryDelayS          *int    `json:"retry_delay_s,omitempty"`
	DefaultCallerID      *string `json:"default_caller_id,omitempty"`
	StationID            *string `json:"station_id,omitempty"`
	PageHeader           *string `json:"page_header,omitempty"`
	EmailBodyAsCover     *bool   `json:"email_body_as_cover,omitempty"`
	DefaultCountry       *string `json:"default_country,omitempty"`
	TimeZone             *string `json:"time_zone,omitempty"`
	EmailSubjectTemplate *string `json:"email_subject_template,omitempty"`
	EmailBodyTemplate    *string `json:"email_body_template,omitempty"`
	RetentionDays        *int    `json:"retention_days,omitempty"`
}

// CoverPageSettings are what a tenant's cover pages say about the sender.
type CoverPageSettings struct {
	TenantID   string     `json:"tenant_id" api:"required,readonly"`
	Enabled    bool       `json:"enabled" api:"required" doc:"Send a cover page unless a fax says otherwise."`
	SenderName string     `json:"sender_name" api:"required"`
	Company    string     `json:"company" api:"required" doc:"Empty: the tenant's name."`
	Phone      string     `json:"phone" api:"required"`
	Email      string     `json:"email" api:"required"`
	Comments   string     `json:"comments" api:"required" doc:"Default comments (a fax may bring its own); at most 2000 characters."`
	ShowLogo   bool       `json:"show_logo" api:"required" doc:"Print the tenant's branding logo (PNG or JPEG)."`
	UpdatedAt  *time.Time `json:"updated_at,omitempty" api:"readonly"`
}

// CoverPageInput changes cover page settings; absent fields keep their
// value.
type CoverPageInput struct {
	Enabled    *bool   `json:"enabled,omitempty"`
	SenderName *string `json:"sender_name,omitempty"`
	Company    *string `json:"company,omitempty"`
	Phone      *string `json:"phone,omitempty"`
	Email      *string `json:"email,omitempty"`
	Comments   *string `json:"comments,omitempty"`
	ShowLogo   *bool   `json:"show_logo,omitempty"`
}

func faxSettingsDTO(f model.TenantFaxSettings) FaxSettings {
	return FaxSettings{TenantID: f.TenantID, DefaultQuality: string(f.DefaultQuality), DefaultRetries: f.DefaultRetries,
		RetryDelayS: int(f.RetryDelay / time.Second), DefaultCallerID: f.DefaultCallerID, StationID: f.StationID,
		PageHeader: f.PageHeader, EmailBodyAsCover: f.EmailBodyAsCover, DefaultCountry: f.DefaultCountry,
		TimeZone: f.TimeZone, EmailSubjectTemplate: f.EmailSubjectTemplate, EmailBodyTemplate: f.EmailBodyTemplate,
		RetentionDays: f.RetentionDays, RetentionMinDays: f.RetentionMinDays, RetentionMaxDays: f.RetentionMaxDays,
		UpdatedAt: optTime(f.UpdatedAt)}
}

func coverPageDTO(c model.CoverPageSettings) CoverPageSettings {
	return CoverPageSettings{TenantID: c.TenantID, Enabled: c.Enabled, SenderName: c.SenderName, Company: c.Company,
		Phone: c.Phone, Email: c.Email, Comments: c.Comments, ShowLogo: c.ShowLogo, UpdatedAt: optTime(c.UpdatedAt)}
}

// settingsTenant reads ?tenant_id= (admins name the tenant; others may
// omit it or pass their own).
func settingsTenant(r *http.Request, actor model.Actor, more ...string) (query, string, error) {
	q, err := newQuery(r, append([]string{"tenant_id"}, more...)...)
	if err != nil {
		return q, "", err
	}
	id, err := q.tenantID(actor)
	return q, id, err
}

func (a *API) getFaxSettings(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	_, tenantID, err := settingsTenant(r, actor)
	if err != nil {
		return err
	}
	f, err := a.d.Tenancy.GetFaxSettings(r.Context(), actor, tenantID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, faxSettingsDTO(f))
	return nil
}

func (a *API) putFaxSettings(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	_, tenantID, err := settingsTenant(r, actor)
	if err != nil {
		return err
	}
	var in FaxSettingsInput
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	ti := tenancy.FaxSettingsInput{DefaultRetries: in.DefaultRetries, DefaultCallerID: in.DefaultCallerID,
		StationID: in.StationID, PageHeader: in.PageHeader, EmailBodyAsCover: in.EmailBodyAsCover,
		DefaultCountry: in.DefaultCountry, TimeZone: in.TimeZone, EmailSubjectTemplate: in.EmailSubjectTemplate,
		EmailBodyTemplate: in.EmailBodyTemplate, RetentionDays: in.RetentionDays}
	if in.DefaultQuality != nil {
		q := model.Quality(*in.DefaultQuality)
		ti.DefaultQuality = &q
	}
	if in.RetryDelayS != nil {
		if *in.RetryDelayS < 0 || *in.RetryDelayS > 1<<30 {
			return model.Invalid("retry_delay_s", "must be between 10 and 86400 seconds")
		}
		d := time.Duration(*in.RetryDelayS) * time.Second
		ti.RetryDelay = &d
	}
	f, err := a.d.Tenancy.UpdateFaxSettings(r.Context(), actor, tenantID, ti)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, faxSettingsDTO(f))
	return nil
}

func (a *API) getCoverPage(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	_, tenantID, err := settingsTenant(r, actor)
	if err != nil {
		return err
	}
	c, err := a.d.Tenancy.GetCoverPage(r.Context(), actor, tenantID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, coverPageDTO(c))
	return nil
}

func (a *API) putCoverPage(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	_, tenantID, err := settingsTenant(r, actor)
	if err != nil {
		return err
	}
	var in CoverPageInput
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	c, err := a.d.Tenancy.UpdateCoverPage(r.Context(), actor, tenantID, tenancy.CoverPageInput{
		Enabled: in.Enabled, SenderName: in.SenderName, Company: in.Company, Phone: in.Phone,
		Email: in.Email, Comments: in.Comments, ShowLogo: in.ShowLogo})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, coverPageDTO(c))
	return nil
}

func (a *API) previewCoverPage(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	q, tenantID, err := settingsTenant(r, actor, coverPreviewParams...)
	if err != nil {
		return err
	}
	o, err := CoverOverridesFromQuery(q.v)
	if err != nil {
		return err
	}
	png, err := CoverPreview(r.Context(), a.d.Tenancy, actor, tenantID, o)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "image/png")
	h.Set("Cache-Control", "private, no-store")
	_, err = w.Write(png)
	return err
}
