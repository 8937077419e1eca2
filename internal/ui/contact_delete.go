package ui

import "net/http"

// contactDeleteConfirm asks before deleting a contact (htmx loads the box
// into the list; without JS it is a page of its own).
func (h *Handler) contactDeleteConfirm(w http.ResponseWriter, r *http.Request) {
	c, ok := h.loadContact(w, r)
	if !ok {
		return
	}
	cv := contactView{Contact: c}
	v := h.newView(w, r, "Delete contact", "contacts")
	v.Data = confirmData{Heading: "Delete " + cv.Name() + "?",
		Text:   "The contact " + c.Fax + " will be deleted and taken out of all its groups. Faxes already sent are not affected.",
		Action: cv.URL() + "/delete", Button: "Delete contact", Back: "/contacts"}
	h.render(w, r, http.StatusOK, "confirm", v)
}

// contactDelete deletes a contact.
func (h *Handler) contactDelete(w http.ResponseWriter, r *http.Request) {
	c, ok := h.loadContact(w, r)
	if !ok {
		return
	}
	if err := h.camp.DeleteContact(r.Context(), actorOf(r), c.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	h.success(w, r, "Contact "+contactView{Contact: c}.Name()+" deleted.")
	redirect(w, r, "/contacts")
}
