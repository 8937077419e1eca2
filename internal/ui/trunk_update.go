package ui

import "net/http"

// trunkUpdate saves the edit form. Calls in progress keep the settings
// they started with.
func (h *Handler) trunkUpdate(w http.ResponseWriter, r *http.Request) {
	t, ok := h.loadTrunk(w, r)
	if !ok || !h.parseForm(w, r) {
		return
	}
	f := trunkFormFrom(r)
	f.Set("kind", string(t.Kind))
	p := trunkPatch(f)
	if f.HasErrors() {
		h.renderTrunkForm(w, r, http.StatusUnprocessableEntity, f, t)
		return
	}
	t, err := h.fax.UpdateTrunk(r.Context(), actorOf(r), t.ID, p)
	if err != nil {
		h.trunkFormFailed(w, r, f, t, err)
		return
	}
	h.success(w, r, "Trunk "+t.Name+" saved.")
	redirect(w, r, "/admin/trunks")
}
