package ui

import "net/http"

// userTOTPDisable turns off two-factor login of a managed user who lost
// their authenticator (their tenant admin or a platform admin may).
func (h *Handler) userTOTPDisable(w http.ResponseWriter, r *http.Request) {
	u, ok := h.loadUser(w, r)
	if !ok {
		return
	}
	err := h.auth.DisableUserTOTP(r.Context(), actorOf(r), u.ID)
	switch {
	case err == nil:
		h.success(w, r, "Two-factor login of "+u.Email+" is off. They log in with their password only.")
	case refusal(err):
		h.failure(w, r, sentence(err.Error()))
	default:
		h.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/users/"+u.ID+"/edit")
}
