package api

import (
	"net/http"
	"time"

	"faxgate/internal/health"
	"faxgate/internal/httpx"
	"faxgate/internal/model"
)

// PlatformHealth is the admin console's view of the platform.
type PlatformHealth struct {
	At      time.Time      `json:"at" api:"required,readonly"`
	Version string         `json:"version" api:"required,readonly"`
	Engine  string         `json:"engine" api:"required,readonly" enum:"sqlite,postgres"`
	UptimeS int64          `json:"uptime_s" api:"required,readonly" doc:"Seconds since this process started."`
	Jobs    HealthJobs     `json:"jobs" api:"required"`
	Disk    HealthDisk     `json:"disk" api:"required"`
	Tenants []HealthTenant `json:"tenants" api:"required,readonly" doc:"Page use of the day and month (UTC) against the limits (0 = unlimited); at most 500, by name."`
	Trunks  []HealthTrunk  `json:"trunks" api:"required,readonly"`
}

// HealthJobs is the job queue.
type HealthJobs struct {
	Queued    int              `json:"queued" api:"required,readonly" doc:"Waiting to run (available, scheduled)."`
	Running   int              `json:"running" api:"required,readonly"`
	Retrying  int              `json:"retrying" api:"required,readonly" doc:"Failed, will run again."`
	Failed    int              `json:"failed" api:"required,readonly" doc:"Failed for good (discarded)."`
	Completed int              `json:"completed" api:"required,readonly" doc:"Kept until River prunes them."`
	ByKind    []HealthJobCount `json:"by_kind" api:"required,readonly"`
}

// HealthJobCount is how many jobs of a kind are in a state.
type HealthJobCount struct {
	Kind  string `json:"kind" api:"required,readonly"`
	State string `json:"state" api:"required,readonly"`
	Count int    `json:"count" api:"required,readonly"`
}

// HealthDisk is the file system of the data folder.
type HealthDisk struct {
	Path       string `json:"path" api:"required,readonly"`
	TotalBytes int64  `json:"total_bytes" api:"required,readonly" doc:"0: unknown."`
	FreeBytes  int64  `json:"free_bytes" api:"required,readonly"`
	DBBytes    int64  `json:"db_bytes" api:"required,readonly" doc:"The SQLite file; 0 on PostgreSQL."`
}

// HealthTenant is a tenant's page use against its limits.
type HealthTenant struct {
	TenantID         string `json:"tenant_id" api:"required,readonly"`
	Name             string `json:"name" api:"required,readonly"`
	Status           string `json:"status" api:"required,readonly"`
	DailyPageLimit   int    `json:"daily_page_limit" api:"required,readonly"`
	MonthlyPageLimit int    `json:"monthly_page_limit" api:"required,readonly"`
	PagesToday       int    `json:"pages_today" api:"required,readonly"`
	PagesThisMonth   int    `json:"pages_this_month" api:"required,readonly"`
}

// HealthTrunk is a trunk's live state.
type HealthTrunk struct {
	ID          string `json:"id" api:"required,readonly"`
	Name        string `json:"name" api:"required,readonly"`
	Kind        string `json:"kind" api:"required,readonly"`
	Enabled     bool   `json:"enabled" api:"required,readonly"`
	MaxChannels int    `json:"max_channels" api:"required,readonly"`
	InUse       int    `json:"channels_in_use" api:"required,readonly"`
	Registered  string `json:"registration" api:"required,readonly" enum:",registering,registered,failed" doc:"SIP trunks that register: their state on this node; empty otherwise."`
	RegError    string `json:"registration_error" api:"required,readonly" doc:"Why the last REGISTER failed."`
}

func healthDTO(r health.Report) PlatformHealth {
	out := PlatformHealth{At: r.At, Version: r.Version, Engine: string(r.Engine), UptimeS: int64(r.Uptime.Seconds()),
		Jobs: HealthJobs{Queued: r.Queued, Running: r.Running, Retrying: r.Retrying, Failed: r.Failed,
			Completed: r.Completed, ByKind: []HealthJobCount{}},
		Disk:    HealthDisk{Path: r.Disk.Path, TotalBytes: int64(r.Disk.Total), FreeBytes: int64(r.Disk.Free), DBBytes: r.Disk.DBBytes},
		Tenants: []HealthTenant{}, Trunks: []HealthTrunk{}}
	for _, j := range r.Jobs {
		out.Jobs.ByKind = append(out.Jobs.ByKind, HealthJobCount{Kind: j.Kind, State: j.State, Count: j.Count})
	}
	for _, t := range r.Tenants {
		out.Tenants = append(out.Tenants, HealthTenant{TenantID: t.TenantID, Name: t.Name, Status: string(t.Status),
			DailyPageLimit: t.DailyLimit, MonthlyPageLimit: t.MonthlyLimit, PagesToday: t.DayPages,
			PagesThisMonth: t.MonthPages})
	}
	for _, t := range r.Trunks {
		ht := HealthTrunk{ID: t.ID, Name: t.Name, Kind: string(t.Kind), Enabled: t.Enabled,
			MaxChannels: t.MaxChannels, InUse: t.InUse}
		if t.Registration != nil {
			ht.Registered, ht.RegError = t.Registration.State, t.Registration.Error
		}
		out.Trunks = append(out.Trunks, ht)
	}
	return out
}

func (a *API) healthRoutes() []Route {
	return []Route{{Method: "GET", Path: Prefix + "/admin/health", ID: "getPlatformHealth", Tag: "admin",
		Roles: adminOnly, Resp: PlatformHealth{}, handle: a.getPlatformHealth,
		Summary: "Platform health: job queue, disk space, tenants' page use against limits, trunk channels in use."}}
}

func (a *API) getPlatformHealth(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	rep, err := a.d.Health.Report(r.Context(), actor)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, healthDTO(rep))
	return nil
}
