package ui

import (
	"net/http"

	"faxgate/internal/model"
)

// tenantNew shows the empty add-tenant form.
func (h *Handler) tenantNew(w http.ResponseWriter, r *http.Request) {
	f := newForm()
	f.Set("status", string(model.TenantActive))
	h.renderTenantForm(w, r, http.StatusOK, f, model.Tenant{})
}
