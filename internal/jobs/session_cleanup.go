package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"faxgate/internal/store"
)

// KindSessionCleanup is the kind of the periodic session and throttle
// clean-up job.
const KindSessionCleanup = "session_cleanup"

// SessionCleanupArgs is the (empty) argument of a session_cleanup job.
type SessionCleanupArgs struct{}

// Kind implements river.JobArgs.
func (SessionCleanupArgs) Kind() string { return KindSessionCleanup }

// InsertOpts makes a clean-up unique while one waits or runs (completed
// ones do not count, so the next period's job is inserted).
func (SessionCleanupArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{
		ByArgs: true,
		ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
			rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled},
	}}
}

// SessionCleanupConfig tunes the clean-up. Zero fields take the defaults.
type SessionCleanupConfig struct {
	Idle        time.Duration    // sessions idle longer are deleted (default 2h, the session idle timeout)
	ThrottleTTL time.Duration    // unlocked login throttles older than this are deleted (default 24h)
	Interval    time.Duration    // how often the job runs (default 1h)
	Now         func() time.Time // clock (default time.Now)
}

func (c SessionCleanupConfig) withDefaults() SessionCleanupConfig {
	if c.Idle <= 0 {
		c.Idle = 2 * time.Hour
	}
	if c.ThrottleTTL <= 0 {
		c.ThrottleTTL = 24 * time.Hour
	}
	if c.Interval <= 0 {
		c.Interval = time.Hour
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// SessionCleanupWorker deletes sessions past their idle or absolute expiry
// and stale login throttles.
type SessionCleanupWorker struct {
	river.WorkerDefaults[SessionCleanupArgs]
	store  *store.Store
	cfg    SessionCleanupConfig
	logger *slog.Logger
}

// NewSessionCleanupWorker returns the worker for session_cleanup jobs.
func NewSessionCleanupWorker(st *store.Store, logger *slog.Logger, cfg SessionCleanupConfig) *SessionCleanupWorker {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &SessionCleanupWorker{store: st, cfg: cfg.withDefaults(), logger: logger}
}

// Work implements river.Worker.
func (w *SessionCleanupWorker) Work(ctx context.Context, _ *river.Job[SessionCleanupArgs]) error {
	now := w.cfg.Now().UTC()
	sessions, err := w.store.DeleteExpiredSessions(ctx, now.Add(-w.cfg.Idle), now)
	if err != nil {
		return fmt.Errorf("delete expired sessions: %w", err)
	}
	throttles, err := w.store.DeleteStaleLoginThrottles(ctx, now.Add(-w.cfg.ThrottleTTL), now)
	if err != nil {
		return fmt.Errorf("delete stale login throttles: %w", err)
	}
	w.logger.Info("session clean-up", "sessions_deleted", sessions, "throttles_deleted", throttles)
	return nil
}

// Timeout bounds one clean-up run.
func (w *SessionCleanupWorker) Timeout(*river.Job[SessionCleanupArgs]) time.Duration {
	return 5 * time.Minute
}

// AddSessionCleanup registers the session_cleanup worker in workers and
// returns its periodic schedule (every cfg.Interval, and once at start) for
// WithPeriodicJobs:
//
//	workers := river.NewWorkers()
//	cleanup := jobs.AddSessionCleanup(workers, st, logger, jobs.SessionCleanupConfig{Idle: cfg.SessionIdle})
//	j, err := jobs.New(st, logger, workers, nil, jobs.WithPeriodicJobs(cleanup))
func AddSessionCleanup(workers *river.Workers, st *store.Store, logger *slog.Logger, cfg SessionCleanupConfig) *river.PeriodicJob {
	cfg = cfg.withDefaults()
	river.AddWorker(workers, NewSessionCleanupWorker(st, logger, cfg))
	return river.NewPeriodicJob(
		river.PeriodicInterval(cfg.Interval),
		func() (river.JobArgs, *river.InsertOpts) { return SessionCleanupArgs{}, nil },
		&river.PeriodicJobOpts{ID: KindSessionCleanup, RunOnStart: true},
	)
}
