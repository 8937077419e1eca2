package ui

import "net/http"

// didPoolReleaseConfirm asks before taking a DID back from its tenant.
func (h *Handler) didPoolReleaseConfirm(w http.ResponseWriter, r *http.Request) {
	d, ok := h.loadDID(w, r)
	if !ok {
		return
	}
	v := h.newView(w, r, "Release DID", "did-pool")
	v.Data = confirmData{Heading: "Release " + d.Number + "?",
		Text:   "The number goes back to the pool as spare: its tenant loses it, and its routing (forwarding, user, webhook) is cleared.",
		Action: "/admin/dids/" + d.ID + "/release", Button: "Release", Back: "/admin/dids"}
	h.render(w, r, http.StatusOK, "confirm", v)
}

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
