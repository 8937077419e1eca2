package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"faxgate/internal/model"
)

// RunTx runs fn in a transaction on the writer pool and commits it when fn
// returns nil (rolls back otherwise). Inside fn, use only tx and the *Tx
// store methods: on SQLite the writer pool is one connection, so any other
// store call would wait for the transaction that waits for it.
func (s *Store) RunTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return s.mapErr(err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return s.mapErr(err)
	}
	return nil
}

// forUpdate returns the row-locking suffix of a SELECT: PostgreSQL locks the
// row against concurrent writers; SQLite needs none because its (immediate)
// transactions already hold the database's write lock.
func (s *Store) forUpdate() string {
	if s.engine == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// FaxFilter narrows ListFaxes and CountFaxes. Zero fields do not filter.
type FaxFilter struct {
	Direction model.FaxDirection
	Status    []model.FaxStatus
	UserID    string    // the submitter (users see only their own faxes)
	TenantID  string    // platform scope only
	Query     string    // substring of the number, caller ID or title (case-insensitive)
	From, To  time.Time // From <= created_at < To
}

const faxCols = `id, tenant_id, user_id, direction, status, source, to_number, caller_id, title, document_id,
	pages, pages_sent, cover_enabled, cover_subject, cover_comments, retries, retry_delay_ms, send_at,
	idempotency_key, request_hash, tries, next_try, next_leg, next_attempt_at, fallback, cause, result_text,
	remote_station_id, cancel_requested, campaign_id, created_at, updated_at, completed_at`

func scanFax(r rowScanner) (model.Fax, error) {
	var f model.Fax
	var delayMS int64
	err := r.Scan(&f.ID, &f.TenantID, scanStr(&f.UserID), &f.Direction, &f.Status, &f.Source, &f.To, &f.CallerID,
		&f.Title, &f.DocumentID, &f.Pages, &f.PagesSent, &f.CoverPage.Enabled, &f.CoverPage.Subject,
		&f.CoverPage.Comments, &f.Retries, &delayMS, scanTime(&f.SendAt), scanStr(&f.IdempotencyKey), &f.RequestHash,
		&f.Tries,
		&f.NextTry, &f.NextLeg, scanTime(&f.NextAttemptAt), &f.Fallback, &f.Cause, &f.ResultText,
		&f.RemoteStationID, &f.CancelRequested, scanStr(&f.CampaignID), scanTime(&f.CreatedAt),
		scanTime(&f.UpdatedAt), scanTime(&f.CompletedAt))
	f.RetryDelay = time.Duration(delayMS) * time.Millisecond
	return f, err
}

// faxErr maps fax write errors: the only unique index besides the id is
// (tenant, idempotency key); a foreign-key failure is an unknown tenant or
// user.
func (s *Store) faxErr(err error) error {
	err = conflictAs(s.mapErr(err), "idempotency_key")
	if errors.Is(err, errForeignKey) {
		return model.Invalid("fax", "refers to a tenant, user or document that does not exist")
	}
	return err
}

// InsertFaxTx inserts f inside tx, setting ID (unless set), CreatedAt and
// UpdatedAt. An idempotency key the tenant already used is a
// *model.ConflictError{"idempotency_key"}.
func (s *Store) InsertFaxTx(ctx context.Context, tx *sql.Tx, f *model.Fax) error {
	n := *f
	if n.ID == "" {
		n.ID = model.NewID(model.PrefixFax)
	}
	n.CreatedAt = now()
	n.UpdatedAt = n.CreatedAt
	n.SendAt, n.NextAttemptAt, n.CompletedAt = norm(n.SendAt), norm(n.NextAttemptAt), norm(n.CompletedAt)
	_, err := tx.ExecContext(ctx, `INSERT INTO faxes (id, tenant_id, user_id, direction, status, source, to_number,
		caller_id, title, document_id, active_document_id, pages, pages_sent, cover_enabled, cover_subject,
		cover_comments, retries, retry_delay_ms, send_at, idempotency_key, request_hash, tries, next_try,
		next_leg, next_attempt_at, fallback, cause, result_text, remote_station_id, cancel_requested, campaign_id,
		created_at, updated_at, completed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
		$22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34)`,
		n.ID, n.TenantID, nullStr(n.UserID), n.Direction, n.Status, n.Source, n.To, n.CallerID, n.Title,
		n.DocumentID, activeDocument(n), n.Pages, n.PagesSent, n.CoverPage.Enabled, n.CoverPage.Subject,
		n.CoverPage.Comments, n.Retries, n.RetryDelay.Milliseconds(), s.tv(n.SendAt), nullStr(n.IdempotencyKey),
		n.RequestHash, n.Tries, n.NextTry, n.NextLeg, s.tv(n.NextAttemptAt), n.Fallback, n.Cause, n.ResultText,
		n.RemoteStationID, n.CancelRequested, nullStr(n.CampaignID), s.tv(n.CreatedAt), s.tv(n.UpdatedAt), s.tv(n.CompletedAt))
	if err != nil {
		return s.faxErr(err)
	}
	*f = n
	return nil
}

// activeDocument is the active_document_id of f: its document while it is
// not final, so the document cannot be deleted under a queued fax.
func activeDocument(f model.Fax) any {
	if f.Status.Final() {
		return nil
	}
	return nullStr(f.DocumentID)
}

// GetFax returns the fax id if the scope allows it, else ErrNotFound. It
// does not load the attempts (see ListAttempts).
func (s *Store) GetFax(ctx context.Context, scope model.Scope, id string) (model.Fax, error) {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return model.Fax{}, err
	}
	w.add("id = ?", id)
	f, err := scanFax(s.rdb.QueryRowContext(ctx, `SELECT `+faxCols+` FROM faxes`+w.sql(), w.args...))
	return f, s.mapErr(err)
}

// GetFaxTx reads the fax id inside tx and locks its row until the end of
// the transaction (on PostgreSQL; SQLite's write lock covers it), so that
// every change of a fax's state is serialised. System use: no scope.
func (s *Store) GetFaxTx(ctx context.Context, tx *sql.Tx, id string) (model.Fax, error) {
	f, err := scanFax(tx.QueryRowContext(ctx, `SELECT `+faxCols+` FROM faxes WHERE id = $1`+s.forUpdate(), id))
	return f, s.mapErr(err)
}

// GetFaxByIdempotencyKeyTx finds the tenant's fax submitted with key (inside
// tx when tx is not nil), or ErrNotFound.
func (s *Store) GetFaxByIdempotencyKeyTx(ctx context.Context, tx *sql.Tx, tenantID, key string) (model.Fax, error) {
	q := `SELECT ` + faxCols + ` FROM faxes WHERE tenant_id = $1 AND idempotency_key = $2`
	var row *sql.Row
	if tx != nil {
		row = tx.QueryRowContext(ctx, q, tenantID, key)
	} else {
		row = s.rdb.QueryRowContext(ctx, q, tenantID, key)
	}
	f, err := scanFax(row)
	return f, s.mapErr(err)
}

// UpdateFaxTx saves the fax's changing state (status, progress, retry
// bookkeeping, outcome, cancel flag, completion) inside tx and sets
// UpdatedAt. A final status releases the document (it may be deleted).
func (s *Store) UpdateFaxTx(ctx context.Context, tx *sql.Tx, f *model.Fax) error {
	updated := now()
	release := ""
	if f.Status.Final() {
		release = "active_document_id = NULL, "
	}
	res, err := tx.ExecContext(ctx, `UPDATE faxes SET `+release+`status = $1, pages = $2, pages_sent = $3, tries = $4,
		next_try = $5, next_leg = $6, next_attempt_at = $7, fallback = $8, cause = $9, result_text = $10,
		remote_station_id = $11, cancel_requested = $12, completed_at = $13, updated_at = $14 WHERE id = $15`,
		f.Status, f.Pages, f.PagesSent, f.Tries, f.NextTry, f.NextLeg, s.tv(f.NextAttemptAt), f.Fallback, f.Cause,
		f.ResultText, f.RemoteStationID, f.CancelRequested, s.tv(f.CompletedAt), s.tv(updated), f.ID)
	if err != nil {
		return s.faxErr(err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return model.ErrNotFound
	}
	f.UpdatedAt = updated
	f.NextAttemptAt, f.CompletedAt = norm(f.NextAttemptAt), norm(f.CompletedAt)
	return nil
}

// FaxCancelRequested reports whether a cancel was requested for the fax
// (polled by the node running its call).
func (s *Store) FaxCancelRequested(ctx context.Context, id string) (bool, error) {
	var b bool
	err := s.rdb.QueryRowContext(ctx, `SELECT cancel_requested FROM faxes WHERE id = $1`, id).Scan(&b)
	return b, s.mapErr(err)
}

func (s *Store) faxWhere(scope model.Scope, f FaxFilter) (where, error) {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return w, err
	}
	if f.TenantID != "" {
		w.add("tenant_id = ?", f.TenantID)
	}
	if f.Direction != "" {
		w.add("direction = ?", f.Direction)
	}
	if len(f.Status) > 0 {
		cond, args := inList("status", f.Status)
		w.add(cond, args...)
	}
	if f.UserID != "" {
		w.add("user_id = ?", f.UserID)
	}
	if f.Query != "" {
		pat := likePattern(f.Query)
		w.add(`to_number LIKE ? ESCAPE '\' OR caller_id LIKE ? ESCAPE '\' OR lower(title) LIKE ? ESCAPE '\'`,
			pat, pat, pat)
	}
	if !f.From.IsZero() {
		w.add("created_at >= ?", s.tv(f.From))
	}
	if !f.To.IsZero() {
		w.add("created_at < ?", s.tv(f.To))
	}
	return w, nil
}

// inList renders "col IN (?, ?, ...)".
func inList[T any](col string, vals []T) (string, []any) {
	cond := col + " IN ("
	args := make([]any, len(vals))
	for i, v := range vals {
		if i > 0 {
			cond += ", "
		}
		cond += "?"
		args[i] = v
	}
	return cond + ")", args
}

// ListFaxes lists the scope's faxes newest first.
func (s *Store) ListFaxes(ctx context.Context, scope model.Scope, f FaxFilter, o model.ListOptions) ([]model.Fax, string, error) {
	w, err := s.faxWhere(scope, f)
	if err != nil {
		return nil, "", err
	}
	p := page[model.Fax]{
		base: `SELECT ` + faxCols + ` FROM faxes`, w: w,
		timeCol: "created_at", idCol: "id",
		scan: scanFax,
		key:  func(x model.Fax) cursor { return cursor{x.CreatedAt, x.ID} },
	}
	return p.run(ctx, s, o)
}

// CountFaxes counts the scope's faxes matching f.
func (s *Store) CountFaxes(ctx context.Context, scope model.Scope, f FaxFilter) (int, error) {
	w, err := s.faxWhere(scope, f)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM faxes`+w.sql(), w.args...).Scan(&n)
	return n, s.mapErr(err)
}

// ActiveFaxes lists outbound faxes not yet final (queued, sending,
// retrying), oldest first, across tenants: recovery and tests use it.
func (s *Store) ActiveFaxes(ctx context.Context, limit int) ([]model.Fax, error) {
	return queryList(ctx, s, `SELECT `+faxCols+` FROM faxes WHERE direction = 'outbound'
		AND status IN ('queued', 'sending', 'retrying') ORDER BY created_at, id LIMIT $1`, []any{limit}, scanFax)
}

// LockTenantTx reads the tenant inside tx and, when lock is set on
// PostgreSQL, locks its row against other lockers (not against inserts
// referencing it) until the end of the transaction: submissions of one
// tenant then check its page limits one at a time. SQLite's write lock
// already serialises them.
func (s *Store) LockTenantTx(ctx context.Context, tx *sql.Tx, id string, lock bool) (model.Tenant, error) {
	suffix := ""
	if lock && s.engine == Postgres {
		suffix = " FOR NO KEY UPDATE"
	}
	t, err := scanTenant(tx.QueryRowContext(ctx, `SELECT `+tenantCols+` FROM tenants WHERE id = $1`+suffix, id))
	return t, s.mapErr(err)
}

// PendingPages is PendingPagesTx outside a transaction, for a tenant in
// the scope.
func (s *Store) PendingPages(ctx context.Context, scope model.Scope, tenantID string) (int, error) {
	if !scope.Valid() {
		return 0, ErrInvalidScope
	}
	if !scope.Allows(tenantID) {
		return 0, model.ErrNotFound
	}
	var n int
	err := s.rdb.QueryRowContext(ctx, `SELECT COALESCE(SUM(pages), 0) FROM faxes WHERE tenant_id = $1
		AND direction = 'outbound' AND status IN ('queued', 'sending', 'retrying')`, tenantID).Scan(&n)
	return n, s.mapErr(err)
}

// PendingPagesTx sums the pages of the tenant's outbound faxes that are not
// final yet: they will count against the page limits when delivered.
func (s *Store) PendingPagesTx(ctx context.Context, tx *sql.Tx, tenantID string) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(pages), 0) FROM faxes WHERE tenant_id = $1
		AND direction = 'outbound' AND status IN ('queued', 'sending', 'retrying')`, tenantID).Scan(&n)
	return n, s.mapErr(err)
}

// InsertFaxEventTx appends an event to a fax's timeline inside tx (tx nil:
// on its own), setting ID and At (if zero).
func (s *Store) InsertFaxEventTx(ctx context.Context, tx *sql.Tx, e *model.FaxEvent) error {
	n := *e
	n.ID = model.NewID(model.PrefixFaxEvent)
	if n.At.IsZero() {
		n.At = now()
	}
	n.At = norm(n.At)
	q := `INSERT INTO fax_events (id, fax_id, tenant_id, at, seq, kind, try, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`
	args := []any{n.ID, n.FaxID, n.TenantID, s.tv(n.At), time.Now().UnixNano() /* orders events of the same microsecond */, n.Kind, n.Try, n.Detail}
	var err error
	if tx != nil {
		_, err = tx.ExecContext(ctx, q, args...)
	} else {
		_, err = s.wdb.ExecContext(ctx, q, args...)
	}
	if err != nil {
		return s.faxErr(err)
	}
	*e = n
	return nil
}

// ListFaxEvents returns the timeline of the fax id (in the scope), oldest
// first; an unknown or invisible fax yields no events.
func (s *Store) ListFaxEvents(ctx context.Context, scope model.Scope, faxID string) ([]model.FaxEvent, error) {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return nil, err
	}
	w.add("fax_id = ?", faxID)
	return queryList(ctx, s, `SELECT id, fax_id, tenant_id, at, kind, try, detail FROM fax_events`+w.sql()+
		` ORDER BY at, seq`, w.args, func(r rowScanner) (model.FaxEvent, error) {
		var e model.FaxEvent
		err := r.Scan(&e.ID, &e.FaxID, &e.TenantID, scanTime(&e.At), &e.Kind, &e.Try, &e.Detail)
		return e, err
	})
}

// GetTenantChannelCap returns the most calls the tenant may have at once
// (0: no cap, also for a tenant that has none set).
func (s *Store) GetTenantChannelCap(ctx context.Context, tenantID string) (int, error) {
	var n int
	err := s.rdb.QueryRowContext(ctx, `SELECT max_channels FROM fax_settings WHERE tenant_id = $1`, tenantID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, s.mapErr(err)
}

// SetTenantChannelCap sets the tenant's channel cap (0: none); an unknown
// tenant is ErrNotFound.
func (s *Store) SetTenantChannelCap(ctx context.Context, tenantID string, n int) error {
	_, err := s.wdb.ExecContext(ctx, `INSERT INTO fax_settings (tenant_id, max_channels, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (tenant_id) DO UPDATE SET max_channels = excluded.max_channels, updated_at = excluded.updated_at`,
		tenantID, n, s.tv(now()))
	if err = s.mapErr(err); errors.Is(err, errForeignKey) {
		return fmt.Errorf("channel cap of tenant %s: %w", tenantID, model.ErrNotFound)
	}
	return err
}
