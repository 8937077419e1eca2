package ui

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"faxgate/internal/api"
	"faxgate/internal/documents"
)

// documentPageData is the data of one page's full preview.
type documentPageData struct {
	Doc        docView
	Number     int
	Count      int
	PreviewURL string
	PrevURL    string
	NextURL    string
	PrevNumber int
	NextNumber int
}

// documentPage shows page {n} as the recipient gets it: the fax's own
// pixels at the document's quality, with links to the neighbouring pages.
func (h *Handler) documentPage(w http.ResponseWriter, r *http.Request) {
	d, ok := h.loadDocument(w, r)
	if !ok {
		return
	}
	actor := actorOf(r)
	doc, pages, err := h.docs.Pages(r.Context(), actor, d.ID)
	var nr *documents.NotReadyError
	if errors.As(err, &nr) {
		h.failure(w, r, sentence(err.Error()))
		redirect(w, r, "/documents/"+d.ID)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 || n > len(pages) {
		h.notFoundPage(w, r)
		return
	}
	data := documentPageData{Doc: newDocView(actor, doc), Number: n, Count: len(pages),
		PreviewURL: api.DocumentImageURL(doc, n, documents.Preview)}
	if n > 1 {
		data.PrevNumber = n - 1
		data.PrevURL = fmt.Sprintf("/documents/%s/pages/%d", doc.ID, n-1)
	}
	if n < len(pages) {
		data.NextNumber = n + 1
		data.NextURL = fmt.Sprintf("/documents/%s/pages/%d", doc.ID, n+1)
	}
	v := h.newView(w, r, fmt.Sprintf("%s · page %d of %d", doc.Name, n, len(pages)), "documents")
	v.Data = data
	h.render(w, r, http.StatusOK, "documents_page", v)
}
