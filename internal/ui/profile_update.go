package ui

import (
	"net/http"

	"faxgate/internal/tenancy"
)

// profileUpdate saves the own name and phone number.
func (h *Handler) profileUpdate(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	actor := actorOf(r)
	f := formFrom(r, "first_name", "last_name", "phone")
	p := tenancy.UserPatch{FirstName: ptr(f.Get("first_name")), LastName: ptr(f.Get("last_name")), Phone: ptr(f.Get("phone"))}
	if _, err := h.ten.UpdateUser(r.Context(), actor, actor.UserID, p); err != nil {
		if f.absorb(err) {
			h.renderProfile(w, r, statusFor(err), profileData{Details: f})
			return
		}
		h.fail(w, r, err)
		return
	}
	h.success(w, r, "Your details were saved.")
	redirect(w, r, "/profile")
}
