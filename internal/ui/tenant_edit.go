package ui

import "net/http"

// tenantEdit shows a tenant's edit form.
func (h *Handler) tenantEdit(w http.ResponseWriter, r *http.Request) {
	t, ok := h.loadTenant(w, r)
	if !ok {
		return
	}
	h.renderTenantForm(w, r, http.StatusOK, tenantForm(t), t)
}
