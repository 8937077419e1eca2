package ui

import (
	"net/http"
	"time"

	"faxgate/internal/model"
	"faxgate/internal/tenancy"
)

// faxSettingsData is what the fax settings page shows beside the form.
type faxSettingsData struct {
	Qualities                  []option
	RetentionMin, RetentionMax int
}

// faxSettingsFields are the fields of the form; the fax-to-email templates
// have their own page (Configuration > Fax-to-Email).
var faxSettingsFields = []string{"default_quality", "default_retries", "retry_delay_s", "default_caller_id",
	"station_id", "page_header", "email_body_as_cover", "default_country", "time_zone", "retention_days"}

// faxSettingsShow is Configuration > Fax Settings: the tenant's defaults
// for sending (quality, retries, caller ID, station ID, page header),
// where numbers are read, its time zone and how long faxes are kept.
func (h *Handler) faxSettingsShow(w http.ResponseWriter, r *http.Request) {
	fs, err := h.ten.GetFaxSettings(r.Context(), actorOf(r), "")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderFaxSettings(w, r, http.StatusOK, faxSettingsForm(fs), fs)
}

func faxSettingsForm(fs model.TenantFaxSettings) *form {
	f := newForm()
	f.Set("default_quality", string(fs.DefaultQuality))
	f.Set("default_retries", itoa(fs.DefaultRetries))
	f.Set("retry_delay_s", itoa(int(fs.RetryDelay/time.Second)))
	f.Set("default_caller_id", fs.DefaultCallerID)
	f.Set("station_id", fs.StationID)
	f.Set("page_header", fs.PageHeader)
	if fs.EmailBodyAsCover {
		f.Set("email_body_as_cover", "on")
	}
	f.Set("default_country", fs.DefaultCountry)
	f.Set("time_zone", fs.TimeZone)
	f.Set("retention_days", itoa(fs.RetentionDays))
	return f
}

func (h *Handler) renderFaxSettings(w http.ResponseWriter, r *http.Request, status int, f *form, fs model.TenantFaxSettings) {
	v := h.newView(w, r, "Fax Settings", "fax-settings")
	v.Form = f
	v.Data = faxSettingsData{Qualities: qualityOptions(), RetentionMin: fs.RetentionMinDays, RetentionMax: fs.RetentionMaxDays}
	h.render(w, r, status, "settings_fax", v)
}

// faxSettingsSubmit saves the form; errors come back next to their fields
// with the input kept.
func (h *Handler) faxSettingsSubmit(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	actor, ctx := actorOf(r), r.Context()
	cur, err := h.ten.GetFaxSettings(ctx, actor, "")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := formFrom(r, faxSettingsFields...)
	q := model.Quality(f.Get("default_quality"))
	in := tenancy.FaxSettingsInput{DefaultQuality: &q, DefaultCallerID: ptr(f.Get("default_caller_id")),
		StationID: ptr(f.Get("station_id")), PageHeader: ptr(f.Get("page_header")),
		EmailBodyAsCover: ptr(f.Get("email_body_as_cover") == "on"), DefaultCountry: ptr(f.Get("default_country")),
		TimeZone: ptr(f.Get("time_zone")), DefaultRetries: f.intField("default_retries"),
		RetentionDays: f.intField("retention_days")}
	if s := f.intField("retry_delay_s"); s != nil {
		d := time.Duration(min(max(*s, -1), 1<<30)) * time.Second
		in.RetryDelay = &d
	}
	if f.HasErrors() {
		h.renderFaxSettings(w, r, http.StatusUnprocessableEntity, f, cur)
		return
	}
	if _, err := h.ten.UpdateFaxSettings(ctx, actor, "", in); err != nil {
		if f.absorb(err) {
			h.renderFaxSettings(w, r, statusFor(err), f, cur)
			return
		}
		h.fail(w, r, err)
		return
	}
	h.success(w, r, "Fax settings saved.")
	redirect(w, r, "/settings/fax")
}
