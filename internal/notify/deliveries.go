package notify

import (
	"context"
	"errors"
	"fmt"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// ListDeliveries returns one page of the delivery log, newest first:
// f.EndpointID gives one endpoint's log. Same visibility as endpoints.
// Attempt logs are not included (GetDelivery has them).
func (w *Webhooks) ListDeliveries(ctx context.Context, actor model.Actor, f store.WebhookDeliveryFilter, o model.ListOptions) ([]model.WebhookDelivery, string, error) {
	sc, err := scope(actor)
	if err != nil {
		return nil, "", err
	}
	if f.Status != "" && !f.Status.Valid() {
		return nil, "", model.Invalid("status", "must be pending, retrying, succeeded or failed")
	}
	return w.st.ListWebhookDeliveries(ctx, sc, f, o)
}

// GetDelivery returns one delivery with its attempt log.
func (w *Webhooks) GetDelivery(ctx context.Context, actor model.Actor, id string) (model.WebhookDelivery, error) {
	sc, err := scope(actor)
	if err != nil {
		return model.WebhookDelivery{}, err
	}
	if !model.ValidID(model.PrefixWebhookDelivery, id) {
		return model.WebhookDelivery{}, model.ErrNotFound
	}
	return w.st.GetWebhookDelivery(ctx, sc, id)
}

// Redeliver attempts a final (succeeded or failed) delivery once more, now,
// with the same webhook-id and payload; no automatic retries follow. A
// delivery still being retried is a conflict; a disabled endpoint must be
// enabled first.
func (w *Webhooks) Redeliver(ctx context.Context, actor model.Actor, id string) (model.WebhookDelivery, error) {
	d, err := w.GetDelivery(ctx, actor, id)
	if err != nil {
		return model.WebhookDelivery{}, err
	}
	if !d.Status.Final() {
		return model.WebhookDelivery{}, fmt.Errorf("%w: the delivery is still being retried", model.ErrConflict)
	}
	if d.EndpointID != "" {
		e, err := w.st.GetWebhookEndpoint(ctx, model.TenantScope(d.TenantID), d.EndpointID)
		if err != nil {
			return model.WebhookDelivery{}, err
		}
		if !e.Enabled {
			return model.WebhookDelivery{}, model.Invalid("endpoint", "the endpoint is disabled; enable it first")
		}
	}
	if err := w.requeue(ctx, d); err != nil {
		return model.WebhookDelivery{}, err
	}
	if w.audit != nil {
		w.audit.Record(ctx, actor, model.ActionWebhookRedelivered, "webhook_delivery", d.ID,
			d.EventType+" to "+redact(d.URL), d.TenantID)
	}
	return w.st.GetWebhookDelivery(ctx, model.TenantScope(d.TenantID), d.ID)
}

func (w *Webhooks) requeue(ctx context.Context, d model.WebhookDelivery) error {
	tx, err := w.st.DB().BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("notify: redeliver: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := w.st.RequeueWebhookDeliveryTx(ctx, tx, model.TenantScope(d.TenantID), d.ID, w.cfg.Now()); err != nil {
		var ce *model.ConflictError
		if errors.As(err, &ce) {
			return fmt.Errorf("%w: the delivery is still being retried", model.ErrConflict)
		}
		return err
	}
	if err := w.jobs.InsertTx(ctx, tx, WebhookDeliveryArgs{DeliveryID: d.ID, Manual: true}, w.insertOpts()); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("notify: redeliver: %w", err)
	}
	return nil
}

// actionWebhookTestSent is the audit action of SendTest (a user action,
// shown in System Activities like the other webhook actions).
const actionWebhookTestSent = "webhook.test_sent"

// TestEventData is the data of a webhook.test event.
type TestEventData struct {
	EndpointID string `json:"endpoint_id"`
	Message    string `json:"message"`
}

// SendTest sends a webhook.test event to one enabled endpoint, whatever it
// subscribed to (retried like any delivery), and returns the delivery.
func (w *Webhooks) SendTest(ctx context.Context, actor model.Actor, endpointID string) (model.WebhookDelivery, error) {
	e, err := w.get(ctx, actor, endpointID)
	if err != nil {
		return model.WebhookDelivery{}, err
	}
	if !e.Enabled {
		return model.WebhookDelivery{}, model.Invalid("endpoint", "the endpoint is disabled; enable it first")
	}
	body, err := w.payload(Event{Type: model.EventWebhookTest,
		Data: TestEventData{EndpointID: e.ID, Message: "This is a test event from faxgate."}})
	if err != nil {
		return model.WebhookDelivery{}, err
	}
	tx, err := w.st.DB().BeginTx(ctx, nil)
	if err != nil {
		return model.WebhookDelivery{}, fmt.Errorf("notify: test event: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	p := Published{MessageID: model.NewID(model.PrefixWebhookMessage)}
	if err := w.enqueue(ctx, tx, &p, e.TenantID, e.ID, e.URL, "", model.EventWebhookTest, body); err != nil {
		return model.WebhookDelivery{}, err
	}
	if err := tx.Commit(); err != nil {
		return model.WebhookDelivery{}, fmt.Errorf("notify: test event: %w", err)
	}
	w.record(ctx, actor, actionWebhookTestSent, e, redact(e.URL))
	return w.st.GetWebhookDelivery(ctx, model.TenantScope(e.TenantID), p.DeliveryIDs[0])
}
