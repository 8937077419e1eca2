package ui

import "net/http"

// cidDeleteConfirm asks before removing a number from the pool.
func (h *Handler) cidDeleteConfirm(w http.ResponseWriter, r *http.Request) {
	c, ok := h.loadCID(w, r)
	if !ok {
		return
	}
	v := h.newView(w, r, "Delete caller ID", "cid-pool")
	v.Data = cidRow{CallerID: c, Tenant: h.tenantNamer(r.Context(), actorOf(r))(c.TenantID)}
	h.render(w, r, http.StatusOK, "cid_delete", v)
}

// cidDelete removes a number from the pool; faxes sent with it keep it.
func (h *Handler) cidDelete(w http.ResponseWriter, r *http.Request) {
	c, ok := h.loadCID(w, r)
	if !ok {
		return
	}
	err := h.fax.DeleteCID(r.Context(), actorOf(r), c.ID)
	switch {
	case err == nil:
		h.success(w, r, "Caller ID "+c.Number+" deleted.")
	case refusal(err):
		h.failure(w, r, sentence(err.Error()))
	default:
		h.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/cids")
}
