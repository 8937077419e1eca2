package ui

import (
	"net/http"

	"faxgate/internal/model"
)

// webhookNew shows the empty form: enabled, subscribed to the final
// outcomes of sent faxes (what most integrations want first).
func (h *Handler) webhookNew(w http.ResponseWriter, r *http.Request) {
	f := webhookForm(model.WebhookEndpoint{Enabled: true,
		Events: []string{model.EventFaxDelivered, model.EventFaxFailed}})
	h.renderWebhookForm(w, r, http.StatusOK, f, model.WebhookEndpoint{})
}
