package ui

import (
	"net/http"

	"faxgate/internal/model"
	"faxgate/internal/tenancy"
)

// userUpdate saves the edit form. Only changed fields are sent, so that a
// save without a role change records no role change.
func (h *Handler) userUpdate(w http.ResponseWriter, r *http.Request) {
	u, ok := h.loadUser(w, r)
	if !ok || !h.parseForm(w, r) {
		return
	}
	actor := actorOf(r)
	f := userFormFrom(r)
	if f.Get("email") == "" {
		f.Invalid("email", "is required")
		h.renderUserForm(w, r, http.StatusUnprocessableEntity, f, u)
		return
	}
	p := userPatch(f, u, actor.IsAdmin())
	updated, err := h.ten.UpdateUser(r.Context(), actor, u.ID, p)
	if err != nil {
		if f.absorb(err) {
			h.renderUserForm(w, r, statusFor(err), f, u)
			return
		}
		h.fail(w, r, err)
		return
	}
	h.success(w, r, "User "+updated.Email+" saved.")
	redirect(w, r, usersHome(actor, updated.TenantID))
}

// userPatch lists the fields of the form that differ from the stored user.
func userPatch(f *form, u model.User, admin bool) tenancy.UserPatch {
	var p tenancy.UserPatch
	changed := func(name, old string) *string {
		if v := f.Get(name); v != old {
			return &v
		}
		return nil
	}
	p.Email = changed("email", u.Email)
	p.APIUsername = changed("api_username", u.APIUsername)
	p.FirstName = changed("first_name", u.FirstName)
	p.LastName = changed("last_name", u.LastName)
	p.Phone = changed("phone", u.Phone)
	if role := model.Role(f.Get("role")); role != u.Role {
		p.Role = &role
	}
	if admin {
		p.TenantID = changed("tenant_id", u.TenantID)
	}
	return p
}
