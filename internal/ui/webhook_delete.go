package ui

import "net/http"

// webhookDeleteConfirm asks before deleting an endpoint (htmx loads the
// box into the list; without JS it is a page of its own).
func (h *Handler) webhookDeleteConfirm(w http.ResponseWriter, r *http.Request) {
	e, ok := h.loadWebhook(w, r)
	if !ok {
		return
	}
	v := h.newView(w, r, "Delete webhook", "webhooks")
	v.Data = confirmData{Heading: "Delete the webhook to " + e.URL + "?",
		Text:   "It receives no more events, and its delivery log is deleted with it. To pause it, disable it instead.",
		Action: webhookView{e}.Path() + "/delete", Button: "Delete webhook", Back: webhookPath}
	h.render(w, r, http.StatusOK, "confirm", v)
}

// webhookDelete deletes an endpoint and its delivery log.
func (h *Handler) webhookDelete(w http.ResponseWriter, r *http.Request) {
	e, ok := h.loadWebhook(w, r)
	if !ok {
		return
	}
	if err := h.hooks.Delete(r.Context(), actorOf(r), e.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	h.success(w, r, "Webhook "+e.URL+" deleted.")
	redirect(w, r, webhookPath)
}
