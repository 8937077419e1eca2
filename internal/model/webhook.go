package model

import (
	"slices"
	"time"
)

// Id prefixes of webhook objects. A message id ("msg_...") names one
// published event; it is the webhook-id header of every delivery of that
// event, the same on every retry, so receivers can deduplicate.
const (
	PrefixWebhook         = "whk"
	PrefixWebhookDelivery = "whd"
	PrefixWebhookMessage  = "msg"
)

// Webhook event types. Endpoints subscribe to some of them, or to
// WebhookAllEvents.
const (
	EventFaxQueued         = "fax.queued"
	EventFaxRetrying       = "fax.retrying"
	EventFaxDelivered      = "fax.delivered"
	EventFaxFailed         = "fax.failed"
	EventFaxCanceled       = "fax.canceled"
	EventFaxReceived       = "fax.received"
	EventFaxReceiveFailed  = "fax.receive_failed"
	EventCampaignStarted   = "campaign.started"
	EventCampaignCompleted = "campaign.completed"
	// EventWebhookTest is sent only by "send test event" to one endpoint,
	// whatever it subscribed to; it cannot be subscribed to.
	EventWebhookTest = "webhook.test"
	// WebhookAllEvents subscribes an endpoint to every event type, including
	// those added in later versions.
	WebhookAllEvents = "*"
)

// WebhookEventTypes lists the event types endpoints can subscribe to, in
// display order (a new slice on every call).
func WebhookEventTypes() []string {
	return []string{EventFaxQueued, EventFaxRetrying, EventFaxDelivered, EventFaxFailed, EventFaxCanceled,
		EventFaxReceived, EventFaxReceiveFailed, EventCampaignStarted, EventCampaignCompleted}
}

// ValidWebhookEvent reports whether t is an event type endpoints can
// subscribe to (WebhookAllEvents excluded).
func ValidWebhookEvent(t string) bool { return slices.Contains(WebhookEventTypes(), t) }

// Audit actions of webhook endpoints.
const (
	ActionWebhookCreated       = "webhook.created"
	ActionWebhookUpdated       = "webhook.updated"
	ActionWebhookDeleted       = "webhook.deleted"
	ActionWebhookSecretRotated = "webhook.secret_rotated"
	ActionWebhookSecretViewed  = "webhook.secret_viewed"
	ActionWebhookAutoDisabled  = "webhook.auto_disabled"
	ActionWebhookRedelivered   = "webhook.redelivered"
)

// WebhookEndpoint is a tenant's HTTP receiver of signed event
// notifications (Standard Webhooks).
type WebhookEndpoint struct {
	ID       string
	TenantID string
	URL      string
	// Events are the subscribed event types, sorted, or just
	// [WebhookAllEvents].
	Events []string
	// Secret is the signing secret, "whsec_" + base64 of 24 to 64 random
	// bytes. Services fill it only where the secret is meant to be shown
	// (create, rotate, reveal); lists and gets leave it "".
	Secret string
	// PreviousSecret still signs deliveries (as a second signature) until
	// PreviousSecretExpiresAt, so receivers can switch secrets without
	// losing messages. Never shown.
	PreviousSecret          string
	PreviousSecretExpiresAt time.Time
	Enabled                 bool
	Description             string
	// DisabledReason says why faxgate disabled the endpoint by itself
	// (receiver answered 410 Gone, failing for days); "" otherwise. It is
	// cleared when the endpoint is enabled again.
	DisabledReason string
	// FailingSince is the time of the first failed attempt since the last
	// success; zero while the endpoint is healthy.
	FailingSince  time.Time
	LastSuccessAt time.Time
	LastFailureAt time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Subscribed reports whether the endpoint wants events of type t.
func (e WebhookEndpoint) Subscribed(t string) bool {
	return slices.Contains(e.Events, WebhookAllEvents) || slices.Contains(e.Events, t)
}

// WebhookDeliveryStatus is where a delivery is: pending (not tried yet),
// retrying (failed at least once, another attempt is scheduled), then
// succeeded or failed (gave up).
type WebhookDeliveryStatus string

const (
	WebhookPending   WebhookDeliveryStatus = "pending"
	WebhookRetrying  WebhookDeliveryStatus = "retrying"
	WebhookSucceeded WebhookDeliveryStatus = "succeeded"
	WebhookFailed    WebhookDeliveryStatus = "failed"
)

// Valid reports whether s is a known status.
func (s WebhookDeliveryStatus) Valid() bool {
	return s == WebhookPending || s == WebhookRetrying || s == WebhookSucceeded || s == WebhookFailed
}

// Final reports whether no further automatic attempt will be made.
func (s WebhookDeliveryStatus) Final() bool { return s == WebhookSucceeded || s == WebhookFailed }

// WebhookDelivery is one event (message) on its way to one URL: the
// tenant's endpoint EndpointID, or an extra target given at publish time
// (a DID's webhook URL; EndpointID "").
type WebhookDelivery struct {
	ID         string
	TenantID   string
	EndpointID string // "" for extra targets
	URL        string // where the last attempt went (the endpoint's URL at that time)
	MessageID  string // webhook-id header; the same for every endpoint and attempt of one event
	EventType  string
	// Payload is the exact JSON body sent (and signed) on every attempt.
	Payload        []byte
	Status         WebhookDeliveryStatus
	Attempts       int
	NextAttemptAt  time.Time // when the next automatic attempt is due; zero when final
	LastAttemptAt  time.Time
	LastStatusCode int    // HTTP status of the last attempt; 0 when no response
	LastError      string // why the last attempt failed; "" after a success
	CreatedAt      time.Time
	UpdatedAt      time.Time
	// AttemptLog lists the attempts, first first. Only GetDelivery fills it.
	AttemptLog []WebhookAttempt
}

// WebhookAttempt is one HTTP POST of a delivery, for the delivery log.
type WebhookAttempt struct {
	N            int // 1 for the first attempt
	At           time.Time
	StatusCode   int // 0 when no response arrived
	Duration     time.Duration
	ResponseBody string // at most 1 KiB of the response body
	Error        string // "" when the receiver answered 2xx
}

// OK reports whether the receiver accepted the attempt (2xx).
func (a WebhookAttempt) OK() bool { return a.StatusCode >= 200 && a.StatusCode <= 299 && a.Error == "" }
