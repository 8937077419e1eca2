package campaign

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"time"

	"faxgate/internal/csvcell"
	"faxgate/internal/model"
)

// The recipient types live in internal/model; these aliases keep this
// package's API unchanged.
type (
	// RecipientState is where one recipient of a campaign is
	// (model.RecipientState).
	RecipientState = model.RecipientState
	// Recipient is one row of a campaign's snapshot of its group
	// (model.Recipient).
	Recipient = model.Recipient
	// RecipientFilter narrows ListRecipients.
	RecipientFilter = model.RecipientFilter
)

// Recipient states.
const (
	RecipientPending    = model.RecipientPending
	RecipientSubmitting = model.RecipientSubmitting
	RecipientInProgress = model.RecipientInProgress
	RecipientDelivered  = model.RecipientDelivered
	RecipientFailed     = model.RecipientFailed
	RecipientSkipped    = model.RecipientSkipped
	RecipientCanceled   = model.RecipientCanceled
)

// Reasons of skipped recipients.
const (
	ReasonDuplicate = model.ReasonDuplicateNumber
	ReasonDNC       = model.ReasonDoNotContact
)

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
	out, err := s.st.ListRecipients(ctx, model.TenantScope(c.TenantID), c.ID, f, after, o.Limit+1)
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
		page, err := s.st.ListRecipients(ctx, model.TenantScope(c.TenantID), c.ID, f, after, 1000)
		if err != nil {
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
	return []string{strconv.FormatInt(r.Seq, 10), csvcell.Safe(r.Name), r.Fax, string(r.State), csvcell.Safe(r.Reason),
		strconv.Itoa(r.Sends), r.FaxID, ts(r.SubmittedAt), ts(r.CompletedAt)}
}
