package ui

import (
	"net/http"

	"faxgate/internal/documents"
	"faxgate/internal/model"
)

// documentUpdate renames or re-describes a document and, when the quality
// changes, converts it again.
func (h *Handler) documentUpdate(w http.ResponseWriter, r *http.Request) {
	d, ok := h.loadDocument(w, r)
	if !ok || !h.parseForm(w, r) {
		return
	}
	f := formFrom(r, "name", "description", "quality")
	in := documents.UpdateInput{Name: ptr(f.Get("name")), Description: ptr(f.Get("description"))}
	q := model.Quality(f.Get("quality"))
	if q != d.Quality {
		in.Quality = &q
	}
	nd, err := h.docs.Update(r.Context(), actorOf(r), d.ID, in)
	if err != nil {
		if !f.absorb(err) {
			h.fail(w, r, err)
			return
		}
		h.renderDocument(w, r, statusFor(err), f, d)
		return
	}
	msg := "Document saved."
	if in.Quality != nil {
		msg = "Quality changed to " + qualityLabel(q) + ": the document is being converted again."
	}
	h.success(w, r, msg)
	redirect(w, r, "/documents/"+nd.ID)
}
