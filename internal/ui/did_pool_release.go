package ui

import "net/http"

// didPoolRelease returns a DID to the pool and clears its routing.
func (h *Handler) didPoolRelease(w http.ResponseWriter, r *http.Request) {
	d, ok := h.loadDID(w, r)
	if !ok || !h.parseForm(w, r) {
		return
	}
	if _, err := h.inbox.ReleaseDID(r.Context(), actorOf(r), d.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	h.success(w, r, "DID "+d.Number+" released to the pool; its routing was cleared.")
	redirect(w, r, poolBack(r))
}
