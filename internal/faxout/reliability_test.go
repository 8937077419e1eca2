package faxout_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"faxgate/internal/blob"
	"faxgate/internal/faxout"
	"faxgate/internal/faxout/line"
	"faxgate/internal/jobs"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
	"faxgate/internal/telephony/t30"
)

// crashPlan is the faxes of a crash test: real-time calls in progress when
// the node stops, queued faxes behind them, and what must become of each.
type crashPlan struct {
	ids     []string
	retries map[string]int
}

// submitCrashLoad queues n three-page faxes on the (real-time) trunk;
// every third has no retries left after an interrupted try.
func submitCrashLoad(t *testing.T, e *env, n int) crashPlan {
	t.Helper()
	doc := e.doc(t, e.w.UserA, 3)
	p := crashPlan{retries: map[string]int{}}
	for i := range n {
		r := 2
		if i%3 == 0 {
			r = 0
		}
		f := e.submit(t, e.w.UserAActor, doc, "+12025550100", r)
		p.ids = append(p.ids, f.ID)
		p.retries[f.ID] = r
	}
	return p
}

// waitMidCall waits until `calls` attempts are connected (the fax engine
// is exchanging pages) and lets them run a moment.
func waitMidCall(t *testing.T, st *store.Store, calls int) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d calls connected", calls), func() bool {
		faxes, _, err := st.ListFaxes(context.Background(), model.PlatformScope(),
			store.FaxFilter{Status: []model.FaxStatus{model.FaxSending}}, model.ListOptions{})
		if err != nil {
			return false
		}
		connected := 0
		for _, f := range faxes {
			as, _ := st.ListAttempts(context.Background(), model.TenantScope(f.TenantID), f.ID)
			for _, a := range as {
				if a.Status == model.AttemptConnected {
					connected++
				}
			}
		}
		return connected >= calls
	})
	time.Sleep(1500 * time.Millisecond) // into the handshake and page 1
}

// checkAccounted checks the guarantees after a crash and recovery: every
// fax is final; a fax whose call was interrupted has an attempt failed
// with cause internal "interrupted: ..." and was retried only if it had
// tries left; nothing was delivered twice; a delivered fax has exactly one
// completed attempt, its last.
func checkAccounted(t *testing.T, e *env, p crashPlan, receptions func(string) int) {
	t.Helper()
	interrupted := 0
	for _, id := range p.ids {
		f := e.wait(t, id, nil)
		var inter []model.Attempt
		completed := 0
		for _, a := range f.Attempts {
			if a.Cause == model.CauseInternal && strings.HasPrefix(a.ResultText, "interrupted") {
				inter = append(inter, a)
			}
			if a.Status == model.AttemptCompleted {
				completed++
			}
			if !a.Status.Ended() {
				t.Errorf("fax %s: attempt %d.%d still %s", id, a.Try, a.Leg, a.Status)
			}
		}
		interrupted += len(inter)
		switch {
		case len(inter) > 0 && p.retries[id] == 0:
			if f.Status != model.FaxFailed || f.Cause != model.CauseInternal || len(f.Attempts) != 1 {
				t.Errorf("fax %s interrupted without retries left: %s %s, %d attempts", id, f.Status, f.Cause, len(f.Attempts))
			}
		default:
			if f.Status != model.FaxDelivered || completed != 1 || f.Attempts[len(f.Attempts)-1].Status != model.AttemptCompleted {
				t.Errorf("fax %s: %s (%s) with %d completed attempts: %s", id, f.Status, f.ResultText, completed,
					strings.Join(attemptSummary(f), "; "))
			}
		}
		if n := receptions(id); n > 1 || f.Status == model.FaxDelivered && n != 1 {
			t.Errorf("fax %s (%s) was received completely %d times", id, f.Status, n)
		}
	}
	if interrupted == 0 {
		t.Error("no attempt was interrupted: the crash came too late or too early")
	}
	t.Logf("%d faxes accounted for, %d interrupted calls", len(p.ids), interrupted)
}

// TestStopMidCall: the River client is stopped abruptly (running jobs
// cancelled) while calls are in the middle of their pages and other faxes
// wait; a new node on the same database takes over. The interrupted calls
// are recorded as interrupted by the stopping node itself.
func TestStopMidCall(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := newEnv(t, open(t), envOptions{channels: 3, noStart: true})
		rt := model.SpeedRealtime
		if _, err := e.svc.UpdateTrunk(e.ctx, e.w.AdminActor, e.fast.ID, faxout.TrunkPatch{Speed: &rt}); err != nil {
			t.Fatal(err)
		}
		j1 := e.startJobs(t, e.svc, envOptions{})
		p := submitCrashLoad(t, e, 7)
		waitMidCall(t, e.st, 3)

		stopped, cancel := context.WithCancel(context.Background())
		cancel() // no grace: running jobs are cancelled at once
		if err := j1.Stop(stopped); err != nil {
			t.Fatalf("Stop: %v", err)
		}
		fast := model.SpeedFast
		if _, err := e.svc.UpdateTrunk(e.ctx, e.w.AdminActor, e.fast.ID, faxout.TrunkPatch{Speed: &fast}); err != nil {
			t.Fatal(err)
		}
		svc2 := e.newService(t, envOptions{}, "node-b")
		e.svc = svc2
		e.startJobs(t, svc2, envOptions{})
		checkAccounted(t, e, p, e.lines.receptions)
	})
}

// TestKill9 kills (SIGKILL) a process running calls in the middle of their
// pages, with other faxes queued, and recovers on the same database with a
// new node: the dead node's calls are found by their expired leases.
func TestKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process and runs real-time calls")
	}
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			dsn, dir := crashDatabase(t, engine)
			st := openAt(t, dsn, dir)
			// A short call budget lets River rescue, within the test, the
			// jobs the dead process had fetched but not yet dialled.
			e := newEnv(t, st, envOptions{channels: 3, noStart: true, blobDir: filepath.Join(dir, "blobs"),
				cfg: func(c *faxout.Config) { c.CallTimeout, c.CallTimeoutPerPage = 20*time.Second, -1 }})
			rt := model.SpeedRealtime
			if _, err := e.svc.UpdateTrunk(e.ctx, e.w.AdminActor, e.fast.ID, faxout.TrunkPatch{Speed: &rt}); err != nil {
				t.Fatal(err)
			}
			e.svc.UseJobs(insertOnly(t, st))
			p := submitCrashLoad(t, e, 7)

			child := exec.Command(os.Args[0], "-test.run=^TestCrashHelperProcess$", "-test.v")
			child.Env = append(os.Environ(), "FAXGATE_FAXOUT_CRASH_DSN="+dsn, "FAXGATE_FAXOUT_CRASH_DIR="+dir)
			out, err := os.Create(filepath.Join(dir, "child.log"))
			if err != nil {
				t.Fatal(err)
			}
			defer out.Close()
			child.Stdout, child.Stderr = out, out
			if err := child.Start(); err != nil {
				t.Fatal(err)
			}
			waitMidCall(t, st, 3)
			if err := child.Process.Kill(); err != nil { // SIGKILL: no clean-up at all
				t.Fatal(err)
			}
			_ = child.Wait()

			fast := model.SpeedFast
			if _, err := e.svc.UpdateTrunk(e.ctx, e.w.AdminActor, e.fast.ID, faxout.TrunkPatch{Speed: &fast}); err != nil {
				t.Fatal(err)
			}
			survivor := e.newService(t, envOptions{cfg: func(c *faxout.Config) {
				c.CallTimeout, c.CallTimeoutPerPage = 20*time.Second, -1
			}}, "survivor")
			e.svc = survivor
			startSurvivor(t, e, survivor)
			checkAccounted(t, e, p, func(id string) int { return e.lines.receptions(id) + childReceptions(t, dir)[id] })
			if t.Failed() {
				log, _ := os.ReadFile(filepath.Join(dir, "child.log"))
				t.Logf("child output:\n%s", log)
			}
		})
	}
}

// startSurvivor starts River for the recovering node. The dead node's River
// jobs stay "running" until River rescues them; a short rescue delay keeps
// the test short (production: RiverConfig's two minutes).
func startSurvivor(t *testing.T, e *env, svc *faxout.Service) {
	t.Helper()
	workers := river.NewWorkers()
	periodic := svc.AddWorkers(workers)
	j, err := jobs.New(e.st, nil, workers, map[string]river.QueueConfig{
		river.QueueDefault: {MaxWorkers: 2}, faxout.Queue: faxout.QueueConfig(20)},
		jobs.WithFetchPollInterval(50*time.Millisecond), jobs.WithPeriodicJobs(periodic...),
		jobs.WithRiverConfig(func(c *river.Config) {
			c.JobTimeout, c.RescueStuckJobsAfter = 5*time.Second, 10*time.Second
		}))
	if err != nil {
		t.Fatal(err)
	}
	svc.UseJobs(j)
	if err := j.Start(e.ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = j.Stop(ctx)
	})
}

// TestCrashHelperProcess is the process TestKill9 kills: it works the fax
// queue of the database it is given until it is killed.
func TestCrashHelperProcess(t *testing.T) {
	dir := os.Getenv("FAXGATE_FAXOUT_CRASH_DIR")
	if dir == "" {
		t.Skip("helper process of TestKill9")
	}
	st := openAt(t, os.Getenv("FAXGATE_FAXOUT_CRASH_DSN"), dir)
	blobs, err := blob.NewFS(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	logf, err := os.OpenFile(filepath.Join(dir, "received.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	lines := newLineWatch(func(c line.Call, _ string, rx t30.Result) {
		if rx.OK {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintln(logf, c.FaxID)
			_ = logf.Sync()
		}
	})
	svc, err := faxout.New(faxout.Deps{Store: st, Blob: blobs, Lines: lines.factory},
		faxout.Config{Node: "victim", LeaseTTL: 3 * time.Second, RecoverEvery: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	workers := river.NewWorkers()
	periodic := svc.AddWorkers(workers)
	j, err := jobs.New(st, nil, workers, map[string]river.QueueConfig{faxout.Queue: faxout.QueueConfig(20)},
		jobs.WithFetchPollInterval(50*time.Millisecond), jobs.WithPeriodicJobs(periodic...))
	if err != nil {
		t.Fatal(err)
	}
	svc.UseJobs(j)
	if err := j.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	fmt.Println("helper: working the fax queue")
	select {} // until SIGKILL
}

// childReceptions reads the faxes the killed process delivered completely.
func childReceptions(t *testing.T, dir string) map[string]int {
	t.Helper()
	out := map[string]int{}
	f, err := os.Open(filepath.Join(dir, "received.log"))
	if os.IsNotExist(err) {
		return out
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out[sc.Text()]++
	}
	return out
}

// insertOnly returns a River client that only inserts (for submitting while
// no node works the queue).
func insertOnly(t testing.TB, st *store.Store) jobs.Inserter {
	t.Helper()
	workers := river.NewWorkers()
	svc, err := faxout.New(faxout.Deps{Store: st, Blob: mustFS(t)}, faxout.Config{})
	if err != nil {
		t.Fatal(err)
	}
	svc.AddWorkers(workers)
	j, err := jobs.New(st, nil, workers, map[string]river.QueueConfig{faxout.Queue: faxout.QueueConfig(1)})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func mustFS(t testing.TB) *blob.FS {
	t.Helper()
	fs, err := blob.NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// crashDatabase makes a fresh database two processes can open: an SQLite
// file in a temporary folder, or a new PostgreSQL schema (dropped at the
// end). It skips PostgreSQL when it is not configured.
func crashDatabase(t *testing.T, engine string) (dsn, dir string) {
	t.Helper()
	dir = t.TempDir()
	if engine == "sqlite" {
		return "", dir
	}
	base := os.Getenv(storetest.EnvPostgres)
	if base == "" {
		t.Skip("PostgreSQL is not configured")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "faxout_kill_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		_ = conn.Close(context.Background())
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), dir
}

// openAt opens (and migrates) the store of dsn/dir, closed at the end.
func openAt(t testing.TB, dsn, dir string) *store.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := store.Open(ctx, dsn, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return st
}
