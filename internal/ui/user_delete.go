package ui

import "net/http"

// userDelete deletes a user for good (their sessions and API keys go too).
func (h *Handler) userDelete(w http.ResponseWriter, r *http.Request) {
	u, ok := h.loadUser(w, r)
	if !ok {
		return
	}
	actor := actorOf(r)
	err := h.ten.DeleteUser(r.Context(), actor, u.ID)
	switch {
	case err == nil:
		h.success(w, r, "User "+u.Email+" deleted.")
	case refusal(err):
		h.failure(w, r, sentence(err.Error()))
	default:
		h.fail(w, r, err)
		return
	}
	redirect(w, r, usersHome(actor, u.TenantID))
}
