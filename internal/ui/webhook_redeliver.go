package ui

import "net/http"

// webhookRedeliver sends a finished delivery once more, now.
func (h *Handler) webhookRedeliver(w http.ResponseWriter, r *http.Request) {
	d, ok := h.loadDelivery(w, r)
	if !ok {
		return
	}
	back := webhookPath
	if d.EndpointID != "" {
		back = webhookPath + "/" + d.EndpointID + "/deliveries"
	}
	_, err := h.hooks.Redeliver(r.Context(), actorOf(r), d.ID)
	switch {
	case err == nil:
		h.success(w, r, d.EventType+" is being delivered again.")
	case refusal(err):
		h.failure(w, r, "Not redelivered: "+sentence(err.Error()))
	default:
		h.fail(w, r, err)
		return
	}
	redirect(w, r, back)
}
