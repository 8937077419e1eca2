package ui

import "net/http"

// userPasswordSubmit sets a new password for a managed user.
func (h *Handler) userPasswordSubmit(w http.ResponseWriter, r *http.Request) {
	u, ok := h.loadUser(w, r)
	if !ok || !h.parseForm(w, r) {
		return
	}
	f := formFrom(r, "password", "password_confirm")
	f.confirmPassword("password", "password_confirm")
	if f.HasErrors() {
		h.renderUserPassword(w, r, http.StatusUnprocessableEntity, f, u)
		return
	}
	actor := actorOf(r)
	if err := h.ten.ResetPassword(r.Context(), actor, u.ID, f.Get("password")); err != nil {
		if f.absorb(err) {
			h.renderUserPassword(w, r, statusFor(err), f, u)
			return
		}
		h.fail(w, r, err)
		return
	}
	h.success(w, r, "New password set for "+u.Email+".")
	redirect(w, r, usersHome(actor, u.TenantID))
}
