package ui

import "net/http"

// documentRetry converts a failed (or stuck) document again at its quality.
func (h *Handler) documentRetry(w http.ResponseWriter, r *http.Request) {
	d, ok := h.loadDocument(w, r)
	if !ok {
		return
	}
	_, err := h.docs.ChangeQuality(r.Context(), actorOf(r), d.ID, d.Quality)
	switch {
	case err == nil:
		h.success(w, r, "The document is being converted again.")
	case refusal(err):
		h.failure(w, r, sentence(err.Error()))
	default:
		h.fail(w, r, err)
		return
	}
	redirect(w, r, "/documents/"+d.ID)
}
