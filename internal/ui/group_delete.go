package ui

import (
	"net/http"
	"strconv"
)

// groupDeleteConfirm asks before deleting a group.
func (h *Handler) groupDeleteConfirm(w http.ResponseWriter, r *http.Request) {
	g, ok := h.loadGroup(w, r)
	if !ok {
		return
	}
	v := h.newView(w, r, "Delete group", "groups")
	v.Data = confirmData{Heading: "Delete the group “" + g.Name + "”?",
		Text: "The group will be deleted. Its " + strconv.Itoa(g.MemberCount) +
			" contacts stay in Contacts and in their other groups.",
		Action: "/groups/" + g.ID + "/delete", Button: "Delete group", Back: "/groups/" + g.ID}
	h.render(w, r, http.StatusOK, "confirm", v)
}

// groupDelete deletes a group (not its contacts).
func (h *Handler) groupDelete(w http.ResponseWriter, r *http.Request) {
	g, ok := h.loadGroup(w, r)
	if !ok {
		return
	}
	if err := h.camp.DeleteGroup(r.Context(), actorOf(r), g.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	h.success(w, r, "Group “"+g.Name+"” deleted.")
	redirect(w, r, "/groups")
}
