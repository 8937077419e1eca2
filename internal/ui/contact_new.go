package ui

import "net/http"

// contactNew shows the empty add-contact form.
func (h *Handler) contactNew(w http.ResponseWriter, r *http.Request) {
	f := newForm()
	if actorOf(r).IsAdmin() {
		f.Set("tenant_id", r.URL.Query().Get("tenant_id"))
	}
	h.renderContactForm(w, r, http.StatusOK, f, zeroContact)
}

// contactCreate adds a contact; the fax number is normalised to E.164
// with the tenant's default country.
func (h *Handler) contactCreate(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	f := formFrom(r, contactFields...)
	c, err := h.camp.CreateContact(r.Context(), actorOf(r), contactInput(f))
	if err != nil {
		if !f.absorb(err) {
			h.fail(w, r, err)
			return
		}
		h.renderContactForm(w, r, statusFor(err), f, zeroContact)
		return
	}
	h.success(w, r, "Contact "+contactView{Contact: c}.Name()+" ("+c.Fax+") added.")
	redirect(w, r, "/contacts")
}
