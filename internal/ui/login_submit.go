package ui

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"faxgate/internal/auth"
	"faxgate/internal/httpx"
	"faxgate/internal/model"
)

// loginSubmit checks the password, sets the session cookie and continues to
// the TOTP step when the account has two-factor login.
func (h *Handler) loginSubmit(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	f := formFrom(r, "login", "password")
	next := safeNext(r.PostFormValue("next"))
	if f.Get("login") == "" {
		f.Invalid("login", "is required")
	}
	if f.Get("password") == "" {
		f.Invalid("password", "is required")
	}
	if f.HasErrors() {
		h.renderLogin(w, r, http.StatusUnprocessableEntity, f, next)
		return
	}
	res, err := h.auth.Login(r.Context(), auth.LoginInput{
		Login: f.Get("login"), Password: f.Get("password"), IP: httpx.ClientIP(r), UserAgent: r.UserAgent(),
	})
	if err != nil {
		h.loginFailed(w, r, f, next, err)
		return
	}
	httpx.SetSessionCookie(w, r, res.Token, res.Session.ExpiresAt)
	if res.NeedTOTP {
		redirect(w, r, "/login/totp?next="+url.QueryEscape(next))
		return
	}
	redirect(w, r, next)
}

// loginFailed re-renders the login form with a clear reason.
func (h *Handler) loginFailed(w http.ResponseWriter, r *http.Request, f *form, next string, err error) {
	status, msg := loginError(err)
	if status == http.StatusInternalServerError {
		h.serverError(w, r, err)
		return
	}
	httpx.SetProblemHeaders(w, httpx.Classify(err)) // Retry-After when throttled
	f.Err = msg
	h.renderLogin(w, r, status, f, next)
}

// loginError maps a login or TOTP error to a status and a message for the
// person at the keyboard.
func loginError(err error) (int, string) {
	var te *model.ThrottledError
	switch {
	case errors.As(err, &te):
		return http.StatusTooManyRequests, "Too many failed attempts. Please try again in " + waitText(te) + "."
	case errors.Is(err, model.ErrBadCredentials):
		return http.StatusUnauthorized, "Wrong login or password."
	case errors.Is(err, model.ErrDisabled):
		return http.StatusForbidden, "This account is disabled. Please ask your administrator."
	case errors.Is(err, model.ErrSuspended):
		return http.StatusForbidden, "This organisation's account is suspended. Please contact support."
	}
	return http.StatusInternalServerError, ""
}

// waitText is the "5 minutes" part of the throttling message.
func waitText(te *model.ThrottledError) string {
	if _, after, ok := strings.Cut(te.Error(), "try again in "); ok {
		return after
	}
	return "a few minutes"
}
