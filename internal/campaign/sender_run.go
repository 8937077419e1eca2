package campaign

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"faxgate/internal/faxout"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/tz"
)

// run is one sender job's pass over a campaign.
type run struct {
	s     *Sender
	owner string
	id    string
	loc   *time.Location // the tenant's time zone (schedule windows)
}

// init loads the tenant's time zone and publishes campaign.started once.
func (r *run) init(ctx context.Context, id string) error {
	r.id = id
	c, err := r.s.svc.st.GetCampaign(ctx, model.PlatformScope(), id)
	if err != nil {
		return err
	}
	if fs, err := r.s.svc.st.GetTenantFaxSettings(ctx, model.PlatformScope(), c.TenantID); err == nil && fs.TimeZone != "" {
		if loc, err := tz.Load(fs.TimeZone); err == nil {
			r.loc = loc
		}
	}
	return r.s.svc.st.RunTx(ctx, func(tx *sql.Tx) error {
		first, err := r.s.svc.st.MarkCampaignStartedEventTx(ctx, tx, tenantOf(c), id)
		if err != nil || !first {
			return err
		}
		return r.s.publishTx(ctx, tx, eventCampaignStarted, c)
	})
}

// Webhook event types of campaigns (model.WebhookEventTypes lists them).
const (
	eventCampaignStarted   = model.EventCampaignStarted
	eventCampaignCompleted = model.EventCampaignCompleted
)

// step does the next thing the campaign needs and says how long to wait
// before the next step, or that this sender is done with it.
func (r *run) step(ctx context.Context) (wait time.Duration, done bool, err error) {
	svc, cfg := r.s.svc, r.s.cfg
	c, err := svc.st.GetCampaign(ctx, model.PlatformScope(), r.id)
	if err != nil {
		return 0, true, err
	}
	if c.Status != StatusRunning {
		return 0, true, nil
	}
	// A recipient claimed by a sender that died before its fax was queued.
	if rec, ok, err := r.nextIn(ctx, c, RecipientSubmitting, 0); err != nil || ok {
		if err != nil {
			return 0, false, err
		}
		return r.submitted(r.submit(ctx, c, rec))
	}
	rec, ok, err := r.nextIn(ctx, c, RecipientPending, c.Cursor)
	if err != nil {
		return 0, false, err
	}
	if !ok {
		return r.noneLeft(ctx, c)
	}
	now := cfg.Now()
	if !c.Window.Open(now, r.loc) {
		return r.closed(ctx, c, now)
	}
	switch {
	case c.InProgress >= c.MaxLines:
		return cfg.Poll, false, nil
	case now.Before(c.NextSendAt):
		return c.NextSendAt.Sub(now), false, nil
	}
	if blocked, reason := svc.IsBlocked(ctx, c.TenantID, rec.Fax); blocked {
		if dncUnavailable(reason) {
			return cfg.Poll, false, nil
		}
		return 0, false, r.finishUnsent(ctx, c, rec, RecipientPending, RecipientSkipped, reason)
	}
	if err := r.claim(ctx, c, &rec, now); err != nil {
		if errors.Is(err, errLostCampaign) {
			return 0, false, nil
		}
		return 0, false, err
	}
	if cfg.BeforeSubmit != nil {
		if err := cfg.BeforeSubmit(rec.Seq); err != nil {
			return 0, true, err
		}
	}
	return r.submitted(r.submit(ctx, c, rec))
}

// errRetryLater: the submission could not be decided now (the
// do-not-contact lists could not be read); the recipient stays submitting.
var errRetryLater = errors.New("campaign: try again later")

func (r *run) submitted(err error) (time.Duration, bool, error) {
	if errors.Is(err, errRetryLater) {
		return r.s.cfg.Poll, false, nil
	}
	return 0, false, err
}

// nextIn is the first recipient in state after seq.
func (r *run) nextIn(ctx context.Context, c Campaign, st RecipientState, after int64) (Recipient, bool, error) {
	return r.s.svc.st.NextRecipient(ctx, tenantOf(c), c.ID, st, after)
}

// noneLeft handles a cursor at the end: rewind over recipients put back
// to pending, wait for faxes in progress, or complete the campaign.
func (r *run) noneLeft(ctx context.Context, c Campaign) (time.Duration, bool, error) {
	svc := r.s.svc
	if c.Pending > 0 && c.Cursor > 0 {
		return 0, false, svc.st.RewindLeasedCampaign(ctx, tenantOf(c), c.ID, r.owner)
	}
	if c.InProgress > 0 || c.Pending > 0 {
		return r.s.cfg.Poll, false, nil
	}
	err := svc.st.RunTx(ctx, func(tx *sql.Tx) error {
		done, err := svc.st.CompleteCampaignTx(ctx, tx, tenantOf(c), c.ID, svc.clock())
		if err != nil || !done {
			return err
		}
		c, err = svc.st.GetCampaignTx(ctx, tx, tenantOf(c), c.ID)
		if err != nil {
			return err
		}
		return r.s.publishTx(ctx, tx, eventCampaignCompleted, c)
	})
	return 0, true, err
}

// closed waits for the schedule window to open; the pacing grid restarts
// at the opening (no burst for the time it was closed).
func (r *run) closed(ctx context.Context, c Campaign, now time.Time) (time.Duration, bool, error) {
	open := c.Window.NextOpen(now, r.loc)
	if open.IsZero() {
		return r.s.cfg.Poll, false, nil
	}
	if err := r.s.svc.st.SetCampaignNextSend(ctx, tenantOf(c), c.ID, r.owner, open); err != nil {
		return 0, false, err
	}
	return open.Sub(now), false, nil
}

// claim takes the recipient's turn: pending -> submitting, the cursor on
// it and the next pacing slot, in one transaction that holds only while
// the campaign still runs under this sender.
func (r *run) claim(ctx context.Context, c Campaign, rec *Recipient, now time.Time) error {
	svc := r.s.svc
	return svc.st.RunTx(ctx, func(tx *sql.Tx) error {
		ok, err := svc.st.ClaimCampaignSlotTx(ctx, tx, tenantOf(c), c.ID, r.owner, rec.Seq,
			NextSlot(c.NextSendAt, now, c.CallsPerMinute))
		if err != nil {
			return err
		}
		if !ok {
			return errLostCampaign
		}
		ok, err = svc.st.MoveRecipientTx(ctx, tx, tenantOf(c), c.ID, rec.Seq, store.RecipientMove{
			From: RecipientPending, To: RecipientSubmitting, SendsDelta: 1, SubmittedAt: &now})
		if err == nil && !ok {
			err = errLostCampaign
		}
		rec.Sends++
		rec.State = RecipientSubmitting
		return err
	})
}

// submit queues the recipient's fax (again, after a crash: the
// idempotency key makes it the same fax) and records the outcome.
func (r *run) submit(ctx context.Context, c Campaign, rec Recipient) error {
	cover := &model.CoverPage{Enabled: c.CoverPage || c.OptOut != "", Comments: c.OptOut}
	retries := c.Retries
	f, _, err := r.s.fax.Submit(ctx, senderActor(c), faxout.SubmitInput{To: rec.Fax, DocumentID: c.DocumentID,
		CallerID: c.CallerID, Title: c.Title, Retries: &retries, RetryDelay: c.RetryDelay, CoverPage: cover,
		Source: model.SourceCampaign, IdempotencyKey: IdempotencyKey(c.ID, rec.Seq, rec.Sends), CampaignID: c.ID})
	if err == nil && f.CampaignID != c.ID {
		// The tenant used this key for a fax of its own: not ours to track.
		return r.finishUnsent(ctx, c, rec, RecipientSubmitting, RecipientFailed,
			"idempotency key "+IdempotencyKey(c.ID, rec.Seq, rec.Sends)+" already used by fax "+f.ID)
	}
	if err == nil {
		return r.s.svc.st.RunTx(ctx, func(tx *sql.Tx) error {
			_, err := r.s.svc.st.MoveRecipientTx(ctx, tx, tenantOf(c), c.ID, rec.Seq, store.RecipientMove{
				From: RecipientSubmitting, To: RecipientInProgress, FaxID: &f.ID})
			return err
		})
	}
	pause, reason, skip := submitError(err)
	switch {
	case pause != "":
		return r.pause(ctx, c, rec, pause)
	case reason != "" && dncUnavailable(reason):
		return errRetryLater // stays submitting: tried again after a pause
	case skip:
		return r.finishUnsent(ctx, c, rec, RecipientSubmitting, RecipientSkipped, reason)
	case reason != "":
		return r.finishUnsent(ctx, c, rec, RecipientSubmitting, RecipientFailed, reason)
	}
	return err // transient: the recipient stays submitting for the next try
}

// tenantOf is the scope of the campaign's own tenant, for the sender's
// writes (it reads campaigns across tenants).
func tenantOf(c Campaign) model.Scope { return model.TenantScope(c.TenantID) }

// senderActor submits a campaign's faxes: its creator, acting for the
// campaign's tenant.
func senderActor(c Campaign) model.Actor {
	return model.Actor{UserID: c.UserID, TenantID: c.TenantID, Role: model.RoleTenant, Email: "campaign " + c.ID,
		Via: "system"}
}

// finishUnsent ends a recipient without a fax (skipped or failed).
func (r *run) finishUnsent(ctx context.Context, c Campaign, rec Recipient, from, to RecipientState, reason string) error {
	svc := r.s.svc
	return svc.st.RunTx(ctx, func(tx *sql.Tx) error {
		if err := svc.st.AdvanceCampaignCursorTx(ctx, tx, tenantOf(c), c.ID, rec.Seq); err != nil {
			return err
		}
		reason, now := clip(reason, 500), svc.clock()
		_, err := svc.st.MoveRecipientTx(ctx, tx, tenantOf(c), c.ID, rec.Seq, store.RecipientMove{
			From: from, To: to, Reason: &reason, CompletedAt: &now})
		return err
	})
}

// pause gives the recipient its turn back and pauses the campaign with
// the reason (quota reached, tenant suspended, a setting faxout refuses).
func (r *run) pause(ctx context.Context, c Campaign, rec Recipient, reason string) error {
	svc := r.s.svc
	return svc.st.RunTx(ctx, func(tx *sql.Tx) error {
		if _, err := svc.st.MoveRecipientTx(ctx, tx, tenantOf(c), c.ID, rec.Seq, store.RecipientMove{
			From: RecipientSubmitting, To: RecipientPending, SendsDelta: -1}); err != nil {
			return err
		}
		return svc.st.PauseRunningCampaignTx(ctx, tx, tenantOf(c), c.ID, clip(reason, 500), svc.clock(), rec.Seq-1)
	})
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return clipRunes(s, n)
}
