package ui

import "net/http"

// tenantUpdate saves the edit form.
func (h *Handler) tenantUpdate(w http.ResponseWriter, r *http.Request) {
	t, ok := h.loadTenant(w, r)
	if !ok || !h.parseForm(w, r) {
		return
	}
	f := tenantFormFrom(r)
	in := tenantInput(f)
	if f.HasErrors() {
		h.renderTenantForm(w, r, http.StatusUnprocessableEntity, f, t)
		return
	}
	updated, err := h.ten.UpdateTenant(r.Context(), actorOf(r), t.ID, in)
	if err != nil {
		if f.absorb(err) {
			h.renderTenantForm(w, r, statusFor(err), f, t)
			return
		}
		h.fail(w, r, err)
		return
	}
	h.success(w, r, "Tenant "+updated.Name+" saved.")
	redirect(w, r, "/admin/tenants")
}
