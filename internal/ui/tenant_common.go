package ui

import (
	"net/http"

	"faxgate/internal/model"
	"faxgate/internal/tenancy"
)

// tenantFormData is the data of the add/edit tenant page.
type tenantFormData struct {
	Tenant   model.Tenant // zero when adding
	Editing  bool
	Statuses []option
}

func tenantStatusOptions() []option {
	return []option{{string(model.TenantActive), "Active"}, {string(model.TenantSuspended), "Suspended"}}
}

// tenantFormFrom reads the tenant inputs (the API's field names).
func tenantFormFrom(r *http.Request) *form {
	return formFrom(r, "name", "status", "daily_page_limit", "monthly_page_limit", "retention_days", "email_domain")
}

// tenantInput turns the form into service input; bad numbers become field
// errors on f.
func tenantInput(f *form) tenancy.TenantInput {
	return tenancy.TenantInput{
		Name: f.Get("name"), Status: model.TenantStatus(f.Get("status")),
		DailyPageLimit: f.intField("daily_page_limit"), MonthlyPageLimit: f.intField("monthly_page_limit"),
		RetentionDays: f.intField("retention_days"), EmailDomain: ptr(f.Get("email_domain")),
	}
}

func tenantForm(t model.Tenant) *form {
	f := newForm()
	f.Set("name", t.Name)
	f.Set("status", string(t.Status))
	f.Set("daily_page_limit", itoa(t.DailyPageLimit))
	f.Set("monthly_page_limit", itoa(t.MonthlyPageLimit))
	f.Set("retention_days", itoa(t.RetentionDays))
	f.Set("email_domain", t.EmailDomain)
	return f
}

func (h *Handler) renderTenantForm(w http.ResponseWriter, r *http.Request, status int, f *form, t model.Tenant) {
	title := "Add tenant"
	if t.ID != "" {
		title = "Edit tenant " + t.Name
	}
	v := h.newView(w, r, title, "tenants")
	v.Form = f
	v.Data = tenantFormData{Tenant: t, Editing: t.ID != "", Statuses: tenantStatusOptions()}
	h.render(w, r, status, "tenant_form", v)
}

// loadTenant reads the {id} tenant; 404 when missing.
func (h *Handler) loadTenant(w http.ResponseWriter, r *http.Request) (model.Tenant, bool) {
	id := r.PathValue("id")
	if !model.ValidID(model.PrefixTenant, id) {
		h.notFoundPage(w, r)
		return model.Tenant{}, false
	}
	t, err := h.ten.GetTenant(r.Context(), actorOf(r), id)
	if err != nil {
		h.fail(w, r, err)
		return model.Tenant{}, false
	}
	return t, true
}
