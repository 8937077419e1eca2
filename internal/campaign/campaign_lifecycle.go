package campaign

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// lifecycle describes one action: the statuses it works in (want is their
// wording for the 409 message), its audit action and the change itself,
// made inside the transaction that re-reads and locks the campaign.
type lifecycle struct {
	action string
	from   []Status
	want   string
	audit  string
	change func(ctx context.Context, tx *sql.Tx, c *Campaign) error
}

// run applies a lifecycle action for the actor.
func (s *Service) run(ctx context.Context, actor model.Actor, id string, l lifecycle) (Campaign, error) {
	c, err := s.GetCampaign(ctx, actor, id)
	if err != nil {
		return Campaign{}, err
	}
	err = s.st.RunTx(ctx, func(tx *sql.Tx) error {
		cur, err := s.st.GetCampaignTx(ctx, tx, model.TenantScope(c.TenantID), c.ID)
		if err != nil {
			return err
		}
		if !slices.Contains(l.from, cur.Status) {
			return &TransitionError{Action: l.action, From: cur.Status, Want: l.want}
		}
		return l.change(ctx, tx, &cur)
	})
	if err != nil {
		return Campaign{}, err
	}
	s.au.Record(ctx, actor, l.audit, "campaign", c.ID, c.Title, c.TenantID)
	return s.st.GetCampaign(ctx, model.TenantScope(c.TenantID), c.ID)
}

// setStatus saves a new status and its reason (see
// store.SetCampaignStatusTx for what else a status resets).
func (s *Service) setStatus(ctx context.Context, tx *sql.Tx, c *Campaign, st Status, reason string) error {
	err := s.st.SetCampaignStatusTx(ctx, tx, model.TenantScope(c.TenantID), c.ID, st, reason, s.clock())
	c.Status, c.StatusReason = st, reason
	return err
}

// queueSender inserts the campaign's sender job in tx.
func (s *Service) queueSender(ctx context.Context, tx *sql.Tx, c *Campaign) error {
	if s.jobs == nil {
		return errNoJobs
	}
	return s.jobs.InsertTx(ctx, tx, SendArgs{CampaignID: c.ID}, sendInsertOpts())
}

// StartCampaign snapshots the group into the recipient list and starts
// sending. The group must have members; the document must be ready.
func (s *Service) StartCampaign(ctx context.Context, actor model.Actor, id string) (Campaign, error) {
	return s.run(ctx, actor, id, lifecycle{action: "start", from: []Status{StatusDraft}, want: "draft",
		audit: ActionCampaignStarted, change: s.start})
}

func (s *Service) start(ctx context.Context, tx *sql.Tx, c *Campaign) error {
	scope := model.TenantScope(c.TenantID)
	docStatus, err := s.st.DocumentStatusTx(ctx, tx, scope, c.DocumentID)
	if err != nil {
		return model.Invalid("document_id", "no such document")
	}
	if docStatus != model.DocumentReady {
		return model.Invalid("document_id", "the document is not ready yet (status "+string(docStatus)+")")
	}
	pending, skipped, err := s.st.SnapshotRecipientsTx(ctx, tx, *c)
	if err != nil {
		return err
	}
	if pending+skipped == 0 {
		return model.Invalid("group_id", "the group has no contacts")
	}
	if err := s.st.StartCampaignTx(ctx, tx, scope, c.ID, pending, skipped, s.clock()); err != nil {
		return err
	}
	if err := s.setStatus(ctx, tx, c, StatusRunning, ""); err != nil {
		return err
	}
	return s.queueSender(ctx, tx, c)
}

// PauseCampaign stops submitting new faxes; faxes already queued finish.
func (s *Service) PauseCampaign(ctx context.Context, actor model.Actor, id string) (Campaign, error) {
	return s.run(ctx, actor, id, lifecycle{action: "pause", from: []Status{StatusRunning}, want: "running",
		audit: ActionCampaignPaused, change: func(ctx context.Context, tx *sql.Tx, c *Campaign) error {
			return s.setStatus(ctx, tx, c, StatusPaused, "paused by "+actorName(actor))
		}})
}

// ResumeCampaign continues a paused campaign where it stopped.
func (s *Service) ResumeCampaign(ctx context.Context, actor model.Actor, id string) (Campaign, error) {
	return s.run(ctx, actor, id, lifecycle{action: "resume", from: []Status{StatusPaused}, want: "paused",
		audit: ActionCampaignResumed, change: func(ctx context.Context, tx *sql.Tx, c *Campaign) error {
			if err := s.setStatus(ctx, tx, c, StatusRunning, ""); err != nil {
				return err
			}
			return s.queueSender(ctx, tx, c)
		}})
}

// StopCampaign ends a running or paused campaign for good: recipients not
// yet submitted are canceled; faxes already queued finish.
func (s *Service) StopCampaign(ctx context.Context, actor model.Actor, id string) (Campaign, error) {
	return s.run(ctx, actor, id, lifecycle{action: "stop", from: []Status{StatusRunning, StatusPaused},
		want: "running or paused", audit: ActionCampaignStopped,
		change: func(ctx context.Context, tx *sql.Tx, c *Campaign) error {
			reason := "campaign stopped"
			if err := s.st.MoveRecipientsTx(ctx, tx, model.TenantScope(c.TenantID), c.ID, store.RecipientMove{
				From: RecipientPending, To: RecipientCanceled, Reason: &reason}); err != nil {
				return err
			}
			return s.setStatus(ctx, tx, c, StatusStopped, "stopped by "+actorName(actor))
		}})
}

// RetryFailedCampaign sends again to every recipient whose fax failed
// (with a new idempotency key per recipient); a completed campaign runs
// again until they are final.
func (s *Service) RetryFailedCampaign(ctx context.Context, actor model.Actor, id string) (Campaign, error) {
	return s.run(ctx, actor, id, lifecycle{action: "retry failed recipients of", want: "running, paused or completed",
		from: []Status{StatusRunning, StatusPaused, StatusCompleted}, audit: ActionCampaignRetryFailed,
		change: func(ctx context.Context, tx *sql.Tx, c *Campaign) error {
			if c.Failed == 0 {
				return model.Invalid("failed", "no failed recipients to retry")
			}
			scope, none, never := model.TenantScope(c.TenantID), "", time.Time{}
			if err := s.st.MoveRecipientsTx(ctx, tx, scope, c.ID, store.RecipientMove{From: RecipientFailed,
				To: RecipientPending, Reason: &none, FaxID: &none, CompletedAt: &never}); err != nil {
				return err
			}
			if err := s.st.RewindCampaignTx(ctx, tx, scope, c.ID); err != nil {
				return err
			}
			if c.Status != StatusCompleted {
				return nil // a running sender finds them; a paused one on resume
			}
			if err := s.setStatus(ctx, tx, c, StatusRunning, ""); err != nil {
				return err
			}
			return s.queueSender(ctx, tx, c)
		}})
}

func actorName(a model.Actor) string {
	if a.Email != "" {
		return a.Email
	}
	return "a user"
}
