package ui

import "net/http"

// groupMemberAdd puts the posted contact_id(s) into the group.
func (h *Handler) groupMemberAdd(w http.ResponseWriter, r *http.Request) {
	g, ok := h.loadGroup(w, r)
	if !ok || !h.parseForm(w, r) {
		return
	}
	ids := r.PostForm["contact_id"]
	n, err := h.camp.AddMembers(r.Context(), actorOf(r), g.ID, ids)
	switch {
	case err == nil && n == 0:
		h.success(w, r, "Already in the group.")
	case err == nil:
		h.success(w, r, "Added to the group.")
	case refusal(err):
		h.failure(w, r, "Choose a contact to add.")
	default:
		h.fail(w, r, err)
		return
	}
	redirect(w, r, "/groups/"+g.ID)
}

// groupMemberRemove takes a contact out of the group (it stays in
// Contacts).
func (h *Handler) groupMemberRemove(w http.ResponseWriter, r *http.Request) {
	g, ok := h.loadGroup(w, r)
	if !ok {
		return
	}
	_, err := h.camp.RemoveMembers(r.Context(), actorOf(r), g.ID, []string{r.PathValue("contact_id")})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.success(w, r, "Removed from the group; the contact stays in Contacts.")
	redirect(w, r, "/groups/"+g.ID)
}
