package ui

import (
	"net/http"

	"faxgate/internal/httpx"
)

// logout revokes the session in the database and clears the cookie. It is
// a POST, so the CSRF protection in front of the portal covers it.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	if token := httpx.SessionToken(r); token != "" {
		actor, _ := httpx.ActorFrom(r.Context())
		if err := h.auth.Logout(r.Context(), token, actor); err != nil {
			h.log.WarnContext(r.Context(), "logout", "err", err)
		}
	}
	httpx.ClearSessionCookie(w, r)
	h.success(w, r, "You have been logged out.")
	redirect(w, r, "/login")
}
