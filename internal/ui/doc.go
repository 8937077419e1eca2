// Package ui is faxgate's web portal: server-rendered pages built with
// html/template, htmx and Pico CSS (vendored under static/vendor, no CDN).
//
// Every page action lives in its own file (login_show.go, user_create.go,
// ...). Handlers are thin: they read the form, call the domain services
// (auth, tenancy, audit) with the request's model.Actor and render a
// template. The httpx middleware in front of the portal authenticates the
// session cookie, puts the Actor and the branding into the request context
// and refuses cross-origin state-changing requests (CSRF); this package adds
// the page-level rules: login redirects, role checks, a strict
// Content-Security-Policy, flash messages and form errors.
//
// The navigation is declared once, in nav.go: later capabilities add their
// menu entry there when their pages work.
package ui
