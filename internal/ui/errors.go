package ui

import (
	"errors"
	"net/http"

	"faxgate/internal/httpx"
	"faxgate/internal/model"
)

// errorInfo is the data of the error page.
type errorInfo struct {
	Status  int
	Message string
}

func errorTitle(status int) string {
	switch status {
	case http.StatusNotFound:
		return "Page not found"
	case http.StatusForbidden:
		return "Not allowed"
	case http.StatusInternalServerError:
		return "Something went wrong"
	}
	return http.StatusText(status)
}

func errorMessage(status int) string {
	switch status {
	case http.StatusNotFound:
		return "The page or object you asked for does not exist, or it is not yours to see."
	case http.StatusForbidden:
		return "Your role does not give access to this page."
	case http.StatusBadRequest:
		return "The request could not be understood."
	}
	return "The server could not complete the request. The problem was logged; please try again."
}

// errorPage renders a full error page with the given status.
func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, status int) {
	v := h.newView(w, r, errorTitle(status), "")
	_, loggedIn := httpx.ActorFrom(r.Context())
	v.Public = !loggedIn
	v.Data = errorInfo{Status: status, Message: errorMessage(status)}
	h.render(w, r, status, "error", v)
}

func (h *Handler) notFoundPage(w http.ResponseWriter, r *http.Request) {
	h.errorPage(w, r, http.StatusNotFound)
}

// serverError logs err and shows the generic error page.
func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, err error) {
	h.log.ErrorContext(r.Context(), "portal request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	if _, ok := h.pages["error"]; !ok {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	_ = h.pages["error"].ExecuteTemplate(w, "root", &view{
		Title: errorTitle(http.StatusInternalServerError), Public: true, Brand: model.DefaultBranding(),
		Form: newForm(), Data: errorInfo{Status: 500, Message: errorMessage(500)},
	})
}

// fail answers a domain error that is not about the form input: objects
// of other tenants (and missing ones) are 404, forbidden is 403, anything
// else a logged 500.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, model.ErrNotFound):
		h.errorPage(w, r, http.StatusNotFound)
	case errors.Is(err, model.ErrForbidden):
		h.errorPage(w, r, http.StatusForbidden)
	case errors.Is(err, model.ErrUnauthenticated):
		h.redirectToLogin(w, r)
	default:
		h.serverError(w, r, err)
	}
}

// parseForm parses a posted urlencoded form; it answers 400 itself and
// returns false when the body is unreadable.
func (h *Handler) parseForm(w http.ResponseWriter, r *http.Request) bool {
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest)
		return false
	}
	return true
}

// refusal reports whether err is the services saying no for a reason the
// user may read (forbidden, invalid, conflict, limits), as opposed to a
// missing object or a fault.
func refusal(err error) bool {
	p := httpx.Classify(err)
	return p.Status >= 400 && p.Status < 500 && p.Status != http.StatusNotFound
}
