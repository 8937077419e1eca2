package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"faxgate/internal/model"
)

// Event is something that happened to a tenant's fax or campaign.
type Event struct {
	Type string // one of model.WebhookEventTypes
	// Data is the event's "data" object, marshalled with encoding/json (nil
	// = {}). Keep it small: ids and the fields receivers act on.
	Data any
	// At is when it happened (the payload's "timestamp"); zero = now.
	At time.Time
}

// WebhookTarget is an extra destination of one publish, beside the
// tenant's endpoints: e.g. the webhook URL configured on the DID a fax
// arrived on. Its URL is checked again by the SSRF guard at delivery.
type WebhookTarget struct {
	URL    string
	Secret string // "whsec_..." signing secret (see NewWebhookSecret)
}

// Published tells what a publish enqueued.
type Published struct {
	MessageID   string   // the webhook-id of every delivery of the event
	DeliveryIDs []string // one per target; empty when no endpoint wanted the event
}

// payload is the Standard Webhooks body.
type payload struct {
	Type      string `json:"type"`
	Timestamp string `json:"timestamp"`
	Data      any    `json:"data"`
}

// WebhookDeliveryArgs is the River job of one delivery attempt cycle.
type WebhookDeliveryArgs struct {
	DeliveryID string `json:"delivery_id"`
	// Manual marks a redelivery asked for by a person: one attempt, no
	// automatic retries.
	Manual bool `json:"manual,omitempty"`
}

// KindWebhookDelivery is the job kind of webhook deliveries.
const KindWebhookDelivery = "webhook_delivery"

// Kind implements river.JobArgs.
func (WebhookDeliveryArgs) Kind() string { return KindWebhookDelivery }

// Publish records and enqueues ev for tenantID's subscribed, enabled
// endpoints and the extra targets, in a transaction of its own.
func (w *Webhooks) Publish(ctx context.Context, tenantID string, ev Event, extra ...WebhookTarget) (Published, error) {
	tx, err := w.st.DB().BeginTx(ctx, nil)
	if err != nil {
		return Published{}, fmt.Errorf("notify: publish: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	p, err := w.PublishTx(ctx, tx, tenantID, ev, extra...)
	if err != nil {
		return Published{}, err
	}
	if err := tx.Commit(); err != nil {
		return Published{}, fmt.Errorf("notify: publish: %w", err)
	}
	return p, nil
}

// PublishTx records and enqueues ev inside tx, a transaction on the
// store's DB(): the deliveries and their jobs exist exactly when tx
// commits, together with the change that caused the event. Only tx is used
// (on SQLite DB() has a single connection: do not call other store methods
// while tx is open). Extra targets with an unusable URL or secret are
// skipped and logged rather than failing the caller's transaction; an
// extra target whose URL is also one of the endpoints' is sent once, by
// the endpoint.
func (w *Webhooks) PublishTx(ctx context.Context, tx *sql.Tx, tenantID string, ev Event, extra ...WebhookTarget) (Published, error) {
	if tenantID == "" {
		return Published{}, errors.New("notify: publish needs a tenant")
	}
	if !model.ValidWebhookEvent(ev.Type) {
		return Published{}, fmt.Errorf("notify: unknown event type %q", ev.Type)
	}
	body, err := w.payload(ev)
	if err != nil {
		return Published{}, err
	}
	endpoints, err := w.st.EnabledWebhookEndpointsTx(ctx, tx, tenantID)
	if err != nil {
		return Published{}, fmt.Errorf("notify: publish: %w", err)
	}
	p := Published{MessageID: model.NewID(model.PrefixWebhookMessage)}
	seen := map[string]bool{}
	for _, e := range endpoints {
		if !e.Subscribed(ev.Type) {
			continue
		}
		seen[e.URL] = true
		if err := w.enqueue(ctx, tx, &p, tenantID, e.ID, e.URL, "", ev.Type, body); err != nil {
			return Published{}, err
		}
	}
	for _, t := range w.usableTargets(tenantID, ev.Type, extra) {
		if seen[t.URL] {
			continue
		}
		seen[t.URL] = true
		if err := w.enqueue(ctx, tx, &p, tenantID, "", t.URL, t.Secret, ev.Type, body); err != nil {
			return Published{}, err
		}
	}
	return p, nil
}

// payload builds the JSON body of ev.
func (w *Webhooks) payload(ev Event) ([]byte, error) {
	at := ev.At
	if at.IsZero() {
		at = w.cfg.Now()
	}
	data := ev.Data
	if data == nil {
		data = struct{}{}
	}
	body, err := json.Marshal(payload{Type: ev.Type, Timestamp: at.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano), Data: data})
	if err != nil {
		return nil, fmt.Errorf("notify: %s payload: %w", ev.Type, err)
	}
	if len(body) > MaxWebhookPayload {
		return nil, fmt.Errorf("notify: %s payload is %d bytes, more than %d", ev.Type, len(body), MaxWebhookPayload)
	}
	return body, nil
}

// usableTargets drops (and logs) extra targets with a bad URL or secret,
// normalising the URLs of the others.
func (w *Webhooks) usableTargets(tenantID, eventType string, extra []WebhookTarget) []WebhookTarget {
	var out []WebhookTarget
	for _, t := range extra {
		u, err := parseWebhookURL(t.URL, w.cfg.AllowInsecureHTTP)
		if err == nil {
			err = CheckWebhookSecret(t.Secret)
		}
		if err != nil {
			w.cfg.Logger.Warn("webhook target skipped", "tenant", tenantID, "event", eventType, "url", redact(t.URL), "err", err)
			continue
		}
		out = append(out, WebhookTarget{URL: u.String(), Secret: t.Secret})
	}
	return out
}

// enqueue writes one delivery and its job inside tx.
func (w *Webhooks) enqueue(ctx context.Context, tx *sql.Tx, p *Published, tenantID, endpointID, url, secret, eventType string, body []byte) error {
	now := w.cfg.Now().UTC()
	d := model.WebhookDelivery{TenantID: tenantID, EndpointID: endpointID, URL: url, MessageID: p.MessageID,
		EventType: eventType, Payload: body, Status: model.WebhookPending, NextAttemptAt: now, CreatedAt: now}
	if err := w.st.CreateWebhookDeliveryTx(ctx, tx, &d, secret); err != nil {
		return fmt.Errorf("notify: record delivery: %w", err)
	}
	if err := w.jobs.InsertTx(ctx, tx, WebhookDeliveryArgs{DeliveryID: d.ID}, w.insertOpts()); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	p.DeliveryIDs = append(p.DeliveryIDs, d.ID)
	return nil
}

// insertOpts places delivery jobs on the webhook queue. MaxAttempts only
// bounds unexpected errors (the database away): failed HTTP attempts
// snooze the job instead and never count.
func (w *Webhooks) insertOpts() *river.InsertOpts {
	return &river.InsertOpts{Queue: w.cfg.Queue, MaxAttempts: 10}
}
