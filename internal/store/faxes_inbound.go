package store

import (
	"context"
	"database/sql"
	"time"

	"faxgate/internal/model"
)

// InboundFilter narrows ListInboundFaxes. Zero fields do not filter.
// Deleted faxes are never listed.
type InboundFilter struct {
	DIDID    string
	Status   []model.FaxStatus
	Read     *bool     // true: read only; false: unread only
	UserID   string    // faxes routed to this user (users see only theirs)
	TenantID string    // platform scope only
	From, To time.Time // From <= created_at < To
	Query    string    // substring of the caller ID, the DID or the sender's station id (case-insensitive)
}

// inboundExtra are the columns of received faxes beyond faxCols.
const inboundExtra = `did_id, partial, duration_ms, file_key, pdf_key, file_bytes, pdf_bytes, read_at, purged_at,
	deleted_at`

// appendScanner adds destinations after the ones its caller passes, so
// that scanFax (which knows faxCols) can be reused for wider rows.
type appendScanner struct {
	r     rowScanner
	extra []any
}

func (a appendScanner) Scan(dest ...any) error { return a.r.Scan(append(dest, a.extra...)...) }

func scanInbound(r rowScanner) (model.InboundFax, error) {
	var f model.InboundFax
	var durMS int64
	fax, err := scanFax(appendScanner{r: r, extra: []any{scanStr(&f.DIDID), &f.Partial, &durMS, &f.FileKey,
		&f.PDFKey, &f.FileBytes, &f.PDFBytes, scanTime(&f.ReadAt), scanTime(&f.PurgedAt), scanTime(&f.DeletedAt)}})
	f.Fax = fax
	f.Duration = time.Duration(durMS) * time.Millisecond
	return f, err
}

const inboundSelect = `SELECT ` + faxCols + `, ` + inboundExtra + ` FROM faxes`

// InsertInboundFax inserts a received fax (Direction inbound) with its
// inbound fields, setting ID (unless set), CreatedAt and UpdatedAt.
func (s *Store) InsertInboundFax(ctx context.Context, f *model.InboundFax) error {
	n := *f
	n.Direction = model.Inbound
	err := s.RunTx(ctx, func(tx *sql.Tx) error {
		if err := s.InsertFaxTx(ctx, tx, &n.Fax); err != nil {
			return err
		}
		return s.saveInboundTx(ctx, tx, &n)
	})
	if err != nil {
		return err
	}
	*f = n
	return nil
}

// saveInboundTx writes the inbound-only columns of f.
func (s *Store) saveInboundTx(ctx context.Context, tx *sql.Tx, f *model.InboundFax) error {
	f.ReadAt, f.PurgedAt, f.DeletedAt = norm(f.ReadAt), norm(f.PurgedAt), norm(f.DeletedAt)
	res, err := tx.ExecContext(ctx, `UPDATE faxes SET did_id = $1, partial = $2, duration_ms = $3, file_key = $4,
		pdf_key = $5, file_bytes = $6, pdf_bytes = $7, read_at = $8, purged_at = $9, deleted_at = $10
		WHERE id = $11 AND direction = 'inbound'`,
		nullStr(f.DIDID), f.Partial, f.Duration.Milliseconds(), f.FileKey, f.PDFKey, f.FileBytes, f.PDFBytes,
		s.tv(f.ReadAt), s.tv(f.PurgedAt), s.tv(f.DeletedAt), f.ID)
	if err != nil {
		return s.faxErr(err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return model.ErrNotFound
	}
	return nil
}

// GetInboundFax returns the received fax id if the scope allows it and it
// was not deleted, else ErrNotFound.
func (s *Store) GetInboundFax(ctx context.Context, scope model.Scope, id string) (model.InboundFax, error) {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return model.InboundFax{}, err
	}
	w.add("id = ?", id)
	w.add("direction = 'inbound'")
	w.add("deleted_at IS NULL")
	f, err := scanInbound(s.rdb.QueryRowContext(ctx, inboundSelect+w.sql(), w.args...))
	return f, s.mapErr(err)
}

// GetInboundFaxTx reads the received fax id inside tx (deleted ones too)
// and locks its row on PostgreSQL. System use: no scope.
func (s *Store) GetInboundFaxTx(ctx context.Context, tx *sql.Tx, id string) (model.InboundFax, error) {
	f, err := scanInbound(tx.QueryRowContext(ctx, inboundSelect+` WHERE id = $1 AND direction = 'inbound'`+
		s.forUpdate(), id))
	return f, s.mapErr(err)
}

// SaveInboundFaxTx saves a received fax's state inside tx: what
// UpdateFaxTx saves plus the inbound fields.
func (s *Store) SaveInboundFaxTx(ctx context.Context, tx *sql.Tx, f *model.InboundFax) error {
	if err := s.UpdateFaxTx(ctx, tx, &f.Fax); err != nil {
		return err
	}
	return s.saveInboundTx(ctx, tx, f)
}

func (s *Store) inboundWhere(scope model.Scope, f InboundFilter) (where, error) {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return w, err
	}
	w.add("direction = 'inbound'")
	w.add("deleted_at IS NULL")
	if f.TenantID != "" {
		w.add("tenant_id = ?", f.TenantID)
	}
	if f.DIDID != "" {
		w.add("did_id = ?", f.DIDID)
	}
	if len(f.Status) > 0 {
		cond, args := inList("status", f.Status)
		w.add(cond, args...)
	}
	if f.Read != nil {
		if *f.Read {
			w.add("read_at IS NOT NULL")
		} else {
			w.add("read_at IS NULL")
		}
	}
	if f.UserID != "" {
		w.add("user_id = ?", f.UserID)
	}
	if f.Query != "" {
		pat := likePattern(f.Query)
		w.add(`caller_id LIKE ? ESCAPE '\' OR to_number LIKE ? ESCAPE '\' OR lower(remote_station_id) LIKE ? ESCAPE '\'`,
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

// ListInboundFaxes lists the scope's received faxes newest first.
func (s *Store) ListInboundFaxes(ctx context.Context, scope model.Scope, f InboundFilter, o model.ListOptions) ([]model.InboundFax, string, error) {
	w, err := s.inboundWhere(scope, f)
	if err != nil {
		return nil, "", err
	}
	p := page[model.InboundFax]{
		base: inboundSelect, w: w,
		timeCol: "created_at", idCol: "id",
		scan: scanInbound,
		key:  func(x model.InboundFax) cursor { return cursor{x.CreatedAt, x.ID} },
	}
	return p.run(ctx, s, o)
}

// CountInboundFaxes counts the scope's received faxes matching f.
func (s *Store) CountInboundFaxes(ctx context.Context, scope model.Scope, f InboundFilter) (int, error) {
	w, err := s.inboundWhere(scope, f)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM faxes`+w.sql(), w.args...).Scan(&n)
	return n, s.mapErr(err)
}

// SetInboundFaxRead marks the received fax id read at at (zero: unread)
// if the scope allows it; ErrNotFound otherwise or when deleted.
func (s *Store) SetInboundFaxRead(ctx context.Context, scope model.Scope, id string, at time.Time) error {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return err
	}
	w.add("id = ?", id)
	w.add("direction = 'inbound'")
	w.add("deleted_at IS NULL")
	cond := w.sql()
	return s.execOne(ctx, `UPDATE faxes SET read_at = `+w.arg(s.tv(at))+cond, w.args...)
}

// DeleteInboundFax hides the received fax id from the inbox for good and
// forgets its files (deleted_at set, file keys cleared); the fax row and its
// attempt (the CDR row) stay. It returns the fax as it was, so the caller
// can remove the blobs. ErrNotFound when out of scope or already deleted.
func (s *Store) DeleteInboundFax(ctx context.Context, scope model.Scope, id string, at time.Time) (model.InboundFax, error) {
	if !scope.Valid() {
		return model.InboundFax{}, ErrInvalidScope
	}
	var old model.InboundFax
	err := s.RunTx(ctx, func(tx *sql.Tx) error {
		f, err := s.GetInboundFaxTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if !scope.Allows(f.TenantID) || !f.DeletedAt.IsZero() {
			return model.ErrNotFound
		}
		old = f
		_, err = tx.ExecContext(ctx, `UPDATE faxes SET deleted_at = $1, file_key = '', pdf_key = '', updated_at = $2
			WHERE id = $3`, s.tv(at), s.tv(now()), id)
		return s.mapErr(err)
	})
	return old, err
}

// InboundPurgeCandidates returns up to limit of the tenant's received
// faxes created before the time, not purged, not deleted and final,
// oldest first: what retention removes the files of.
func (s *Store) InboundPurgeCandidates(ctx context.Context, tenantID string, before time.Time, limit int) ([]model.InboundFax, error) {
	return queryList(ctx, s, inboundSelect+` WHERE tenant_id = $1 AND direction = 'inbound' AND purged_at IS NULL
		AND deleted_at IS NULL AND status IN ('received', 'failed') AND created_at < $2
		ORDER BY created_at, id LIMIT $3`, []any{tenantID, s.tv(before), limit}, scanInbound)
}

// MarkInboundFaxPurged records that retention removed the fax's files at
// at: purged_at set, file keys cleared. A fax already purged or deleted is
// left alone (false).
func (s *Store) MarkInboundFaxPurged(ctx context.Context, id string, at time.Time) (bool, error) {
	n, err := s.execCount(ctx, `UPDATE faxes SET purged_at = $1, file_key = '', pdf_key = '', updated_at = $2
		WHERE id = $3 AND direction = 'inbound' AND purged_at IS NULL AND deleted_at IS NULL`,
		s.tv(at), s.tv(now()), id)
	return n == 1, err
}

// StaleReceptions returns received faxes still "receiving" that started
// before the time: their node died mid-call (up to limit, oldest first).
func (s *Store) StaleReceptions(ctx context.Context, before time.Time, limit int) ([]model.InboundFax, error) {
	return queryList(ctx, s, inboundSelect+` WHERE direction = 'inbound' AND status = 'receiving'
		AND created_at < $1 ORDER BY created_at, id LIMIT $2`, []any{s.tv(before), limit}, scanInbound)
}
