package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"faxgate/internal/model"
)

// Campaign recipients: the snapshot of a campaign's group taken when it
// starts, one row per member with its state. Every state change moves the
// campaign's counter columns in the same transaction, so the counts shown
// never disagree with the rows.

const recipientCols = `campaign_id, seq, contact_id, name, fax, state, reason, sends, fax_id, submitted_at, completed_at`

func scanRecipient(r rowScanner) (model.Recipient, error) {
	var x model.Recipient
	err := r.Scan(&x.CampaignID, &x.Seq, &x.ContactID, &x.Name, &x.Fax, &x.State, &x.Reason, &x.Sends, &x.FaxID,
		scanTime(&x.SubmittedAt), scanTime(&x.CompletedAt))
	return x, err
}

// recipientWhere starts the conditions on campaign id's recipients in scope.
func recipientWhere(scope model.Scope, campaignID string) (where, error) {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return w, err
	}
	w.add("campaign_id = ?", campaignID)
	return w, nil
}

// SnapshotRecipientsTx copies the members of c's group into c's
// recipients, numbered in the group's order, marking repeated numbers and
// numbers on a do-not-contact list (the tenant's or the global one)
// skipped. It returns how many recipients are pending and skipped.
func (s *Store) SnapshotRecipientsTx(ctx context.Context, tx *sql.Tx, c model.Campaign) (pending, skipped int, err error) {
	if c.TenantID == "" {
		return 0, 0, ErrInvalidScope
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO campaign_recipients (campaign_id, seq, tenant_id, contact_id, name,
			fax, state, reason)
		SELECT CAST($1 AS TEXT), r.seq, r.tenant_id, r.id, r.name, r.fax,
			CASE WHEN r.dup > 1 OR r.dnc = 1 THEN 'skipped' ELSE 'pending' END,
			CASE WHEN r.dup > 1 THEN CAST($4 AS TEXT) WHEN r.dnc = 1 THEN CAST($5 AS TEXT) ELSE '' END
		FROM (SELECT c.id, c.tenant_id, c.fax, TRIM(c.first_name || ' ' || c.last_name) AS name,
				ROW_NUMBER() OVER (ORDER BY c.created_at, c.id) AS seq,
				ROW_NUMBER() OVER (PARTITION BY c.fax ORDER BY c.created_at, c.id) AS dup,
				CASE WHEN EXISTS (SELECT 1 FROM dnc_entries d WHERE d.number = c.fax
					AND (d.tenant_id = $3 OR d.tenant_id IS NULL)) THEN 1 ELSE 0 END AS dnc
			FROM contact_group_members m JOIN contacts c ON c.id = m.contact_id
			WHERE m.group_id = $2 AND c.tenant_id = $3) r`,
		c.ID, c.GroupID, c.TenantID, model.ReasonDuplicateNumber, model.ReasonDoNotContact)
	if err != nil {
		return 0, 0, s.mapErr(err)
	}
	err = tx.QueryRowContext(ctx, `SELECT
			COALESCE(SUM(CASE WHEN state = 'pending' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN state = 'skipped' THEN 1 ELSE 0 END), 0)
		FROM campaign_recipients WHERE campaign_id = $1 AND tenant_id = $2`, c.ID, c.TenantID).Scan(&pending, &skipped)
	return pending, skipped, s.mapErr(err)
}

// ListRecipients returns up to limit recipients of campaign campaignID in
// scope after seq, in their order (limit 0: all of them).
func (s *Store) ListRecipients(ctx context.Context, scope model.Scope, campaignID string, f model.RecipientFilter, after int64, limit int) ([]model.Recipient, error) {
	w, err := recipientWhere(scope, campaignID)
	if err != nil {
		return nil, err
	}
	w.add("seq > ?", after)
	if f.State != "" {
		w.add("state = ?", string(f.State))
	}
	if f.Query != "" {
		pat := likePattern(f.Query)
		w.add(`fax LIKE ? ESCAPE '\' OR lower(name) LIKE ? ESCAPE '\'`, pat, pat)
	}
	q := `SELECT ` + recipientCols + ` FROM campaign_recipients` + w.sql() + ` ORDER BY seq`
	if limit > 0 {
		q += ` LIMIT ` + w.arg(limit)
	}
	return queryList(ctx, s, q, w.args, scanRecipient)
}

// NextRecipient is the first recipient of campaign campaignID in scope in
// state st after seq; false when there is none.
func (s *Store) NextRecipient(ctx context.Context, scope model.Scope, campaignID string, st model.RecipientState, after int64) (model.Recipient, bool, error) {
	rs, err := s.ListRecipients(ctx, scope, campaignID, model.RecipientFilter{State: st}, after, 1)
	if err != nil || len(rs) == 0 {
		return model.Recipient{}, false, err
	}
	return rs[0], true, nil
}

// RecipientMove changes recipients from one state to another; the non-nil
// fields are set too (a zero CompletedAt or SubmittedAt is NULL) and
// SendsDelta is added to the count of submissions.
type RecipientMove struct {
	From, To    model.RecipientState
	FaxID       *string
	Reason      *string
	SubmittedAt *time.Time
	CompletedAt *time.Time
	SendsDelta  int
}

// recipientSets renders the SET clause ("$%" placeholders) and its arguments.
func (s *Store) recipientSets(m RecipientMove) (string, []any) {
	q, args := `state = $%`, []any{string(m.To)}
	add := func(col string, v any) { q += ", " + col + " = $%"; args = append(args, v) }
	if m.FaxID != nil {
		add("fax_id", *m.FaxID)
	}
	if m.Reason != nil {
		add("reason", *m.Reason)
	}
	if m.SubmittedAt != nil {
		add("submitted_at", s.tv(*m.SubmittedAt))
	}
	if m.CompletedAt != nil {
		add("completed_at", s.tv(*m.CompletedAt))
	}
	if m.SendsDelta != 0 {
		q += ", sends = sends + " + strconv.Itoa(m.SendsDelta)
	}
	return q, args
}

// MoveRecipientTx moves recipient seq of campaign campaignID in scope if
// it is in m.From, with the campaign's counters; false when it was not.
func (s *Store) MoveRecipientTx(ctx context.Context, tx *sql.Tx, scope model.Scope, campaignID string, seq int64, m RecipientMove) (bool, error) {
	w, err := recipientWhere(scope, campaignID)
	if err != nil {
		return false, err
	}
	w.add("seq = ?", seq)
	n, err := s.moveRecipients(ctx, tx, scope, campaignID, m, w)
	return n > 0, err
}

// MoveRecipientsTx moves every recipient of campaign campaignID in scope
// that is in m.From, with the campaign's counters.
func (s *Store) MoveRecipientsTx(ctx context.Context, tx *sql.Tx, scope model.Scope, campaignID string, m RecipientMove) error {
	w, err := recipientWhere(scope, campaignID)
	if err != nil {
		return err
	}
	_, err = s.moveRecipients(ctx, tx, scope, campaignID, m, w)
	return err
}

func (s *Store) moveRecipients(ctx context.Context, tx *sql.Tx, scope model.Scope, campaignID string, m RecipientMove, w where) (int64, error) {
	w.add("state = ?", string(m.From))
	sets, args := s.recipientSets(m)
	res, err := tx.ExecContext(ctx, `UPDATE campaign_recipients SET `+numberFrom(sets, len(w.args)+1)+w.sql(),
		append(append([]any{}, w.args...), args...)...)
	if err != nil {
		return 0, s.mapErr(err)
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return 0, err
	}
	return n, s.moveCounters(ctx, tx, scope, campaignID, m.From, m.To, n)
}

// counterCol is the campaigns column counting recipients in a state
// (submitting ones count as in progress).
func counterCol(st model.RecipientState) string {
	switch st {
	case model.RecipientPending:
		return "pending"
	case model.RecipientSubmitting, model.RecipientInProgress:
		return "in_progress"
	case model.RecipientDelivered:
		return "delivered"
	case model.RecipientFailed:
		return "failed"
	case model.RecipientSkipped:
		return "skipped"
	case model.RecipientCanceled:
		return "canceled"
	}
	panic("store: unknown recipient state " + string(st)) // programming error
}

// moveCounters shifts n recipients from one state's counter to another's.
func (s *Store) moveCounters(ctx context.Context, tx *sql.Tx, scope model.Scope, campaignID string, from, to model.RecipientState, n int64) error {
	fc, tc := counterCol(from), counterCol(to)
	if n == 0 || fc == tc {
		return nil
	}
	w, err := campaignWhere(scope, campaignID)
	if err != nil {
		return err
	}
	_, err = s.updateCampaign(ctx, tx, fmt.Sprintf(`%s = %s - $%%, %s = %s + $%%`, fc, fc, tc, tc), []any{n, n}, w)
	return err
}
