package ui

import (
	"net/http"

	"faxgate/internal/httpx"
)

// totpLoginShow asks for the two-factor code of a password-accepted login.
func (h *Handler) totpLoginShow(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if _, ok := httpx.ActorFrom(r.Context()); ok {
		redirect(w, r, next)
		return
	}
	if _, _, err := h.auth.PendingSession(r.Context(), httpx.SessionToken(r)); err != nil {
		redirect(w, r, "/login")
		return
	}
	h.renderTOTPLogin(w, r, http.StatusOK, newForm(), next)
}

func (h *Handler) renderTOTPLogin(w http.ResponseWriter, r *http.Request, status int, f *form, next string) {
	v := h.newView(w, r, "Two-factor code", "")
	v.Public = true
	v.Form = f
	v.Data = loginData{Next: next}
	h.render(w, r, status, "login_totp", v)
}
