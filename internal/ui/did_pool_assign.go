package ui

import (
	"net/http"
	"strings"
)

// didPoolAssign gives a DID to a tenant; its routing starts empty.
func (h *Handler) didPoolAssign(w http.ResponseWriter, r *http.Request) {
	d, ok := h.loadDID(w, r)
	if !ok || !h.parseForm(w, r) {
		return
	}
	tenantID := strings.TrimSpace(r.PostFormValue("tenant_id"))
	got, err := h.inbox.AssignDID(r.Context(), actorOf(r), d.ID, tenantID)
	switch {
	case err == nil:
		h.success(w, r, "DID "+got.Number+" assigned to "+h.tenantNamer(r.Context(), actorOf(r))(got.TenantID)+".")
	case refusal(err):
		h.failure(w, r, "DID "+d.Number+": "+sentence(err.Error()))
	default:
		h.fail(w, r, err)
		return
	}
	redirect(w, r, poolBack(r))
}

// poolBack is the pool page the action came from (keeping its filters).
func poolBack(r *http.Request) string {
	if b := safeNext(r.PostFormValue("back")); strings.HasPrefix(b, "/admin/dids") {
		return b
	}
	return "/admin/dids"
}
