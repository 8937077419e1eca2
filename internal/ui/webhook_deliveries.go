package ui

import (
	"net/http"

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
}

// webhookDeliveries is an endpoint's delivery log, newest first: event,
// status, attempts, the last response code and error, and redelivery.
func (h *Handler) webhookDeliveries(w http.ResponseWriter, r *http.Request) {
	e, ok := h.loadWebhook(w, r)
	if !ok {
		return
	}
	ds, next, err := h.hooks.ListDeliveries(r.Context(), actorOf(r), store.WebhookDeliveryFilter{EndpointID: e.ID},
		listOptions(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := webhookDeliveriesData{Endpoint: webhookView{e}, Pager: newPager(r, next), Self: r.URL.RequestURI()}
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
