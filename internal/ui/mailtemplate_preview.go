package ui

import "net/http"

// mailTemplatePreview renders the page for the templates as typed, not
// saved; htmx takes only its preview box (hx-select), so the preview
// follows the typing.
func (h *Handler) mailTemplatePreview(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	h.renderMailTemplate(w, r, http.StatusOK, mailTemplateForm(r))
}
