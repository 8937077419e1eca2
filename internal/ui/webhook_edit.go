package ui

import "net/http"

// webhookEdit shows the form of an endpoint.
func (h *Handler) webhookEdit(w http.ResponseWriter, r *http.Request) {
	e, ok := h.loadWebhook(w, r)
	if !ok {
		return
	}
	h.renderWebhookForm(w, r, http.StatusOK, webhookForm(e), e)
}
