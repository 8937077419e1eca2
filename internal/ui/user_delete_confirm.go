package ui

import "net/http"

// userDeleteConfirm asks before deleting (the confirmation step; htmx loads
// its box into the list page, without JS it is a page of its own).
func (h *Handler) userDeleteConfirm(w http.ResponseWriter, r *http.Request) {
	u, ok := h.loadUser(w, r)
	if !ok {
		return
	}
	actor := actorOf(r)
	v := h.newView(w, r, "Delete user", activeUsers(actor))
	v.Data = userFormData{User: u, Back: usersHome(actor, u.TenantID)}
	h.render(w, r, http.StatusOK, "user_delete", v)
}
