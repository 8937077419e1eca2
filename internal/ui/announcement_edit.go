package ui

import (
	"net/http"

	"faxgate/internal/model"
)

// announcementEdit shows the form to change an announcement.
func (h *Handler) announcementEdit(w http.ResponseWriter, r *http.Request) {
	a, ok := h.loadAnnouncement(w, r)
	if !ok {
		return
	}
	loc := h.zone(r)
	f := newForm()
	f.Set("message", a.Message)
	f.Set("level", string(a.Level))
	f.Set("starts_at", localInput(a.StartsAt, loc))
	f.Set("expires_at", localInput(a.ExpiresAt, loc))
	h.renderAnnouncementEdit(w, r, http.StatusOK, f, a)
}

// announcementUpdate saves the changed announcement.
func (h *Handler) announcementUpdate(w http.ResponseWriter, r *http.Request) {
	a, ok := h.loadAnnouncement(w, r)
	if !ok || !h.parseForm(w, r) {
		return
	}
	actor := actorOf(r)
	f, in := announcementForm(r, h.zone(r))
	if !f.HasErrors() {
		_, err := h.announce.Update(r.Context(), actor, a.ID, in)
		if err == nil {
			h.success(w, r, "Announcement saved.")
			redirect(w, r, announcementsHome)
			return
		}
		if !f.absorb(err) {
			h.fail(w, r, err)
			return
		}
	}
	h.renderAnnouncementEdit(w, r, http.StatusUnprocessableEntity, f, a)
}

func (h *Handler) renderAnnouncementEdit(w http.ResponseWriter, r *http.Request, status int, f *form, a model.Announcement) {
	v := h.newView(w, r, "Edit announcement", "announcements")
	v.Form = f
	v.Data = announcementData{Levels: announcementLevels, Zone: h.zone(r).String(),
		Editing: &a}
	h.render(w, r, status, "announcement_edit", v)
}
