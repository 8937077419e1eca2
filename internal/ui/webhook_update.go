package ui

import (
	"net/http"

	"faxgate/internal/notify"
)

// webhookUpdate saves the URL, events, description and state of an
// endpoint.
func (h *Handler) webhookUpdate(w http.ResponseWriter, r *http.Request) {
	e, ok := h.loadWebhook(w, r)
	if !ok || !h.parseForm(w, r) {
		return
	}
	f := webhookFormFrom(r)
	url, desc, events, enabled := f.Get("url"), f.Get("description"), formEvents(f), f.Get("enabled") == "on"
	_, err := h.hooks.Update(r.Context(), actorOf(r), e.ID, notify.WebhookPatch{URL: &url, Events: &events,
		Description: &desc, Enabled: &enabled})
	if err != nil {
		h.webhookFormFailed(w, r, f, e, err)
		return
	}
	h.success(w, r, "Webhook "+url+" saved.")
	redirect(w, r, webhookPath)
}
