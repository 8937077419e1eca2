package ui

import "net/http"

// announcementList lists the announcements with the form to post one.
func (h *Handler) announcementList(w http.ResponseWriter, r *http.Request) {
	f := newForm()
	f.Set("level", "info")
	h.renderAnnouncements(w, r, http.StatusOK, f)
}
