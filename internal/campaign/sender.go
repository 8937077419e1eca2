package campaign

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"

	"faxgate/internal/faxout"
	"faxgate/internal/model"
	"faxgate/internal/notify"
)

// The sender is one durable River job per running campaign. Everything it
// needs to continue lives in the database: the recipient snapshot with a
// state per row, the cursor (the last seq handled), the next pacing slot
// and a lease naming the job that sends (so two jobs for one campaign
// never double the rate). A job runs for at most RunFor, then snoozes; a
// periodic recover job queues a new sender for every running campaign
// whose lease expired (its node died), so a crash only delays sending.
//
// Exactly once per recipient: the recipient is claimed (pending ->
// submitting) in the transaction that advances the cursor and the pacing
// slot; the fax is then submitted with the idempotency key
// cmp:<campaign>:<seq>:<round>, and faxout's fax.queued notice moves the
// recipient to in_progress in the transaction that creates the fax. A
// crash between the two leaves the recipient "submitting"; the next sender
// submits it again with the same key, which faxout answers with the fax
// it already has, or creates it if the first try never committed.

// Job kinds and queue of the sender.
const (
	KindSend    = "campaign_send"
	KindRecover = "campaign_recover"
	Queue       = "campaigns"
)

// SendArgs asks for a campaign's sender.
type SendArgs struct {
	CampaignID string `json:"campaign_id"`
}

// Kind implements river.JobArgs.
func (SendArgs) Kind() string { return KindSend }

// RecoverArgs asks for senders of running campaigns nobody sends.
type RecoverArgs struct{}

// Kind implements river.JobArgs.
func (RecoverArgs) Kind() string { return KindRecover }

func sendInsertOpts() *river.InsertOpts {
	return &river.InsertOpts{Queue: Queue, MaxAttempts: 10000}
}

// SenderConfig tunes the sender; zero fields take the defaults.
type SenderConfig struct {
	// Poll is how often a sender waiting for lines or results looks
	// again (default 1 s).
	Poll time.Duration
	// LeaseTTL is how long a sender's claim on a campaign lives without
	// renewal (default 30 s): a dead node's campaigns continue after it.
	LeaseTTL time.Duration
	// RecoverEvery is the period of the recover job (default 15 s).
	RecoverEvery time.Duration
	// RunFor bounds one job run before it snoozes (default 1 min).
	RunFor time.Duration
	// Now and Sleep are the sender's clock (tests simulate time).
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// Logger: nil discards.
	Logger *slog.Logger
	// BeforeSubmit, when set, runs after a recipient is claimed and
	// before its fax is submitted; an error aborts the run there (tests
	// use it to crash at the worst moment).
	BeforeSubmit func(seq int64) error
}

func (c SenderConfig) withDefaults() SenderConfig {
	if c.Poll <= 0 {
		c.Poll = time.Second
	}
	if c.LeaseTTL <= 0 {
		c.LeaseTTL = 30 * time.Second
	}
	if c.RecoverEvery <= 0 {
		c.RecoverEvery = 15 * time.Second
	}
	if c.RunFor <= 0 {
		c.RunFor = time.Minute
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Sleep == nil {
		c.Sleep = sleepCtx
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Sender submits campaigns' faxes through faxout.
type Sender struct {
	svc *Service
	fax *faxout.Service
	cfg SenderConfig
	wh  atomic.Pointer[notify.Webhooks]
}

// NewSender returns the sender of svc's campaigns. svc needs its job
// queue (EnableImportJobs) for Start/Resume to queue the sender job.
func NewSender(svc *Service, fax *faxout.Service, cfg SenderConfig) *Sender {
	return &Sender{svc: svc, fax: fax, cfg: cfg.withDefaults()}
}

// UseWebhooks makes the sender publish campaign.started and
// campaign.completed (built after the River client, so set later).
func (s *Sender) UseWebhooks(wh *notify.Webhooks) { s.wh.Store(wh) }

// AddWorkers registers the sender and recover workers and returns the
// periodic recover job for the River client.
func (s *Sender) AddWorkers(workers *river.Workers) []*river.PeriodicJob {
	river.AddWorker(workers, &sendWorker{s: s})
	river.AddWorker(workers, &recoverWorker{s: s})
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(s.cfg.RecoverEvery),
		func() (river.JobArgs, *river.InsertOpts) { return RecoverArgs{}, &river.InsertOpts{Queue: Queue} },
		&river.PeriodicJobOpts{ID: KindRecover, RunOnStart: true})}
}

// QueueConfig is the campaigns queue: one worker per campaign sending at
// the same time, plus the recover job.
func QueueConfig(n int) river.QueueConfig { return river.QueueConfig{MaxWorkers: max(n, 2)} }

type sendWorker struct {
	river.WorkerDefaults[SendArgs]
	s *Sender
}

// Timeout: a run ends by itself after RunFor; leave room for one submit.
func (w *sendWorker) Timeout(*river.Job[SendArgs]) time.Duration {
	return w.s.cfg.RunFor + 2*time.Minute
}

func (w *sendWorker) Work(ctx context.Context, job *river.Job[SendArgs]) error {
	more, err := w.s.Run(ctx, job.Args.CampaignID, w.s.cfg.RunFor)
	if err != nil {
		return err
	}
	if more {
		return river.JobSnooze(10 * time.Millisecond)
	}
	return nil
}

type recoverWorker struct {
	river.WorkerDefaults[RecoverArgs]
	s *Sender
}

func (w *recoverWorker) Work(ctx context.Context, _ *river.Job[RecoverArgs]) error {
	return w.s.Recover(ctx)
}

// Recover queues a sender for every running campaign without a live lease.
func (s *Sender) Recover(ctx context.Context) error {
	if s.svc.jobs == nil {
		return errNoJobs
	}
	ids, err := s.svc.st.CampaignsToRecover(ctx, model.PlatformScope(), s.cfg.Now())
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.svc.jobs.Insert(ctx, SendArgs{CampaignID: id}, sendInsertOpts()); err != nil {
			return err
		}
	}
	return nil
}

// Run sends the campaign for up to d (0: until it is no longer running)
// and reports whether it still runs (the caller runs it again). Another
// live sender of the campaign makes it return at once.
func (s *Sender) Run(ctx context.Context, campaignID string, d time.Duration) (more bool, err error) {
	owner := model.NewID("snd")
	if ok, err := s.lease(ctx, campaignID, owner, false); !ok || err != nil {
		return false, err
	}
	defer s.release(context.WithoutCancel(ctx), campaignID, owner)
	r := &run{s: s, owner: owner, loc: time.UTC}
	if err := r.init(ctx, campaignID); err != nil {
		return false, err
	}
	deadline := s.cfg.Now().Add(d)
	for d <= 0 || s.cfg.Now().Before(deadline) {
		wait, done, err := r.step(ctx)
		if err != nil || done {
			return false, err
		}
		if wait > 0 {
			if err := s.cfg.Sleep(ctx, min(wait, s.cfg.LeaseTTL/3)); err != nil {
				return false, err
			}
		}
		if ok, err := s.lease(ctx, campaignID, owner, true); !ok || err != nil {
			return false, err // another sender took over
		}
	}
	return true, nil
}

// lease takes (or with renew, extends) the campaign's sender lease.
func (s *Sender) lease(ctx context.Context, id, owner string, renew bool) (bool, error) {
	now := s.cfg.Now()
	until := now.Add(s.cfg.LeaseTTL)
	if renew {
		return s.svc.st.RenewCampaignLease(ctx, model.PlatformScope(), id, owner, until)
	}
	return s.svc.st.LeaseCampaign(ctx, model.PlatformScope(), id, owner, until, now)
}

func (s *Sender) release(ctx context.Context, id, owner string) {
	if err := s.svc.st.ReleaseCampaignLease(ctx, model.PlatformScope(), id, owner); err != nil {
		s.cfg.Logger.Warn("campaign: release lease", "campaign", id, "err", err)
	}
}

// EventData is the "data" object of campaign.started and
// campaign.completed.
type EventData struct {
	CampaignID string `json:"campaign_id"`
	Title      string `json:"title"`
	Status     string `json:"status"`
	Total      int    `json:"total"`
	Delivered  int    `json:"delivered"`
	Failed     int    `json:"failed"`
	Skipped    int    `json:"skipped"`
	Canceled   int    `json:"canceled"`
}

// publishTx publishes a campaign event inside tx (when webhooks are set).
func (s *Sender) publishTx(ctx context.Context, tx *sql.Tx, typ string, c Campaign) error {
	wh := s.wh.Load()
	if wh == nil {
		return nil
	}
	_, err := wh.PublishTx(ctx, tx, c.TenantID, notify.Event{Type: typ, At: s.cfg.Now(), Data: EventData{
		CampaignID: c.ID, Title: c.Title, Status: string(c.Status), Total: c.Total, Delivered: c.Delivered,
		Failed: c.Failed, Skipped: c.Skipped, Canceled: c.Canceled}})
	return err
}

// errLostCampaign: the campaign stopped running (or the lease moved)
// between reading it and claiming a recipient.
var errLostCampaign = errors.New("campaign: no longer running here")

// submitError classifies a refused submission.
func submitError(err error) (pause string, recipient string, skip bool) {
	var ve *model.ValidationError
	switch {
	case errors.Is(err, model.ErrLimitExceeded):
		return "tenant fax limit reached: " + err.Error(), "", false
	case errors.Is(err, model.ErrSuspended):
		return "the tenant is suspended", "", false
	case errors.As(err, &ve) && ve.Fields["to"] != "" && len(ve.Fields) == 1:
		reason := ve.Fields["to"]
		return "", reason, isDNCReason(reason)
	case errors.As(err, &ve):
		return "cannot send: " + ve.Error(), "", false
	case errors.Is(err, model.ErrConflict), errors.Is(err, model.ErrForbidden):
		return "", "refused: " + err.Error(), false
	}
	return "", "", false
}

func isDNCReason(reason string) bool {
	return strings.Contains(strings.ToLower(reason), "do-not-contact list")
}

// dncUnavailable: IsBlocked failed closed; the check is worth repeating.
func dncUnavailable(reason string) bool { return strings.Contains(reason, "could not be checked") }

// IdempotencyKey is the key of a recipient's fax in a submission round.
func IdempotencyKey(campaignID string, seq int64, round int) string {
	return fmt.Sprintf("cmp:%s:%d:%d", campaignID, seq, round)
}
