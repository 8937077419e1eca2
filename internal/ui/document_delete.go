package ui

import "net/http"

// documentDelete deletes a document and all its files.
func (h *Handler) documentDelete(w http.ResponseWriter, r *http.Request) {
	d, ok := h.loadDocument(w, r)
	if !ok {
		return
	}
	actor := actorOf(r)
	err := h.docs.Delete(r.Context(), actor, d.ID)
	switch {
	case err == nil:
		h.success(w, r, "Document “"+d.Name+"” deleted.")
		redirect(w, r, documentsHome(actor, d.TenantID))
	case refusal(err):
		h.failure(w, r, sentence(err.Error()))
		redirect(w, r, "/documents/"+d.ID)
	default:
		h.fail(w, r, err)
	}
}
