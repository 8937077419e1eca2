package ui

import (
	"net/http"

	"faxgate/internal/model"
)

// tenantCreate adds a tenant and offers to add its tenant admin next.
func (h *Handler) tenantCreate(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	f := tenantFormFrom(r)
	in := tenantInput(f)
	if f.HasErrors() {
		h.renderTenantForm(w, r, http.StatusUnprocessableEntity, f, model.Tenant{})
		return
	}
	t, err := h.ten.CreateTenant(r.Context(), actorOf(r), in)
	if err != nil {
		if f.absorb(err) {
			h.renderTenantForm(w, r, statusFor(err), f, model.Tenant{})
			return
		}
		h.fail(w, r, err)
		return
	}
	h.success(w, r, "Tenant "+t.Name+" created. Now add its tenant admin.")
	redirect(w, r, "/admin/users/new?role=tenant&tenant_id="+t.ID)
}
