package ui

import (
	"context"
	"net/http"

	"faxgate/internal/httpx"
	"faxgate/internal/model"
)

// loginData is the data of the login pages.
type loginData struct {
	Next          string // where to go after login (a local path)
	Announcements []model.Announcement
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
	v.Data = loginData{Next: next, Announcements: h.activeAnnouncements(r.Context(), v.Brand.TenantID)}
	h.render(w, r, status, "login", v)
}

// activeAnnouncements returns what the users of tenantID see now ("" :
// platform-wide only); a failure only costs the banner, so it is logged.
func (h *Handler) activeAnnouncements(ctx context.Context, tenantID string) []model.Announcement {
	if h.announce == nil {
		return nil
	}
	as, err := h.announce.Active(ctx, tenantID)
	if err != nil {
		h.log.Warn("announcements unavailable", "err", err)
	}
	return as
}
