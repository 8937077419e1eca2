package ui

import "net/http"

// inboxDeleteConfirm asks before deleting a received fax (htmx loads its
// box into the list or the fax's page; without JS it is a page of its own).
func (h *Handler) inboxDeleteConfirm(w http.ResponseWriter, r *http.Request) {
	f, ok := h.loadInbound(w, r)
	if !ok {
		return
	}
	v := h.newView(w, r, "Delete received fax", "inbox")
	v.Data = inboxShowData{Fax: inboxView{InboundFax: f}}
	h.render(w, r, http.StatusOK, "inbox_delete", v)
}
