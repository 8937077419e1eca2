package faxin

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// KindRetention is the daily purge of received faxes' files.
const KindRetention = "fax_retention"

// RetentionArgs are the (empty) arguments of a fax_retention job.
type RetentionArgs struct{}

// Kind implements river.JobArgs.
func (RetentionArgs) Kind() string { return KindRetention }

// InsertOpts keeps one purge waiting or running at a time.
func (RetentionArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByArgs: true,
		ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
			rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

type retentionWorker struct {
	river.WorkerDefaults[RetentionArgs]
	s *Service
}

func (w *retentionWorker) Work(ctx context.Context, _ *river.Job[RetentionArgs]) error {
	_, err := w.s.Purge(ctx)
	return err
}

func (w *retentionWorker) Timeout(*river.Job[RetentionArgs]) time.Duration { return time.Hour }

// PurgeReport says what one purge run did.
type PurgeReport struct {
	Tenants int // tenants looked at
	Purged  int // faxes whose files were removed
	Stale   int // receptions failed because their node died
}

const purgeBatch = 200

// Purge removes the files of every tenant's received faxes older than its
// retention period (the tenant's days bounded by the platform minimum and
// maximum), marking them purged; the fax rows and CDR rows stay. It also
// fails receptions left "receiving" by a dead node. What the fax_retention
// job runs; safe to run concurrently with itself (each fax is marked once).
func (s *Service) Purge(ctx context.Context) (PurgeReport, error) {
	var rep PurgeReport
	now := s.now()
	stale, err := s.failStale(ctx, now)
	rep.Stale = stale
	if err != nil {
		return rep, err
	}
	p, err := s.st.GetPlatformSettings(ctx, model.PlatformScope())
	if err != nil {
		return rep, err
	}
	cursor := ""
	for {
		tenants, next, err := s.st.ListTenants(ctx, store.TenantFilter{}, model.ListOptions{Limit: store.MaxLimit, Cursor: cursor})
		if err != nil {
			return rep, err
		}
		for _, t := range tenants {
			days := p.ClampRetention(t.RetentionDays)
			n, err := s.purgeTenant(ctx, t.ID, now.Add(-time.Duration(days)*24*time.Hour), now)
			rep.Purged += n
			if err != nil {
				return rep, fmt.Errorf("purge tenant %s: %w", t.ID, err)
			}
			if n > 0 {
				s.au.Record(ctx, model.SystemActor(), model.ActionFaxPurged, "tenant", t.ID,
					fmt.Sprintf("retention (%d days): files of %d received fax(es) removed", days, n), t.ID)
			}
		}
		rep.Tenants += len(tenants)
		if next == "" {
			break
		}
		cursor = next
	}
	s.log.Info("fax retention purge", "tenants", rep.Tenants, "purged", rep.Purged, "stale_receptions", rep.Stale)
	return rep, nil
}

// purgeTenant purges one tenant's faxes created before cut.
func (s *Service) purgeTenant(ctx context.Context, tenantID string, cut, now time.Time) (int, error) {
	n := 0
	for {
		batch, err := s.st.InboundPurgeCandidates(ctx, tenantID, cut, purgeBatch)
		if err != nil || len(batch) == 0 {
			return n, err
		}
		for _, f := range batch {
			// Files first: a crash between the two leaves a fax that the
			// next run purges again (deleting absent files is no error).
			if err := s.blob.DeletePrefix(ctx, faxKey(f.TenantID, f.ID)); err != nil {
				return n, err
			}
			ok, err := s.st.MarkInboundFaxPurged(ctx, f.ID, now)
			if err != nil {
				return n, err
			}
			if ok {
				n++
			}
		}
	}
}

// failStale closes receptions whose node died mid-call.
func (s *Service) failStale(ctx context.Context, now time.Time) (int, error) {
	stale, err := s.st.StaleReceptions(ctx, now.Add(-s.cfg.StaleAfter), purgeBatch)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, f := range stale {
		_, err := s.Finish(ctx, f.ID, Result{Code: -1, Text: "interrupted: the reception never finished",
			Class: "internal", EndedAt: now})
		if err != nil {
			s.log.Warn("stale reception not closed", "fax", f.ID, "err", err)
			continue
		}
		n++
	}
	return n, nil
}

// AddWorkers registers the fax_to_email and fax_retention workers and
// returns the retention's periodic job (every Config.RetentionEvery, and
// once at start) for jobs.WithPeriodicJobs.
func (s *Service) AddWorkers(workers *river.Workers) *river.PeriodicJob {
	river.AddWorker(workers, &emailWorker{s: s})
	river.AddWorker(workers, &retentionWorker{s: s})
	return river.NewPeriodicJob(river.PeriodicInterval(s.cfg.RetentionEvery),
		func() (river.JobArgs, *river.InsertOpts) { return RetentionArgs{}, nil },
		&river.PeriodicJobOpts{ID: KindRetention, RunOnStart: true})
}
