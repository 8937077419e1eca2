package ui

import "net/http"

// announcementDeleteConfirm asks before removing an announcement.
func (h *Handler) announcementDeleteConfirm(w http.ResponseWriter, r *http.Request) {
	a, ok := h.loadAnnouncement(w, r)
	if !ok {
		return
	}
	v := h.newView(w, r, "Remove announcement", "announcements")
	v.Data = announcementData{Editing: &a}
	h.render(w, r, http.StatusOK, "announcement_delete", v)
}

// announcementDelete removes an announcement.
func (h *Handler) announcementDelete(w http.ResponseWriter, r *http.Request) {
	a, ok := h.loadAnnouncement(w, r)
	if !ok {
		return
	}
	if err := h.announce.Delete(r.Context(), actorOf(r), a.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	h.success(w, r, "Announcement removed.")
	redirect(w, r, announcementsHome)
}
