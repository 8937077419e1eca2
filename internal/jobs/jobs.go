// Package jobs runs faxgate's background work on River, a job queue that
// lives in the store's own database: riversqlite on SQLite, riverpgxv5 on
// PostgreSQL (with LISTEN/NOTIFY, so many nodes share one queue). River's
// clients are generic over the driver's transaction type; Jobs hides that
// behind one non-generic type whose transactional inserts take a *sql.Tx
// from store.DB() on both engines.
//
// River's tables are created by store.Migrate, not here.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"faxgate/internal/store"
)

// Default worker counts of the default queue when New gets no queues.
const (
	DefaultWorkersSQLite   = 8
	DefaultWorkersPostgres = 20
)

// client is what Jobs needs of a *river.Client, whatever its tx type.
type client interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func())
}

// Inserter enqueues jobs. Producers of work depend on this, not on Jobs.
type Inserter interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) error
}

// Jobs is the River client of one faxgate process.
type Jobs struct {
	client   client
	insertTx func(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) error
	sqlite   *river.Client[*sql.Tx] // set on SQLite
	pgx      *river.Client[pgx.Tx]  // set on PostgreSQL
	logger   *slog.Logger
	started  atomic.Bool
}

// Option adjusts New.
type Option func(*river.Config)

// WithPeriodicJobs schedules periodic jobs (run by the elected leader only).
func WithPeriodicJobs(jobs ...*river.PeriodicJob) Option {
	return func(c *river.Config) { c.PeriodicJobs = append(c.PeriodicJobs, jobs...) }
}

// WithFetchPollInterval sets how often producers poll for jobs when no
// notification arrives (River's default is one second).
func WithFetchPollInterval(d time.Duration) Option {
	return func(c *river.Config) {
		c.FetchPollInterval = d
		if d < river.FetchCooldownDefault {
			c.FetchCooldown = d
		}
	}
}

// WithRiverConfig gives direct access to River's configuration for
// settings faxgate has no option for. It runs last.
func WithRiverConfig(fn func(*river.Config)) Option { return Option(fn) }

// New builds the River client on the store's database. workers holds every
// job kind this process works; queues nil means River's default queue with
// DefaultWorkersSQLite/DefaultWorkersPostgres workers. The schema must be
// migrated (store.Migrate) before Start.
func New(st *store.Store, logger *slog.Logger, workers *river.Workers, queues map[string]river.QueueConfig, opts ...Option) (*Jobs, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if workers == nil {
		return nil, errors.New("jobs: workers are required")
	}
	cfg := &river.Config{
		Logger:  logger.With("component", "river"),
		Workers: workers,
		Queues:  queues,
	}
	if cfg.Queues == nil {
		n := DefaultWorkersSQLite
		if st.Engine() == store.Postgres {
			n = DefaultWorkersPostgres
		}
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: n}}
	}
	for _, o := range opts {
		o(cfg)
	}
	j := &Jobs{logger: logger}
	var err error
	if st.Engine() == store.Postgres {
		err = j.initPostgres(st, cfg)
	} else {
		err = j.initSQLite(st, cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return j, nil
}

func (j *Jobs) initSQLite(st *store.Store, cfg *river.Config) error {
	c, err := river.NewClient(riversqlite.New(st.DB()), cfg)
	if err != nil {
		return err
	}
	j.client, j.sqlite = c, c
	j.insertTx = func(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) error {
		_, err := c.InsertTx(ctx, tx, args, opts)
		return err
	}
	return nil
}

// initPostgres builds the working client on pgx. Transactional inserts come
// from the store's database/sql transactions, which pgx's driver cannot
// take, so an insert-only client on River's database/sql driver (same pool,
// same tables) handles them; the working client picks the jobs up.
func (j *Jobs) initPostgres(st *store.Store, cfg *river.Config) error {
	c, err := river.NewClient(riverpgxv5.New(st.PgxPool()), cfg)
	if err != nil {
		return err
	}
	ins, err := river.NewClient(riverdatabasesql.New(st.DB()), &river.Config{
		Logger:  cfg.Logger,
		Workers: cfg.Workers, // validates kinds on insert
	})
	if err != nil {
		return err
	}
	j.client, j.pgx = c, c
	j.insertTx = func(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) error {
		_, err := ins.InsertTx(ctx, tx, args, opts)
		return err
	}
	return nil
}

// Start starts fetching and working jobs and running periodic jobs. The
// client outlives ctx's cancellation (only its values are kept): shut it
// down with Stop, which lets running jobs finish.
func (j *Jobs) Start(ctx context.Context) error {
	if err := j.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	j.started.Store(true)
	return nil
}

// Started reports whether Start succeeded and Stop has not been called
// (for health checks).
func (j *Jobs) Started() bool { return j.started.Load() }

// Stop stops fetching new jobs and waits for running ones to finish. If ctx
// ends first, running jobs are cancelled and Stop waits up to five more
// seconds for them to return.
func (j *Jobs) Stop(ctx context.Context) error {
	j.started.Store(false)
	err := j.client.Stop(ctx)
	if err == nil || ctx.Err() == nil {
		return err
	}
	j.logger.Warn("jobs: graceful stop timed out; cancelling running jobs")
	hard, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := j.client.StopAndCancel(hard); err != nil {
		return fmt.Errorf("jobs: stop: %w", err)
	}
	return nil
}

// Insert enqueues a job in its own transaction.
func (j *Jobs) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	if _, err := j.client.Insert(ctx, args, opts); err != nil {
		return fmt.Errorf("jobs: insert %s: %w", args.Kind(), err)
	}
	return nil
}

// InsertTx enqueues a job inside tx (a transaction on store.DB()), so the
// job exists if and only if tx commits.
func (j *Jobs) InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	if err := j.insertTx(ctx, tx, args, opts); err != nil {
		return fmt.Errorf("jobs: insert %s: %w", args.Kind(), err)
	}
	return nil
}

// AddQueue adds a queue to work, sized when New could not know its size
// yet (the fax queue follows the trunks, read once the database is
// migrated). Before Start, it is worked from Start on.
func (j *Jobs) AddQueue(name string, cfg river.QueueConfig) error {
	var err error
	if j.sqlite != nil {
		err = j.sqlite.Queues().Add(name, cfg)
	} else {
		err = j.pgx.Queues().Add(name, cfg)
	}
	if err != nil {
		return fmt.Errorf("jobs: add queue %s: %w", name, err)
	}
	return nil
}

// Client returns the inserting side of Jobs for producers of work.
func (j *Jobs) Client() Inserter { return j }

// Subscribe returns a channel of River events of the given kinds (all when
// none) and a function that cancels the subscription. Mostly for tests and
// metrics.
func (j *Jobs) Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func()) {
	if len(kinds) == 0 {
		kinds = []river.EventKind{river.EventKindJobCompleted, river.EventKindJobFailed,
			river.EventKindJobCancelled, river.EventKindJobSnoozed}
	}
	return j.client.Subscribe(kinds...)
}

// RiverSQLite returns the typed River client on SQLite (nil on PostgreSQL).
func (j *Jobs) RiverSQLite() *river.Client[*sql.Tx] { return j.sqlite }

// RiverPgx returns the typed River client on PostgreSQL (nil on SQLite).
func (j *Jobs) RiverPgx() *river.Client[pgx.Tx] { return j.pgx }
