package ui

import "net/http"

// profilePassword changes the own password; the other sessions end.
func (h *Handler) profilePassword(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	f := formFrom(r, "current_password", "password", "password_confirm")
	if f.Get("current_password") == "" {
		f.Invalid("current_password", "is required")
	}
	f.confirmPassword("password", "password_confirm")
	if f.HasErrors() {
		h.renderProfile(w, r, http.StatusUnprocessableEntity, profileData{Password: f})
		return
	}
	err := h.auth.ChangePassword(r.Context(), actorOf(r), f.Get("current_password"), f.Get("password"))
	if err != nil {
		if f.absorb(err) || refusal(err) {
			if f.Err == "" {
				f.Err = sentence(err.Error())
			}
			h.renderProfile(w, r, statusFor(err), profileData{Password: f})
			return
		}
		h.fail(w, r, err)
		return
	}
	h.success(w, r, "Your password was changed. Your other sessions were logged out.")
	redirect(w, r, "/profile")
}
