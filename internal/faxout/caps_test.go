package faxout_test

import (
	"sync"
	"testing"
	"time"

	"faxgate/internal/faxout"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
)

// waitFor polls cond for up to 30 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestChannelCaps: 50 faxes submitted at once, worked by two nodes (two
// services with their own River clients and node names on one database),
// never run more calls than the trunk's channels. The caps live only in
// the database (leases), so nodes in other processes are bound alike:
// TestKill9 runs nodes in two processes. (Several processes on one SQLite
// file work but contend for its file lock; several nodes are a PostgreSQL
// deployment, DESIGN §8.)
func TestChannelCaps(t *testing.T) {
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			st1, st2 := twoHandles(t, name)
			e := newEnv(t, st1, envOptions{channels: 3, workers: 30})
			nodeB := e.secondNode(t, st2, "node-b")
			hold := make(chan struct{})
			e.lines.setHold(hold)
			docA, docB := e.doc(t, e.w.UserA, 1), e.doc(t, e.w.UserB, 1)

			const n = 50
			ids := make([]string, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					actor, doc := e.w.UserAActor, docA
					if i%2 == 1 {
						actor, doc = e.w.UserBActor, docB
					}
					ids[i] = e.submit(t, actor, doc, "+12025550100", 0).ID
				}()
			}
			wg.Wait()
			waitFor(t, "three calls in progress", func() bool { return e.lines.activeOn(e.fast.ID) == 3 })
			time.Sleep(300 * time.Millisecond) // let the other 47 jobs try their luck
			if got := e.lines.activeOn(e.fast.ID); got != 3 {
				t.Errorf("%d calls in progress on a 3-channel trunk", got)
			}
			leases, err := e.st.CountLeases(e.ctx, e.fast.ID, "", time.Now())
			if err != nil || leases != 3 {
				t.Errorf("%d live leases on the trunk (%v), want 3", leases, err)
			}
			close(hold)
			nodes := map[string]int{}
			for _, id := range ids {
				f := e.wait(t, id, nil)
				if f.Status != model.FaxDelivered || len(f.Attempts) != 1 {
					t.Fatalf("fax %s: %s after %d attempts (%s)", id, f.Status, len(f.Attempts), f.ResultText)
				}
				nodes[f.Attempts[0].Node]++
			}
			if got := e.lines.maxOn(e.fast.ID); got != 3 {
				t.Errorf("at most %d calls at once observed, want exactly the 3 channels", got)
			}
			if nodes["node-a"] == 0 || nodes["node-b"] == 0 {
				t.Logf("calls per node %v (both nodes usually share the work)", nodes)
			}
			waitFor(t, "leases released", func() bool {
				n, _ := e.st.CountLeases(e.ctx, "", "", time.Now())
				return n == 0
			})
			_ = nodeB
		})
	}
}

// TestTenantChannelCap: tenants capped at 2 and 3 channels never have more
// calls at once, on a trunk with 5.
func TestTenantChannelCap(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := newEnv(t, open(t), envOptions{channels: 5, workers: 30})
		// A is capped at 2 and B at 3: with the 5-channel trunk full, the
		// split can only be 2 + 3.
		if err := e.svc.SetChannelCap(e.ctx, e.w.AdminActor, e.w.A.ID, 2); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SetChannelCap(e.ctx, e.w.AdminActor, e.w.B.ID, 3); err != nil {
			t.Fatal(err)
		}
		hold := make(chan struct{})
		e.lines.setHold(hold)
		docA, docB := e.doc(t, e.w.UserA, 1), e.doc(t, e.w.UserB, 1)
		var ids []string
		for range 8 {
			ids = append(ids, e.submit(t, e.w.UserAActor, docA, "+12025550100", 0).ID)
			ids = append(ids, e.submit(t, e.w.UserBActor, docB, "+12025550101", 0).ID)
		}
		waitFor(t, "the trunk full", func() bool { return e.lines.activeOn(e.fast.ID) == 5 })
		time.Sleep(300 * time.Millisecond)
		if a, b := e.lines.activeOn("to:+12025550100"), e.lines.activeOn("to:+12025550101"); a != 2 || b != 3 {
			t.Errorf("calls in progress: tenant A %d (cap 2), tenant B %d (cap 3)", a, b)
		}
		close(hold)
		for _, id := range ids {
			if f := e.wait(t, id, nil); f.Status != model.FaxDelivered {
				t.Fatalf("fax %s: %s", id, f.Status)
			}
		}
		if a, b := e.lines.maxOn("to:+12025550100"), e.lines.maxOn("to:+12025550101"); a != 2 || b != 3 {
			t.Errorf("tenants had up to %d and %d calls at once, caps 2 and 3", a, b)
		}
	})
}

// twoHandles returns the store the two nodes share (the same handle twice;
// on PostgreSQL its pool spreads their work over many connections). It
// skips PostgreSQL when it is not configured.
func twoHandles(t *testing.T, engine string) (*store.Store, *store.Store) {
	t.Helper()
	for _, e := range storetest.Engines() {
		if e.Name == engine {
			st := e.Open(t)
			return st, st
		}
	}
	t.Skipf("%s is not configured", engine)
	return nil, nil
}

// secondNode starts another service and River client, named node, on st
// (the same database as e), sharing e's line watcher.
func (e *env) secondNode(t *testing.T, st *store.Store, node string) *faxout.Service {
	t.Helper()
	orig := e.st
	e.st = st
	svc := e.newService(t, envOptions{}, node)
	e.startJobs(t, svc, e.opts)
	e.st = orig
	return svc
}
