package ui

import (
	"net/http"

	"faxgate/internal/campaign"
)

// groupEdit shows the edit form of a group.
func (h *Handler) groupEdit(w http.ResponseWriter, r *http.Request) {
	g, ok := h.loadGroup(w, r)
	if !ok {
		return
	}
	f := newForm()
	f.Set("name", g.Name)
	f.Set("description", g.Description)
	h.renderGroupForm(w, r, http.StatusOK, f, g)
}

// groupUpdate renames or redescribes a group.
func (h *Handler) groupUpdate(w http.ResponseWriter, r *http.Request) {
	g, ok := h.loadGroup(w, r)
	if !ok || !h.parseForm(w, r) {
		return
	}
	f := formFrom(r, "name", "description")
	name, desc := f.Get("name"), f.Get("description")
	if _, err := h.camp.UpdateGroup(r.Context(), actorOf(r), g.ID, campaign.GroupPatch{Name: &name, Description: &desc}); err != nil {
		if !f.absorb(err) {
			h.fail(w, r, err)
			return
		}
		h.renderGroupForm(w, r, statusFor(err), f, g)
		return
	}
	h.success(w, r, "Group saved.")
	redirect(w, r, "/groups/"+g.ID)
}
