package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"faxgate/internal/model"
)

// WebhookEndpointFilter narrows ListWebhookEndpoints. Zero fields do not
// filter.
type WebhookEndpointFilter struct {
	Enabled  *bool
	TenantID string // only meaningful in the platform scope
	Query    string // substring of the URL or the description (case-insensitive)
}

// WebhookDeliveryFilter narrows ListWebhookDeliveries. Zero fields do not
// filter.
type WebhookDeliveryFilter struct {
	EndpointID string
	MessageID  string
	EventType  string
	Status     model.WebhookDeliveryStatus
	TenantID   string // only meaningful in the platform scope
}

// WebhookWork is what a delivery job needs: the delivery, its endpoint
// (nil for extra targets or when the endpoint is gone) and, for extra
// targets, their signing secret.
type WebhookWork struct {
	Delivery     model.WebhookDelivery
	Endpoint     *model.WebhookEndpoint
	TargetSecret string
}

// WebhookAttemptResult is the delivery state after an attempt.
type WebhookAttemptResult struct {
	Status        model.WebhookDeliveryStatus
	NextAttemptAt time.Time // when retrying
	URL           string    // where the attempt went
}

const webhookEndpointCols = `id, tenant_id, url, events, secret, previous_secret, previous_secret_expires_at,
	enabled, description, disabled_reason, failing_since, last_success_at, last_failure_at, created_at, updated_at`

func (s *Store) scanWebhookEndpoint(r rowScanner) (model.WebhookEndpoint, error) {
	var e model.WebhookEndpoint
	var events string
	err := r.Scan(&e.ID, &e.TenantID, &e.URL, &events, s.sealed(colWebhookSecret, &e.Secret),
		s.sealed(colWebhookPrevious, &e.PreviousSecret),
		scanTime(&e.PreviousSecretExpiresAt), &e.Enabled, &e.Description, &e.DisabledReason,
		scanTime(&e.FailingSince), scanTime(&e.LastSuccessAt), scanTime(&e.LastFailureAt),
		scanTime(&e.CreatedAt), scanTime(&e.UpdatedAt))
	e.Events = strings.Fields(events)
	return e, err
}

const webhookDeliveryCols = `id, tenant_id, endpoint_id, url, message_id, event_type, payload, status, attempts,
	next_attempt_at, last_attempt_at, last_status_code, last_error, created_at, updated_at`

func scanWebhookDelivery(r rowScanner) (model.WebhookDelivery, error) {
	var d model.WebhookDelivery
	var payload string
	err := r.Scan(&d.ID, &d.TenantID, scanStr(&d.EndpointID), &d.URL, &d.MessageID, &d.EventType, &payload,
		&d.Status, &d.Attempts, scanTime(&d.NextAttemptAt), scanTime(&d.LastAttemptAt), &d.LastStatusCode,
		&d.LastError, scanTime(&d.CreatedAt), scanTime(&d.UpdatedAt))
	d.Payload = []byte(payload)
	return d, err
}

// webhookErr maps write errors of the webhook tables: an unknown tenant
// (foreign key) is a validation error on tenant_id, a bad status one on
// status.
func (s *Store) webhookErr(err error) error {
	if err == nil {
		return nil
	}
	if name := checkConstraint(err); strings.HasSuffix(name, "webhook_deliveries_status_check") {
		return model.Invalid("status", "must be pending, retrying, succeeded or failed")
	}
	err = s.mapErr(err)
	if errors.Is(err, errForeignKey) {
		return model.Invalid("tenant_id", "no such tenant or endpoint")
	}
	return err
}

// CreateWebhookEndpoint stores e, setting ID, CreatedAt and UpdatedAt. An
// unknown tenant is a *model.ValidationError on tenant_id.
func (s *Store) CreateWebhookEndpoint(ctx context.Context, e *model.WebhookEndpoint) error {
	n := *e
	n.ID = model.NewID(model.PrefixWebhook)
	n.CreatedAt = now()
	n.UpdatedAt = n.CreatedAt
	n.Events = append([]string(nil), n.Events...)
	secret, err := s.sealStr(colWebhookSecret, n.Secret)
	if err != nil {
		return err
	}
	previous, err := s.sealStr(colWebhookPrevious, n.PreviousSecret)
	if err != nil {
		return err
	}
	_, err = s.wdb.ExecContext(ctx, `INSERT INTO webhook_endpoints (`+webhookEndpointCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		n.ID, n.TenantID, n.URL, strings.Join(n.Events, " "), secret, previous,
		s.tv(n.PreviousSecretExpiresAt), n.Enabled, n.Description, n.DisabledReason, s.tv(n.FailingSince),
		s.tv(n.LastSuccessAt), s.tv(n.LastFailureAt), s.tv(n.CreatedAt), s.tv(n.UpdatedAt))
	if err != nil {
		return s.webhookErr(err)
	}
	n.PreviousSecretExpiresAt, n.FailingSince = norm(n.PreviousSecretExpiresAt), norm(n.FailingSince)
	n.LastSuccessAt, n.LastFailureAt = norm(n.LastSuccessAt), norm(n.LastFailureAt)
	*e = n
	return nil
}

// GetWebhookEndpoint returns endpoint id (with its secrets) within the
// scope, else ErrNotFound.
func (s *Store) GetWebhookEndpoint(ctx context.Context, scope model.Scope, id string) (model.WebhookEndpoint, error) {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return model.WebhookEndpoint{}, err
	}
	w.add("id = ?", id)
	e, err := s.scanWebhookEndpoint(s.rdb.QueryRowContext(ctx,
		`SELECT `+webhookEndpointCols+` FROM webhook_endpoints`+w.sql(), w.args...))
	return e, s.mapErr(err)
}

func webhookEndpointWhere(w *where, scope model.Scope, f WebhookEndpointFilter) error {
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return err
	}
	if f.TenantID != "" {
		w.add("tenant_id = ?", f.TenantID)
	}
	if f.Enabled != nil {
		w.add("enabled = ?", *f.Enabled)
	}
	if f.Query != "" {
		pat := likePattern(f.Query)
		w.add(`lower(url) LIKE ? ESCAPE '\' OR lower(description) LIKE ? ESCAPE '\'`, pat, pat)
	}
	return nil
}

// ListWebhookEndpoints lists the scope's endpoints newest first.
func (s *Store) ListWebhookEndpoints(ctx context.Context, scope model.Scope, f WebhookEndpointFilter, o model.ListOptions) ([]model.WebhookEndpoint, string, error) {
	p := page[model.WebhookEndpoint]{
		base:    `SELECT ` + webhookEndpointCols + ` FROM webhook_endpoints`,
		timeCol: "created_at", idCol: "id",
		scan: s.scanWebhookEndpoint,
		key:  func(e model.WebhookEndpoint) cursor { return cursor{e.CreatedAt, e.ID} },
	}
	if err := webhookEndpointWhere(&p.w, scope, f); err != nil {
		return nil, "", err
	}
	return p.run(ctx, s, o)
}

// CountWebhookEndpoints counts the scope's endpoints matching f.
func (s *Store) CountWebhookEndpoints(ctx context.Context, scope model.Scope, f WebhookEndpointFilter) (int, error) {
	w := where{}
	if err := webhookEndpointWhere(&w, scope, f); err != nil {
		return 0, err
	}
	var n int
	err := s.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM webhook_endpoints`+w.sql(), w.args...).Scan(&n)
	return n, s.mapErr(err)
}

// UpdateWebhookEndpoint saves e's URL, events, enabled flag, description,
// disabled reason and failing-since time (secrets change only through
// SetWebhookSecret) and sets UpdatedAt. ErrNotFound outside the scope.
func (s *Store) UpdateWebhookEndpoint(ctx context.Context, scope model.Scope, e *model.WebhookEndpoint) error {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return err
	}
	w.add("id = ?", e.ID)
	cond := w.sql()
	updated := now()
	set := ` SET url = ` + w.arg(e.URL) + `, events = ` + w.arg(strings.Join(e.Events, " ")) +
		`, enabled = ` + w.arg(e.Enabled) + `, description = ` + w.arg(e.Description) +
		`, disabled_reason = ` + w.arg(e.DisabledReason) + `, failing_since = ` + w.arg(s.tv(e.FailingSince)) +
		`, updated_at = ` + w.arg(s.tv(updated))
	if err := s.execOne(ctx, `UPDATE webhook_endpoints`+set+cond, w.args...); err != nil {
		return s.webhookErr(err)
	}
	e.UpdatedAt = updated
	e.FailingSince = norm(e.FailingSince)
	return nil
}

// SetWebhookSecret replaces endpoint id's signing secret; previous keeps
// signing until previousExpires (previous "" = none). ErrNotFound outside
// the scope.
func (s *Store) SetWebhookSecret(ctx context.Context, scope model.Scope, id, secret, previous string, previousExpires time.Time) error {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return err
	}
	w.add("id = ?", id)
	cond := w.sql()
	if previous == "" {
		previousExpires = time.Time{}
	}
	secret, err := s.sealStr(colWebhookSecret, secret)
	if err != nil {
		return err
	}
	if previous, err = s.sealStr(colWebhookPrevious, previous); err != nil {
		return err
	}
	set := ` SET secret = ` + w.arg(secret) + `, previous_secret = ` + w.arg(previous) +
		`, previous_secret_expires_at = ` + w.arg(s.tv(previousExpires)) + `, updated_at = ` + w.arg(s.tv(now()))
	return s.execOne(ctx, `UPDATE webhook_endpoints`+set+cond, w.args...)
}

// DeleteWebhookEndpoint deletes endpoint id and its deliveries within the
// scope; ErrNotFound outside it. Delivery jobs still queued find nothing
// and end.
func (s *Store) DeleteWebhookEndpoint(ctx context.Context, scope model.Scope, id string) error {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return err
	}
	w.add("id = ?", id)
	return s.execOne(ctx, `DELETE FROM webhook_endpoints`+w.sql(), w.args...)
}

// DisableWebhookEndpoint disables endpoint id (any tenant: faxgate itself
// decides, after a 410 Gone or days of failures) with a reason for people.
// It reports whether the endpoint was enabled until now.
func (s *Store) DisableWebhookEndpoint(ctx context.Context, id, reason string) (bool, error) {
	n, err := s.execCount(ctx, `UPDATE webhook_endpoints SET enabled = $1, disabled_reason = $2, updated_at = $3
		WHERE id = $4 AND enabled = $5`, false, reason, s.tv(now()), id, true)
	return n == 1, err
}

// EnabledWebhookEndpointsTx returns the enabled endpoints of tenantID,
// oldest first, read through tx (a transaction on DB()) or, when tx is
// nil, the read pool. Publishing events inside a caller's transaction
// uses it: on SQLite, nothing but tx may be used until it ends.
func (s *Store) EnabledWebhookEndpointsTx(ctx context.Context, tx *sql.Tx, tenantID string) ([]model.WebhookEndpoint, error) {
	var q querier = s.rdb
	if tx != nil {
		q = tx
	}
	rows, err := q.QueryContext(ctx, `SELECT `+webhookEndpointCols+` FROM webhook_endpoints
		WHERE tenant_id = $1 AND enabled = $2 ORDER BY created_at, id`, tenantID, true)
	if err != nil {
		return nil, s.mapErr(err)
	}
	defer rows.Close()
	var out []model.WebhookEndpoint
	for rows.Next() {
		e, err := s.scanWebhookEndpoint(rows)
		if err != nil {
			return nil, s.mapErr(err)
		}
		out = append(out, e)
	}
	return out, s.mapErr(rows.Err())
}

// CreateWebhookDeliveryTx inserts delivery d inside tx (the transaction
// that also enqueues its job). It sets ID (when empty), CreatedAt (when
// zero) and UpdatedAt. targetSecret is the signing secret of an extra
// target (EndpointID ""); it is never returned by list or get methods.
func (s *Store) CreateWebhookDeliveryTx(ctx context.Context, tx *sql.Tx, d *model.WebhookDelivery, targetSecret string) error {
	n := *d
	if n.ID == "" {
		n.ID = model.NewID(model.PrefixWebhookDelivery)
	}
	n.CreatedAt = norm(n.CreatedAt)
	if n.CreatedAt.IsZero() {
		n.CreatedAt = now()
	}
	n.UpdatedAt = n.CreatedAt
	n.NextAttemptAt, n.LastAttemptAt = norm(n.NextAttemptAt), norm(n.LastAttemptAt)
	targetSecret, err := s.sealStr(colTargetSecret, targetSecret)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (`+webhookDeliveryCols+`, target_secret)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		n.ID, n.TenantID, nullStr(n.EndpointID), n.URL, n.MessageID, n.EventType, string(n.Payload), n.Status,
		n.Attempts, s.tv(n.NextAttemptAt), s.tv(n.LastAttemptAt), n.LastStatusCode, n.LastError,
		s.tv(n.CreatedAt), s.tv(n.UpdatedAt), targetSecret)
	if err != nil {
		return s.webhookErr(err)
	}
	*d = n
	return nil
}

// GetWebhookDelivery returns delivery id with its attempt log, within the
// scope, else ErrNotFound.
func (s *Store) GetWebhookDelivery(ctx context.Context, scope model.Scope, id string) (model.WebhookDelivery, error) {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return model.WebhookDelivery{}, err
	}
	w.add("id = ?", id)
	d, err := scanWebhookDelivery(s.rdb.QueryRowContext(ctx,
		`SELECT `+webhookDeliveryCols+` FROM webhook_deliveries`+w.sql(), w.args...))
	if err != nil {
		return model.WebhookDelivery{}, s.mapErr(err)
	}
	d.AttemptLog, err = s.webhookAttempts(ctx, d.ID)
	return d, err
}

func (s *Store) webhookAttempts(ctx context.Context, deliveryID string) ([]model.WebhookAttempt, error) {
	return queryList(ctx, s, `SELECT attempt, at, status_code, duration_us, response_body, error
		FROM webhook_attempts WHERE delivery_id = $1 ORDER BY attempt`, []any{deliveryID},
		func(r rowScanner) (model.WebhookAttempt, error) {
			var a model.WebhookAttempt
			var us int64
			err := r.Scan(&a.N, scanTime(&a.At), &a.StatusCode, &us, &a.ResponseBody, &a.Error)
			a.Duration = time.Duration(us) * time.Microsecond
			return a, err
		})
}

// ListWebhookDeliveries lists the scope's deliveries newest first, without
// attempt logs.
func (s *Store) ListWebhookDeliveries(ctx context.Context, scope model.Scope, f WebhookDeliveryFilter, o model.ListOptions) ([]model.WebhookDelivery, string, error) {
	p := page[model.WebhookDelivery]{
		base:    `SELECT ` + webhookDeliveryCols + ` FROM webhook_deliveries`,
		timeCol: "created_at", idCol: "id",
		scan: scanWebhookDelivery,
		key:  func(d model.WebhookDelivery) cursor { return cursor{d.CreatedAt, d.ID} },
	}
	if err := p.w.scoped(scope, "tenant_id"); err != nil {
		return nil, "", err
	}
	for _, c := range []struct{ col, v string }{{"tenant_id", f.TenantID}, {"endpoint_id", f.EndpointID},
		{"message_id", f.MessageID}, {"event_type", f.EventType}, {"status", string(f.Status)}} {
		if c.v != "" {
			p.w.add(c.col+" = ?", c.v)
		}
	}
	return p.run(ctx, s, o)
}

// WebhookWork loads delivery id for its job, with its endpoint and target
// secret. It ignores tenant scopes (jobs act for the system); ErrNotFound
// when the delivery is gone.
func (s *Store) WebhookWork(ctx context.Context, id string) (WebhookWork, error) {
	var wk WebhookWork
	row := s.rdb.QueryRowContext(ctx, `SELECT `+webhookDeliveryCols+`, target_secret FROM webhook_deliveries WHERE id = $1`, id)
	var payload string
	d := &wk.Delivery
	err := row.Scan(&d.ID, &d.TenantID, scanStr(&d.EndpointID), &d.URL, &d.MessageID, &d.EventType, &payload,
		&d.Status, &d.Attempts, scanTime(&d.NextAttemptAt), scanTime(&d.LastAttemptAt), &d.LastStatusCode,
		&d.LastError, scanTime(&d.CreatedAt), scanTime(&d.UpdatedAt), s.sealed(colTargetSecret, &wk.TargetSecret))
	if err != nil {
		return WebhookWork{}, s.mapErr(err)
	}
	d.Payload = []byte(payload)
	if d.EndpointID == "" {
		return wk, nil
	}
	e, err := s.GetWebhookEndpoint(ctx, model.TenantScope(d.TenantID), d.EndpointID)
	switch {
	case err == nil:
		wk.Endpoint = &e
	case !errors.Is(err, model.ErrNotFound):
		return WebhookWork{}, err
	}
	return wk, nil
}

// RecordWebhookAttempt stores attempt a of delivery deliveryID and the
// delivery's new state r in one transaction, and updates its endpoint's
// health: a success clears FailingSince, a failure sets it (if unset) to
// a.At. a.N must be the delivery's attempt count + 1: a concurrent or
// repeated job recording the same attempt gets *model.ConflictError, a
// deleted delivery ErrNotFound. It
// returns the endpoint's FailingSince after the update (zero for extra
// targets and after a success).
func (s *Store) RecordWebhookAttempt(ctx context.Context, deliveryID string, a model.WebhookAttempt, r WebhookAttemptResult) (time.Time, error) {
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return time.Time{}, s.mapErr(err)
	}
	defer func() { _ = tx.Rollback() }()
	at := norm(a.At)
	var endpointID string
	err = tx.QueryRowContext(ctx, `UPDATE webhook_deliveries SET status = $1, attempts = $2, next_attempt_at = $3,
		last_attempt_at = $4, last_status_code = $5, last_error = $6, url = $7, updated_at = $8
		WHERE id = $9 AND attempts = $10 RETURNING COALESCE(endpoint_id, '')`,
		r.Status, a.N, s.tv(r.NextAttemptAt), s.tv(at), a.StatusCode, a.Error, r.URL, s.tv(now()),
		deliveryID, a.N-1).Scan(&endpointID)
	if errors.Is(err, sql.ErrNoRows) {
		var one int
		if tx.QueryRowContext(ctx, `SELECT 1 FROM webhook_deliveries WHERE id = $1`, deliveryID).Scan(&one) == nil {
			return time.Time{}, &model.ConflictError{Field: "attempt"}
		}
		return time.Time{}, model.ErrNotFound
	}
	if err != nil {
		return time.Time{}, s.webhookErr(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_attempts (delivery_id, attempt, at, status_code,
		duration_us, response_body, error) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		deliveryID, a.N, s.tv(at), a.StatusCode, a.Duration.Microseconds(), a.ResponseBody, a.Error); err != nil {
		return time.Time{}, s.webhookErr(err)
	}
	failingSince, err := s.recordEndpointHealth(ctx, tx, endpointID, a.OK(), at)
	if err != nil {
		return time.Time{}, err
	}
	return failingSince, s.mapErr(tx.Commit())
}

// recordEndpointHealth updates the endpoint's success/failure times inside
// tx and returns its FailingSince.
func (s *Store) recordEndpointHealth(ctx context.Context, tx *sql.Tx, endpointID string, ok bool, at time.Time) (time.Time, error) {
	if endpointID == "" {
		return time.Time{}, nil
	}
	var q string
	if ok {
		q = `UPDATE webhook_endpoints SET failing_since = NULL, last_success_at = $1 WHERE id = $2 RETURNING failing_since`
	} else {
		q = `UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $1), last_failure_at = $1
			WHERE id = $2 RETURNING failing_since`
	}
	var since time.Time
	err := tx.QueryRowContext(ctx, q, s.tv(at), endpointID).Scan(scanTime(&since))
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil // deleted meanwhile
	}
	return since, s.mapErr(err)
}

// FinishWebhookDelivery ends delivery id without an attempt (its endpoint
// was disabled or deleted): status failed (or as given) with reason as
// its last error. It changes nothing unless the delivery has made exactly
// attempts attempts and is not final yet, and reports whether it changed
// the delivery.
func (s *Store) FinishWebhookDelivery(ctx context.Context, id string, attempts int, status model.WebhookDeliveryStatus, reason string) (bool, error) {
	if !status.Final() {
		return false, fmt.Errorf("store: %q is not a final delivery status", status)
	}
	n, err := s.execCount(ctx, `UPDATE webhook_deliveries SET status = $1, last_error = $2, next_attempt_at = NULL,
		updated_at = $3 WHERE id = $4 AND attempts = $5 AND status IN ($6, $7)`,
		status, reason, s.tv(now()), id, attempts, model.WebhookPending, model.WebhookRetrying)
	return n == 1, err
}

// RequeueWebhookDeliveryTx sets a final delivery of the scope back to
// pending inside tx, so that a manual redelivery (its job inserted in the
// same tx) can attempt it once more. It returns the delivery before the
// change; ErrNotFound outside the scope, *model.ConflictError{"status"}
// while automatic attempts are still due.
func (s *Store) RequeueWebhookDeliveryTx(ctx context.Context, tx *sql.Tx, scope model.Scope, id string, at time.Time) (model.WebhookDelivery, error) {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return model.WebhookDelivery{}, err
	}
	w.add("id = ?", id)
	d, err := scanWebhookDelivery(tx.QueryRowContext(ctx, `SELECT `+webhookDeliveryCols+` FROM webhook_deliveries`+w.sql(), w.args...))
	if err != nil {
		return model.WebhookDelivery{}, s.mapErr(err)
	}
	if !d.Status.Final() {
		return model.WebhookDelivery{}, &model.ConflictError{Field: "status"}
	}
	res, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET status = $1, next_attempt_at = $2, updated_at = $3
		WHERE id = $4 AND status = $5`, model.WebhookPending, s.tv(at), s.tv(now()), id, d.Status)
	if err != nil {
		return model.WebhookDelivery{}, s.webhookErr(err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return model.WebhookDelivery{}, &model.ConflictError{Field: "status"}
	}
	return d, nil
}

// DeleteWebhookDeliveriesBefore deletes final deliveries (and their
// attempts) created before t and returns how many went.
func (s *Store) DeleteWebhookDeliveriesBefore(ctx context.Context, t time.Time) (int, error) {
	return s.execCount(ctx, `DELETE FROM webhook_deliveries WHERE created_at < $1 AND status IN ($2, $3)`,
		s.tv(t), model.WebhookSucceeded, model.WebhookFailed)
}
