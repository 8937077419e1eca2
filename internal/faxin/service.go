package faxin

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"faxgate/internal/audit"
	"faxgate/internal/blob"
	"faxgate/internal/jobs"
	"faxgate/internal/mail/outbound"
	"faxgate/internal/model"
	"faxgate/internal/notify"
	"faxgate/internal/store"
)

// Defaults of Config.
const (
	DefaultCountry       = "US"
	DefaultMaxRange      = 10000
	DefaultStaleAfter    = 2 * time.Hour
	DefaultRetentionTick = 24 * time.Hour
	// MaxImportBytes bounds a CSV import file: 10,000 lines of a number
	// and a 100-character label fit with room to spare.
	MaxImportBytes = 2 << 20
)

// Config tunes the service; zero fields take the defaults.
type Config struct {
	// DefaultCountry reads numbers without a leading + (pool entries and
	// called numbers from lines that do not send E.164).
	DefaultCountry string
	// MaxRange bounds one range or CSV import (default 10,000 numbers).
	MaxRange int
	// SpoolDir holds receptions in progress on this node (default
	// <os.TempDir()>/faxgate-rx). The engine writes there; Finish moves
	// the file into the blob store.
	SpoolDir string
	// PortalURL is the portal's base URL ("https://fax.example.com") for
	// links in emails; "" = no link.
	PortalURL string
	// StaleAfter: receptions still "receiving" after this long (their node
	// died) are failed by the retention job (default 2 h).
	StaleAfter time.Duration
	// RetentionEvery is the period of the retention job (default daily).
	RetentionEvery time.Duration
}

func (c Config) withDefaults() Config {
	if c.DefaultCountry == "" {
		c.DefaultCountry = DefaultCountry
	}
	if c.MaxRange <= 0 {
		c.MaxRange = DefaultMaxRange
	}
	if c.SpoolDir == "" {
		c.SpoolDir = filepath.Join(os.TempDir(), "faxgate-rx")
	}
	if c.StaleAfter <= 0 {
		c.StaleAfter = DefaultStaleAfter
	}
	if c.RetentionEvery <= 0 {
		c.RetentionEvery = DefaultRetentionTick
	}
	return c
}

// Deps are the service's dependencies. Webhooks and Mailer are optional:
// without them no webhook is published and no email is sent.
type Deps struct {
	Store  *store.Store
	Blob   blob.Store
	Audit  *audit.Service
	Jobs   jobs.Inserter // needed for fax-to-email (set later with UseJobs if built after the service)
	Logger *slog.Logger
	// Now is the clock (default time.Now); retention uses it.
	Now      func() time.Time
	Webhooks *notify.Webhooks
	Mailer   *outbound.Mailer
}

// Service is inbound faxing.
type Service struct {
	st     *store.Store
	blob   blob.Store
	au     *audit.Service
	jobs   jobs.Inserter
	log    *slog.Logger
	now    func() time.Time
	wh     *notify.Webhooks
	mailer *outbound.Mailer
	cfg    Config
}

// New returns the service. Store, Blob and Audit are required.
func New(d Deps, cfg Config) (*Service, error) {
	if d.Store == nil || d.Blob == nil || d.Audit == nil {
		return nil, errors.New("faxin: Store, Blob and Audit are required")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	cfg = cfg.withDefaults()
	if err := os.MkdirAll(cfg.SpoolDir, 0o700); err != nil {
		return nil, fmt.Errorf("faxin: spool folder: %w", err)
	}
	return &Service{st: d.Store, blob: d.Blob, au: d.Audit, jobs: d.Jobs, log: d.Logger, now: d.Now,
		wh: d.Webhooks, mailer: d.Mailer, cfg: cfg}, nil
}

// UseJobs sets the job inserter and the notifiers when they are built
// after the service (jobs.New needs the workers AddWorkers registers, and
// the webhook service and the mailer need Jobs). Nil arguments keep what
// is set. Call it before the workers start and calls arrive.
func (s *Service) UseJobs(j jobs.Inserter, wh *notify.Webhooks, m *outbound.Mailer) {
	if j != nil {
		s.jobs = j
	}
	if wh != nil {
		s.wh = wh
	}
	if m != nil {
		s.mailer = m
	}
}

// checkActor refuses actors that cannot own anything.
func checkActor(a model.Actor) error {
	switch {
	case a.Role == model.RoleAdmin:
		return nil
	case (a.Role == model.RoleTenant || a.Role == model.RoleUser) && a.TenantID != "":
		return nil
	}
	return model.ErrForbidden
}

// requireAdmin allows platform admins only.
func requireAdmin(a model.Actor) error {
	if a.Role != model.RoleAdmin {
		return fmt.Errorf("%w: only platform admins manage the DID pool", model.ErrForbidden)
	}
	return nil
}

// faxKey is the blob folder of a received fax.
func faxKey(tenantID, faxID string) string { return blob.Join("t", tenantID, "fax", faxID) }
