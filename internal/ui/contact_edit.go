package ui

import (
	"net/http"

	"faxgate/internal/campaign"
)

// contactEdit shows the edit form of a contact.
func (h *Handler) contactEdit(w http.ResponseWriter, r *http.Request) {
	c, ok := h.loadContact(w, r)
	if !ok {
		return
	}
	h.renderContactForm(w, r, http.StatusOK, contactForm(c), c)
}

// contactUpdate saves the edit form (every field, validated as on add).
func (h *Handler) contactUpdate(w http.ResponseWriter, r *http.Request) {
	c, ok := h.loadContact(w, r)
	if !ok || !h.parseForm(w, r) {
		return
	}
	f := formFrom(r, contactFields[1:]...)
	in := contactInput(f)
	_, err := h.camp.UpdateContact(r.Context(), actorOf(r), c.ID, campaign.ContactPatch{FirstName: &in.FirstName,
		LastName: &in.LastName, Fax: &in.Fax, Email: &in.Email, Company: &in.Company, Address: &in.Address,
		Description: &in.Description, Custom: &in.Custom})
	if err != nil {
		if !f.absorb(err) {
			h.fail(w, r, err)
			return
		}
		h.renderContactForm(w, r, statusFor(err), f, c)
		return
	}
	h.success(w, r, "Contact saved.")
	redirect(w, r, "/contacts")
}
