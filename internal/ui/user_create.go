package ui

import (
	"net/http"

	"faxgate/internal/model"
	"faxgate/internal/tenancy"
)

// userCreate adds a user; tenant admins add to their own tenant.
func (h *Handler) userCreate(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	actor := actorOf(r)
	f := userFormFrom(r)
	f.confirmPassword("password", "password_confirm")
	if f.Get("email") == "" {
		f.Invalid("email", "is required")
	}
	if f.HasErrors() {
		h.renderUserForm(w, r, http.StatusUnprocessableEntity, f, model.User{})
		return
	}
	in := tenancy.UserInput{
		TenantID: actor.TenantID, Role: model.Role(f.Get("role")), Email: f.Get("email"),
		APIUsername: f.Get("api_username"), Password: f.Get("password"), FirstName: f.Get("first_name"),
		LastName: f.Get("last_name"), Phone: f.Get("phone"), Status: model.UserActive,
	}
	if actor.IsAdmin() {
		in.TenantID = f.Get("tenant_id")
	}
	u, err := h.ten.CreateUser(r.Context(), actor, in)
	if err != nil {
		if f.absorb(err) {
			h.renderUserForm(w, r, statusFor(err), f, model.User{})
			return
		}
		h.fail(w, r, err)
		return
	}
	h.success(w, r, "User "+u.Email+" added.")
	redirect(w, r, usersHome(actor, u.TenantID))
}
