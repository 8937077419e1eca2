package faxout

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"faxgate/internal/audit"
	"faxgate/internal/blob"
	"faxgate/internal/faxout/line"
	"faxgate/internal/jobs"
	"faxgate/internal/model"
	"faxgate/internal/phone"
	"faxgate/internal/store"
)

// Defaults of Config.
const (
	DefaultLeaseTTL     = 30 * time.Second
	DefaultRecoverEvery = 15 * time.Second
	DefaultCancelWait   = 15 * time.Second
	DefaultCountry      = "US"
	// MaxRetries is the most retries a fax may ask for.
	MaxRetries = 10
	// MinRetryDelay and MaxRetryDelay bound a fax's retry delay (as the
	// tenant settings' bounds).
	MinRetryDelay = model.MinRetryDelay
	MaxRetryDelay = model.MaxRetryDelay
)

// Config tunes the service. Zero fields take the defaults.
type Config struct {
	// Node names this process in leases and attempts (default host:pid).
	Node string
	// LeaseTTL is how long a call's channel lease lives without renewal;
	// the node renews it every LeaseTTL/3. A dead node's channels are free
	// and its calls recovered after at most LeaseTTL.
	LeaseTTL time.Duration
	// RecoverEvery is the period of the fax_recover job.
	RecoverEvery time.Duration
	// CancelWait is how long Cancel waits for a live call to hang up.
	CancelWait time.Duration
	// CapacityWait is how long a job waits in-process for a free channel
	// before it snoozes (default 2 s).
	CapacityWait time.Duration
	// DefaultCountry reads admin-entered numbers without a leading + (CID
	// pool), default "US". Tenants' numbers use their fax settings.
	DefaultCountry string
	// Retry delays per cause; see RetryPolicy.
	Retry RetryPolicy
	// CallTimeout + CallTimeoutPerPage × pages is a call's budget (default
	// 5 min + 3 min per page): the job's River timeout.
	CallTimeout, CallTimeoutPerPage time.Duration
}

func (c Config) withDefaults() Config {
	if c.Node == "" {
		host, _ := os.Hostname()
		c.Node = fmt.Sprintf("%s:%d", host, os.Getpid())
	}
	if c.LeaseTTL <= 0 {
		c.LeaseTTL = DefaultLeaseTTL
	}
	if c.RecoverEvery <= 0 {
		c.RecoverEvery = DefaultRecoverEvery
	}
	if c.CancelWait <= 0 {
		c.CancelWait = DefaultCancelWait
	}
	if c.CapacityWait <= 0 {
		c.CapacityWait = 2 * time.Second
	}
	if c.DefaultCountry == "" {
		c.DefaultCountry = DefaultCountry
	}
	if c.CallTimeout <= 0 {
		c.CallTimeout = 5 * time.Minute
	}
	if c.CallTimeoutPerPage < 0 {
		c.CallTimeoutPerPage = 0
	} else if c.CallTimeoutPerPage == 0 {
		c.CallTimeoutPerPage = 3 * time.Minute
	}
	return c
}

// sendArgs is the job of the fax's next step, with its call budget.
func (s *Service) sendArgs(f model.Fax) SendArgs {
	budget := s.cfg.CallTimeout + time.Duration(f.Pages)*s.cfg.CallTimeoutPerPage
	return SendArgs{FaxID: f.ID, Try: f.NextTry, Leg: f.NextLeg, MaxSeconds: int(budget / time.Second)}
}

// LineFactory returns the Line that places calls on a trunk. It is called
// for every call, so it may cache lines per trunk id and UpdatedAt.
type LineFactory func(t model.Trunk) (line.Line, error)

// ErrNoDriver is returned by the default LineFactory for trunk kinds this
// build cannot dial yet (SIP arrives with its own issue); the call fails
// over to the next trunk.
var ErrNoDriver = errors.New("faxout: no driver for this trunk kind yet")

// DefaultLines is the LineFactory of a fresh service: test trunks get the
// built-in test line (real time or fast per trunk speed); other kinds
// ErrNoDriver.
func DefaultLines(logger *slog.Logger) LineFactory {
	return func(t model.Trunk) (line.Line, error) {
		if t.Kind != model.TrunkTest {
			return nil, fmt.Errorf("%w: %s trunk %q", ErrNoDriver, t.Kind, t.Name)
		}
		return line.NewTest(line.TestConfig{Realtime: t.Speed == model.SpeedRealtime, T38: t.T38,
			RingTimeout: t.RingTimeoutOrDefault(), Logger: logger}), nil
	}
}

// Notice tells a Publisher about a fax's lifecycle event: Type is one of
// model.EventFaxQueued, EventFaxRetrying, EventFaxDelivered,
// EventFaxFailed, EventFaxCanceled.
type Notice struct {
	Type    string
	At      time.Time
	Fax     model.Fax
	Attempt *model.Attempt // the call that caused it, if any
}

// Publisher receives notices inside the transaction that changes the fax
// (a transactional outbox for webhooks): if it fails, the change is rolled
// back and retried. Use only tx inside (see store.RunTx).
type Publisher interface {
	PublishFaxTx(ctx context.Context, tx *sql.Tx, n Notice) error
}

// Deps are the service's dependencies.
type Deps struct {
	Store  *store.Store
	Blob   blob.Store
	Audit  *audit.Service
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Lines builds trunks' lines (default DefaultLines).
	Lines LineFactory
	// Publisher, when set, is told about lifecycle events (webhooks).
	Publisher Publisher
	// Blocklist, when set, refuses numbers on the do-not-contact lists
	// (campaign.Service implements it).
	Blocklist Blocklist
}

// Blocklist says whether a tenant may not fax a number, and why (a reason
// fit for people). It fails closed: when it cannot check, it blocks.
type Blocklist interface {
	IsBlocked(ctx context.Context, tenantID, e164 string) (blocked bool, reason string)
}

// Service is outbound faxing.
type Service struct {
	st     *store.Store
	blob   blob.Store
	audit  *audit.Service
	logger *slog.Logger
	now    func() time.Time
	lines  LineFactory
	pub    Publisher
	block  Blocklist
	cfg    Config

	jobsMu sync.RWMutex
	jobs   jobs.Inserter

	calls    *registry
	beats    *beats
	rules    *rulesCache
	capacity *capacitySignal
}

// New returns the service. Call UseJobs with the River client before
// submitting (the client needs the service's workers first: see
// AddWorkers).
func New(d Deps, cfg Config) (*Service, error) {
	if d.Store == nil || d.Blob == nil {
		return nil, errors.New("faxout: a store and a blob store are required")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Audit == nil {
		d.Audit = audit.NewService(d.Store, d.Logger, d.Now)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Lines == nil {
		d.Lines = DefaultLines(d.Logger)
	}
	cfg = cfg.withDefaults()
	if !phone.ValidRegion(cfg.DefaultCountry) {
		return nil, fmt.Errorf("faxout: unknown default country %q", cfg.DefaultCountry)
	}
	s := &Service{st: d.Store, blob: d.Blob, audit: d.Audit, logger: d.Logger.With("component", "faxout"),
		now: d.Now, lines: d.Lines, pub: d.Publisher, block: d.Blocklist, cfg: cfg,
		calls: newRegistry(), rules: newRulesCache(), capacity: newCapacitySignal()}
	s.beats = newBeats(s)
	return s, nil
}

// UseJobs gives the service the River client's inserting side (jobs.Jobs).
func (s *Service) UseJobs(j jobs.Inserter) {
	s.jobsMu.Lock()
	defer s.jobsMu.Unlock()
	s.jobs = j
}

func (s *Service) inserter() (jobs.Inserter, error) {
	s.jobsMu.RLock()
	defer s.jobsMu.RUnlock()
	if s.jobs == nil {
		return nil, errors.New("faxout: no job client (call UseJobs)")
	}
	return s.jobs, nil
}

// Node returns this process's node name.
func (s *Service) Node() string { return s.cfg.Node }

// LeaseTTL is how long the node's channel leases live without renewal.
func (s *Service) LeaseTTL() time.Duration { return s.cfg.LeaseTTL }

// KeepLease renews a channel lease this node holds (Holder Node, TTL
// LeaseTTL) for a call faxout does not run, an inbound SIP call, together
// with its own calls' leases (one write per tick for all), until the
// returned function is called. lost is called once, instead of further
// renewals, when the lease is lost: the channel may then be another call's.
func (s *Service) KeepLease(leaseID string, lost func()) (stop func()) {
	return s.beats.add(leaseID, "", func(error) { lost() })
}

// clock returns the service's time in UTC, to the microsecond the store
// keeps.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// registry maps the faxes whose calls run in this process to the cancel
// functions of their calls.
type registry struct {
	mu    sync.Mutex
	calls map[string]context.CancelCauseFunc
}

func newRegistry() *registry { return &registry{calls: map[string]context.CancelCauseFunc{}} }

func (r *registry) add(faxID string, cancel context.CancelCauseFunc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls[faxID] = cancel
}

func (r *registry) remove(faxID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.calls, faxID)
}

// cancel hangs up the fax's call if it runs here, and reports whether it
// did.
func (r *registry) cancel(faxID string, cause error) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.calls[faxID]
	if ok {
		c(cause)
	}
	return ok
}

// running counts the calls in progress in this process.
func (r *registry) running() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.calls)
}

// rulesCache keeps compiled dial rules per trunk version.
type rulesCache struct {
	mu sync.Mutex
	m  map[string]cachedRules
}

type cachedRules struct {
	updated time.Time
	rules   *phone.Rules
	err     error
}

func newRulesCache() *rulesCache { return &rulesCache{m: map[string]cachedRules{}} }

func (c *rulesCache) get(t model.Trunk) (*phone.Rules, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.m[t.ID]; ok && r.updated.Equal(t.UpdatedAt) {
		return r.rules, r.err
	}
	rules, err := phone.CompileRules(t.DialRules)
	c.m[t.ID] = cachedRules{updated: t.UpdatedAt, rules: rules, err: err}
	return rules, err
}

// capacitySignal wakes jobs waiting for a channel when a call of this
// process ends.
type capacitySignal struct {
	mu sync.Mutex
	ch chan struct{}
}

func newCapacitySignal() *capacitySignal { return &capacitySignal{ch: make(chan struct{})} }

func (c *capacitySignal) wait() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ch
}

func (c *capacitySignal) broadcast() {
	c.mu.Lock()
	defer c.mu.Unlock()
	close(c.ch)
	c.ch = make(chan struct{})
}
