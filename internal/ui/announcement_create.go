package ui

import "net/http"

// announcementCreate posts an announcement.
func (h *Handler) announcementCreate(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	actor := actorOf(r)
	f, in := announcementForm(r, h.zone(r))
	if !f.HasErrors() {
		if _, err := h.announce.Create(r.Context(), actor, in); err != nil {
			if !f.absorb(err) {
				h.fail(w, r, err)
				return
			}
		} else {
			h.success(w, r, "Announcement posted.")
			redirect(w, r, announcementsHome)
			return
		}
	}
	h.renderAnnouncements(w, r, http.StatusUnprocessableEntity, f)
}
