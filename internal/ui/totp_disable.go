package ui

import "net/http"

// totpDisable turns two-factor login off after checking the password.
func (h *Handler) totpDisable(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	f := formFrom(r, "password")
	if f.Get("password") == "" {
		f.Invalid("password", "is required")
		h.renderProfile(w, r, http.StatusUnprocessableEntity, profileData{TOTP: f})
		return
	}
	if err := h.auth.DisableTOTP(r.Context(), actorOf(r), f.Get("password")); err != nil {
		if f.absorb(err) || refusal(err) {
			if f.Err == "" {
				f.Err = sentence(err.Error())
			}
			h.renderProfile(w, r, statusFor(err), profileData{TOTP: f})
			return
		}
		h.fail(w, r, err)
		return
	}
	h.success(w, r, "Two-factor login is off.")
	redirect(w, r, "/profile#totp")
}
