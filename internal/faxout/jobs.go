package faxout

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// Queue is the River queue of fax calls. Each running call holds one of its
// workers for the whole call, so give it at least as many workers as the
// trunks have channels in total (see QueueConfig).
const Queue = "fax"

// Job kinds.
const (
	KindSend    = "fax_send"
	KindRecover = "fax_recover"
)

// SendArgs is one call of a fax: try Try (1-based), leg Leg (the trunk of
// the try: 1, then 2... after failovers). The pair is unique per fax, so a
// step is never queued twice.
type SendArgs struct {
	FaxID string `json:"fax_id" river:"unique"`
	Try   int    `json:"try" river:"unique"`
	Leg   int    `json:"leg" river:"unique"`
	// MaxSeconds bounds the job (Config.CallTimeout for the fax's pages):
	// River cancels a call that runs longer, and rescues a job left
	// "running" by a dead node only after this long.
	MaxSeconds int `json:"max_s,omitempty"`
}

// Kind implements river.JobArgs.
func (SendArgs) Kind() string { return KindSend }

// InsertOpts puts calls on the fax queue, unique by (fax, try, leg) in
// every state River keeps (completed ones included), retried by River only
// for failures of faxgate itself (the database went away): call failures
// are handled by the fax's own retry policy.
func (SendArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: 25, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// sendOpts schedules a job at `at` (zero: now). Jobs due within River's
// scheduler interval are inserted available: the worker snoozes them to
// the due time, to the second.
func sendOpts(at, now time.Time) *river.InsertOpts {
	if at.Sub(now) <= riverSchedulerInterval {
		return nil
	}
	return &river.InsertOpts{ScheduledAt: at}
}

// RecoverArgs is the periodic recovery of calls whose node died.
type RecoverArgs struct{}

// Kind implements river.JobArgs.
func (RecoverArgs) Kind() string { return KindRecover }

// InsertOpts keeps one recovery waiting or running at a time.
func (RecoverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: 3}
}

// sendWorker runs fax_send jobs.
type sendWorker struct {
	river.WorkerDefaults[SendArgs]
	s *Service
}

// Work implements river.Worker.
func (w *sendWorker) Work(ctx context.Context, job *river.Job[SendArgs]) error {
	return w.s.work(ctx, job.Args)
}

// Timeout is the job's call budget. It must be finite: River never rescues
// a job whose timeout is infinite, so a job left "running" by a dead node
// would stay in the queue's tables forever.
func (w *sendWorker) Timeout(job *river.Job[SendArgs]) time.Duration {
	if job.Args.MaxSeconds > 0 {
		return time.Duration(job.Args.MaxSeconds) * time.Second
	}
	return time.Hour
}

// recoverWorker runs fax_recover jobs.
type recoverWorker struct {
	river.WorkerDefaults[RecoverArgs]
	s *Service
}

// Work implements river.Worker.
func (w *recoverWorker) Work(ctx context.Context, _ *river.Job[RecoverArgs]) error {
	_, err := w.s.Recover(ctx)
	return err
}

// AddWorkers registers the fax workers in workers and returns the periodic
// recovery job for jobs.WithPeriodicJobs:
//
//	svc, _ := faxout.New(deps, cfg)
//	workers := river.NewWorkers()
//	periodic := svc.AddWorkers(workers)
//	j, _ := jobs.New(st, logger, workers, map[string]river.QueueConfig{
//		river.QueueDefault: {MaxWorkers: 8}, faxout.Queue: faxout.QueueConfig(100)},
//		jobs.WithPeriodicJobs(periodic...), jobs.WithRiverConfig(faxout.RiverConfig))
//	svc.UseJobs(j)
func (s *Service) AddWorkers(workers *river.Workers) []*river.PeriodicJob {
	river.AddWorker(workers, &sendWorker{s: s})
	river.AddWorker(workers, &recoverWorker{s: s})
	return []*river.PeriodicJob{river.NewPeriodicJob(
		river.PeriodicInterval(s.cfg.RecoverEvery),
		func() (river.JobArgs, *river.InsertOpts) { return RecoverArgs{}, nil },
		&river.PeriodicJobOpts{ID: KindRecover, RunOnStart: true},
	)}
}

// QueueConfig is the fax queue's configuration with n workers: at least
// the sum of the trunks' channels, plus room for jobs waiting on a channel.
func QueueConfig(n int) river.QueueConfig { return river.QueueConfig{MaxWorkers: max(n, 1)} }

// RiverConfig adjusts River for fax calls (pass it to jobs.WithRiverConfig):
// a job stuck "running" on a node that died is rescued after two minutes
// or its call budget (SendArgs.MaxSeconds), whichever is longer, instead of
// River's default hour. A rescued job that was in fact still running finds
// its step taken and does nothing.
func RiverConfig(c *river.Config) {
	c.RescueStuckJobsAfter = max(2*time.Minute, c.JobTimeout)
}
