package store

import (
	"context"
	"database/sql"
	"time"

	"faxgate/internal/model"
)

// Campaigns (internal/campaign): the settings, status and recipient
// counters of a bulk fax, plus the sender's lease, cursor and pacing slot.
// Writes that change a campaign's status or counters come in *Tx variants
// so the service can combine them with recipient moves and job inserts in
// one transaction. A write whose conditions no longer hold (the status
// changed, the lease moved) touches no row and reports it, rather than
// failing, so the caller decides what that means.

const campaignCols = `id, tenant_id, user_id, title, document_id, group_id, caller_id, retries, retry_delay_s,
	calls_per_minute, max_lines, window_days, window_start, window_end, cover_page, opt_out, status, status_reason,
	total, pending, in_progress, delivered, failed, skipped, canceled, cursor_seq, next_send_at,
	created_at, updated_at, started_at, completed_at`

func scanCampaign(r rowScanner) (model.Campaign, error) {
	var c model.Campaign
	var delay int64
	var days int
	err := r.Scan(&c.ID, &c.TenantID, &c.UserID, &c.Title, &c.DocumentID, &c.GroupID, &c.CallerID, &c.Retries,
		&delay, &c.CallsPerMinute, &c.MaxLines, &days, &c.Window.StartHour, &c.Window.EndHour, &c.CoverPage,
		&c.OptOut, &c.Status, &c.StatusReason, &c.Total, &c.Pending, &c.InProgress, &c.Delivered, &c.Failed,
		&c.Skipped, &c.Canceled, &c.Cursor, scanTime(&c.NextSendAt), scanTime(&c.CreatedAt),
		scanTime(&c.UpdatedAt), scanTime(&c.StartedAt), scanTime(&c.CompletedAt))
	c.RetryDelay = time.Duration(delay) * time.Second
	c.Window.Days = uint8(days)
	return c, err
}

// updateCampaign runs UPDATE campaigns SET sets (placeholders written "$%",
// numbered after w's arguments) WHERE w on q and returns the rows touched.
func (s *Store) updateCampaign(ctx context.Context, q querier, sets string, setArgs []any, w where) (int64, error) {
	stmt := `UPDATE campaigns SET ` + numberFrom(sets, len(w.args)+1) + w.sql()
	res, err := q.ExecContext(ctx, stmt, append(append([]any{}, w.args...), setArgs...)...)
	if err != nil {
		return 0, s.mapErr(err)
	}
	return res.RowsAffected()
}

// campaignWhere starts the conditions on campaign id within scope.
func campaignWhere(scope model.Scope, id string) (where, error) {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return w, err
	}
	w.add("id = ?", id)
	return w, nil
}

// InsertCampaign saves a new campaign as given: the service sets its id,
// status and times (from its own clock).
func (s *Store) InsertCampaign(ctx context.Context, c model.Campaign) error {
	_, err := s.wdb.ExecContext(ctx, `INSERT INTO campaigns (id, tenant_id, user_id, title, document_id,
		group_id, caller_id, retries, retry_delay_s, calls_per_minute, max_lines, window_days, window_start,
		window_end, cover_page, opt_out, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
		c.ID, c.TenantID, c.UserID, c.Title, c.DocumentID, c.GroupID, c.CallerID, c.Retries,
		int64(c.RetryDelay/time.Second), c.CallsPerMinute, c.MaxLines, int(c.Window.Days), c.Window.StartHour,
		c.Window.EndHour, c.CoverPage, c.OptOut, string(c.Status), s.tv(c.CreatedAt), s.tv(c.UpdatedAt))
	return s.mapErr(err)
}

// UpdateCampaignDraft saves the settings of c (and its UpdatedAt) if it is
// in scope and still a draft; otherwise model.ErrConflict.
func (s *Store) UpdateCampaignDraft(ctx context.Context, scope model.Scope, c model.Campaign) error {
	w, err := campaignWhere(scope, c.ID)
	if err != nil {
		return err
	}
	w.add("status = ?", string(model.CampaignDraft))
	n, err := s.updateCampaign(ctx, s.wdb, `title = $%, document_id = $%, group_id = $%, caller_id = $%,
		retries = $%, retry_delay_s = $%, calls_per_minute = $%, max_lines = $%, window_days = $%,
		window_start = $%, window_end = $%, cover_page = $%, opt_out = $%, updated_at = $%`,
		[]any{c.Title, c.DocumentID, c.GroupID, c.CallerID, c.Retries, int64(c.RetryDelay / time.Second),
			c.CallsPerMinute, c.MaxLines, int(c.Window.Days), c.Window.StartHour, c.Window.EndHour, c.CoverPage,
			c.OptOut, s.tv(c.UpdatedAt)}, w)
	if err == nil && n == 0 {
		err = model.ErrConflict
	}
	return err
}

// DeleteCampaign removes campaign id with its recipients if it is in scope
// and draft, completed or stopped; otherwise model.ErrConflict.
func (s *Store) DeleteCampaign(ctx context.Context, scope model.Scope, id string) error {
	w, err := campaignWhere(scope, id)
	if err != nil {
		return err
	}
	return s.RunTx(ctx, func(tx *sql.Tx) error {
		rw := where{}
		_ = rw.scoped(scope, "tenant_id")
		rw.add("campaign_id = ?", id)
		if _, err := tx.ExecContext(ctx, `DELETE FROM campaign_recipients`+rw.sql(), rw.args...); err != nil {
			return s.mapErr(err)
		}
		w.add("status IN (?, ?, ?)", string(model.CampaignDraft), string(model.CampaignCompleted),
			string(model.CampaignStopped))
		res, err := tx.ExecContext(ctx, `DELETE FROM campaigns`+w.sql(), w.args...)
		if err != nil {
			return s.mapErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return model.ErrConflict
		}
		return nil
	})
}

// GetCampaign returns campaign id if it is in scope, else ErrNotFound.
func (s *Store) GetCampaign(ctx context.Context, scope model.Scope, id string) (model.Campaign, error) {
	return s.getCampaign(ctx, s.rdb, scope, id, "")
}

// GetCampaignTx reads campaign id inside tx and, on PostgreSQL, locks it
// until tx ends (SQLite's single writer already serialises).
func (s *Store) GetCampaignTx(ctx context.Context, tx *sql.Tx, scope model.Scope, id string) (model.Campaign, error) {
	return s.getCampaign(ctx, tx, scope, id, s.forUpdate())
}

func (s *Store) getCampaign(ctx context.Context, q querier, scope model.Scope, id, suffix string) (model.Campaign, error) {
	w, err := campaignWhere(scope, id)
	if err != nil {
		return model.Campaign{}, err
	}
	c, err := scanCampaign(q.QueryRowContext(ctx, `SELECT `+campaignCols+` FROM campaigns`+w.sql()+suffix, w.args...))
	return c, s.mapErr(err)
}

// ListCampaigns pages the campaigns in scope newest first.
func (s *Store) ListCampaigns(ctx context.Context, scope model.Scope, f model.CampaignFilter, o model.ListOptions) ([]model.Campaign, string, error) {
	p := page[model.Campaign]{base: `SELECT ` + campaignCols + ` FROM campaigns`, timeCol: "created_at",
		idCol: "id", scan: scanCampaign,
		key: func(c model.Campaign) cursor { return cursor{at: c.CreatedAt, id: c.ID} }}
	if err := p.w.scoped(scope, "tenant_id"); err != nil {
		return nil, "", err
	}
	if f.Status != "" {
		p.w.add("status = ?", string(f.Status))
	}
	if f.Query != "" {
		p.w.add(`lower(title) LIKE ? ESCAPE '\'`, likePattern(f.Query))
	}
	return p.run(ctx, s, o)
}

// SetCampaignStatusTx saves a lifecycle status and its reason at now:
// running clears the pacing slot (a (re)start sends at once, no catch-up
// burst) and the completion time; completed and stopped set it.
func (s *Store) SetCampaignStatusTx(ctx context.Context, tx *sql.Tx, scope model.Scope, id string, st model.CampaignStatus, reason string, now time.Time) error {
	w, err := campaignWhere(scope, id)
	if err != nil {
		return err
	}
	sets, args := `status = $%, status_reason = $%, updated_at = $%`, []any{string(st), reason, s.tv(now)}
	switch st {
	case model.CampaignRunning:
		sets += `, next_send_at = NULL, completed_at = NULL`
	case model.CampaignCompleted, model.CampaignStopped:
		sets += `, completed_at = $%`
		args = append(args, s.tv(now))
	}
	_, err = s.updateCampaign(ctx, tx, sets, args, w)
	return err
}

// StartCampaignTx records the start of campaign id at now: its recipient
// counts (from SnapshotRecipientsTx) and the cursor at the beginning.
func (s *Store) StartCampaignTx(ctx context.Context, tx *sql.Tx, scope model.Scope, id string, pending, skipped int, now time.Time) error {
	w, err := campaignWhere(scope, id)
	if err != nil {
		return err
	}
	_, err = s.updateCampaign(ctx, tx, `total = $%, pending = $%, skipped = $%, cursor_seq = 0, started_at = $%`,
		[]any{pending + skipped, pending, skipped, s.tv(now)}, w)
	return err
}

// RewindCampaignTx puts the cursor of campaign id back at the beginning
// (recipients were put back to pending behind it).
func (s *Store) RewindCampaignTx(ctx context.Context, tx *sql.Tx, scope model.Scope, id string) error {
	w, err := campaignWhere(scope, id)
	if err != nil {
		return err
	}
	_, err = s.updateCampaign(ctx, tx, `cursor_seq = 0`, nil, w)
	return err
}

// CampaignExistsTx reports whether campaign id is in scope, inside tx.
func (s *Store) CampaignExistsTx(ctx context.Context, tx *sql.Tx, scope model.Scope, id string) (bool, error) {
	w, err := campaignWhere(scope, id)
	if err != nil {
		return false, err
	}
	var one int
	err = tx.QueryRowContext(ctx, `SELECT 1 FROM campaigns`+w.sql(), w.args...).Scan(&one)
	if err == sql.ErrNoRows {
		return false, nil
	}
	return err == nil, s.mapErr(err)
}

// The sender (one job per running campaign) holds a lease on the campaign
// so two jobs never double its rate; the methods below that take owner
// only act while the lease is still that owner's.

// CampaignsToRecover lists the running campaigns in scope whose sender
// lease is free or expired at now.
func (s *Store) CampaignsToRecover(ctx context.Context, scope model.Scope, now time.Time) ([]string, error) {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return nil, err
	}
	w.add("status = ?", string(model.CampaignRunning))
	w.add("lease_until IS NULL OR lease_until < ?", s.tv(now))
	return queryList(ctx, s, `SELECT id FROM campaigns`+w.sql()+` ORDER BY id`, w.args,
		func(r rowScanner) (string, error) {
			var id string
			return id, r.Scan(&id)
		})
}

// LeaseCampaign gives the sender lease of running campaign id to owner
// until the given time, if it is free, expired at now or owner's already.
func (s *Store) LeaseCampaign(ctx context.Context, scope model.Scope, id, owner string, until, now time.Time) (bool, error) {
	w, err := campaignWhere(scope, id)
	if err != nil {
		return false, err
	}
	w.add("status = ?", string(model.CampaignRunning))
	w.add("lease_owner = ? OR lease_owner = '' OR lease_until IS NULL OR lease_until < ?", owner, s.tv(now))
	n, err := s.updateCampaign(ctx, s.wdb, `lease_owner = $%, lease_until = $%`, []any{owner, s.tv(until)}, w)
	return n == 1, err
}

// leasedWhere starts the conditions on campaign id leased by owner.
func leasedWhere(scope model.Scope, id, owner string) (where, error) {
	w, err := campaignWhere(scope, id)
	if err == nil {
		w.add("lease_owner = ?", owner)
	}
	return w, err
}

// RenewCampaignLease extends owner's lease of campaign id until the given
// time; false when the lease is no longer owner's.
func (s *Store) RenewCampaignLease(ctx context.Context, scope model.Scope, id, owner string, until time.Time) (bool, error) {
	w, err := leasedWhere(scope, id, owner)
	if err != nil {
		return false, err
	}
	n, err := s.updateCampaign(ctx, s.wdb, `lease_until = $%`, []any{s.tv(until)}, w)
	return n == 1, err
}

// ReleaseCampaignLease frees owner's lease of campaign id.
func (s *Store) ReleaseCampaignLease(ctx context.Context, scope model.Scope, id, owner string) error {
	w, err := leasedWhere(scope, id, owner)
	if err != nil {
		return err
	}
	_, err = s.updateCampaign(ctx, s.wdb, `lease_owner = '', lease_until = NULL`, nil, w)
	return err
}

// MarkCampaignStartedEventTx records that campaign.started was published
// for campaign id; false when it already was.
func (s *Store) MarkCampaignStartedEventTx(ctx context.Context, tx *sql.Tx, scope model.Scope, id string) (bool, error) {
	w, err := campaignWhere(scope, id)
	if err != nil {
		return false, err
	}
	w.add("started_event = ?", false)
	n, err := s.updateCampaign(ctx, tx, `started_event = $%`, []any{true}, w)
	return n > 0, err
}

// RewindLeasedCampaign puts owner's campaign's cursor back at the start.
func (s *Store) RewindLeasedCampaign(ctx context.Context, scope model.Scope, id, owner string) error {
	w, err := leasedWhere(scope, id, owner)
	if err != nil {
		return err
	}
	_, err = s.updateCampaign(ctx, s.wdb, `cursor_seq = 0`, nil, w)
	return err
}

// SetCampaignNextSend moves the pacing slot of owner's campaign to at
// (the opening of its schedule window).
func (s *Store) SetCampaignNextSend(ctx context.Context, scope model.Scope, id, owner string, at time.Time) error {
	w, err := leasedWhere(scope, id, owner)
	if err != nil {
		return err
	}
	_, err = s.updateCampaign(ctx, s.wdb, `next_send_at = $%`, []any{s.tv(at)}, w)
	return err
}

// ClaimCampaignSlotTx moves the cursor of running campaign id to seq and
// its pacing slot to next, while the lease is owner's; false otherwise.
func (s *Store) ClaimCampaignSlotTx(ctx context.Context, tx *sql.Tx, scope model.Scope, id, owner string, seq int64, next time.Time) (bool, error) {
	w, err := leasedWhere(scope, id, owner)
	if err != nil {
		return false, err
	}
	w.add("status = ?", string(model.CampaignRunning))
	n, err := s.updateCampaign(ctx, tx, `cursor_seq = $%, next_send_at = $%`, []any{seq, s.tv(next)}, w)
	return n > 0, err
}

// AdvanceCampaignCursorTx moves the cursor of campaign id forward to seq
// (never back).
func (s *Store) AdvanceCampaignCursorTx(ctx context.Context, tx *sql.Tx, scope model.Scope, id string, seq int64) error {
	w, err := campaignWhere(scope, id)
	if err != nil {
		return err
	}
	w.add("cursor_seq < ?", seq)
	_, err = s.updateCampaign(ctx, tx, `cursor_seq = $%`, []any{seq}, w)
	return err
}

// CompleteCampaignTx marks running campaign id completed at now if no
// recipient is pending or in progress; false otherwise.
func (s *Store) CompleteCampaignTx(ctx context.Context, tx *sql.Tx, scope model.Scope, id string, now time.Time) (bool, error) {
	w, err := campaignWhere(scope, id)
	if err != nil {
		return false, err
	}
	w.add("status = ?", string(model.CampaignRunning))
	w.add("pending = 0 AND in_progress = 0")
	n, err := s.updateCampaign(ctx, tx, `status = $%, status_reason = '', completed_at = $%, updated_at = $%`,
		[]any{string(model.CampaignCompleted), s.tv(now), s.tv(now)}, w)
	return n > 0, err
}

// PauseRunningCampaignTx pauses campaign id (if running) for reason at
// now, with the cursor at cursorSeq (before the recipient given back).
func (s *Store) PauseRunningCampaignTx(ctx context.Context, tx *sql.Tx, scope model.Scope, id, reason string, now time.Time, cursorSeq int64) error {
	w, err := campaignWhere(scope, id)
	if err != nil {
		return err
	}
	w.add("status = ?", string(model.CampaignRunning))
	_, err = s.updateCampaign(ctx, tx, `status = $%, status_reason = $%, updated_at = $%, cursor_seq = $%`,
		[]any{string(model.CampaignPaused), reason, s.tv(now), cursorSeq}, w)
	return err
}
