package ui

import "net/http"

// userTOTPDisableConfirm asks before turning off a managed user's two-factor
// login (htmx loads the box into the user's page; without script it is a
// page of its own).
func (h *Handler) userTOTPDisableConfirm(w http.ResponseWriter, r *http.Request) {
	u, ok := h.loadUser(w, r)
	if !ok {
		return
	}
	edit := "/admin/users/" + u.ID + "/edit"
	v := h.newView(w, r, "Turn off two-factor login", activeUsers(actorOf(r)))
	v.Data = confirmData{Heading: "Turn off two-factor login of " + u.Email + "?",
		Text: "They log in with their password only until they set up an authenticator again (Profile). " +
			"Do this for a user who lost their authenticator, once you know it is them.",
		Action: "/admin/users/" + u.ID + "/totp/disable", Button: "Turn off two-factor login", Back: edit}
	h.render(w, r, http.StatusOK, "confirm", v)
}

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
