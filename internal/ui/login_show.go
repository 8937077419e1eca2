package ui

import (
	"net/http"

	"faxgate/internal/httpx"
)

// loginData is the data of the login pages.
type loginData struct {
	Next string // where to go after login (a local path)
}

// loginShow renders the login form with the branding chosen by the Host.
func (h *Handler) loginShow(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if _, ok := httpx.ActorFrom(r.Context()); ok {
		redirect(w, r, next)
		return
	}
	h.renderLogin(w, r, http.StatusOK, newForm(), next)
}

func (h *Handler) renderLogin(w http.ResponseWriter, r *http.Request, status int, f *form, next string) {
	v := h.newView(w, r, "Log in", "")
	v.Public = true
	v.Form = f
	v.Data = loginData{Next: next}
	h.render(w, r, status, "login", v)
}
