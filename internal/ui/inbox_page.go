package ui

import (
	"io"
	"net/http"
	"strconv"

	"faxgate/internal/faxin"
	"faxgate/internal/model"
)

// inboxPage serves a page image of a received fax: kind "thumb" (the list
// and page grid) or "preview" (the page as it arrived, 1728 pixels wide).
func (h *Handler) inboxPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	n, err := strconv.Atoi(r.PathValue("n"))
	kind := faxin.ImageKind(r.PathValue("kind"))
	if !model.ValidID(model.PrefixFax, id) || err != nil || !kind.Valid() {
		h.notFoundPage(w, r)
		return
	}
	img, err := h.inbox.PageImage(r.Context(), actorOf(r), id, n, kind)
	if err != nil {
		if refusal(err) {
			h.errorPage(w, r, statusFor(err))
			return
		}
		h.fail(w, r, err)
		return
	}
	defer img.Body.Close()
	w.Header().Set("Content-Type", img.ContentType)
	// Private: the image is the tenant's; it never changes under its URL.
	w.Header().Set("Cache-Control", "private, max-age=3600")
	if rs, ok := img.Body.(io.ReadSeeker); ok {
		http.ServeContent(w, r, "", img.ModTime, rs)
		return
	}
	w.Header().Set("Content-Length", strconv.FormatInt(img.Size, 10))
	_, _ = io.Copy(w, img.Body)
}
