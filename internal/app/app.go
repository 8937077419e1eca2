package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/riverqueue/river"

	"faxgate/internal/announce"
	"faxgate/internal/api"
	"faxgate/internal/audit"
	"faxgate/internal/auth"
	"faxgate/internal/blob"
	"faxgate/internal/campaign"
	"faxgate/internal/config"
	"faxgate/internal/document"
	"faxgate/internal/documents"
	"faxgate/internal/faxin"
	"faxgate/internal/faxout"
	"faxgate/internal/health"
	"faxgate/internal/jobs"
	"faxgate/internal/mail/outbound"
	"faxgate/internal/mail/smtpd"
	"faxgate/internal/notify"
	"faxgate/internal/reports"
	"faxgate/internal/store"
	"faxgate/internal/tenancy"
)

// App is one faxgate node: store, workers, services and the HTTP server.
type App struct {
	cfg       config.Config
	o         options
	log       *slog.Logger
	store     *store.Store
	jobs      *jobs.Jobs
	audit     *audit.Service
	auth      *auth.Service
	tenancy   *tenancy.Service
	blobs     *blob.FS
	conv      *document.Converter // one per process: the PDF renderer pool; closed by Close
	docs      *documents.Service
	faxout    *faxout.Service
	faxin     *faxin.Service
	webhooks  *notify.Webhooks
	mailer    *outbound.Mailer
	contacts  *campaign.Service
	sender    *campaign.Sender
	smtp      *smtpd.Server
	email     emailParts
	reports   *reports.Service
	announce  *announce.Service
	health    *health.Service
	sip       *sipNode // nil when --sip off
	faxQueue  int      // the fax queue's workers, once added (Start)
	faxEvents faxPublisher
	smtpAddr  atomic.Value
	api       *api.API
	reg       *prometheus.Registry
	handler   http.Handler

	started atomic.Bool // workers running: /healthz reports ready
	addr    atomic.Value
}

type options struct {
	logger        *slog.Logger
	now           func() time.Time
	authConfig    func(*auth.Config)
	docsConfig    func(*documents.Config, *document.Config)
	webhookConfig func(*notify.WebhookConfig)
	faxoutConfig  func(*faxout.Config)
	openTime      time.Duration
	shutdown      time.Duration
	version       string
}

// Option customises New.
type Option func(*options)

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithClock sets the clock of the services (sessions, throttling, audit);
// tests use it to expire sessions without waiting.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithAuthConfig adjusts the auth configuration built from the config
// (tests use cheap password hashing and no failure delay).
func WithAuthConfig(f func(*auth.Config)) Option { return func(o *options) { o.authConfig = f } }

// WithDocumentsConfig adjusts the documents service's limits and the
// conversion engine's configuration built from the config (tests use small
// upload limits and a shared PDF renderer compilation cache).
func WithDocumentsConfig(f func(*documents.Config, *document.Config)) Option {
	return func(o *options) { o.docsConfig = f }
}

// WithWebhookConfig adjusts the webhooks configuration built from the
// platform settings (tests allow http:// receivers on loopback).
func WithWebhookConfig(f func(*notify.WebhookConfig)) Option {
	return func(o *options) { o.webhookConfig = f }
}

// WithFaxoutConfig adjusts the sending service's configuration (tests
// shorten the channel leases of both directions).
func WithFaxoutConfig(f func(*faxout.Config)) Option {
	return func(o *options) { o.faxoutConfig = f }
}

// WithShutdownTimeout bounds the graceful shutdown (default 20 s).
func WithShutdownTimeout(d time.Duration) Option { return func(o *options) { o.shutdown = d } }

// WithVersion sets the version shown in the OpenAPI document.
func WithVersion(v string) Option { return func(o *options) { o.version = v } }

// New opens the store and builds every component. It does not migrate the
// database (see Migrate) and starts nothing (see Start and Run).
func New(cfg config.Config, opts ...Option) (*App, error) {
	o := options{now: time.Now, openTime: 30 * time.Second, shutdown: 20 * time.Second}
	for _, f := range opts {
		f(&o)
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, o: o, log: o.logger}
	ctx, cancel := context.WithTimeout(context.Background(), o.openTime)
	defer cancel()
	st, err := store.Open(ctx, cfg.DB, cfg.DataDir, a.log)
	if err != nil {
		return nil, err
	}
	a.store = st
	if err := a.useSecretKey(); err != nil {
		a.Close()
		return nil, err
	}
	if err := a.build(); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) build() error {
	a.audit = audit.NewService(a.store, a.log, a.o.now)
	acfg := auth.Config{SessionIdle: a.cfg.SessionIdle, SessionAbsolute: a.cfg.SessionAbsolute, Logger: a.log}
	if a.o.authConfig != nil {
		a.o.authConfig(&acfg)
	}
	a.auth = auth.NewService(a.store, a.audit, acfg, a.o.now)
	a.tenancy = tenancy.NewService(a.store, a.audit, a.o.now,
		tenancy.WithHasher(a.auth.Hasher()), tenancy.WithLogger(a.log))
	workers := river.NewWorkers()
	cleanup := jobs.AddSessionCleanup(workers, a.store, a.log,
		jobs.SessionCleanupConfig{Idle: a.auth.Config().SessionIdle, Now: a.o.now})
	dcfg, err := a.buildConverter()
	if err != nil {
		return err
	}
	documents.NewWorker(a.store, a.blobs, a.conv, a.log, dcfg).Register(workers)
	ctx, cancel := context.WithTimeout(context.Background(), a.o.openTime)
	defer cancel()
	fs, err := a.buildFax(ctx, workers)
	if err != nil {
		return err
	}
	opts := append(a.jobOptions(append([]*river.PeriodicJob{cleanup}, fs.periodic...)...),
		jobs.WithRiverConfig(faxout.RiverConfig))
	j, err := jobs.New(a.store, a.log, workers, a.queues(), opts...)
	if err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	a.jobs = j
	if err := a.useJobs(fs); err != nil {
		return err
	}
	a.docs, err = documents.New(documents.Deps{Store: a.store, Blobs: a.blobs, Jobs: j, Audit: a.audit,
		Logger: a.log}, dcfg)
	if err != nil {
		return err
	}
	if err := a.buildSMTP(); err != nil {
		return err
	}
	if err := a.buildSIP(); err != nil {
		return err
	}
	a.reports = reports.New(a.store, a.o.now)
	a.announce = announce.New(a.store, a.audit, a.o.now)
	a.health = health.New(a.store, a.cfg.DataDir, a.o.version, a.o.now).WithRegistrations(a.SIPRegistration)
	a.reg = prometheus.NewRegistry()
	a.reg.MustRegister(collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a.api, err = api.New(api.Deps{Auth: a.auth, Tenancy: a.tenancy, Audit: a.audit, Documents: a.docs,
		Faxout: a.faxout, Faxin: a.faxin, SIPRegistration: a.SIPRegistration, Webhooks: a.webhooks, Campaigns: a.contacts,
		Reports: a.reports, Announcements: a.announce, Mailer: a.mailer, Health: a.health,
		EmailSenders: a.email.senders, Logger: a.log, Version: a.o.version})
	if err != nil {
		return err
	}
	a.handler, err = a.newHandler()
	return err
}

// Migrate brings the database schema (and River's tables) up to date.
// It then checks the secret key against the database (see checkSecrets).
func (a *App) Migrate(ctx context.Context) error {
	if err := a.store.Migrate(ctx); err != nil {
		return err
	}
	return a.checkSecrets(ctx)
}

// Handler is the complete HTTP handler: middleware, portal, API, health,
// metrics.
func (a *App) Handler() http.Handler { return a.handler }

// Accessors for the CLI and tests.
func (a *App) Store() *store.Store            { return a.store }
func (a *App) Auth() *auth.Service            { return a.auth }
func (a *App) Tenancy() *tenancy.Service      { return a.tenancy }
func (a *App) Audit() *audit.Service          { return a.audit }
func (a *App) Documents() *documents.Service  { return a.docs }
func (a *App) Blobs() *blob.FS                { return a.blobs }
func (a *App) API() *api.API                  { return a.api }
func (a *App) Registry() *prometheus.Registry { return a.reg }

// Addr is the address the HTTP server listens on, once Run has bound it.
func (a *App) Addr() string {
	s, _ := a.addr.Load().(string)
	return s
}

// Start starts the background workers; /healthz reports ready from then on.
func (a *App) Start(ctx context.Context) error {
	if err := a.store.CheckSecretKey(ctx); err != nil {
		return fmt.Errorf("start: %w (see --secret-key-file)", err)
	}
	if err := a.addFaxQueue(ctx); err != nil {
		return fmt.Errorf("start workers: %w", err)
	}
	if err := a.jobs.Start(ctx); err != nil {
		return fmt.Errorf("start workers: %w", err)
	}
	a.started.Store(true)
	return nil
}

// Stop stops the workers, waiting for running jobs within ctx.
func (a *App) Stop(ctx context.Context) error {
	if !a.started.Swap(false) {
		return nil
	}
	return a.jobs.Stop(ctx)
}

// Close releases the document converter and the store. Call it after Run
// or Stop.
func (a *App) Close() error {
	var errs []error
	if a.conv != nil {
		errs = append(errs, a.conv.Close())
	}
	return errors.Join(append(errs, a.store.Close())...)
}

// Run starts the workers and serves HTTP on the configured address until
// ctx ends, then shuts down gracefully: no new connections, in-flight
// requests finish (bounded by the shutdown timeout), workers stop.
func (a *App) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("http: %w", err)
	}
	return a.Serve(ctx, ln)
}

// Serve is Run on an existing listener.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	a.addr.Store(ln.Addr().String())
	if err := a.Start(ctx); err != nil {
		ln.Close()
		return err
	}
	if err := a.startSMTP(); err != nil {
		ln.Close()
		return errors.Join(err, a.Stop(context.Background()))
	}
	if err := a.startSIP(ctx); err != nil {
		ln.Close()
		return errors.Join(err, a.stopSMTP(context.Background()), a.Stop(context.Background()))
	}
	srv := newServer(a.handler, a.log)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.log.Info("http: listening", "addr", ln.Addr().String())

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	return errors.Join(serveErr, a.shutdown(srv))
}

func (a *App) shutdown(srv *http.Server) error {
	a.log.Info("shutting down", "timeout", a.o.shutdown)
	ctx, cancel := context.WithTimeout(context.Background(), a.o.shutdown)
	defer cancel()
	var errs []error
	if err := srv.Shutdown(ctx); err != nil {
		errs = append(errs, fmt.Errorf("http shutdown: %w", err))
	}
	if err := a.stopSMTP(ctx); err != nil {
		errs = append(errs, err)
	}
	a.stopSIP()
	if err := a.Stop(ctx); err != nil {
		errs = append(errs, fmt.Errorf("workers: %w", err))
	}
	a.log.Info("shutdown complete")
	return errors.Join(errs...)
}

func newServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // uploads
		WriteTimeout:      2 * time.Minute, // downloads
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

var _ io.Closer = (*App)(nil)
