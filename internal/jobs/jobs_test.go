package jobs_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"faxgate/internal/jobs"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
)

// echoArgs is a test job that reports its N to the test through a channel.
type echoArgs struct {
	N int `json:"n"`
}

func (echoArgs) Kind() string { return "jobs_test_echo" }

type echoWorker struct {
	river.WorkerDefaults[echoArgs]
	seen    chan int
	release chan struct{} // nil: return at once
}

func (w *echoWorker) Work(ctx context.Context, job *river.Job[echoArgs]) error {
	if w.release != nil {
		select {
		case <-w.release:
		case <-ctx.Done():
			w.seen <- -job.Args.N
			return ctx.Err()
		}
	}
	w.seen <- job.Args.N
	return nil
}

// startJobs builds and starts Jobs on st with the echo worker and the
// session clean-up, and stops it when the test ends.
func startJobs(t *testing.T, st *store.Store, w *echoWorker, cfg jobs.SessionCleanupConfig, opts ...jobs.Option) *jobs.Jobs {
	t.Helper()
	workers := river.NewWorkers()
	river.AddWorker(workers, w)
	jobs.AddSessionCleanup(workers, st, nil, cfg) // worker only; tests insert the job themselves
	opts = append([]jobs.Option{jobs.WithFetchPollInterval(50 * time.Millisecond)}, opts...)
	j, err := jobs.New(st, nil, workers, nil, opts...)
	if err != nil {
		t.Fatalf("jobs.New: %v", err)
	}
	if err := j.Start(t.Context()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if !j.Started() {
		t.Error("Started() = false after Start")
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := j.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return j
}

func waitSeen(t *testing.T, seen <-chan int, want int) {
	t.Helper()
	select {
	case n := <-seen:
		if n != want {
			t.Fatalf("worker saw job %d, want %d", n, want)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("job %d was not worked within 30s", want)
	}
}

func waitKind(t *testing.T, events <-chan *river.Event, kind string) *river.Event {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case ev := <-events:
			if ev.Job.Kind == kind {
				return ev
			}
		case <-deadline:
			t.Fatalf("no %s job finished within 30s", kind)
			return nil
		}
	}
}

func hash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestInsertAndWork(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			st := e.Open(t)
			w := &echoWorker{seen: make(chan int, 10)}
			j := startJobs(t, st, w, jobs.SessionCleanupConfig{})
			if err := j.Client().Insert(t.Context(), echoArgs{N: 7}, nil); err != nil {
				t.Fatalf("Insert: %v", err)
			}
			waitSeen(t, w.seen, 7)
		})
	}
}

// TestInsertTx proves transactional inserts: a rolled-back job never runs,
// a committed one does.
func TestInsertTx(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			st := e.Open(t)
			w := &echoWorker{seen: make(chan int, 10)}
			j := startJobs(t, st, w, jobs.SessionCleanupConfig{})
			ctx := t.Context()
			for _, tc := range []struct {
				n      int
				commit bool
			}{{1, false}, {2, true}} {
				tx, err := st.DB().BeginTx(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				if err := j.InsertTx(ctx, tx, echoArgs{N: tc.n}, nil); err != nil {
					t.Fatalf("InsertTx(%d): %v", tc.n, err)
				}
				if tc.commit {
					err = tx.Commit()
				} else {
					err = tx.Rollback()
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			waitSeen(t, w.seen, 2) // job 1 would come first had it survived the rollback
			select {
			case n := <-w.seen:
				t.Errorf("unexpected job %d worked", n)
			case <-time.After(300 * time.Millisecond):
			}
		})
	}
}

// TestSessionCleanup inserts a session_cleanup job and checks its effect:
// expired sessions and stale throttles gone, the rest kept.
func TestSessionCleanup(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			st := e.Open(t)
			ctx := t.Context()
			now := time.Now().UTC().Truncate(time.Microsecond)
			user := seedUser(t, st)
			sessions := map[string]bool{ // token -> should survive
				"fresh": true, "idle": false, "absolute": false,
			}
			seen := map[string]time.Time{"fresh": now, "idle": now.Add(-3 * time.Hour), "absolute": now}
			for tok := range sessions {
				exp := now.Add(time.Hour)
				if tok == "absolute" {
					exp = now.Add(-time.Minute)
				}
				ses := model.Session{ID: hash(tok), UserID: user.ID, TenantID: user.TenantID,
					CreatedAt: seen[tok], LastSeenAt: seen[tok], ExpiresAt: exp}
				if err := st.CreateSession(ctx, &ses); err != nil {
					t.Fatal(err)
				}
			}
			throttles := map[string]model.LoginThrottle{
				"ip:fresh":  {Key: "ip:fresh", Failures: 1, WindowStart: now},
				"ip:stale":  {Key: "ip:stale", Failures: 1, WindowStart: now.Add(-48 * time.Hour)},
				"ip:locked": {Key: "ip:locked", Failures: 9, WindowStart: now.Add(-48 * time.Hour), LockedUntil: now.Add(time.Hour)},
			}
			for _, th := range throttles {
				if err := st.PutLoginThrottle(ctx, th); err != nil {
					t.Fatal(err)
				}
			}

			w := &echoWorker{seen: make(chan int, 10)}
			j := startJobs(t, st, w, jobs.SessionCleanupConfig{Idle: 2 * time.Hour, Now: func() time.Time { return now }})
			events, cancel := j.Subscribe()
			defer cancel()
			if err := j.Insert(ctx, jobs.SessionCleanupArgs{}, nil); err != nil {
				t.Fatalf("Insert: %v", err)
			}
			if ev := waitKind(t, events, jobs.KindSessionCleanup); ev.Kind != river.EventKindJobCompleted {
				t.Fatalf("session_cleanup ended with %s: %v", ev.Kind, ev.Job.Errors)
			}
			for tok, keep := range sessions {
				_, err := st.GetSession(ctx, hash(tok))
				if kept := err == nil; kept != keep {
					t.Errorf("session %q kept = %v (%v), want %v", tok, kept, err, keep)
				}
			}
			for key, want := range map[string]bool{"ip:fresh": true, "ip:stale": false, "ip:locked": true} {
				got, err := st.GetLoginThrottle(ctx, key)
				if err != nil {
					t.Fatal(err)
				}
				if kept := got.Key != ""; kept != want {
					t.Errorf("throttle %q kept = %v, want %v", key, kept, want)
				}
			}
		})
	}
}

// TestPeriodicCleanupRunsOnStart checks the periodic schedule: the leader
// runs session_cleanup once at start.
func TestPeriodicCleanupRunsOnStart(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			st := e.Open(t)
			ctx := t.Context()
			user := seedUser(t, st)
			old := time.Now().Add(-72 * time.Hour)
			ses := model.Session{ID: hash("old"), UserID: user.ID, CreatedAt: old, LastSeenAt: old, ExpiresAt: old}
			if err := st.CreateSession(ctx, &ses); err != nil {
				t.Fatal(err)
			}
			workers := river.NewWorkers()
			periodic := jobs.AddSessionCleanup(workers, st, nil, jobs.SessionCleanupConfig{})
			j, err := jobs.New(st, nil, workers, nil, jobs.WithPeriodicJobs(periodic),
				jobs.WithFetchPollInterval(50*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			events, cancel := j.Subscribe()
			defer cancel()
			if err := j.Start(ctx); err != nil {
				t.Fatal(err)
			}
			defer func() {
				stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				if err := j.Stop(stopCtx); err != nil {
					t.Errorf("Stop: %v", err)
				}
			}()
			if ev := waitKind(t, events, jobs.KindSessionCleanup); ev.Kind != river.EventKindJobCompleted {
				t.Fatalf("session_cleanup ended with %s", ev.Kind)
			}
			if _, err := st.GetSession(ctx, ses.ID); !errors.Is(err, model.ErrNotFound) {
				t.Errorf("expired session still there after periodic clean-up: %v", err)
			}
		})
	}
}

// TestStopIsGraceful checks that Stop waits for a running job, and that a
// Stop whose context ends cancels running jobs instead of hanging.
func TestStopIsGraceful(t *testing.T) {
	st := storetest.OpenSQLite(t)
	for _, tc := range []struct {
		name       string
		releaseIn  time.Duration
		stopWithin time.Duration
		want       int
	}{
		{"finishes", 200 * time.Millisecond, 10 * time.Second, 5},
		{"cancelled", time.Hour, 300 * time.Millisecond, -5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := &echoWorker{seen: make(chan int, 10), release: make(chan struct{})}
			workers := river.NewWorkers()
			river.AddWorker(workers, w)
			j, err := jobs.New(st, nil, workers, nil, jobs.WithFetchPollInterval(50*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			if err := j.Start(t.Context()); err != nil {
				t.Fatal(err)
			}
			if err := j.Insert(t.Context(), echoArgs{N: 5}, nil); err != nil {
				t.Fatal(err)
			}
			waitRunning(t, st, "jobs_test_echo")
			timer := time.AfterFunc(tc.releaseIn, func() { close(w.release) })
			defer timer.Stop()
			ctx, cancelStop := context.WithTimeout(context.Background(), tc.stopWithin)
			defer cancelStop()
			if err := j.Stop(ctx); err != nil {
				t.Fatalf("Stop: %v", err)
			}
			if j.Started() {
				t.Error("Started() = true after Stop")
			}
			select {
			case n := <-w.seen:
				if n != tc.want {
					t.Errorf("job ended with %d, want %d", n, tc.want)
				}
			default:
				t.Error("Stop returned before the running job returned")
			}
		})
	}
}

// waitRunning waits until a job of kind is running.
func waitRunning(t *testing.T, st *store.Store, kind string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var n int
		err := st.DB().QueryRowContext(t.Context(),
			"SELECT COUNT(*) FROM river_job WHERE kind = $1 AND state = 'running'", kind).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %s job running within 30s", kind)
}

func TestNewRequiresWorkers(t *testing.T) {
	st := storetest.OpenSQLite(t)
	if _, err := jobs.New(st, nil, nil, nil); err == nil {
		t.Error("New(nil workers) succeeded")
	}
}

func seedUser(t *testing.T, st *store.Store) model.User {
	t.Helper()
	tn := model.Tenant{Name: "A", Status: model.TenantActive}
	if err := st.CreateTenant(t.Context(), &tn); err != nil {
		t.Fatal(err)
	}
	u := model.User{TenantID: tn.ID, Role: model.RoleUser, Email: "u@a.example", Status: model.UserActive}
	if err := st.CreateUser(t.Context(), &u); err != nil {
		t.Fatal(err)
	}
	return u
}
