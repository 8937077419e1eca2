package app_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"faxgate/internal/app"
	"faxgate/internal/app/apptest"
	"faxgate/internal/faxout"
	"faxgate/internal/faxtiff"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/telephony/linesim/testdoc"
	"faxgate/internal/telephony/sip"
	"faxgate/internal/tenancy"
)

// TestSIPInboundChannelLeases: an inbound SIP call holds a channel lease in
// the database, as outbound calls do, so a trunk's max_channels (1 here)
// holds across the nodes sharing the database: on PostgreSQL two nodes,
// the call answered by one makes the other answer 503; on SQLite (one
// node by design) the same node does. The lease is renewed while the call
// runs (the second call comes after more than a lease lifetime), released
// at hangup (the next call is answered), and a crashed node's lease
// (never renewed) frees its channel when it expires.
func TestSIPInboundChannelLeases(t *testing.T) {
	const ttl = 3 * time.Second
	// Short leases for both directions: only renewals keep a call's.
	short := app.WithFaxoutConfig(func(c *faxout.Config) { c.LeaseTTL = ttl })
	apptest.ForEachEngine(t, func(t *testing.T, dsn func(*testing.T) string) {
		db := dsn(t)
		cfg := testConfig(t, db)
		a := newApp(t, cfg, nil, short)
		ctx := t.Context()
		root, err := a.CreateAdmin(ctx, app.AdminInput{Email: "root@example.com", Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		admin := model.Actor{Role: model.RoleAdmin, UserID: root.ID, Email: root.Email, Via: "cli"}
		ten, err := a.Tenancy().CreateTenant(ctx, admin, tenancy.TenantInput{Name: "Leased"})
		if err != nil {
			t.Fatal(err)
		}
		const did = "+12025550161"
		if _, err := a.Faxin().AddDID(ctx, admin, faxinDIDInput(did, ten.ID)); err != nil {
			t.Fatal(err)
		}
		tr := model.Trunk{Name: "Carrier", Kind: model.TrunkSIP, Speed: model.SpeedFast, MaxChannels: 1,
			Enabled: true, Host: "127.0.0.1", Port: 5999, Transport: "udp", T38: model.T38Request, ECM: true,
			V17: true, UDPTLRedundancy: 3}
		if err := a.Store().CreateTrunk(ctx, &tr); err != nil {
			t.Fatal(err)
		}
		nodes := []*app.App{a}
		if db != "" { // PostgreSQL: a second node on the same database
			cfg2 := testConfig(t, db)
			cfg2.SecretKeyFile = cfg.SecretKeyPath() // every node of one database shares the key
			nodes = append(nodes, newApp(t, cfg2, nil, short))
		}
		for _, n := range nodes {
			rctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- n.Run(rctx) }()
			t.Cleanup(func() { cancel(); <-done })
			waitHealthy(t, n)
		}
		other := nodes[len(nodes)-1]

		caller := callerUA(t)
		doc := filepath.Join(t.TempDir(), "page.tif")
		if err := testdoc.WriteFile(doc, faxtiff.Standard, 1, testdoc.Options{TextLines: 5, Seed: 3}); err != nil {
			t.Fatal(err)
		}
		// call dials a node; once answered (or refused) it returns the
		// final status and a function hanging up and waiting for the end.
		call := func(n *app.App) (int, func()) {
			t.Helper()
			cctx, cancel := context.WithCancel(ctx)
			answered := make(chan struct{}, 1)
			result := make(chan sip.CallResult, 1)
			go func() {
				r, _ := caller.SendFax(cctx, sip.Dial{Target: n.SIPAddr(), User: did, CallerID: "+12025550100",
					TIFFPath: doc, Policy: sip.DefaultPolicy(), Timeout: 10 * time.Second,
					Progress: func(e sip.Event) {
						if e.Kind == sip.EventAnswered {
							select {
							case answered <- struct{}{}:
							default:
							}
						}
					}})
				result <- r
			}()
			select {
			case <-answered:
				return 200, func() { cancel(); <-result }
			case r := <-result:
				cancel()
				return r.SIPCode, func() {}
			case <-time.After(20 * time.Second):
				cancel()
				t.Fatal("no answer within 20 s")
			}
			return 0, nil
		}
		leases := func() int {
			n, err := a.Store().CountLeases(ctx, tr.ID, "", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		waitNoLease := func(why string) {
			t.Helper()
			for deadline := time.Now().Add(15 * time.Second); leases() != 0; time.Sleep(50 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("%s: %d leases on the trunk after 15 s", why, leases())
				}
			}
		}

		code, hangup := call(a)
		if code != 200 {
			t.Fatalf("first call: SIP %d, want answered", code)
		}
		if n := leases(); n != 1 {
			t.Errorf("%d leases on the trunk during the call, want 1", n)
		}
		time.Sleep(ttl + ttl/2) // beyond the lease's first lifetime: only renewals keep it
		if code, _ := call(other); code != 503 {
			t.Errorf("second call while the trunk's one channel is in use (for %v): SIP %d, want 503",
				ttl+ttl/2, code)
		}
		hangup()
		waitNoLease("after the hangup")
		// The caller's BYE came mid-fax: the node stored a failed reception
		// and its SIP CDR row (answered with 200, a cause).
		var in []model.InboundFax
		for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if in, _, err = a.Faxin().List(ctx, admin, faxinFilter(ten.ID), model.ListOptions{}); err != nil {
				t.Fatal(err)
			}
			if len(in) == 1 && in[0].Status != model.FaxReceiving {
				break
			}
		}
		if len(in) != 1 || in[0].Status != model.FaxFailed {
			t.Fatalf("inbox after a call hung up by the caller mid-fax: %+v; want one failed reception", in)
		}
		rows, err := faxout.NewSIPCalls(a.Store()).List(ctx, ten.ID, in[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].Direction != model.Inbound || rows[0].SIPCode != 200 || rows[0].Cause == "" ||
			rows[0].TrunkID != tr.ID {
			t.Errorf("SIP CDR rows of the call %+v; want one inbound row, 200, a cause, the trunk", rows)
		}
		// The row names the reception's attempt, which carries it.
		if got, err := a.Faxin().Get(ctx, admin, in[0].ID); err != nil || len(got.Attempts) != 1 ||
			len(rows) != 1 || rows[0].AttemptID != got.Attempts[0].ID || got.Attempts[0].SIP == nil ||
			got.Attempts[0].SIP.CallID != rows[0].CallID {
			t.Errorf("reception %+v (%v); want its attempt to carry the SIP row %+v", got.Attempts, err, rows)
		}
		code, hangup = call(other)
		if code != 200 {
			t.Fatalf("call after the hangup: SIP %d, want answered", code)
		}
		hangup()
		waitNoLease("after the second hangup")

		// A node that died during a call: its lease is never renewed nor
		// released, and holds the channel until it expires.
		err = a.Store().RunTx(ctx, func(tx *sql.Tx) error {
			_, err := a.Store().AcquireLeaseTx(ctx, tx, store.LeaseRequest{TrunkID: tr.ID, TrunkMax: 1,
				TenantID: ten.ID, Holder: "crashed-node", TTL: ttl, Now: time.Now()})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if code, _ := call(other); code != 503 {
			t.Errorf("call while a crashed node's lease is live: SIP %d, want 503", code)
		}
		waitNoLease("the crashed node's lease")
		code, hangup = call(other)
		if code != 200 {
			t.Fatalf("call after the crashed node's lease expired: SIP %d, want answered", code)
		}
		hangup()
		waitNoLease("after the last hangup")
	})
}
