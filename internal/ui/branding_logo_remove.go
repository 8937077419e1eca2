package ui

import "net/http"

// brandingLogoRemove deletes the tenant's logo.
func (h *Handler) brandingLogoRemove(w http.ResponseWriter, r *http.Request) {
	tid, ok := h.brandingTenant(w, r, r.URL.Query().Get("tenant_id"))
	if !ok {
		return
	}
	if err := h.ten.RemoveLogo(r.Context(), actorOf(r), tid); err != nil {
		h.fail(w, r, err)
		return
	}
	h.success(w, r, "Logo removed.")
	redirect(w, r, brandingURL(tid))
}
