package faxout

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"faxgate/internal/model"
)

// errAttemptClosed: the attempt had already been closed by someone else
// (recovery, after this node lost its lease).
var errAttemptClosed = errors.New("faxout: attempt already closed")

// decideTx records an outcome inside tx, with the fax f read under its row
// lock: it closes the attempt a (nil when no call was placed), then
// delivers, cancels, fails over (to the first of routes the try has not
// used), retries or fails the fax, and queues the next job if any.
func (s *Service) decideTx(ctx context.Context, tx *sql.Tx, f model.Fax, a *model.Attempt, o outcome, routes []route) error {
	now := s.clock()
	if a != nil {
		if err := s.closeAttemptTx(ctx, tx, a, o, now); err != nil {
			return err
		}
		f.PagesSent = max(f.PagesSent, a.Pages)
		if a.RemoteStationID != "" {
			f.RemoteStationID = a.RemoteStationID
		}
	}
	f.Cause, f.ResultText = o.cause, o.text
	switch {
	case o.delivered:
		return s.deliveredTx(ctx, tx, f, a, now)
	case o.canceledBy:
		return s.finalTx(ctx, tx, f, a, model.FaxCanceled, model.EventCanceled, model.EventFaxCanceled, now)
	}
	if a != nil {
		if err := s.eventTx(ctx, tx, f, model.EventAttemptFailed, a.Try, attemptText(*a)); err != nil {
			return err
		}
	}
	if o.failover && a != nil {
		left, err := s.untriedTx(ctx, tx, f, a.Try, routes)
		if err != nil {
			return err
		}
		if len(left) > 0 {
			return s.failoverTx(ctx, tx, f, a, left[0], now)
		}
	}
	if !o.final && f.Tries < f.Retries+1 {
		return s.retryTx(ctx, tx, f, a, o, now)
	}
	return s.finalTx(ctx, tx, f, a, model.FaxFailed, model.EventFailed, model.EventFaxFailed, now)
}

// closeAttemptTx writes the outcome into the attempt and ends it.
func (s *Service) closeAttemptTx(ctx context.Context, tx *sql.Tx, a *model.Attempt, o outcome, now time.Time) error {
	r := o.res
	a.Status, a.Cause, a.ResultText, a.SIPCode, a.T30Code = o.status, o.cause, o.text, o.sip, o.t30
	if r.Answered && !r.AnsweredAt.IsZero() {
		a.AnsweredAt = r.AnsweredAt
	}
	a.Pages = max(a.Pages, r.Pages)
	if r.Transport != "" {
		a.Transport = r.Transport
	}
	if r.BitRate > 0 {
		a.BitRate, a.ECMUsed = r.BitRate, r.ECM
	}
	if r.RemoteStationID != "" {
		a.RemoteStationID = r.RemoteStationID
	}
	a.EndedAt = now
	if !r.EndedAt.IsZero() {
		a.EndedAt = r.EndedAt.UTC()
	}
	if err := s.st.FinishAttemptTx(ctx, tx, a); err != nil {
		if errors.Is(err, model.ErrConflict) {
			return errAttemptClosed
		}
		return err
	}
	return nil
}

// attemptText is a timeline line for a failed attempt.
func attemptText(a model.Attempt) string {
	return fmt.Sprintf("try %d on %s: %s (%s), %d pages confirmed", a.Try, a.TrunkName, a.ResultText, a.Cause, a.Pages)
}

func (s *Service) deliveredTx(ctx context.Context, tx *sql.Tx, f model.Fax, a *model.Attempt, now time.Time) error {
	pages := f.Pages
	if a != nil && a.Pages > 0 {
		pages = a.Pages
	}
	f.PagesSent = pages
	if err := s.st.AddUsageTx(ctx, tx, f.TenantID, now, pages, 1); err != nil {
		return err
	}
	detail := fmt.Sprintf("%d pages to %s", pages, f.To)
	if f.RemoteStationID != "" {
		detail += " (" + f.RemoteStationID + ")"
	}
	return s.finishFaxTx(ctx, tx, f, a, model.FaxDelivered, model.EventDelivered, model.EventFaxDelivered, detail, now)
}

func (s *Service) finalTx(ctx context.Context, tx *sql.Tx, f model.Fax, a *model.Attempt, st model.FaxStatus,
	kind model.FaxEventKind, notice string, now time.Time) error {
	detail := f.ResultText
	if st == model.FaxFailed {
		detail = fmt.Sprintf("after %d tries: %s (%s)", f.Tries, f.ResultText, f.Cause)
	}
	return s.finishFaxTx(ctx, tx, f, a, st, kind, notice, detail, now)
}

// finishFaxTx makes the fax final.
func (s *Service) finishFaxTx(ctx context.Context, tx *sql.Tx, f model.Fax, a *model.Attempt, st model.FaxStatus,
	kind model.FaxEventKind, notice, detail string, now time.Time) error {
	f.Status, f.CompletedAt, f.NextAttemptAt, f.CancelRequested = st, now, time.Time{}, false
	if err := s.st.UpdateFaxTx(ctx, tx, &f); err != nil {
		return err
	}
	try := 0
	if a != nil {
		try = a.Try
	}
	if err := s.eventTx(ctx, tx, f, kind, try, detail); err != nil {
		return err
	}
	return s.publishTx(ctx, tx, notice, f, a)
}

// failoverTx queues the next leg of the try on the next trunk, at once.
func (s *Service) failoverTx(ctx context.Context, tx *sql.Tx, f model.Fax, a *model.Attempt, next route, now time.Time) error {
	f.NextTry, f.NextLeg, f.NextAttemptAt = a.Try, a.Leg+1, now
	if err := s.st.UpdateFaxTx(ctx, tx, &f); err != nil {
		return err
	}
	if err := s.eventTx(ctx, tx, f, model.EventFailover, a.Try,
		fmt.Sprintf("%s failed (%s); trying %s", a.TrunkName, a.Cause, next.trunk.Name)); err != nil {
		return err
	}
	return s.queueStepTx(ctx, tx, f)
}

// retryTx schedules the next try after the policy's delay.
func (s *Service) retryTx(ctx context.Context, tx *sql.Tx, f model.Fax, a *model.Attempt, o outcome, now time.Time) error {
	delay := s.cfg.Retry.retryDelay(o, f.RetryDelay)
	f.Fallback = fallbackFor(f.Fallback, o)
	f.Status, f.NextTry, f.NextLeg, f.NextAttemptAt = model.FaxRetrying, f.Tries+1, 1, now.Add(delay)
	if err := s.st.UpdateFaxTx(ctx, tx, &f); err != nil {
		return err
	}
	detail := fmt.Sprintf("try %d of %d at %s (after %s: %s)", f.NextTry, f.Retries+1,
		f.NextAttemptAt.Format(time.RFC3339), f.Cause, f.ResultText)
	switch f.Fallback {
	case 1:
		detail += "; ECM off"
	case 2:
		detail += fmt.Sprintf("; ECM off, at most %d bit/s", FallbackMaxBitRate)
	}
	if err := s.eventTx(ctx, tx, f, model.EventRetrying, f.NextTry, detail); err != nil {
		return err
	}
	if err := s.publishTx(ctx, tx, model.EventFaxRetrying, f, a); err != nil {
		return err
	}
	return s.queueStepTx(ctx, tx, f)
}

// riverSchedulerInterval is how often River moves scheduled jobs to
// available (fixed in River).
const riverSchedulerInterval = 5 * time.Second

// queueStepTx inserts the job of the fax's next step.
func (s *Service) queueStepTx(ctx context.Context, tx *sql.Tx, f model.Fax) error {
	ins, err := s.inserter()
	if err != nil {
		return err
	}
	return ins.InsertTx(ctx, tx, s.sendArgs(f), sendOpts(f.NextAttemptAt, s.clock()))
}

// interruptedTx closes an attempt whose node stopped during the call. If
// the far end had confirmed every page, the fax was delivered; otherwise
// the attempt failed with cause internal ("interrupted") and the retry
// policy applies.
func (s *Service) interruptedTx(ctx context.Context, tx *sql.Tx, f model.Fax, open model.Attempt) error {
	o := outcome{status: model.AttemptFailed, cause: model.CauseInternal, interrupt: true, sip: open.SIPCode,
		t30: open.T30Code, text: fmt.Sprintf("interrupted: node %s stopped during the call", open.Node)}
	o.res.Pages = open.Pages
	if !open.AnsweredAt.IsZero() {
		o.res.Answered, o.res.AnsweredAt = true, open.AnsweredAt
	}
	if f.Pages > 0 && open.Pages >= f.Pages {
		o.status, o.cause, o.delivered = model.AttemptCompleted, model.CauseNone, true
		o.text = "delivered: every page was confirmed before the call was interrupted"
	}
	if err := s.eventTx(ctx, tx, f, model.EventInterrupted, open.Try, o.text); err != nil {
		return err
	}
	o.res.EndedAt = s.clock()
	return s.decideTx(ctx, tx, f, &open, o, nil)
}

// Recover closes the calls of nodes that died (open attempts without a live
// lease) and reports how many it closed. The fax_recover job runs it
// periodically; it is safe to run on several nodes at once.
func (s *Service) Recover(ctx context.Context) (int, error) {
	orphans, err := s.st.OrphanedAttempts(ctx, s.clock(), 200)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, a := range orphans {
		err := s.st.RunTx(ctx, func(tx *sql.Tx) error {
			f, err := s.st.GetFaxTx(ctx, tx, a.FaxID)
			if err != nil {
				return err
			}
			open, err := s.st.OpenAttemptTx(ctx, tx, f.ID)
			if errors.Is(err, model.ErrNotFound) || err == nil && open.ID != a.ID {
				return nil // closed meanwhile
			}
			if err != nil {
				return err
			}
			if live, err := s.st.LiveLeaseForFaxTx(ctx, tx, f.ID, s.clock()); err != nil || live {
				return err
			}
			n++
			return s.interruptedTx(ctx, tx, f, open)
		})
		if err != nil {
			return n, err
		}
	}
	if n > 0 {
		s.logger.Info("recovered interrupted calls", "count", n)
	}
	return n, nil
}
