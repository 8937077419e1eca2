package ui

import (
	"net/http"

	"faxgate/internal/notify"
)

// webhookRotateConfirm asks before replacing the signing secret.
func (h *Handler) webhookRotateConfirm(w http.ResponseWriter, r *http.Request) {
	e, ok := h.loadWebhook(w, r)
	if !ok {
		return
	}
	v := h.newView(w, r, "New signing secret", "webhooks")
	v.Data = confirmData{Heading: "Make a new signing secret for " + e.URL + "?",
		Text: "The new secret is shown once. For 24 hours events carry signatures with both the old and the new " +
			"secret, so your receiver can switch without losing events; then the old one stops.",
		Action: webhookView{e}.Path() + "/rotate", Button: "Make a new secret", Back: webhookPath}
	h.render(w, r, http.StatusOK, "confirm", v)
}

// webhookRotate replaces the secret (the old one keeps signing for the
// overlap) and shows the new one, once.
func (h *Handler) webhookRotate(w http.ResponseWriter, r *http.Request) {
	e, ok := h.loadWebhook(w, r)
	if !ok {
		return
	}
	e, err := h.hooks.RotateSecret(r.Context(), actorOf(r), e.ID, notify.WebhookRotation{KeepPrevious: true})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderWebhookSecret(w, r, e, true)
}
