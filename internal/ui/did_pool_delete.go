package ui

import "net/http"

// didPoolDelete removes a DID from the pool; faxes received on it keep
// the number.
func (h *Handler) didPoolDelete(w http.ResponseWriter, r *http.Request) {
	d, ok := h.loadDID(w, r)
	if !ok {
		return
	}
	if err := h.inbox.DeleteDID(r.Context(), actorOf(r), d.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	h.success(w, r, "DID "+d.Number+" deleted.")
	redirect(w, r, "/admin/dids")
}
