package campaign

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"faxgate/internal/faxout"
	"faxgate/internal/model"
	"faxgate/internal/store"
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
	scope := model.TenantScope(f.TenantID)
	if ok, err := s.st.CampaignExistsTx(ctx, tx, scope, f.CampaignID); !ok || err != nil {
		return err
	}
	m, reason := store.RecipientMove{FaxID: &f.ID}, ""
	switch n.Type {
	case model.EventFaxQueued, model.EventFaxRetrying:
		m.From, m.To = RecipientSubmitting, RecipientInProgress
		_, err := s.st.MoveRecipientTx(ctx, tx, scope, f.CampaignID, seq, m)
		return err
	case model.EventFaxDelivered:
		m.To = RecipientDelivered
	case model.EventFaxFailed:
		m.To, reason = RecipientFailed, f.ResultText
	case model.EventFaxCanceled:
		m.To, reason = RecipientFailed, "fax canceled"
	default:
		return nil
	}
	reason = clip(reason, 500)
	m.Reason, m.CompletedAt = &reason, &n.At
	for _, from := range []RecipientState{RecipientInProgress, RecipientSubmitting} {
		m.From = from
		if moved, err := s.st.MoveRecipientTx(ctx, tx, scope, f.CampaignID, seq, m); moved || err != nil {
			return err
		}
	}
	return nil
}
