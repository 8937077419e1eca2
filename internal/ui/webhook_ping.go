package ui

import "net/http"

// webhookPing sends a webhook.test event to the endpoint and opens its
// delivery log, where the attempt shows up live.
func (h *Handler) webhookPing(w http.ResponseWriter, r *http.Request) {
	e, ok := h.loadWebhook(w, r)
	if !ok {
		return
	}
	back := webhookView{e}.Path() + "/deliveries"
	_, err := h.hooks.SendTest(r.Context(), actorOf(r), e.ID)
	switch {
	case err == nil:
		h.success(w, r, "Test event sent to "+e.URL+".")
	case refusal(err):
		h.failure(w, r, "No test event sent: the endpoint is disabled; enable it first.")
		back = webhookPath
	default:
		h.fail(w, r, err)
		return
	}
	redirect(w, r, back)
}
