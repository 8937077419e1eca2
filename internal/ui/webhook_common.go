package ui

import (
	"net/http"
	"strconv"
	"strings"

	"faxgate/internal/model"
)

// The webhook pages (Configuration > Webhooks) are for tenant admins: they
// register the HTTPS endpoints that receive their tenant's signed events
// and follow the delivery log. Platform admins use the API for any tenant.

// webhookPath is the base path of the pages; deliveryPath that of single
// deliveries (a path of its own: "/settings/webhooks/deliveries/{id}"
// would collide with "/settings/webhooks/{id}/edit" in the mux).
const (
	webhookPath  = "/settings/webhooks"
	deliveryPath = "/settings/webhook-deliveries"
)

// webhookTextFields are the single-valued inputs of the webhook form;
// "events" is multi-valued and kept comma-joined.
var webhookTextFields = []string{"url", "description", "enabled"}

// webhookView is an endpoint as the pages show it.
type webhookView struct{ model.WebhookEndpoint }

// Path is the endpoint's page address.
func (e webhookView) Path() string { return webhookPath + "/" + e.ID }

// EventsLabel lists the subscribed events for people.
func (e webhookView) EventsLabel() string {
	if e.Subscribed(model.WebhookAllEvents) && len(e.Events) == 1 && e.Events[0] == model.WebhookAllEvents {
		return "All events"
	}
	return strings.Join(e.Events, ", ")
}

// deliveryView is a delivery as the log shows it.
type deliveryView struct{ model.WebhookDelivery }

// Path is the delivery's page address.
func (d deliveryView) Path() string { return deliveryPath + "/" + d.ID }

// BadgeClass colours the status.
func (d deliveryView) BadgeClass() string {
	switch d.Status {
	case model.WebhookSucceeded:
		return "badge-ok"
	case model.WebhookFailed:
		return "badge-failed"
	}
	return "badge-processing"
}

// Code is the HTTP status of the last attempt, or a dash when no answer came.
func (d deliveryView) Code() string {
	if d.LastStatusCode == 0 {
		return "—"
	}
	return strconv.Itoa(d.LastStatusCode)
}

// webhookFormData is the data of the add/edit page.
type webhookFormData struct {
	Endpoint webhookView // zero when adding
	Editing  bool
	Events   []checkOption
}

// webhookSecretData shows a signing secret, once.
type webhookSecretData struct {
	Endpoint webhookView
	Secret   string
	Rotated  bool
}

// loadWebhook reads the {id} endpoint the actor may see; it answers 404
// itself (other tenants' endpoints too) and returns false then.
func (h *Handler) loadWebhook(w http.ResponseWriter, r *http.Request) (model.WebhookEndpoint, bool) {
	e, err := h.hooks.Get(r.Context(), actorOf(r), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return model.WebhookEndpoint{}, false
	}
	return e, true
}

// webhookFormFrom reads the posted form.
func webhookFormFrom(r *http.Request) *form {
	f := formFrom(r, webhookTextFields...)
	f.Set("events", strings.Join(r.PostForm["events"], ","))
	return f
}

// webhookForm is the form filled with an endpoint.
func webhookForm(e model.WebhookEndpoint) *form {
	f := newForm()
	f.Set("url", e.URL)
	f.Set("description", e.Description)
	f.Set("events", strings.Join(e.Events, ","))
	if e.Enabled {
		f.Set("enabled", "on")
	}
	return f
}

// formEvents are the ticked event types.
func formEvents(f *form) []string {
	if f.Get("events") == "" {
		return []string{}
	}
	return strings.Split(f.Get("events"), ",")
}

// renderWebhookForm shows the add or edit page.
func (h *Handler) renderWebhookForm(w http.ResponseWriter, r *http.Request, status int, f *form, e model.WebhookEndpoint) {
	ticked := map[string]bool{}
	for _, ev := range formEvents(f) {
		ticked[ev] = true
	}
	d := webhookFormData{Endpoint: webhookView{e}, Editing: e.ID != ""}
	d.Events = append(d.Events, checkOption{Value: model.WebhookAllEvents, Label: "All events, including future ones",
		Checked: ticked[model.WebhookAllEvents]})
	for _, ev := range h.hooks.EventTypes() {
		d.Events = append(d.Events, checkOption{Value: ev, Label: ev, Checked: ticked[ev]})
	}
	title := "Add webhook"
	if d.Editing {
		title = "Edit webhook"
	}
	v := h.newView(w, r, title, "webhooks")
	v.Form, v.Data = f, d
	h.render(w, r, status, "webhook_form", v)
}

// webhookFormFailed shows the form again with the service's field errors.
func (h *Handler) webhookFormFailed(w http.ResponseWriter, r *http.Request, f *form, e model.WebhookEndpoint, err error) {
	if !f.absorb(err) {
		h.fail(w, r, err)
		return
	}
	h.renderWebhookForm(w, r, statusFor(err), f, e)
}

// renderWebhookSecret shows a new signing secret, on the page answering the
// POST that made it (never stored, never passed through a redirect).
func (h *Handler) renderWebhookSecret(w http.ResponseWriter, r *http.Request, e model.WebhookEndpoint, rotated bool) {
	v := h.newView(w, r, "Webhook signing secret", "webhooks")
	v.Data = webhookSecretData{Endpoint: webhookView{e}, Secret: e.Secret, Rotated: rotated}
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, http.StatusOK, "webhook_secret", v)
}
