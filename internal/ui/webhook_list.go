package ui

import (
	"net/http"
	"strings"

	"faxgate/internal/store"
)

// webhookListData is the data of the endpoint list.
type webhookListData struct {
	Rows     []webhookView
	Pager    pager
	Filter   *form
	Filtered bool
}

// webhookList is Configuration > Webhooks: the tenant's endpoints, newest
// (or oldest) first, with their health; search by URL or description.
func (h *Handler) webhookList(w http.ResponseWriter, r *http.Request) {
	f := newForm()
	wf := store.WebhookEndpointFilter{Query: strings.TrimSpace(r.URL.Query().Get("q"))}
	if len(wf.Query) > 200 {
		wf.Query = wf.Query[:200]
	}
	f.Set("q", wf.Query)
	es, next, err := h.hooks.List(r.Context(), actorOf(r), wf, listOptions(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := webhookListData{Pager: newPager(r, next), Filter: f, Filtered: wf.Query != ""}
	for _, e := range es {
		d.Rows = append(d.Rows, webhookView{e})
	}
	v := h.newView(w, r, "Webhooks", "webhooks")
	v.Data = d
	h.render(w, r, http.StatusOK, "webhooks", v)
}
