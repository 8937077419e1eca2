package campaign

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"faxgate/internal/faxout"
	"faxgate/internal/model"
)

// FaxResults wraps the fax publisher (webhooks) so that every lifecycle
// notice of a campaign fax also updates its recipient, inside the
// transaction that changes the fax: fax.queued marks the recipient in
// progress (atomically with the fax's creation, which is what makes a
// crash right after Submit harmless), fax.delivered / fax.failed /
// fax.canceled make it final and move the campaign's counters.
func (s *Service) FaxResults(next faxout.Publisher) faxout.Publisher {
	return faxResults{s: s, next: next}
}

type faxResults struct {
	s    *Service
	next faxout.Publisher
}

func (p faxResults) PublishFaxTx(ctx context.Context, tx *sql.Tx, n faxout.Notice) error {
	if n.Fax.CampaignID != "" && n.Fax.Source == model.SourceCampaign {
		if err := p.s.recordFaxTx(ctx, tx, n); err != nil {
			return err
		}
	}
	if p.next == nil {
		return nil
	}
	return p.next.PublishFaxTx(ctx, tx, n)
}

// parseKey reads the recipient out of a campaign fax's idempotency key.
func parseKey(key, campaignID string) (seq int64, ok bool) {
	rest, found := strings.CutPrefix(key, "cmp:"+campaignID+":")
	if !found {
		return 0, false
	}
	s, _, found := strings.Cut(rest, ":")
	seq, err := strconv.ParseInt(s, 10, 64)
	return seq, found && err == nil
}

func (s *Service) recordFaxTx(ctx context.Context, tx *sql.Tx, n faxout.Notice) error {
	f := n.Fax
	seq, ok := parseKey(f.IdempotencyKey, f.CampaignID)
	if !ok {
		return nil // a fax linked to the campaign by other means: nothing to track
	}
	// Only the fax's own tenant's campaign (defence in depth: faxes of
	// source campaign are only submitted by the sender).
	var one int
	if err := tx.QueryRowContext(ctx, `SELECT 1 FROM campaigns WHERE id = $1 AND tenant_id = $2`,
		f.CampaignID, f.TenantID).Scan(&one); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	}
	var to RecipientState
	reason := ""
	switch n.Type {
	case model.EventFaxQueued, model.EventFaxRetrying:
		_, err := moveRecipient(ctx, tx, f.CampaignID, seq, RecipientSubmitting, RecipientInProgress,
			`, fax_id = $4`, f.ID)
		return err
	case model.EventFaxDelivered:
		to = RecipientDelivered
	case model.EventFaxFailed:
		to, reason = RecipientFailed, f.ResultText
	case model.EventFaxCanceled:
		to, reason = RecipientFailed, "fax canceled"
	default:
		return nil
	}
	sets, args := `, fax_id = $4, reason = $5, completed_at = $6`, []any{f.ID, clip(reason, 500), s.tv(n.At)}
	for _, from := range []RecipientState{RecipientInProgress, RecipientSubmitting} {
		if moved, err := moveRecipient(ctx, tx, f.CampaignID, seq, from, to, sets, args...); moved || err != nil {
			return err
		}
	}
	return nil
}
