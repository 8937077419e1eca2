package ui

import (
	"net/http"

	"faxgate/internal/model"
)

// userEdit shows a user's edit form (404 for other tenants' users).
func (h *Handler) userEdit(w http.ResponseWriter, r *http.Request) {
	u, ok := h.loadUser(w, r)
	if !ok {
		return
	}
	h.renderUserForm(w, r, http.StatusOK, userForm(u), u)
}

// userForm fills the edit form from a stored user.
func userForm(u model.User) *form {
	f := newForm()
	for k, v := range map[string]string{
		"email": u.Email, "api_username": u.APIUsername, "first_name": u.FirstName, "last_name": u.LastName,
		"phone": u.Phone, "role": string(u.Role), "tenant_id": u.TenantID,
	} {
		f.Set(k, v)
	}
	return f
}
