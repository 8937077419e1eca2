package ui

import (
	"net/http"

	"faxgate/internal/faxout"
)

// trunkStatus enables or disables a trunk (enabled=on|off). A disabled
// trunk takes no new calls; calls in progress finish.
func (h *Handler) trunkStatus(w http.ResponseWriter, r *http.Request) {
	t, ok := h.loadTrunk(w, r)
	if !ok || !h.parseForm(w, r) {
		return
	}
	on := r.PostFormValue("enabled") == "on"
	_, err := h.fax.UpdateTrunk(r.Context(), actorOf(r), t.ID, faxout.TrunkPatch{Enabled: &on})
	switch {
	case err == nil && on:
		h.success(w, r, "Trunk "+t.Name+" enabled.")
	case err == nil:
		h.success(w, r, "Trunk "+t.Name+" disabled: it takes no new calls.")
	case refusal(err):
		h.failure(w, r, "Trunk "+t.Name+" not changed: "+errorText(err))
	default:
		h.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/trunks")
}
