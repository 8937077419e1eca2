// Package health answers the admin console's platform health page and
// /api/v1/admin/health: the job queue (depth and failures by kind), disk
// space of the data folder, every tenant's page use against its limits and
// every trunk's channels in use. Platform admins only.
package health

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"faxgate/internal/faxout"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// TrunkStatus is a trunk with its channels in use now and, for a SIP
// trunk that registers, its registration on this node.
type TrunkStatus struct {
	model.Trunk
	InUse        int
	Registration *faxout.TrunkRegistration // nil: the trunk does not register (or SIP is off)
}

// Disk is the space of the file system holding the data folder.
type Disk struct {
	Path        string
	Total, Free uint64 // bytes
	DBBytes     int64  // the SQLite file and its WAL (0 on PostgreSQL)
}

// UsedPercent is the share of the file system in use.
func (d Disk) UsedPercent() float64 {
	if d.Total == 0 {
		return 0
	}
	return 100 * float64(d.Total-d.Free) / float64(d.Total)
}

// Report is the platform's health at one moment.
type Report struct {
	At      time.Time
	Version string
	Engine  store.Engine
	Uptime  time.Duration
	Jobs    []store.JobCount // not completed, by kind and state
	// Totals of Jobs by state family.
	Queued, Running, Retrying, Failed, Completed int
	Disk                                         Disk
	Tenants                                      []store.TenantUsage
	Trunks                                       []TrunkStatus
}

// Service builds reports.
type Service struct {
	st      *store.Store
	reg     faxout.RegistrationSource // nil: no SIP registrations to show
	dataDir string
	version string
	started time.Time
	now     func() time.Time
}

// New returns the service for the data folder dataDir; now may be nil.
func New(st *store.Store, dataDir, version string, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{st: st, dataDir: dataDir, version: version, started: now(), now: now}
}

// WithRegistrations makes reports show the SIP trunks' registration state
// as this node sees it.
func (s *Service) WithRegistrations(src faxout.RegistrationSource) *Service {
	s.reg = src
	return s
}

// maxTenants bounds the tenants listed in one report.
const maxTenants = 500

// Report gathers the platform's health.
func (s *Service) Report(ctx context.Context, actor model.Actor) (Report, error) {
	if !actor.IsAdmin() {
		return Report{}, model.ErrForbidden
	}
	now := s.now()
	r := Report{At: now, Version: s.version, Engine: s.st.Engine(), Uptime: now.Sub(s.started).Truncate(time.Second)}
	var err error
	sc := model.PlatformScope()
	if r.Jobs, r.Completed, err = s.st.JobCounts(ctx, sc); err != nil {
		return Report{}, err
	}
	r.sumJobs()
	if r.Tenants, err = s.st.TenantUsages(ctx, sc, now, maxTenants); err != nil {
		return Report{}, err
	}
	if r.Trunks, err = s.trunks(ctx, now); err != nil {
		return Report{}, err
	}
	r.Disk = s.disk()
	return r, nil
}

func (r *Report) sumJobs() {
	for _, j := range r.Jobs {
		switch j.State {
		case "available", "scheduled", "pending":
			r.Queued += j.Count
		case "running":
			r.Running += j.Count
		case "retryable":
			r.Retrying += j.Count
		case "discarded":
			r.Failed += j.Count
		}
	}
}

// Trunks lists every trunk with its live status (channels in use on every
// node, registration as this node sees it): Administration > Trunks.
// Platform admins only.
func (s *Service) Trunks(ctx context.Context, actor model.Actor) ([]TrunkStatus, error) {
	if !actor.IsAdmin() {
		return nil, model.ErrForbidden
	}
	return s.trunks(ctx, s.now())
}

// TenantUsages returns the page use of today and this month (UTC periods,
// as the quotas count them) of the tenants ids, by tenant id:
// Administration > Tenants. Platform admins only.
func (s *Service) TenantUsages(ctx context.Context, actor model.Actor, ids []string) (map[string]store.TenantUsage, error) {
	if !actor.IsAdmin() {
		return nil, model.ErrForbidden
	}
	us, err := s.st.TenantUsagesOf(ctx, model.PlatformScope(), s.now(), ids)
	if err != nil {
		return nil, err
	}
	m := make(map[string]store.TenantUsage, len(us))
	for _, u := range us {
		m[u.TenantID] = u
	}
	return m, nil
}

func (s *Service) trunks(ctx context.Context, now time.Time) ([]TrunkStatus, error) {
	ts, err := s.st.ListTrunks(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]TrunkStatus, len(ts))
	for i, t := range ts {
		out[i].Trunk = t
		if out[i].InUse, err = s.st.CountLeases(ctx, t.ID, "", now); err != nil {
			return nil, err
		}
		if s.reg != nil {
			if r, ok := s.reg(t.ID); ok {
				out[i].Registration = &r
			}
		}
	}
	return out, nil
}

// disk reads the file system of the data folder; on failure the figures
// stay zero (the page says "unknown").
func (s *Service) disk() Disk {
	d := Disk{Path: s.dataDir}
	var fs syscall.Statfs_t
	if err := syscall.Statfs(s.dataDir, &fs); err == nil {
		d.Total = fs.Blocks * uint64(fs.Bsize)
		d.Free = fs.Bavail * uint64(fs.Bsize)
	}
	if s.st.Engine() == store.SQLite {
		// The write-ahead log holds recent writes until a checkpoint.
		for _, name := range []string{"faxgate.db", "faxgate.db-wal"} {
			if fi, err := os.Stat(filepath.Join(s.dataDir, name)); err == nil {
				d.DBBytes += fi.Size()
			}
		}
	}
	return d
}
