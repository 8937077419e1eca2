package ui

import (
	"net/http"
	"net/url"

	"faxgate/internal/model"
)

// brandingData is the data of the branding page.
type brandingData struct {
	Branding   model.Branding
	TenantID   string // set for admins editing a tenant's branding
	TenantName string
	LogoURL    string
	Action     string
}

// brandingShow is Administration > Branding: the tenant's white label.
func (h *Handler) brandingShow(w http.ResponseWriter, r *http.Request) {
	tid, ok := h.brandingTenant(w, r, r.URL.Query().Get("tenant_id"))
	if !ok {
		return
	}
	b, err := h.ten.GetBranding(r.Context(), actorOf(r), tid)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderBranding(w, r, http.StatusOK, brandingForm(b), b, tid)
}

// brandingTenant returns the tenant whose branding is edited: "" (the own
// tenant) for tenant admins, the tenant_id parameter for platform admins,
// who are sent to the tenant list when it is missing.
func (h *Handler) brandingTenant(w http.ResponseWriter, r *http.Request, id string) (string, bool) {
	if !actorOf(r).IsAdmin() {
		return "", true
	}
	if !model.ValidID(model.PrefixTenant, id) {
		h.failure(w, r, "Choose a tenant to edit its branding.")
		redirect(w, r, "/admin/tenants")
		return "", false
	}
	return id, true
}

func brandingForm(b model.Branding) *form {
	f := newForm()
	f.Set("domain", b.Domain)
	f.Set("company_name", b.CompanyName)
	f.Set("title", b.Title)
	f.Set("footer", b.Footer)
	return f
}

func (h *Handler) renderBranding(w http.ResponseWriter, r *http.Request, status int, f *form, b model.Branding, tid string) {
	actor := actorOf(r)
	d := brandingData{Branding: b, TenantID: tid, LogoURL: logoURL(b), Action: "/admin/branding"}
	title := "Branding"
	if tid != "" {
		d.Action += "?tenant_id=" + url.QueryEscape(tid)
		if t, err := h.ten.GetTenant(r.Context(), actor, tid); err == nil {
			d.TenantName = t.Name
			title = "Branding of " + t.Name
		}
	}
	v := h.newView(w, r, title, "branding")
	if actor.IsAdmin() {
		v.Active = "tenants"
	}
	v.Form = f
	v.Data = d
	h.render(w, r, status, "branding", v)
}
