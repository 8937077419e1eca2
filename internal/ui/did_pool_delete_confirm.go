package ui

import "net/http"

// didPoolDeleteConfirm asks before removing a DID from the pool.
func (h *Handler) didPoolDeleteConfirm(w http.ResponseWriter, r *http.Request) {
	d, ok := h.loadDID(w, r)
	if !ok {
		return
	}
	v := h.newView(w, r, "Delete DID", "did-pool")
	v.Data = didView{DID: d, Tenant: h.tenantNamer(r.Context(), actorOf(r))(d.TenantID)}
	h.render(w, r, http.StatusOK, "did_delete", v)
}
