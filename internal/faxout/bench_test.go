package faxout_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/blob"
	"faxgate/internal/faxout"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
)

// benchEnv is env for benchmarks: one tenant with a user, the fast trunk,
// River not started.
func benchEnv(b testing.TB, st *store.Store, channels int) *env {
	b.Helper()
	e := &env{t: b, st: st, ctx: context.Background(), lines: newLineWatch(nil)}
	tn := model.Tenant{Name: "Bench", Status: model.TenantActive, RetentionDays: 30}
	if err := st.CreateTenant(e.ctx, &tn); err != nil {
		b.Fatal(err)
	}
	u := model.User{TenantID: tn.ID, Role: model.RoleUser, Email: "bench@bench.example", Status: model.UserActive}
	if err := st.CreateUser(e.ctx, &u); err != nil {
		b.Fatal(err)
	}
	e.w.A, e.w.UserA, e.w.UserAActor, e.w.AdminActor = tn, u, authtest.ActorOf(u), model.SystemActor()
	var err error
	if e.blobs, err = blob.NewFS(b.TempDir()); err != nil {
		b.Fatal(err)
	}
	e.svc = e.newService(b, envOptions{}, "bench")
	off := false
	if _, err := e.svc.UpdateTrunk(e.ctx, e.w.AdminActor, model.TestTrunkID, faxout.TrunkPatch{Enabled: &off}); err != nil {
		b.Fatal(err)
	}
	e.fast = e.trunk(b, "Fast test line", 0, channels, nil)
	return e
}

// BenchmarkSubmit measures Submit (validation, limits, fax row, timeline
// event and River job in one transaction) from GOMAXPROCS and from
// 8×GOMAXPROCS concurrent submitters. No worker runs meanwhile.
func BenchmarkSubmit(b *testing.B) {
	for _, eng := range storetest.Engines() {
		for _, par := range []int{1, 8} {
			b.Run(fmt.Sprintf("%s/goroutines=%dxGOMAXPROCS", eng.Name, par), func(b *testing.B) {
				st := openBench(b, eng.Name)
				e := benchEnv(b, st, 30)
				e.svc.UseJobs(insertOnly(b, st))
				doc := e.doc(b, e.w.UserA, 1)
				in := faxout.SubmitInput{To: "+12025550100", DocumentID: doc.ID, Source: model.SourceAPI}
				b.SetParallelism(par)
				b.ResetTimer()
				start := time.Now()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if _, _, err := e.svc.Submit(e.ctx, e.w.UserAActor, in); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "faxes/s")
			})
		}
	}
}

// TestSubmitToDialLatency (run with FAXGATE_BENCH=1) queues 1,000
// one-page faxes while no worker runs, then starts River (40 fax workers)
// on the fast test trunk (30 channels) and reports, per fax, the time from
// its submission to its call being dialled (p50, p99, max), and how fast
// the backlog drains. Then it reports the latency of single faxes on the
// idle node.
func TestSubmitToDialLatency(t *testing.T) {
	if os.Getenv("FAXGATE_BENCH") == "" {
		t.Skip("benchmark; set FAXGATE_BENCH=1")
	}
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			st := eng.Open(t)
			e := benchEnv(t, st, 30)
			e.ctx = t.Context()
			e.svc.UseJobs(insertOnly(t, st))
			doc := e.doc(t, e.w.UserA, 1)

			const n = 1000
			submitted := make(map[string]time.Time, n)
			start := time.Now()
			for range n {
				f := e.submit(t, e.w.UserAActor, doc, "+12025550100", 0)
				submitted[f.ID] = f.CreatedAt
			}
			submitDur := time.Since(start)
			startWork := time.Now()
			e.startJobs(t, e.svc, envOptions{workers: 40})
			var lat []time.Duration
			for id, at := range submitted {
				if f := e.wait(t, id, nil); f.Status != model.FaxDelivered {
					t.Fatalf("fax %s %s", id, f.Status)
				}
				lat = append(lat, e.lines.dialedAt(id).Sub(at))
			}
			drain := time.Since(startWork)

			idle := make([]time.Duration, 0, 20)
			for range 20 {
				f := e.submit(t, e.w.UserAActor, doc, "+12025550100", 0)
				e.wait(t, f.ID, nil)
				idle = append(idle, e.lines.dialedAt(f.ID).Sub(f.CreatedAt))
			}
			t.Logf("%s: %d faxes queued in %v (%.0f/s); once workers start: submit-to-dial p50 %v p99 %v max %v; "+
				"backlog delivered in %v (%.1f faxes/s, max %d calls at once)",
				eng.Name, n, submitDur.Round(time.Millisecond), float64(n)/submitDur.Seconds(), pct(lat, 50),
				pct(lat, 99), pct(lat, 100), drain.Round(time.Millisecond), float64(n)/drain.Seconds(),
				e.lines.maxOn(e.fast.ID))
			t.Logf("%s idle node: submit-to-dial p50 %v p99 %v (20 single faxes)", eng.Name, pct(idle, 50), pct(idle, 99))
		})
	}
}

// openBench opens a fresh store of the named engine for a benchmark.
func openBench(b testing.TB, engine string) *store.Store {
	if engine == "postgres" {
		return storetest.OpenPostgres(b, os.Getenv(storetest.EnvPostgres))
	}
	return storetest.OpenSQLite(b)
}

func pct(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(0, min(len(s), i)-1)].Round(time.Millisecond)
}
