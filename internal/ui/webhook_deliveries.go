package ui

import (
	"net/http"
	"slices"
	"strings"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// webhookDeliveriesData is the data of an endpoint's delivery log.
type webhookDeliveriesData struct {
	Endpoint webhookView
	Rows     []deliveryView
	Pager    pager
	Live     bool   // some delivery is not final: the table refreshes itself
	Self     string // the page's address, for the refresh
	Filter   *form
	Statuses []option
	Events   []option
	Filtered bool
}

// webhookDeliveries is an endpoint's delivery log, newest (or oldest)
// first: event, status, attempts, the last response code and error, and
// redelivery; filtered by status, event and message id (the webhook-id
// header a receiver logged).
func (h *Handler) webhookDeliveries(w http.ResponseWriter, r *http.Request) {
	e, ok := h.loadWebhook(w, r)
	if !ok {
		return
	}
	q, f := r.URL.Query(), newForm()
	df := store.WebhookDeliveryFilter{EndpointID: e.ID}
	if st := model.WebhookDeliveryStatus(q.Get("status")); st.Valid() {
		df.Status = st
		f.Set("status", string(st))
	}
	events := []option{{"", "Every event"}, {"webhook.test", "webhook.test"}}
	for _, t := range model.WebhookEventTypes() {
		events = append(events, option{t, t})
	}
	if ev := q.Get("event_type"); slices.ContainsFunc(events[1:], func(o option) bool { return o.Value == ev }) {
		df.EventType = ev
		f.Set("event_type", ev)
	}
	if id := strings.TrimSpace(q.Get("q")); id != "" && len(id) <= 100 {
		df.MessageID = id
		f.Set("q", id)
	}
	ds, next, err := h.hooks.ListDeliveries(r.Context(), actorOf(r), df, listOptions(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := webhookDeliveriesData{Endpoint: webhookView{e}, Pager: newPager(r, next), Self: r.URL.RequestURI(),
		Filter: f, Events: events, Filtered: df.Status != "" || df.EventType != "" || df.MessageID != "",
		Statuses: []option{{"", "Any status"}, {string(model.WebhookPending), "Pending"},
			{string(model.WebhookRetrying), "Retrying"}, {string(model.WebhookSucceeded), "Succeeded"},
			{string(model.WebhookFailed), "Failed"}}}
	for _, x := range ds {
		d.Rows = append(d.Rows, deliveryView{x})
		d.Live = d.Live || !x.Status.Final()
	}
	v := h.newView(w, r, "Webhook deliveries", "webhooks")
	v.Data = d
	h.render(w, r, http.StatusOK, "webhook_deliveries", v)
}

// webhookDeliveryData is the data of one delivery's page.
type webhookDeliveryData struct {
	Delivery deliveryView
	Back     string
	Payload  string
}

// webhookDeliveryShow shows one delivery: every attempt with its response,
// and the exact payload that was signed.
func (h *Handler) webhookDeliveryShow(w http.ResponseWriter, r *http.Request) {
	del, ok := h.loadDelivery(w, r)
	if !ok {
		return
	}
	d := webhookDeliveryData{Delivery: deliveryView{del}, Back: webhookPath, Payload: string(del.Payload)}
	if del.EndpointID != "" {
		d.Back = webhookPath + "/" + del.EndpointID + "/deliveries"
	}
	v := h.newView(w, r, "Webhook delivery", "webhooks")
	v.Data = d
	h.render(w, r, http.StatusOK, "webhook_delivery", v)
}

// loadDelivery reads the {id} delivery the actor may see, answering 404
// itself.
func (h *Handler) loadDelivery(w http.ResponseWriter, r *http.Request) (model.WebhookDelivery, bool) {
	d, err := h.hooks.GetDelivery(r.Context(), actorOf(r), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return model.WebhookDelivery{}, false
	}
	return d, true
}
