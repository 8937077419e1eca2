package health_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/faxout"
	"faxgate/internal/health"
	"faxgate/internal/jobs"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/tenancy"
)

// probeArgs is a job kind only this test inserts (no worker runs it).
type probeArgs struct{}

func (probeArgs) Kind() string { return "health_probe" }

// probeWorker is registered so the kind can be inserted; the client is
// never started, so it never runs.
type probeWorker struct {
	river.WorkerDefaults[probeArgs]
}

func (probeWorker) Work(context.Context, *river.Job[probeArgs]) error { return nil }

func TestReport(t *testing.T) {
	authtest.ForEachEngine(t, func(t *testing.T, open func(t *testing.T) *store.Store) {
		st := open(t)
		e := authtest.NewEnv(t, st, nil)
		w := e.NewWorld(t)
		ctx := context.Background()
		now := time.Now().UTC()

		// Two queued jobs and one scheduled for later, never worked.
		workers := river.NewWorkers()
		river.AddWorker(workers, probeWorker{})
		j, err := jobs.New(st, nil, workers, nil)
		authtest.Must(t, "jobs.New", err)
		for range 2 {
			authtest.Must(t, "insert job", j.Insert(ctx, probeArgs{}, nil))
		}
		authtest.Must(t, "insert scheduled job", j.Insert(ctx, probeArgs{}, &river.InsertOpts{ScheduledAt: now.Add(time.Hour)}))

		// Tenant A delivered 7 pages today, against a limit of 10.
		limit := 10
		_, err = e.Tenancy.UpdateTenant(ctx, w.AdminActor, w.A.ID, tenancy.TenantInput{Name: w.A.Name,
			Status: model.TenantActive, DailyPageLimit: &limit})
		authtest.Must(t, "set limit", err)
		authtest.Must(t, "usage", st.RunTx(ctx, func(tx *sql.Tx) error { return st.AddUsageTx(ctx, tx, w.A.ID, now, 7, 2) }))

		svc := health.New(st, t.TempDir(), "test", func() time.Time { return now })
		r, err := svc.Report(ctx, w.AdminActor)
		authtest.Must(t, "Report", err)
		if r.Queued != 3 || r.Running != 0 || r.Failed != 0 || r.Version != "test" {
			t.Fatalf("jobs: queued %d running %d failed %d, %+v", r.Queued, r.Running, r.Failed, r.Jobs)
		}
		found := false
		for _, c := range r.Jobs {
			found = found || c.Kind == "health_probe"
		}
		if !found {
			t.Fatalf("job kinds %+v", r.Jobs)
		}
		if len(r.Tenants) != 2 || r.Tenants[0].TenantID != w.A.ID || r.Tenants[0].DayPages != 7 ||
			r.Tenants[0].MonthPages != 7 || r.Tenants[0].DailyLimit != 10 || r.Tenants[1].DayPages != 0 {
			t.Fatalf("tenants %+v", r.Tenants)
		}
		if r.Disk.Total == 0 || r.Disk.Free == 0 || r.Disk.UsedPercent() <= 0 {
			t.Fatalf("disk %+v", r.Disk)
		}
		if len(r.Trunks) == 0 || r.Trunks[0].InUse != 0 {
			t.Fatalf("trunks %+v (the default test line is expected)", r.Trunks)
		}
		// A SIP registration source: the report carries each trunk's state.
		svc.WithRegistrations(func(id string) (faxout.TrunkRegistration, bool) {
			return faxout.TrunkRegistration{State: faxout.RegFailed, Status: 403, Error: "403 Forbidden"}, id == r.Trunks[0].ID
		})
		r2, err := svc.Report(ctx, w.AdminActor)
		authtest.Must(t, "Report with registrations", err)
		if reg := r2.Trunks[0].Registration; reg == nil || reg.State != faxout.RegFailed || reg.Error != "403 Forbidden" {
			t.Fatalf("registration %+v", reg)
		}
		// The tenant list's usage: the tenants asked for only.
		us, err := svc.TenantUsages(ctx, w.AdminActor, []string{w.A.ID, "ten_aaaaaaaaaaaaaaaa"})
		authtest.Must(t, "TenantUsages", err)
		if len(us) != 1 || us[w.A.ID].DayPages != 7 || us[w.A.ID].MonthPages != 7 || us[w.A.ID].DailyLimit != 10 {
			t.Fatalf("tenant usages %+v", us)
		}
		if us, err := svc.TenantUsages(ctx, w.AdminActor, []string{w.A.ID, w.B.ID}); err != nil || len(us) != 2 || us[w.B.ID].DayPages != 0 {
			t.Fatalf("tenant usages of A and B %+v %v", us, err)
		}
		if us, err := svc.TenantUsages(ctx, w.AdminActor, nil); err != nil || len(us) != 0 {
			t.Fatalf("no tenants: %+v %v", us, err)
		}
		if _, err := svc.TenantUsages(ctx, w.TenantAActor, []string{w.A.ID}); !errors.Is(err, model.ErrForbidden) {
			t.Fatalf("tenant admin reads tenant usages: %v", err)
		}
		if _, err := svc.Report(ctx, w.TenantAActor); !errors.Is(err, model.ErrForbidden) {
			t.Fatalf("tenant admin reads health: %v", err)
		}
	})
}
