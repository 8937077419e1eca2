package ui

import (
	"net/http"

	"faxgate/internal/model"
	"faxgate/internal/notify"
)

// webhookCreate registers an endpoint and shows its signing secret, once.
func (h *Handler) webhookCreate(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	f := webhookFormFrom(r)
	enabled := f.Get("enabled") == "on"
	e, err := h.hooks.Create(r.Context(), actorOf(r), notify.WebhookInput{URL: f.Get("url"), Events: formEvents(f),
		Description: f.Get("description"), Enabled: &enabled})
	if err != nil {
		h.webhookFormFailed(w, r, f, model.WebhookEndpoint{}, err)
		return
	}
	h.renderWebhookSecret(w, r, e, false)
}
