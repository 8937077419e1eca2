package ui

import "net/http"

// documentDeleteConfirm asks before deleting (htmx loads its box into the
// list or document page; without JS it is a page of its own).
func (h *Handler) documentDeleteConfirm(w http.ResponseWriter, r *http.Request) {
	d, ok := h.loadDocument(w, r)
	if !ok {
		return
	}
	actor := actorOf(r)
	v := h.newView(w, r, "Delete document", "documents")
	v.Data = documentShowData{Doc: newDocView(actor, d), Back: "/documents/" + d.ID}
	h.render(w, r, http.StatusOK, "documents_delete", v)
}
