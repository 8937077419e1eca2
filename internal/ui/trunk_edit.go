package ui

import "net/http"

// trunkEdit shows a trunk's edit form.
func (h *Handler) trunkEdit(w http.ResponseWriter, r *http.Request) {
	t, ok := h.loadTrunk(w, r)
	if !ok {
		return
	}
	h.renderTrunkForm(w, r, http.StatusOK, trunkForm(t), t)
}
