package outbound

import (
	"context"
	"errors"
	"io"
	"time"
	"unicode/utf8"

	"github.com/riverqueue/river"

	"faxgate/internal/blob"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// KindEmailSend is the River job kind that sends one stored email.
const KindEmailSend = "email_send"

// maxErrorText bounds the last error kept on an email.
const maxErrorText = 1000

// SendArgs are the arguments of an email_send job.
type SendArgs struct {
	EmailID string `json:"email_id"`
}

// Kind implements river.JobArgs.
func (SendArgs) Kind() string { return KindEmailSend }

// AddWorker registers the email_send worker in workers. cfg must equal the
// Mailer's.
func AddWorker(workers *river.Workers, st *store.Store, blobs blob.Store, cfg Config) {
	river.AddWorker(workers, &sendWorker{st: st, blobs: blobs, cfg: cfg.withDefaults()})
}

// sendWorker runs email_send jobs: one try per run.
type sendWorker struct {
	river.WorkerDefaults[SendArgs]
	st    *store.Store
	blobs blob.Store
	cfg   Config
}

// Work makes one try. A temporary failure returns the error so River
// retries after NextRetry; a permanent one (or the last try) marks the
// email failed and cancels the job.
func (w *sendWorker) Work(ctx context.Context, job *river.Job[SendArgs]) error {
	e, err := w.st.BeginOutboundEmailAttempt(ctx, job.Args.EmailID, w.cfg.Now())
	if errors.Is(err, model.ErrNotFound) {
		return river.JobCancel(err) // deleted with its tenant: nothing to send
	}
	if err != nil {
		return err
	}
	if e.Status.Final() {
		return nil // sent or failed by an earlier run
	}
	sendErr := w.send(ctx, e)
	log := w.cfg.Logger.With("email", e.ID, "kind", e.Kind, "try", e.Attempts)
	if sendErr == nil {
		log.Info("email sent", "to", len(e.To))
		return w.finish(ctx, e, model.EmailSent, "")
	}
	if IsPermanent(sendErr) || job.Attempt >= job.MaxAttempts {
		log.Warn("email failed", "err", sendErr)
		if err := w.finish(ctx, e, model.EmailFailed, sendErr.Error()); err != nil {
			return err
		}
		return river.JobCancel(sendErr)
	}
	log.Info("email try failed; will retry", "err", sendErr, "in", w.cfg.backoff(job.Attempt))
	if err := w.st.SetOutboundEmailResult(ctx, e.ID, model.EmailQueued, clip(sendErr.Error()), w.cfg.Now()); err != nil {
		return errors.Join(sendErr, err)
	}
	return sendErr
}

// send makes the SMTP try with the current relay settings.
func (w *sendWorker) send(ctx context.Context, e model.OutboundEmail) error {
	p, err := w.st.GetPlatformSettings(ctx, model.PlatformScope())
	if err != nil {
		return err
	}
	relay, err := NewRelay(p.SMTP, w.cfg.RelayOptions)
	if err != nil {
		return err // not configured (yet): retried, the admin may set it up
	}
	return relay.Send(ctx, e, func(ctx context.Context, a model.EmailAttachment) (io.ReadCloser, error) {
		return w.blobs.Open(ctx, a.BlobKey)
	})
}

// finish records a final status and drops the email's own attachment
// blobs (referenced blobs belong to someone else).
func (w *sendWorker) finish(ctx context.Context, e model.OutboundEmail, status model.EmailStatus, lastErr string) error {
	if err := w.st.SetOutboundEmailResult(ctx, e.ID, status, clip(lastErr), w.cfg.Now()); err != nil {
		return err
	}
	dropOwned(ctx, w.blobs, w.cfg.Logger, e.Attachments)
	return nil
}

// NextRetry schedules the next try after the backoff of this one.
func (w *sendWorker) NextRetry(job *river.Job[SendArgs]) time.Time {
	return time.Now().Add(w.cfg.backoff(job.Attempt))
}

// Timeout leaves room for a whole SMTP session and the bookkeeping.
func (w *sendWorker) Timeout(*river.Job[SendArgs]) time.Duration {
	return 2*w.cfg.Timeout + 30*time.Second
}

// clip bounds an error text for storage.
func clip(s string) string {
	if len(s) <= maxErrorText {
		return s
	}
	s = s[:maxErrorText]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}
