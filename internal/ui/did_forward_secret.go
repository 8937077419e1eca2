package ui

import (
	"errors"
	"net/http"

	"faxgate/internal/model"
)

// didSecretData shows a DID webhook's signing secret, once.
type didSecretData struct {
	DID     didView
	Secret  string
	Rotated bool
}

// SecretURL is the "new signing secret" action of a DID's webhook.
func (d didView) SecretURL() string { return "/dids/" + d.ID + "/webhook-secret" }

// didSecretConfirm asks before replacing the signing secret of a DID's
// webhook.
func (h *Handler) didSecretConfirm(w http.ResponseWriter, r *http.Request) {
	d, ok := h.loadDID(w, r)
	if !ok {
		return
	}
	if d.WebhookURL == "" {
		h.noDIDWebhook(w, r, d)
		return
	}
	v := h.newView(w, r, "New signing secret", "dids")
	v.Data = confirmData{Heading: "Make a new signing secret for the webhook of " + d.Number + "?",
		Text: "The new secret is shown once. The current one stops signing at once: events to " + d.WebhookURL +
			" fail verification until your receiver uses the new secret.",
		Action: didView{DID: d}.SecretURL(), Button: "Make a new secret", Back: didView{DID: d}.ForwardURL()}
	h.render(w, r, http.StatusOK, "confirm", v)
}

// didSecretRotate replaces the secret and shows the new one, once.
func (h *Handler) didSecretRotate(w http.ResponseWriter, r *http.Request) {
	d, ok := h.loadDID(w, r)
	if !ok {
		return
	}
	rotated, err := h.inbox.RotateDIDSecret(r.Context(), actorOf(r), d.ID)
	var ve *model.ValidationError
	switch {
	case errors.As(err, &ve): // the webhook was removed meanwhile
		h.noDIDWebhook(w, r, d)
	case err != nil:
		h.fail(w, r, err)
	default:
		h.renderDIDSecret(w, r, rotated, true)
	}
}

// noDIDWebhook sends the tenant back to the routing form of a DID that
// has no webhook (so no secret to replace).
func (h *Handler) noDIDWebhook(w http.ResponseWriter, r *http.Request, d model.DID) {
	h.failure(w, r, "DID "+d.Number+" has no webhook: set a webhook URL first.")
	redirect(w, r, didView{DID: d}.ForwardURL())
}

// renderDIDSecret shows a DID webhook's new signing secret on the page
// answering the POST that made it (never stored in a flash, never passed
// through a redirect, not cached).
func (h *Handler) renderDIDSecret(w http.ResponseWriter, r *http.Request, d model.DID, rotated bool) {
	v := h.newView(w, r, "DID webhook signing secret", "dids")
	v.Data = didSecretData{DID: didView{DID: d}, Secret: d.WebhookSecret, Rotated: rotated}
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, http.StatusOK, "did_forward_secret", v)
}
