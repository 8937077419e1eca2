package ui

import (
	"net/http"

	"faxgate/internal/store"
)

// webhookListData is the data of the endpoint list.
type webhookListData struct {
	Rows  []webhookView
	Pager pager
}

// webhookList is Configuration > Webhooks: the tenant's endpoints, newest
// first, with their health.
func (h *Handler) webhookList(w http.ResponseWriter, r *http.Request) {
	es, next, err := h.hooks.List(r.Context(), actorOf(r), store.WebhookEndpointFilter{}, listOptions(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := webhookListData{Pager: newPager(r, next)}
	for _, e := range es {
		d.Rows = append(d.Rows, webhookView{e})
	}
	v := h.newView(w, r, "Webhooks", "webhooks")
	v.Data = d
	h.render(w, r, http.StatusOK, "webhooks", v)
}
