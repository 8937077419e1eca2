package store

import (
	"context"
	"database/sql"
	"time"

	"faxgate/internal/model"
)

const attemptCols = `id, fax_id, tenant_id, try, leg, trunk_id, trunk_name, node, status, dialed_number, caller_id,
	ecm, max_bit_rate, started_at, answered_at, ended_at, sip_code, t30_code, result_text, cause, pages, bit_rate,
	ecm_used, transport, remote_station_id`

func scanAttempt(r rowScanner) (model.Attempt, error) {
	var a model.Attempt
	err := r.Scan(attemptDest(&a)...)
	return a, err
}

// attemptDest are the scan destinations of attemptCols in a.
func attemptDest(a *model.Attempt) []any {
	return []any{&a.ID, &a.FaxID, &a.TenantID, &a.Try, &a.Leg, &a.TrunkID, &a.TrunkName, &a.Node, &a.Status,
		&a.DialedNumber, &a.CallerID, &a.ECM, &a.MaxBitRate, scanTime(&a.StartedAt), scanTime(&a.AnsweredAt),
		scanTime(&a.EndedAt), &a.SIPCode, &a.T30Code, &a.ResultText, &a.Cause, &a.Pages, &a.BitRate, &a.ECMUsed,
		&a.Transport, &a.RemoteStationID}
}

// InsertAttemptTx inserts a (a new call of its fax) inside tx, setting ID
// and, if zero, StartedAt. (fax, try, leg) is unique: a second call for the
// same step is a *model.ConflictError{"attempt"}.
func (s *Store) InsertAttemptTx(ctx context.Context, tx *sql.Tx, a *model.Attempt) error {
	n := *a
	n.ID = model.NewID(model.PrefixAttempt)
	if n.StartedAt.IsZero() {
		n.StartedAt = now()
	}
	n.StartedAt, n.AnsweredAt, n.EndedAt = norm(n.StartedAt), norm(n.AnsweredAt), norm(n.EndedAt)
	_, err := tx.ExecContext(ctx, `INSERT INTO attempts (`+attemptCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
		$22, $23, $24, $25)`,
		n.ID, n.FaxID, n.TenantID, n.Try, n.Leg, n.TrunkID, n.TrunkName, n.Node, n.Status, n.DialedNumber,
		n.CallerID, n.ECM, n.MaxBitRate, s.tv(n.StartedAt), s.tv(n.AnsweredAt), s.tv(n.EndedAt), n.SIPCode,
		n.T30Code, n.ResultText, n.Cause, n.Pages, n.BitRate, n.ECMUsed, n.Transport, n.RemoteStationID)
	if err != nil {
		return conflictAs(s.mapErr(err), "attempt")
	}
	*a = n
	return nil
}

// UpdateAttemptProgress records a call's progress (status, answer time,
// pages confirmed, line parameters, far station) while it runs. An attempt
// that has ended is left alone: a late progress report never reopens it.
// It reports whether the attempt was still open.
func (s *Store) UpdateAttemptProgress(ctx context.Context, a *model.Attempt) (bool, error) {
	n, err := s.execCount(ctx, `UPDATE attempts SET status = $1, answered_at = $2, pages = $3, bit_rate = $4,
		ecm_used = $5, transport = $6, remote_station_id = $7 WHERE id = $8 AND ended_at IS NULL`,
		a.Status, s.tv(a.AnsweredAt), a.Pages, a.BitRate, a.ECMUsed, a.Transport, a.RemoteStationID, a.ID)
	return n == 1, err
}

// FinishAttemptTx records the end of a call inside tx: every outcome
// field and EndedAt (now if zero). It fails with model.ErrConflict when the
// attempt had already ended (another node or the recovery closed it).
func (s *Store) FinishAttemptTx(ctx context.Context, tx *sql.Tx, a *model.Attempt) error {
	if a.EndedAt.IsZero() {
		a.EndedAt = now()
	}
	a.EndedAt, a.AnsweredAt = norm(a.EndedAt), norm(a.AnsweredAt)
	res, err := tx.ExecContext(ctx, `UPDATE attempts SET status = $1, answered_at = $2, ended_at = $3,
		sip_code = $4, t30_code = $5, result_text = $6, cause = $7, pages = $8, bit_rate = $9, ecm_used = $10,
		transport = $11, remote_station_id = $12 WHERE id = $13 AND ended_at IS NULL`,
		a.Status, s.tv(a.AnsweredAt), s.tv(a.EndedAt), a.SIPCode, a.T30Code, a.ResultText, a.Cause, a.Pages,
		a.BitRate, a.ECMUsed, a.Transport, a.RemoteStationID, a.ID)
	if err != nil {
		return s.mapErr(err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return model.ErrConflict
	}
	return nil
}

// OpenAttemptTx returns the fax's attempt that has not ended (there is at
// most one), or ErrNotFound.
func (s *Store) OpenAttemptTx(ctx context.Context, tx *sql.Tx, faxID string) (model.Attempt, error) {
	a, err := scanAttempt(tx.QueryRowContext(ctx, `SELECT `+attemptCols+` FROM attempts
		WHERE fax_id = $1 AND ended_at IS NULL ORDER BY started_at DESC LIMIT 1`, faxID))
	return a, s.mapErr(err)
}

// AttemptsOfTryTx returns the attempts of one try of a fax (its failover
// legs), oldest first.
func (s *Store) AttemptsOfTryTx(ctx context.Context, tx *sql.Tx, faxID string, try int) ([]model.Attempt, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+attemptCols+` FROM attempts WHERE fax_id = $1 AND try = $2
		ORDER BY leg`, faxID, try)
	if err != nil {
		return nil, s.mapErr(err)
	}
	defer rows.Close()
	var out []model.Attempt
	for rows.Next() {
		a, err := scanAttempt(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// ListAttempts returns the attempts of the fax id (in the scope), oldest
// first, each with its SIP record (Attempt.SIP) when it has one; an
// unknown or invisible fax yields none.
func (s *Store) ListAttempts(ctx context.Context, scope model.Scope, faxID string) ([]model.Attempt, error) {
	w := where{}
	if err := w.scoped(scope, "a.tenant_id"); err != nil {
		return nil, err
	}
	w.add("a.fax_id = ?", faxID)
	return queryList(ctx, s, `SELECT `+qualify("a", attemptCols)+`, `+qualify("s", sipCallCols)+` FROM attempts a`+
		sipJoin+w.sql()+` ORDER BY a.try, a.leg`, w.args, scanAttemptSIP)
}

// scanAttemptSIP reads attempt columns followed by those of its SIP row
// (NULL when it has none).
func scanAttemptSIP(r rowScanner) (model.Attempt, error) {
	var d sipScan
	a, err := scanAttempt(appendScanner{r: r, extra: d.dest()})
	if err != nil {
		return a, err
	}
	a.SIP, err = d.call()
	return a, err
}

// AttemptFilter narrows ListCDR. Zero fields do not filter.
type AttemptFilter struct {
	TenantID string    // platform scope only
	From, To time.Time // From <= started_at < To
}

// ListCDR lists the scope's attempts (call detail records) newest first.
func (s *Store) ListCDR(ctx context.Context, scope model.Scope, f AttemptFilter, o model.ListOptions) ([]model.Attempt, string, error) {
	p := page[model.Attempt]{
		base:    `SELECT ` + attemptCols + ` FROM attempts`,
		timeCol: "started_at", idCol: "id",
		scan: scanAttempt,
		key:  func(a model.Attempt) cursor { return cursor{a.StartedAt, a.ID} },
	}
	if err := p.w.scoped(scope, "tenant_id"); err != nil {
		return nil, "", err
	}
	if f.TenantID != "" {
		p.w.add("tenant_id = ?", f.TenantID)
	}
	if !f.From.IsZero() {
		p.w.add("started_at >= ?", s.tv(f.From))
	}
	if !f.To.IsZero() {
		p.w.add("started_at < ?", s.tv(f.To))
	}
	return p.run(ctx, s, o)
}

// OrphanedAttempts returns calls that have not ended although no node holds
// a live lease for their fax: the node that placed them died (or lost its
// lease). Recovery closes them as interrupted.
func (s *Store) OrphanedAttempts(ctx context.Context, at time.Time, limit int) ([]model.Attempt, error) {
	return queryList(ctx, s, `SELECT `+attemptCols+` FROM attempts a WHERE a.ended_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM channel_leases l WHERE l.fax_id = a.fax_id AND l.expires_at > $1)
		ORDER BY a.started_at LIMIT $2`, []any{s.tv(at), limit}, scanAttempt)
}
