package ui

import (
	"net/http"

	"faxgate/internal/model"
)

// userPasswordShow is the reset-password form of a managed user.
func (h *Handler) userPasswordShow(w http.ResponseWriter, r *http.Request) {
	u, ok := h.loadUser(w, r)
	if !ok {
		return
	}
	h.renderUserPassword(w, r, http.StatusOK, newForm(), u)
}

func (h *Handler) renderUserPassword(w http.ResponseWriter, r *http.Request, status int, f *form, u model.User) {
	actor := actorOf(r)
	v := h.newView(w, r, "Reset password", activeUsers(actor))
	v.Form = f
	v.Data = userFormData{User: u, Back: usersHome(actor, u.TenantID)}
	h.render(w, r, status, "user_password", v)
}
