package api

import (
	"net/http"
	"strings"
	"time"

	"faxgate/internal/httpx"
	"faxgate/internal/model"
	"faxgate/internal/notify"
	"faxgate/internal/store"
)

// WebhookEndpoint is a tenant's webhook receiver. Its signing secret is
// never part of it: it is shown once, in WebhookEndpointCreated.
type WebhookEndpoint struct {
	ID             string     `json:"id" api:"required,readonly"`
	TenantID       string     `json:"tenant_id" api:"required,readonly"`
	URL            string     `json:"url" api:"required"`
	Events         []string   `json:"events" api:"required" doc:"Subscribed event types, or [\"*\"] for all."`
	Description    string     `json:"description" api:"required"`
	Enabled        bool       `json:"enabled" api:"required"`
	DisabledReason string     `json:"disabled_reason" api:"required,readonly" doc:"Why faxgate disabled it by itself (410 Gone, failing for days)."`
	FailingSince   *time.Time `json:"failing_since" api:"required,readonly"`
	LastSuccessAt  *time.Time `json:"last_success_at" api:"required,readonly"`
	LastFailureAt  *time.Time `json:"last_failure_at" api:"required,readonly"`
	CreatedAt      time.Time  `json:"created_at" api:"required,readonly"`
	UpdatedAt      time.Time  `json:"updated_at" api:"required,readonly"`
}

// WebhookEndpointCreated answers the creation of an endpoint and the
// rotation of its secret: the endpoint with its signing secret, which is
// shown here only, never again (rotate it when it is lost).
type WebhookEndpointCreated struct {
	ID          string    `json:"id" api:"required,readonly"`
	TenantID    string    `json:"tenant_id" api:"required,readonly"`
	URL         string    `json:"url" api:"required"`
	Events      []string  `json:"events" api:"required"`
	Description string    `json:"description" api:"required"`
	Enabled     bool      `json:"enabled" api:"required"`
	Secret      string    `json:"secret" api:"required,readonly" doc:"Signing secret (whsec_...): shown only in this answer."`
	CreatedAt   time.Time `json:"created_at" api:"required,readonly"`
	UpdatedAt   time.Time `json:"updated_at" api:"required,readonly"`
}

// WebhookEndpointInput creates an endpoint (POST) or changes it (PATCH:
// absent fields keep their value).
type WebhookEndpointInput struct {
	URL         *string   `json:"url,omitempty" doc:"https URL of the receiver (required on POST)."`
	Events      *[]string `json:"events,omitempty" doc:"Event types, or [\"*\"] for all (required on POST)."`
	Description *string   `json:"description,omitempty"`
	Enabled     *bool     `json:"enabled,omitempty" doc:"Default true."`
	Secret      string    `json:"secret,omitempty" api:"writeonly" doc:"POST only: an own whsec_ secret (24 to 64 bytes); default: generated."`
	TenantID    string    `json:"tenant_id,omitempty" doc:"POST, admins: the tenant of the endpoint."`
}

// WebhookSecretRotation replaces an endpoint's secret.
type WebhookSecretRotation struct {
	Secret       string `json:"secret,omitempty" api:"writeonly" doc:"An own whsec_ secret; default: generated."`
	KeepPrevious bool   `json:"keep_previous,omitempty" doc:"The old secret keeps signing (second signature) for 24 h."`
}

// WebhookEndpointList is a page of endpoints.
type WebhookEndpointList struct {
	Items      []WebhookEndpoint `json:"items" api:"required"`
	NextCursor string            `json:"next_cursor" api:"required"`
}

// WebhookAttempt is one POST of a delivery.
type WebhookAttempt struct {
	N            int       `json:"n" api:"required,readonly"`
	At           time.Time `json:"at" api:"required,readonly"`
	StatusCode   int       `json:"status_code" api:"required,readonly" doc:"0 when no response arrived."`
	DurationMS   int64     `json:"duration_ms" api:"required,readonly"`
	ResponseBody string    `json:"response_body" api:"required,readonly" doc:"At most 1 KiB of the answer."`
	Error        string    `json:"error" api:"required,readonly"`
}

// WebhookDelivery is one event on its way to one URL.
type WebhookDelivery struct {
	ID             string           `json:"id" api:"required,readonly"`
	TenantID       string           `json:"tenant_id" api:"required,readonly"`
	EndpointID     string           `json:"endpoint_id" api:"required,readonly" doc:"Empty for a DID's webhook URL."`
	URL            string           `json:"url" api:"required,readonly"`
	MessageID      string           `json:"message_id" api:"required,readonly" doc:"The webhook-id header."`
	EventType      string           `json:"event_type" api:"required,readonly"`
	Status         string           `json:"status" api:"required,readonly" enum:"pending,retrying,succeeded,failed"`
	Attempts       int              `json:"attempts" api:"required,readonly"`
	NextAttemptAt  *time.Time       `json:"next_attempt_at" api:"required,readonly"`
	LastAttemptAt  *time.Time       `json:"last_attempt_at" api:"required,readonly"`
	LastStatusCode int              `json:"last_status_code" api:"required,readonly"`
	LastError      string           `json:"last_error" api:"required,readonly"`
	CreatedAt      time.Time        `json:"created_at" api:"required,readonly"`
	Payload        string           `json:"payload,omitempty" api:"readonly" doc:"GET of one delivery: the exact JSON body signed."`
	AttemptLog     []WebhookAttempt `json:"attempt_log,omitempty" api:"readonly" doc:"GET of one delivery: every attempt, first first."`
}

// WebhookDeliveryList is a page of the delivery log.
type WebhookDeliveryList struct {
	Items      []WebhookDelivery `json:"items" api:"required"`
	NextCursor string            `json:"next_cursor" api:"required"`
}

func webhookDTO(e model.WebhookEndpoint) WebhookEndpoint {
	return WebhookEndpoint{ID: e.ID, TenantID: e.TenantID, URL: e.URL, Events: nonNil(e.Events),
		Description: e.Description, Enabled: e.Enabled, DisabledReason: e.DisabledReason,
		FailingSince: optTime(e.FailingSince), LastSuccessAt: optTime(e.LastSuccessAt),
		LastFailureAt: optTime(e.LastFailureAt), CreatedAt: utc(e.CreatedAt), UpdatedAt: utc(e.UpdatedAt)}
}

func webhookCreatedDTO(e model.WebhookEndpoint) WebhookEndpointCreated {
	return WebhookEndpointCreated{ID: e.ID, TenantID: e.TenantID, URL: e.URL, Events: nonNil(e.Events),
		Description: e.Description, Enabled: e.Enabled, Secret: e.Secret, CreatedAt: utc(e.CreatedAt),
		UpdatedAt: utc(e.UpdatedAt)}
}

func deliveryDTO(d model.WebhookDelivery) WebhookDelivery {
	return WebhookDelivery{ID: d.ID, TenantID: d.TenantID, EndpointID: d.EndpointID, URL: d.URL,
		MessageID: d.MessageID, EventType: d.EventType, Status: string(d.Status), Attempts: d.Attempts,
		NextAttemptAt: optTime(d.NextAttemptAt), LastAttemptAt: optTime(d.LastAttemptAt),
		LastStatusCode: d.LastStatusCode, LastError: d.LastError, CreatedAt: utc(d.CreatedAt),
		AttemptLog: mapSlice(d.AttemptLog, func(a model.WebhookAttempt) WebhookAttempt {
			return WebhookAttempt{N: a.N, At: utc(a.At), StatusCode: a.StatusCode,
				DurationMS: a.Duration.Milliseconds(), ResponseBody: a.ResponseBody, Error: a.Error}
		})}
}

func (a *API) listWebhooks(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	q, err := newQuery(r, "enabled", "tenant_id", "q", "limit", "cursor")
	if err != nil {
		return err
	}
	f := store.WebhookEndpointFilter{Query: strings.TrimSpace(q.get("q"))}
	if len(f.Query) > 200 {
		return model.Invalid("q", "at most 200 characters")
	}
	if f.TenantID, err = q.tenantID(actor); err != nil {
		return err
	}
	if f.Enabled, err = boolParam(q, "enabled"); err != nil {
		return err
	}
	o, err := q.page()
	if err != nil {
		return err
	}
	items, next, err := a.d.Webhooks.List(r.Context(), actor, f, o)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, WebhookEndpointList{Items: nonNil(mapSlice(items, webhookDTO)), NextCursor: next})
	return nil
}

// boolParam reads an optional true/false query parameter.
func boolParam(q query, name string) (*bool, error) {
	switch q.get(name) {
	case "":
		return nil, nil
	case "true":
		v := true
		return &v, nil
	case "false":
		v := false
		return &v, nil
	}
	return nil, &httpx.BadRequestError{Field: name, Message: name + " must be true or false"}
}

func (a *API) createWebhook(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	var in WebhookEndpointInput
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	wi := notify.WebhookInput{TenantID: in.TenantID, Enabled: in.Enabled, Secret: in.Secret}
	if in.URL != nil {
		wi.URL = *in.URL
	}
	if in.Events != nil {
		wi.Events = *in.Events
	}
	if in.Description != nil {
		wi.Description = *in.Description
	}
	e, err := a.d.Webhooks.Create(r.Context(), actor, wi)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/webhooks/"+e.ID)
	httpx.WriteJSON(w, http.StatusCreated, webhookCreatedDTO(e))
	return nil
}

func (a *API) getWebhook(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	e, err := a.d.Webhooks.Get(r.Context(), actor, pathID(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, webhookDTO(e))
	return nil
}

func (a *API) patchWebhook(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	var in WebhookEndpointInput
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	v := &model.ValidationError{}
	if in.Secret != "" {
		v.Add("secret", "cannot be changed here: use POST /webhooks/{id}/rotate-secret")
	}
	if in.TenantID != "" {
		v.Add("tenant_id", "cannot be changed")
	}
	if err := v.OrNil(); err != nil {
		return err
	}
	e, err := a.d.Webhooks.Update(r.Context(), actor, pathID(r), notify.WebhookPatch{URL: in.URL, Events: in.Events,
		Description: in.Description, Enabled: in.Enabled})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, webhookDTO(e))
	return nil
}

func (a *API) deleteWebhook(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	if err := a.d.Webhooks.Delete(r.Context(), actor, pathID(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) rotateWebhookSecret(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	var in WebhookSecretRotation
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	e, err := a.d.Webhooks.RotateSecret(r.Context(), actor, pathID(r),
		notify.WebhookRotation{Secret: in.Secret, KeepPrevious: in.KeepPrevious})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, webhookCreatedDTO(e))
	return nil
}

func (a *API) testWebhook(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	d, err := a.d.Webhooks.SendTest(r.Context(), actor, pathID(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusAccepted, deliveryDTO(d))
	return nil
}

func (a *API) listWebhookDeliveries(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	q, err := newQuery(r, "endpoint_id", "event_type", "status", "tenant_id", "limit", "cursor")
	if err != nil {
		return err
	}
	f := store.WebhookDeliveryFilter{EndpointID: q.get("endpoint_id"), EventType: q.get("event_type"),
		Status: model.WebhookDeliveryStatus(q.get("status"))}
	if f.TenantID, err = q.tenantID(actor); err != nil {
		return err
	}
	if f.EndpointID != "" {
		// Another tenant's endpoint answers 404, not an empty page.
		if _, err := a.d.Webhooks.Get(r.Context(), actor, f.EndpointID); err != nil {
			return err
		}
	}
	o, err := q.page()
	if err != nil {
		return err
	}
	items, next, err := a.d.Webhooks.ListDeliveries(r.Context(), actor, f, o)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, WebhookDeliveryList{Items: nonNil(mapSlice(items, deliveryDTO)), NextCursor: next})
	return nil
}

func (a *API) getWebhookDelivery(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	d, err := a.d.Webhooks.GetDelivery(r.Context(), actor, pathID(r))
	if err != nil {
		return err
	}
	out := deliveryDTO(d)
	out.Payload = string(d.Payload)
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) redeliverWebhook(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	d, err := a.d.Webhooks.Redeliver(r.Context(), actor, pathID(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusAccepted, deliveryDTO(d))
	return nil
}
