package ui

import (
	"net/http"

	"faxgate/internal/model"
	"faxgate/internal/tenancy"
)

// tenantStatus suspends or reactivates a tenant.
func (h *Handler) tenantStatus(w http.ResponseWriter, r *http.Request) {
	t, ok := h.loadTenant(w, r)
	if !ok || !h.parseForm(w, r) {
		return
	}
	st := model.TenantStatus(r.PostFormValue("status"))
	if !st.Valid() {
		h.errorPage(w, r, http.StatusBadRequest)
		return
	}
	back := safeNext(r.PostFormValue("back"))
	if back == "/" {
		back = "/admin/tenants"
	}
	_, err := h.ten.UpdateTenant(r.Context(), actorOf(r), t.ID, tenancy.TenantInput{Status: st})
	switch {
	case err == nil && st == model.TenantSuspended:
		h.success(w, r, "Tenant "+t.Name+" suspended: its users can no longer log in or use the API.")
	case err == nil:
		h.success(w, r, "Tenant "+t.Name+" reactivated.")
	case refusal(err):
		h.failure(w, r, sentence(err.Error()))
	default:
		h.fail(w, r, err)
		return
	}
	redirect(w, r, back)
}
