package ui

import (
	"net/http"

	"faxgate/internal/model"
)

// userNew shows the empty add-user form (admins may preselect a tenant and
// role with ?tenant_id=&role=).
func (h *Handler) userNew(w http.ResponseWriter, r *http.Request) {
	actor := actorOf(r)
	f := newForm()
	f.Set("role", string(model.RoleUser))
	if role := model.Role(r.URL.Query().Get("role")); role.Valid() && role.Rank() <= actor.Role.Rank() {
		f.Set("role", string(role))
	}
	if actor.IsAdmin() {
		f.Set("tenant_id", r.URL.Query().Get("tenant_id"))
	}
	h.renderUserForm(w, r, http.StatusOK, f, model.User{})
}
