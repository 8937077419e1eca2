package campaign

// The SQL of campaigns and their recipients lives here rather than in
// internal/store: the store belongs to other work this session, and every
// statement below still takes the tenant id (or a campaign id that was
// first read with one).

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// tv converts a time into the engine's column value (unix microseconds on
// SQLite, time.Time on PostgreSQL, NULL for the zero time), as the store.
func (s *Service) tv(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	t = t.UTC().Truncate(time.Microsecond)
	if s.st.Engine() == store.SQLite {
		return t.UnixMicro()
	}
	return t
}

// timeCol scans either engine's time column (NULL = zero time).
type timeCol struct{ t *time.Time }

func (d timeCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d.t = time.Time{}
	case int64:
		*d.t = time.UnixMicro(v).UTC()
	case time.Time:
		*d.t = v.UTC()
	default:
		return fmt.Errorf("campaign: cannot scan %T into a time", src)
	}
	return nil
}

// forUpdate locks the selected row on PostgreSQL (SQLite transactions
// are serialised by its single writer connection).
func (s *Service) forUpdate() string {
	if s.st.Engine() == store.Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

const campaignCols = `id, tenant_id, user_id, title, document_id, group_id, caller_id, retries, retry_delay_s,
	calls_per_minute, max_lines, window_days, window_start, window_end, cover_page, opt_out, status, status_reason,
	total, pending, in_progress, delivered, failed, skipped, canceled, cursor_seq, next_send_at,
	created_at, updated_at, started_at, completed_at`

type rowScanner interface{ Scan(dest ...any) error }

func scanCampaign(r rowScanner) (Campaign, error) {
	var c Campaign
	var delay int64
	var days int
	err := r.Scan(&c.ID, &c.TenantID, &c.UserID, &c.Title, &c.DocumentID, &c.GroupID, &c.CallerID, &c.Retries,
		&delay, &c.CallsPerMinute, &c.MaxLines, &days, &c.Window.StartHour, &c.Window.EndHour, &c.CoverPage,
		&c.OptOut, &c.Status, &c.StatusReason, &c.Total, &c.Pending, &c.InProgress, &c.Delivered, &c.Failed,
		&c.Skipped, &c.Canceled, &c.Cursor, timeCol{&c.NextSendAt}, timeCol{&c.CreatedAt},
		timeCol{&c.UpdatedAt}, timeCol{&c.StartedAt}, timeCol{&c.CompletedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return Campaign{}, model.ErrNotFound
	}
	c.RetryDelay = time.Duration(delay) * time.Second
	c.Window.Days = uint8(days)
	return c, err
}

func (s *Service) insertCampaign(ctx context.Context, c *Campaign) error {
	_, err := s.st.DB().ExecContext(ctx, `INSERT INTO campaigns (id, tenant_id, user_id, title, document_id,
		group_id, caller_id, retries, retry_delay_s, calls_per_minute, max_lines, window_days, window_start,
		window_end, cover_page, opt_out, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
		c.ID, c.TenantID, c.UserID, c.Title, c.DocumentID, c.GroupID, c.CallerID, c.Retries,
		int64(c.RetryDelay/time.Second), c.CallsPerMinute, c.MaxLines, int(c.Window.Days), c.Window.StartHour,
		c.Window.EndHour, c.CoverPage, c.OptOut, string(c.Status), s.tv(c.CreatedAt), s.tv(c.UpdatedAt))
	return err
}

// updateDraft saves the settings of a campaign still in draft.
func (s *Service) updateDraft(ctx context.Context, c Campaign) error {
	res, err := s.st.DB().ExecContext(ctx, `UPDATE campaigns SET title = $1, document_id = $2, group_id = $3,
		caller_id = $4, retries = $5, retry_delay_s = $6, calls_per_minute = $7, max_lines = $8, window_days = $9,
		window_start = $10, window_end = $11, cover_page = $12, opt_out = $13, updated_at = $14
		WHERE id = $15 AND tenant_id = $16 AND status = 'draft'`,
		c.Title, c.DocumentID, c.GroupID, c.CallerID, c.Retries, int64(c.RetryDelay/time.Second), c.CallsPerMinute,
		c.MaxLines, int(c.Window.Days), c.Window.StartHour, c.Window.EndHour, c.CoverPage, c.OptOut,
		s.tv(c.UpdatedAt), c.ID, c.TenantID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &TransitionError{Action: "edit", From: "no longer draft", Want: "draft"}
	}
	return nil
}

func (s *Service) deleteCampaign(ctx context.Context, c Campaign) error {
	return s.st.RunTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM campaign_recipients WHERE campaign_id = $1 AND tenant_id = $2`,
			c.ID, c.TenantID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM campaigns WHERE id = $1 AND tenant_id = $2
			AND status IN ('draft', 'completed', 'stopped')`, c.ID, c.TenantID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &TransitionError{Action: "delete", From: "changed", Want: "draft, completed or stopped"}
		}
		return nil
	})
}

// getCampaign reads a campaign within scope.
func (s *Service) getCampaign(ctx context.Context, scope model.Scope, id string) (Campaign, error) {
	if !scope.Valid() {
		return Campaign{}, store.ErrInvalidScope
	}
	q := `SELECT ` + campaignCols + ` FROM campaigns WHERE id = $1`
	args := []any{id}
	if !scope.IsPlatform() {
		q += ` AND tenant_id = $2`
		args = append(args, scope.TenantID())
	}
	return scanCampaign(s.st.DB().QueryRowContext(ctx, q, args...))
}

// getCampaignTx reads (and on PostgreSQL locks) a campaign of a tenant.
func (s *Service) getCampaignTx(ctx context.Context, tx *sql.Tx, tenantID, id string) (Campaign, error) {
	return scanCampaign(tx.QueryRowContext(ctx, `SELECT `+campaignCols+` FROM campaigns
		WHERE id = $1 AND tenant_id = $2`+s.forUpdate(), id, tenantID))
}

// listCampaigns pages newest first; the cursor is created_at and id.
func (s *Service) listCampaigns(ctx context.Context, scope model.Scope, f ListFilter, o model.ListOptions) ([]Campaign, string, error) {
	var conds []string
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	if !scope.IsPlatform() {
		conds = append(conds, "tenant_id = "+arg(scope.TenantID()))
	}
	if f.Status != "" {
		conds = append(conds, "status = "+arg(string(f.Status)))
	}
	if o.Cursor != "" {
		at, id, err := decodeListCursor(o.Cursor)
		if err != nil {
			return nil, "", model.Invalid("cursor", "invalid cursor")
		}
		t := s.tv(at)
		conds = append(conds, fmt.Sprintf("(created_at < %s OR (created_at = %s AND id < %s))", arg(t), arg(t), arg(id)))
	}
	q := `SELECT ` + campaignCols + ` FROM campaigns`
	if len(conds) > 0 {
		q += " WHERE " + strings.Join(conds, " AND ")
	}
	q += " ORDER BY created_at DESC, id DESC LIMIT " + arg(o.Limit+1)
	rows, err := s.st.DB().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []Campaign
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > o.Limit {
		out = out[:o.Limit]
		last := out[len(out)-1]
		next = base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(last.CreatedAt.UnixMicro(), 10) + "|" + last.ID))
	}
	return out, next, nil
}

func decodeListCursor(c string) (time.Time, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", err
	}
	at, id, ok := strings.Cut(string(b), "|")
	micros, err := strconv.ParseInt(at, 10, 64)
	if !ok || err != nil || id == "" {
		return time.Time{}, "", errors.New("bad cursor")
	}
	return time.UnixMicro(micros).UTC(), id, nil
}

// counterCol is the campaigns column counting recipients in a state
// (submitting ones count as in progress).
func counterCol(st RecipientState) string {
	switch st {
	case RecipientPending:
		return "pending"
	case RecipientSubmitting, RecipientInProgress:
		return "in_progress"
	case RecipientDelivered:
		return "delivered"
	case RecipientFailed:
		return "failed"
	case RecipientSkipped:
		return "skipped"
	case RecipientCanceled:
		return "canceled"
	}
	panic("campaign: unknown recipient state " + string(st)) // programming error
}

// moveCounters shifts n recipients from one state's counter to another's.
func moveCounters(ctx context.Context, tx *sql.Tx, campaignID string, from, to RecipientState, n int64) error {
	fc, tc := counterCol(from), counterCol(to)
	if n == 0 || fc == tc {
		return nil
	}
	_, err := tx.ExecContext(ctx, fmt.Sprintf(`UPDATE campaigns SET %s = %s - $1, %s = %s + $1 WHERE id = $2`,
		fc, fc, tc, tc), n, campaignID)
	return err
}

// recipientMove changes one recipient's state (only from the given
// state) with its counters, setting the extra columns in sets ("col = $n"
// numbered from 4). It reports whether the recipient was in from.
func moveRecipient(ctx context.Context, tx *sql.Tx, campaignID string, seq int64, from, to RecipientState, sets string, extra ...any) (bool, error) {
	q := `UPDATE campaign_recipients SET state = $1` + sets + ` WHERE campaign_id = $2 AND seq = $3 AND state = '` +
		string(from) + `'`
	res, err := tx.ExecContext(ctx, q, append([]any{string(to), campaignID, seq}, extra...)...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return false, err
	}
	return true, moveCounters(ctx, tx, campaignID, from, to, n)
}

// moveAll changes every recipient in state from to state to.
func moveAll(ctx context.Context, tx *sql.Tx, campaignID string, from, to RecipientState, sets string) error {
	res, err := tx.ExecContext(ctx, `UPDATE campaign_recipients SET state = $1`+sets+`
		WHERE campaign_id = $2 AND state = $3`, string(to), campaignID, string(from))
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	return moveCounters(ctx, tx, campaignID, from, to, n)
}
