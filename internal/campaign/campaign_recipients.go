package campaign

import (
	"context"
	"database/sql"
	"encoding/csv"
	"io"
	"strconv"
	"time"

	"faxgate/internal/model"
)

// RecipientState is where one recipient of a campaign is:
// pending -> submitting -> in_progress -> delivered | failed, or skipped
// (do-not-contact, duplicate number, invalid number) or canceled (the
// campaign stopped before its turn). Submitting is the short step between
// taking the recipient's turn and the fax being queued; a crash there is
// repaired by submitting again with the same idempotency key.
type RecipientState string

// Recipient states.
const (
	RecipientPending    RecipientState = "pending"
	RecipientSubmitting RecipientState = "submitting"
	RecipientInProgress RecipientState = "in_progress"
	RecipientDelivered  RecipientState = "delivered"
	RecipientFailed     RecipientState = "failed"
	RecipientSkipped    RecipientState = "skipped"
	RecipientCanceled   RecipientState = "canceled"
)

// Valid reports whether st is a known state.
func (st RecipientState) Valid() bool {
	switch st {
	case RecipientPending, RecipientSubmitting, RecipientInProgress, RecipientDelivered, RecipientFailed,
		RecipientSkipped, RecipientCanceled:
		return true
	}
	return false
}

// Recipient is one row of a campaign's snapshot of its group.
type Recipient struct {
	CampaignID  string
	Seq         int64 // 1.. in the group's order at start
	ContactID   string
	Name        string
	Fax         string
	State       RecipientState
	Reason      string // why it was skipped or failed
	Sends       int    // submissions so far (retry-failed adds one)
	FaxID       string
	SubmittedAt time.Time
	CompletedAt time.Time
}

// Reasons of skipped recipients.
const (
	ReasonDuplicate = "duplicate number in the group"
	ReasonDNC       = "on the do-not-contact list"
)

// snapshotTx copies the group's members into the campaign's recipients,
// numbered in the group's order, marking repeated numbers and numbers on
// a do-not-contact list (the tenant's or the global one) skipped. It
// returns how many recipients are pending and skipped.
func snapshotTx(ctx context.Context, tx *sql.Tx, c Campaign) (pending, skipped int, err error) {
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
		c.ID, c.GroupID, c.TenantID, ReasonDuplicate, ReasonDNC)
	if err != nil {
		return 0, 0, err
	}
	err = tx.QueryRowContext(ctx, `SELECT
			COALESCE(SUM(CASE WHEN state = 'pending' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN state = 'skipped' THEN 1 ELSE 0 END), 0)
		FROM campaign_recipients WHERE campaign_id = $1`, c.ID).Scan(&pending, &skipped)
	return pending, skipped, err
}

const recipientCols = `campaign_id, seq, contact_id, name, fax, state, reason, sends, fax_id, submitted_at, completed_at`

func scanRecipient(r rowScanner) (Recipient, error) {
	var x Recipient
	err := r.Scan(&x.CampaignID, &x.Seq, &x.ContactID, &x.Name, &x.Fax, &x.State, &x.Reason, &x.Sends, &x.FaxID,
		timeCol{&x.SubmittedAt}, timeCol{&x.CompletedAt})
	return x, err
}

// RecipientFilter narrows ListRecipients.
type RecipientFilter struct {
	State RecipientState // "" = every state
}

// MaxRecipientsPage bounds one page of ListRecipients.
const MaxRecipientsPage = 500

// ListRecipients lists one page of a campaign's recipients in their order
// (the cursor is the last seq of the previous page).
func (s *Service) ListRecipients(ctx context.Context, actor model.Actor, campaignID string, f RecipientFilter, o model.ListOptions) ([]Recipient, string, error) {
	c, err := s.GetCampaign(ctx, actor, campaignID)
	if err != nil {
		return nil, "", err
	}
	if f.State != "" && !f.State.Valid() {
		return nil, "", model.Invalid("state", "must be pending, submitting, in_progress, delivered, failed, skipped or canceled")
	}
	o = o.Normalize(50, MaxRecipientsPage)
	after := int64(0)
	if o.Cursor != "" {
		if after, err = strconv.ParseInt(o.Cursor, 10, 64); err != nil || after < 0 {
			return nil, "", model.Invalid("cursor", "invalid cursor")
		}
	}
	var out []Recipient
	err = s.eachRecipient(ctx, c, f, after, o.Limit+1, func(r Recipient) error { out = append(out, r); return nil })
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > o.Limit {
		out = out[:o.Limit]
		next = strconv.FormatInt(out[len(out)-1].Seq, 10)
	}
	return out, next, nil
}

// eachRecipient calls fn for up to limit recipients after seq (limit 0:
// all of them), streaming rows.
func (s *Service) eachRecipient(ctx context.Context, c Campaign, f RecipientFilter, after int64, limit int, fn func(Recipient) error) error {
	q := `SELECT ` + recipientCols + ` FROM campaign_recipients WHERE campaign_id = $1 AND tenant_id = $2 AND seq > $3`
	args := []any{c.ID, c.TenantID, after}
	if f.State != "" {
		q += ` AND state = $4`
		args = append(args, string(f.State))
	}
	q += ` ORDER BY seq`
	if limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(limit)
	}
	rows, err := s.st.DB().QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRecipient(rows)
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// RecipientColumns is the header row of ExportRecipientsCSV.
var RecipientColumns = []string{"seq", "name", "fax", "state", "reason", "sends", "fax_id", "submitted_at", "completed_at"}

// ExportRecipientsCSV streams every recipient of the campaign (in the
// filter's state) as CSV. Reads go in pages so a million-row campaign
// does not hold the database connection for the whole download.
func (s *Service) ExportRecipientsCSV(ctx context.Context, actor model.Actor, campaignID string, f RecipientFilter, w io.Writer) error {
	c, err := s.GetCampaign(ctx, actor, campaignID)
	if err != nil {
		return err
	}
	if f.State != "" && !f.State.Valid() {
		return model.Invalid("state", "unknown state")
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(RecipientColumns); err != nil {
		return err
	}
	after := int64(0)
	for {
		var page []Recipient
		if err := s.eachRecipient(ctx, c, f, after, 1000, func(r Recipient) error {
			page = append(page, r)
			return nil
		}); err != nil {
			return err
		}
		for _, r := range page {
			if err := cw.Write(recipientRecord(r)); err != nil {
				return err
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil || len(page) < 1000 {
			return err
		}
		after = page[len(page)-1].Seq
	}
}

func recipientRecord(r Recipient) []string {
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	return []string{strconv.FormatInt(r.Seq, 10), safeCell(r.Name), r.Fax, string(r.State), safeCell(r.Reason),
		strconv.Itoa(r.Sends), r.FaxID, ts(r.SubmittedAt), ts(r.CompletedAt)}
}
