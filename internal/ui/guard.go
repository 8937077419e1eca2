package ui

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"faxgate/internal/httpx"
	"faxgate/internal/model"
)

// contentSecurityPolicy allows only this origin's scripts and styles (no
// inline code), images from here plus data: (QR codes, Pico's icons) and
// blob: (logo preview before upload).
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// setSecurityHeaders marks a portal page: strict CSP, no framing, no MIME
// sniffing, no referrer leaks, and no caching of personal pages.
func setSecurityHeaders(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", contentSecurityPolicy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("Cache-Control", "no-store")
}

// guard applies the page headers and the access rule before h.
func (h *Handler) guard(level access, next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setSecurityHeaders(w)
		if level == public {
			next(w, r)
			return
		}
		actor, ok := httpx.ActorFrom(r.Context())
		if !ok {
			h.redirectToLogin(w, r)
			return
		}
		if !allowed(level, actor.Role) {
			h.errorPage(w, r, http.StatusForbidden)
			return
		}
		next(w, withZoneMemo(r))
	})
}

func allowed(level access, role model.Role) bool {
	switch level {
	case anyUser:
		return role.Valid()
	case tenantAdmin:
		return role == model.RoleTenant
	case manager:
		return role == model.RoleTenant || role == model.RoleAdmin
	case adminOnly:
		return role == model.RoleAdmin
	}
	return true
}

// actorOf returns the request's actor; guard made sure there is one.
func actorOf(r *http.Request) model.Actor {
	a, _ := httpx.ActorFrom(r.Context())
	return a
}

// redirectToLogin sends an anonymous visitor to the login page (or to the
// TOTP step of a half-done login), remembering where they wanted to go (GET
// pages only; a form post cannot be replayed) and saying why a session
// cookie no longer works.
func (h *Handler) redirectToLogin(w http.ResponseWriter, r *http.Request) {
	target := "/login"
	cause := httpx.AuthErrorFrom(r.Context())
	if errors.Is(cause, model.ErrMFARequired) {
		target = "/login/totp"
	}
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	switch {
	case cause == nil || errors.Is(cause, model.ErrMFARequired):
	case errors.Is(cause, model.ErrDisabled), errors.Is(cause, model.ErrSuspended):
		_, msg := loginError(cause)
		h.failure(w, r, msg)
	default:
		h.failure(w, r, "Your session has ended. Please log in again.")
	}
	redirect(w, r, target)
}

// redirect answers with 303 See Other, or with HX-Redirect for htmx requests
// so that htmx loads the whole page instead of swapping it into a fragment.
func redirect(w http.ResponseWriter, r *http.Request, target string) {
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", target)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// safeNext returns next when it is a local path ("/..."), else "/". It
// refuses scheme-relative ("//host"), backslash tricks and absolute URLs so
// the login page cannot be used as an open redirect.
func safeNext(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	if strings.HasPrefix(u.Path, "/login") || strings.HasPrefix(u.Path, "/logout") {
		return "/"
	}
	return next
}
