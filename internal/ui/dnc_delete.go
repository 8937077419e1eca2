package ui

import (
	"net/http"

	"faxgate/internal/model"
)

// loadDNC reads the {id} entry the actor may see; it answers 404 itself
// (other tenants' entries too) and returns false then.
func (h *Handler) loadDNC(w http.ResponseWriter, r *http.Request) (model.DNCEntry, bool) {
	id := r.PathValue("id")
	if !model.ValidID(model.PrefixDNC, id) {
		h.notFoundPage(w, r)
		return model.DNCEntry{}, false
	}
	d, err := h.camp.GetDNC(r.Context(), actorOf(r), id)
	if err != nil {
		h.fail(w, r, err)
		return d, false
	}
	return d, true
}

// dncHome is the list an entry is on.
func dncHome(d model.DNCEntry) string {
	if d.TenantID == "" {
		return "/admin/dnc"
	}
	return "/dnc"
}

// dncDeleteConfirm asks before taking a number off its list.
func (h *Handler) dncDeleteConfirm(w http.ResponseWriter, r *http.Request) {
	d, ok := h.loadDNC(w, r)
	if !ok {
		return
	}
	v := h.newView(w, r, "Remove from the do-not-contact list", "dnc")
	v.Data = confirmData{Heading: "Remove " + d.Number + "?",
		Text:   "Faxes to " + d.Number + " will be allowed again, campaigns included.",
		Action: "/dnc/" + d.ID + "/delete", Button: "Remove number", Back: dncHome(d)}
	h.render(w, r, http.StatusOK, "confirm", v)
}

// dncDelete takes a number off its list.
func (h *Handler) dncDelete(w http.ResponseWriter, r *http.Request) {
	d, ok := h.loadDNC(w, r)
	if !ok {
		return
	}
	if err := h.camp.RemoveDNC(r.Context(), actorOf(r), d.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	h.success(w, r, d.Number+" removed from the do-not-contact list.")
	redirect(w, r, dncHome(d))
}
