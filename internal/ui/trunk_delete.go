package ui

import "net/http"

// trunkDeleteConfirm asks before deleting a trunk.
func (h *Handler) trunkDeleteConfirm(w http.ResponseWriter, r *http.Request) {
	t, ok := h.loadTrunk(w, r)
	if !ok {
		return
	}
	v := h.newView(w, r, "Delete trunk", "trunks")
	v.Data = trunkView{Trunk: t}
	h.render(w, r, http.StatusOK, "trunk_delete", v)
}

// trunkDelete deletes a trunk. Its attempts keep its name; queued faxes
// use the other trunks.
func (h *Handler) trunkDelete(w http.ResponseWriter, r *http.Request) {
	t, ok := h.loadTrunk(w, r)
	if !ok {
		return
	}
	err := h.fax.DeleteTrunk(r.Context(), actorOf(r), t.ID)
	switch {
	case err == nil:
		h.success(w, r, "Trunk "+t.Name+" deleted.")
	case refusal(err):
		h.failure(w, r, sentence(err.Error()))
	default:
		h.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/trunks")
}
