package storetest

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// testFaxout is the outbound-fax part of the suite (trunks, caller IDs,
// faxes, attempts, timeline, leases, usage, fax settings). Its cases share
// one store (Run registers it once), so each makes its own tenants.
func testFaxout(t *testing.T, s *store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s *store.Store, f faxFixture)
	}{
		{"BuiltInTestTrunk", testBuiltInTrunk},
		{"Trunks", testTrunks},
		{"CallerIDs", testCallerIDs},
		{"Faxes", testFaxes},
		{"FaxIdempotencyKey", testFaxIdempotency},
		{"FaxListFilters", testFaxFilters},
		{"FaxHoldsDocument", testFaxHoldsDocument},
		{"Attempts", testAttempts},
		{"Timeline", testTimeline},
		{"Leases", testLeases},
		{"LeasesConcurrent", testLeasesConcurrent},
		{"Usage", testUsage},
		{"ChannelCap", testChannelCap},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, s, newFaxFixture(t, s, i)) })
	}
}

// faxFixture is two tenants with a user each; tag keeps names unique in
// the shared store.
type faxFixture struct {
	tag            int
	a, b           model.Tenant
	aUser, bUser   model.User
	scopeA, scopeB model.Scope
}

func newFaxFixture(t *testing.T, s *store.Store, tag int) faxFixture {
	t.Helper()
	f := faxFixture{tag: tag, a: mustTenant(t, s, fmt.Sprintf("Fax A%d", tag)), b: mustTenant(t, s, fmt.Sprintf("Fax B%d", tag))}
	f.scopeA, f.scopeB = model.TenantScope(f.a.ID), model.TenantScope(f.b.ID)
	f.aUser = mustUser(t, s, f.a.ID, model.RoleUser, fmt.Sprintf("fax%d@a.example", tag))
	f.bUser = mustUser(t, s, f.b.ID, model.RoleUser, fmt.Sprintf("fax%d@b.example", tag))
	return f
}

// newFax returns a queued outbound fax of u.
func newFax(u model.User, to string) model.Fax {
	return model.Fax{TenantID: u.TenantID, UserID: u.ID, Direction: model.Outbound, Status: model.FaxQueued,
		Source: model.SourceAPI, To: to, Title: "fax to " + to, Pages: 2, Retries: 3, RetryDelay: 90 * time.Second,
		NextTry: 1, NextLeg: 1, CoverPage: model.CoverPage{Enabled: true, Subject: "Hi", Comments: "c"},
		RequestHash: "fingerprint"}
}

func mustFax(t *testing.T, s *store.Store, f model.Fax) model.Fax {
	t.Helper()
	noErr(t, "InsertFaxTx", s.RunTx(ctx(t), func(tx *sql.Tx) error { return s.InsertFaxTx(ctx(t), tx, &f) }))
	return f
}

func testBuiltInTrunk(t *testing.T, s *store.Store, _ faxFixture) {
	tr, err := s.GetTrunk(ctx(t), model.TestTrunkID)
	noErr(t, "GetTrunk(built-in test line)", err)
	if tr.Kind != model.TrunkTest || !tr.Enabled || tr.MaxChannels < 1 || tr.T38 != model.T38Request ||
		tr.CreatedAt.IsZero() || time.Since(tr.CreatedAt) > 24*time.Hour || !tr.ECM {
		t.Errorf("built-in test trunk = %+v", tr)
	}
	// Migration 00012's defaults: what the SIP line used before.
	if tr.CallerIDFormat != model.CallerIDE164 || !tr.V17 || tr.UDPTLRedundancy != 3 || tr.T38MaxDatagram != 400 ||
		!slices.Equal(tr.Codecs, []string{"PCMU", "PCMA"}) || tr.PAI || tr.OutboundProxy != "" ||
		tr.AllowedSources != nil || tr.FaxSources != nil {
		t.Errorf("built-in test trunk SIP defaults = %+v", tr)
	}
}

func testTrunks(t *testing.T, s *store.Store, f faxFixture) {
	c := ctx(t)
	tr := model.Trunk{Name: fmt.Sprintf("Carrier %d", f.tag), Kind: model.TrunkSIP, Speed: model.SpeedFast,
		Priority: 5, MaxChannels: 7, Enabled: true, TenantIDs: []string{f.a.ID},
		FaxSources: []model.FaxSource{model.SourceAPI, model.SourceWeb}, RingTimeout: 42 * time.Second,
		AllowedSources: []string{"192.0.2.0/24", "2001:db8::7/128"}, OutboundProxy: "proxy.example.net:5070",
		CallerIDFormat: model.CallerIDDigits, PAI: true, Codecs: []string{"PCMA", "PCMU"}, V17: false,
		UDPTLRedundancy: 5, T38MaxDatagram: 1200,
		DialRules: model.DialRules{Allow: []string{"+1*"}, Deny: []string{"+1900*"},
			Rewrites: []model.Rewrite{{Strip: "+1", Add: "1"}}},
		Host: "sip.example.net", Port: 5061, Transport: "tls", Username: "u", Password: "p", Register: true,
		T38: model.T38Require, ECM: true}
	noErr(t, "CreateTrunk", s.CreateTrunk(c, &tr))
	got, err := s.GetTrunk(c, tr.ID)
	noErr(t, "GetTrunk", err)
	diff(t, "GetTrunk", got, tr)

	dup := tr
	dup.Name = fmt.Sprintf("CARRIER %d", f.tag)
	wantConflict(t, "CreateTrunk(same name)", s.CreateTrunk(c, &dup), "name")

	tr.Enabled, tr.TenantIDs, tr.FaxSources, tr.AllowedSources, tr.DialRules = false, nil, nil, nil, model.DialRules{}
	tr.Priority, tr.OutboundProxy, tr.CallerIDFormat, tr.PAI = -3, "", model.CallerIDE164, false
	tr.Codecs, tr.V17, tr.UDPTLRedundancy, tr.T38MaxDatagram = []string{"PCMU"}, true, 0, 160
	noErr(t, "UpdateTrunk", s.UpdateTrunk(c, &tr))
	got, err = s.GetTrunk(c, tr.ID)
	noErr(t, "GetTrunk after update", err)
	diff(t, "GetTrunk after update", got, tr)

	list, err := s.ListTrunks(c)
	noErr(t, "ListTrunks", err)
	if len(list) < 2 || list[0].ID != tr.ID {
		t.Errorf("ListTrunks first = %v, want the priority -3 trunk %s", ids(list, trunkID), tr.ID)
	}
	noErr(t, "DeleteTrunk", s.DeleteTrunk(c, tr.ID))
	wantErr(t, "DeleteTrunk twice", s.DeleteTrunk(c, tr.ID), model.ErrNotFound)
	_, err = s.GetTrunk(c, tr.ID)
	wantErr(t, "GetTrunk(deleted)", err, model.ErrNotFound)
	wantErr(t, "UpdateTrunk(deleted)", s.UpdateTrunk(c, &tr), model.ErrNotFound)
}

func trunkID(t model.Trunk) string  { return t.ID }
func cidID(c model.CallerID) string { return c.ID }
func faxID(f model.Fax) string      { return f.ID }

func testCallerIDs(t *testing.T, s *store.Store, f faxFixture) {
	c := ctx(t)
	num := func(i int) string { return fmt.Sprintf("+1202555%02d%02d", f.tag, i) }
	a1 := model.CallerID{Number: num(1), TenantID: f.a.ID, Label: "Main"}
	a2 := model.CallerID{Number: num(2), TenantID: f.a.ID}
	b1 := model.CallerID{Number: num(3), TenantID: f.b.ID}
	spare := model.CallerID{Number: num(4)}
	for _, cid := range []*model.CallerID{&a1, &a2, &b1, &spare} {
		noErr(t, "CreateCID", s.CreateCID(c, cid))
	}
	wantConflict(t, "CreateCID(same number)", s.CreateCID(c, &model.CallerID{Number: num(1)}), "number")
	wantInvalid(t, "CreateCID(unknown tenant)",
		s.CreateCID(c, &model.CallerID{Number: num(9), TenantID: "ten_nosuchtenant2222"}), "tenant_id")

	got, err := s.GetCID(c, f.scopeA, a1.ID)
	noErr(t, "GetCID", err)
	diff(t, "GetCID", got, a1)
	_, err = s.GetCID(c, f.scopeB, a1.ID)
	wantErr(t, "GetCID(other tenant)", err, model.ErrNotFound)
	_, err = s.GetCID(c, f.scopeA, spare.ID)
	wantErr(t, "GetCID(unassigned, tenant scope)", err, model.ErrNotFound)
	_, err = s.GetCIDByNumber(c, f.scopeB, num(1))
	wantErr(t, "GetCIDByNumber(other tenant)", err, model.ErrNotFound)
	got, err = s.GetCIDByNumber(c, f.scopeA, num(2))
	noErr(t, "GetCIDByNumber", err)
	diff(t, "GetCIDByNumber", got.ID, a2.ID)
	_, err = s.GetCID(c, model.Scope{}, a1.ID)
	wantErr(t, "GetCID(zero scope)", err, store.ErrInvalidScope)

	list, next, err := s.ListCIDs(c, f.scopeA, store.CIDFilter{}, model.ListOptions{})
	noErr(t, "ListCIDs(tenant)", err)
	diff(t, "ListCIDs(tenant A)", ids(list, cidID), []string{a2.ID, a1.ID})
	diff(t, "next cursor", next, "")
	list, _, err = s.ListCIDs(c, model.PlatformScope(), store.CIDFilter{Unassigned: true, Query: num(4)}, model.ListOptions{})
	noErr(t, "ListCIDs(unassigned)", err)
	diff(t, "ListCIDs(unassigned)", ids(list, cidID), []string{spare.ID})
	list, _, err = s.ListCIDs(c, model.PlatformScope(), store.CIDFilter{TenantID: f.b.ID}, model.ListOptions{})
	noErr(t, "ListCIDs(tenant filter)", err)
	diff(t, "ListCIDs(tenant B filter)", ids(list, cidID), []string{b1.ID})
	list, _, err = s.ListCIDs(c, f.scopeA, store.CIDFilter{Query: "mAiN"}, model.ListOptions{})
	noErr(t, "ListCIDs(query label)", err)
	diff(t, "ListCIDs(query label)", ids(list, cidID), []string{a1.ID})

	// Reassign the spare one to B; delete one of A's.
	spare.TenantID, spare.Label = f.b.ID, "assigned"
	noErr(t, "UpdateCID", s.UpdateCID(c, &spare))
	got, err = s.GetCID(c, f.scopeB, spare.ID)
	noErr(t, "GetCID(reassigned)", err)
	diff(t, "reassigned CID", got, spare)
	dup := a2
	dup.Number = num(1)
	wantConflict(t, "UpdateCID(to a used number)", s.UpdateCID(c, &dup), "number")
	noErr(t, "DeleteCID", s.DeleteCID(c, a2.ID))
	wantErr(t, "DeleteCID twice", s.DeleteCID(c, a2.ID), model.ErrNotFound)
}

func testFaxes(t *testing.T, s *store.Store, f faxFixture) {
	c := ctx(t)
	fx := newFax(f.aUser, "+12025550100")
	fx.CallerID, fx.SendAt, fx.CampaignID = "+12025550199", time.Now().Add(time.Hour), "cmp_x"
	fx = mustFax(t, s, fx)
	if !model.ValidID(model.PrefixFax, fx.ID) || fx.CreatedAt.IsZero() {
		t.Fatalf("inserted fax id %q created %v", fx.ID, fx.CreatedAt)
	}
	for _, sc := range []model.Scope{f.scopeA, model.PlatformScope()} {
		got, err := s.GetFax(c, sc, fx.ID)
		noErr(t, "GetFax", err)
		diff(t, "GetFax", got, fx)
	}
	_, err := s.GetFax(c, f.scopeB, fx.ID)
	wantErr(t, "GetFax(other tenant)", err, model.ErrNotFound)
	_, err = s.GetFax(c, model.Scope{}, fx.ID)
	wantErr(t, "GetFax(zero scope)", err, store.ErrInvalidScope)

	// State changes happen under the row lock of GetFaxTx.
	err = s.RunTx(c, func(tx *sql.Tx) error {
		got, err := s.GetFaxTx(c, tx, fx.ID)
		if err != nil {
			return err
		}
		got.Status, got.Tries, got.NextTry, got.NextLeg, got.Fallback = model.FaxDelivered, 2, 3, 1, 1
		got.PagesSent, got.Cause, got.ResultText, got.RemoteStationID = 2, model.CauseNone, "OK", "+44 20 7946"
		got.CompletedAt, got.CancelRequested = time.Now(), true
		fx = got
		return s.UpdateFaxTx(c, tx, &fx)
	})
	noErr(t, "update in tx", err)
	got, err := s.GetFax(c, f.scopeA, fx.ID)
	noErr(t, "GetFax after update", err)
	diff(t, "GetFax after update", got, fx)
	req, err := s.FaxCancelRequested(c, fx.ID)
	noErr(t, "FaxCancelRequested", err)
	diff(t, "cancel requested", req, true)

	// A failing transaction leaves nothing behind.
	rolled := newFax(f.aUser, "+12025550101")
	err = s.RunTx(c, func(tx *sql.Tx) error {
		if err := s.InsertFaxTx(c, tx, &rolled); err != nil {
			return err
		}
		return errors.New("boom")
	})
	if err == nil || err.Error() != "boom" {
		t.Errorf("RunTx error = %v, want boom", err)
	}
	_, err = s.GetFax(c, f.scopeA, rolled.ID)
	wantErr(t, "GetFax(rolled back)", err, model.ErrNotFound)

	err = s.RunTx(c, func(tx *sql.Tx) error {
		bad := newFax(f.aUser, "+1")
		bad.Retries = 11
		return s.InsertFaxTx(c, tx, &bad)
	})
	if err == nil {
		t.Error("InsertFaxTx(retries 11) succeeded")
	}

	// Pending pages: queued, sending and retrying faxes of the tenant.
	for _, st := range []model.FaxStatus{model.FaxQueued, model.FaxSending, model.FaxRetrying, model.FaxFailed} {
		x := newFax(f.aUser, "+12025550102")
		x.Status, x.Pages = st, 3
		mustFax(t, s, x)
	}
	mustFax(t, s, newFax(f.bUser, "+12025550103"))
	noErr(t, "PendingPagesTx", s.RunTx(c, func(tx *sql.Tx) error {
		if _, err := s.LockTenantTx(c, tx, f.a.ID, true); err != nil {
			return err
		}
		n, err := s.PendingPagesTx(c, tx, f.a.ID)
		diff(t, "pending pages of A", n, 9)
		return err
	}))
	active, err := s.ActiveFaxes(c, 1000)
	noErr(t, "ActiveFaxes", err)
	for _, x := range active {
		if x.Status.Final() {
			t.Errorf("ActiveFaxes returned %s fax", x.Status)
		}
	}
}

func testFaxIdempotency(t *testing.T, s *store.Store, f faxFixture) {
	c := ctx(t)
	a := newFax(f.aUser, "+12025550110")
	a.IdempotencyKey = "key-1"
	a = mustFax(t, s, a)
	dup := newFax(f.aUser, "+12025550111")
	dup.IdempotencyKey = "key-1"
	err := s.RunTx(c, func(tx *sql.Tx) error { return s.InsertFaxTx(c, tx, &dup) })
	wantConflict(t, "same key, same tenant", err, "idempotency_key")
	// Another tenant may use the same key; faxes without a key never clash.
	other := newFax(f.bUser, "+12025550112")
	other.IdempotencyKey = "key-1"
	mustFax(t, s, other)
	mustFax(t, s, newFax(f.aUser, "+12025550113"))
	mustFax(t, s, newFax(f.aUser, "+12025550114"))
	got, err := s.GetFaxByIdempotencyKeyTx(c, nil, f.a.ID, "key-1")
	noErr(t, "GetFaxByIdempotencyKeyTx", err)
	diff(t, "fax by key", got.ID, a.ID)
	_, err = s.GetFaxByIdempotencyKeyTx(c, nil, f.a.ID, "key-2")
	wantErr(t, "unknown key", err, model.ErrNotFound)
}

func testFaxFilters(t *testing.T, s *store.Store, f faxFixture) {
	c := ctx(t)
	other := mustUser(t, s, f.a.ID, model.RoleUser, fmt.Sprintf("fax%d-other@a.example", f.tag))
	var all, mine []string
	for i := range 7 {
		u := f.aUser
		if i%2 == 1 {
			u = other
		}
		x := newFax(u, fmt.Sprintf("+1202555%04d", 200+i))
		if i == 3 {
			x.Status, x.Title = model.FaxFailed, "Quarterly REPORT"
		}
		x = mustFax(t, s, x)
		all = append([]string{x.ID}, all...)
		if u.ID == f.aUser.ID {
			mine = append([]string{x.ID}, mine...)
		}
	}
	mustFax(t, s, newFax(f.bUser, "+12025550299"))
	list := func(sc model.Scope, fl store.FaxFilter) []string {
		got, _, err := pageAll(t, func(o model.ListOptions) ([]model.Fax, string, error) { return s.ListFaxes(c, sc, fl, o) })
		noErr(t, "ListFaxes", err)
		return ids(got, faxID)
	}
	diff(t, "tenant A's faxes", list(f.scopeA, store.FaxFilter{Direction: model.Outbound}), all)
	diff(t, "A user's own faxes", list(f.scopeA, store.FaxFilter{UserID: f.aUser.ID}), mine)
	diff(t, "failed", list(f.scopeA, store.FaxFilter{Status: []model.FaxStatus{model.FaxFailed}}), []string{all[3]})
	diff(t, "query title", list(f.scopeA, store.FaxFilter{Query: "report"}), []string{all[3]})
	diff(t, "query number", list(f.scopeA, store.FaxFilter{Query: "5550206"}), []string{all[0]})
	diff(t, "inbound", list(f.scopeA, store.FaxFilter{Direction: model.Inbound}), []string{})
	diff(t, "platform, tenant filter", list(model.PlatformScope(), store.FaxFilter{TenantID: f.a.ID}), all)
	diff(t, "future From", list(f.scopeA, store.FaxFilter{From: time.Now().Add(time.Hour)}), []string{})
	n, err := s.CountFaxes(c, f.scopeA, store.FaxFilter{Status: []model.FaxStatus{model.FaxQueued, model.FaxFailed}})
	noErr(t, "CountFaxes", err)
	diff(t, "CountFaxes", n, 7)
	// Paging two at a time gives the same order.
	got, sizes := pageThrough(t, 2, func(o model.ListOptions) ([]string, string, error) {
		l, next, err := s.ListFaxes(c, f.scopeA, store.FaxFilter{}, o)
		return ids(l, faxID), next, err
	})
	diff(t, "paged faxes", got, all)
	diff(t, "page sizes", sizes, []int{2, 2, 2, 1})
}

// pageAll collects every page of a list.
func pageAll[T any](t *testing.T, list func(model.ListOptions) ([]T, string, error)) ([]T, string, error) {
	t.Helper()
	var out []T
	cur := ""
	for range 100 {
		items, next, err := list(model.ListOptions{Limit: 100, Cursor: cur})
		if err != nil {
			return nil, "", err
		}
		out = append(out, items...)
		if next == "" {
			return out, "", nil
		}
		cur = next
	}
	t.Fatal("pagination did not end")
	return nil, "", nil
}

// testFaxHoldsDocument: a fax that is not final keeps its document from
// being deleted; once final it lets go, and keeps the id for its history.
func testFaxHoldsDocument(t *testing.T, s *store.Store, f faxFixture) {
	c := ctx(t)
	d := mustDoc(t, s, f.aUser, "held", 1)
	fx := newFax(f.aUser, "+12025550300")
	fx.DocumentID = d.ID
	fx = mustFax(t, s, fx)
	_, err := s.DeleteDocument(c, f.scopeA, d.ID)
	wantConflict(t, "DeleteDocument(queued fax)", err, "document")
	noErr(t, "finish fax", s.RunTx(c, func(tx *sql.Tx) error {
		fx.Status = model.FaxDelivered
		return s.UpdateFaxTx(c, tx, &fx)
	}))
	_, err = s.DeleteDocument(c, f.scopeA, d.ID)
	noErr(t, "DeleteDocument(fax delivered)", err)
	got, err := s.GetFax(c, f.scopeA, fx.ID)
	noErr(t, "GetFax", err)
	diff(t, "document id kept", got.DocumentID, d.ID)
}

func testAttempts(t *testing.T, s *store.Store, f faxFixture) {
	c := ctx(t)
	fx := mustFax(t, s, newFax(f.aUser, "+12025550400"))
	start := time.Now().Add(-time.Minute).UTC().Truncate(time.Microsecond)
	a := model.Attempt{FaxID: fx.ID, TenantID: fx.TenantID, Try: 1, Leg: 1, TrunkID: "trk_x", TrunkName: "X",
		Node: "node-1", Status: model.AttemptDialing, DialedNumber: "12025550400", CallerID: "+12025550499",
		ECM: true, MaxBitRate: 9600, StartedAt: start, T30Code: -1}
	insert := func(a *model.Attempt) error {
		return s.RunTx(c, func(tx *sql.Tx) error { return s.InsertAttemptTx(c, tx, a) })
	}
	noErr(t, "InsertAttemptTx", insert(&a))
	dup := a
	wantConflict(t, "same fax, try and leg", insert(&dup), "attempt")

	// Without a lease the open attempt is an orphan; with a live one not.
	orphans := func() []string {
		list, err := s.OrphanedAttempts(c, time.Now(), 1000)
		noErr(t, "OrphanedAttempts", err)
		var out []string
		for _, o := range list {
			if o.FaxID == fx.ID {
				out = append(out, o.ID)
			}
		}
		return out
	}
	diff(t, "orphans without a lease", orphans(), []string{a.ID})
	var lease store.Lease
	noErr(t, "lease", s.RunTx(c, func(tx *sql.Tx) error {
		var err error
		lease, err = s.AcquireLeaseTx(c, tx, store.LeaseRequest{TrunkID: "trk_x", TrunkMax: 1, TenantID: fx.TenantID,
			FaxID: fx.ID, Holder: "node-1", TTL: time.Minute, Now: time.Now()})
		return err
	}))
	diff(t, "orphans with a live lease", orphans(), []string(nil))
	diff(t, "orphans once the lease expired", func() []string {
		list, err := s.OrphanedAttempts(c, time.Now().Add(2*time.Minute), 1000)
		noErr(t, "OrphanedAttempts", err)
		return ids(list, func(a model.Attempt) string { return a.ID })
	}(), []string{a.ID})
	noErr(t, "ReleaseLease", s.ReleaseLease(c, lease.ID))

	a.Status, a.AnsweredAt, a.Pages, a.BitRate, a.ECMUsed = model.AttemptConnected, start.Add(time.Second), 1, 14400, true
	a.Transport, a.RemoteStationID = model.TransportT38, "REMOTE"
	open, err := s.UpdateAttemptProgress(c, &a)
	noErr(t, "UpdateAttemptProgress", err)
	diff(t, "progress on an open attempt", open, true)
	noErr(t, "OpenAttemptTx", s.RunTx(c, func(tx *sql.Tx) error {
		got, err := s.OpenAttemptTx(c, tx, fx.ID)
		diff(t, "open attempt", got, a)
		return err
	}))

	a.Status, a.SIPCode, a.T30Code, a.ResultText, a.Cause, a.Pages = model.AttemptFailed, 200, 49, "dropped", model.CauseFaxTransfer, 1
	finish := func(a *model.Attempt) error {
		return s.RunTx(c, func(tx *sql.Tx) error { return s.FinishAttemptTx(c, tx, a) })
	}
	noErr(t, "FinishAttemptTx", finish(&a))
	if a.EndedAt.IsZero() {
		t.Error("FinishAttemptTx did not set EndedAt")
	}
	again := a
	again.Status = model.AttemptCompleted
	wantErr(t, "FinishAttemptTx twice", finish(&again), model.ErrConflict)
	late := a
	late.Status, late.Pages = model.AttemptConnected, 5
	open, err = s.UpdateAttemptProgress(c, &late)
	noErr(t, "late UpdateAttemptProgress", err)
	diff(t, "progress after the end", open, false)
	noErr(t, "OpenAttemptTx(none)", s.RunTx(c, func(tx *sql.Tx) error {
		_, err := s.OpenAttemptTx(c, tx, fx.ID)
		wantErr(t, "OpenAttemptTx after the end", err, model.ErrNotFound)
		return nil
	}))

	b := model.Attempt{FaxID: fx.ID, TenantID: fx.TenantID, Try: 1, Leg: 2, TrunkID: "trk_y", Status: model.AttemptDialing,
		StartedAt: start.Add(time.Second), T30Code: -1}
	noErr(t, "second leg", insert(&b))
	cAtt := model.Attempt{FaxID: fx.ID, TenantID: fx.TenantID, Try: 2, Leg: 1, TrunkID: "trk_x", Status: model.AttemptDialing,
		StartedAt: start.Add(2 * time.Second), T30Code: -1}
	noErr(t, "second try", insert(&cAtt))

	list, err := s.ListAttempts(c, f.scopeA, fx.ID)
	noErr(t, "ListAttempts", err)
	diff(t, "ListAttempts", ids(list, attemptID), []string{a.ID, b.ID, cAtt.ID})
	diff(t, "first attempt", list[0], a)
	list, err = s.ListAttempts(c, f.scopeB, fx.ID)
	noErr(t, "ListAttempts(other tenant)", err)
	diff(t, "attempts seen by another tenant", len(list), 0)
	noErr(t, "AttemptsOfTryTx", s.RunTx(c, func(tx *sql.Tx) error {
		got, err := s.AttemptsOfTryTx(c, tx, fx.ID, 1)
		diff(t, "attempts of try 1", ids(got, attemptID), []string{a.ID, b.ID})
		return err
	}))
	cdr, _, err := s.ListCDR(c, f.scopeA, store.AttemptFilter{From: start.Add(time.Second)}, model.ListOptions{})
	noErr(t, "ListCDR", err)
	diff(t, "CDR newest first from start+1s", ids(cdr, attemptID), []string{cAtt.ID, b.ID})
	if got := a.ResultCode(); got != 49 {
		t.Errorf("ResultCode of an answered attempt = %d, want the T.30 code 49", got)
	}
}

func attemptID(a model.Attempt) string { return a.ID }

func testTimeline(t *testing.T, s *store.Store, f faxFixture) {
	c := ctx(t)
	fx := mustFax(t, s, newFax(f.aUser, "+12025550500"))
	at := time.Now().UTC().Truncate(time.Microsecond)
	kinds := []model.FaxEventKind{model.EventQueued, model.EventDialing, model.EventConnected, model.EventPageSent}
	noErr(t, "events", s.RunTx(c, func(tx *sql.Tx) error {
		for _, k := range kinds {
			// Same timestamp on purpose: insertion order must survive.
			e := model.FaxEvent{FaxID: fx.ID, TenantID: fx.TenantID, At: at, Kind: k, Try: 1, Detail: string(k)}
			if err := s.InsertFaxEventTx(c, tx, &e); err != nil {
				return err
			}
		}
		return nil
	}))
	noErr(t, "event outside tx", s.InsertFaxEventTx(c, nil, &model.FaxEvent{FaxID: fx.ID, TenantID: fx.TenantID,
		Kind: model.EventDelivered}))
	list, err := s.ListFaxEvents(c, f.scopeA, fx.ID)
	noErr(t, "ListFaxEvents", err)
	var got []model.FaxEventKind
	for _, e := range list {
		got = append(got, e.Kind)
	}
	diff(t, "timeline", got, append(kinds, model.EventDelivered))
	list, err = s.ListFaxEvents(c, f.scopeB, fx.ID)
	noErr(t, "ListFaxEvents(other tenant)", err)
	diff(t, "events seen by another tenant", len(list), 0)
}

func testLeases(t *testing.T, s *store.Store, f faxFixture) {
	c := ctx(t)
	trunk := fmt.Sprintf("trk_lease%d", f.tag)
	now := time.Now()
	acquire := func(tenant string, tenantMax int, at time.Time) (store.Lease, error) {
		var l store.Lease
		err := s.RunTx(c, func(tx *sql.Tx) error {
			var err error
			l, err = s.AcquireLeaseTx(c, tx, store.LeaseRequest{TrunkID: trunk, TrunkMax: 3, TenantID: tenant,
				TenantMax: tenantMax, FaxID: model.NewID(model.PrefixFax), Holder: "n1", TTL: 30 * time.Second, Now: at})
			return err
		})
		return l, err
	}
	l1, err := acquire(f.a.ID, 2, now)
	noErr(t, "lease 1", err)
	_, err = acquire(f.a.ID, 2, now)
	noErr(t, "lease 2", err)
	_, err = acquire(f.a.ID, 2, now)
	wantErr(t, "tenant cap 2", err, store.ErrTenantFull)
	_, err = acquire(f.b.ID, 0, now)
	noErr(t, "lease 3 (tenant B)", err)
	_, err = acquire(f.b.ID, 0, now)
	wantErr(t, "trunk cap 3", err, store.ErrTrunkFull)
	n, err := s.CountLeases(c, trunk, "", now)
	noErr(t, "CountLeases", err)
	diff(t, "leases on the trunk", n, 3)

	// Releasing one frees a channel; renewing keeps one past its TTL;
	// the others expire and are reclaimed.
	noErr(t, "ReleaseLease", s.ReleaseLease(c, l1.ID))
	noErr(t, "ReleaseLease twice", s.ReleaseLease(c, l1.ID))
	l4, err := acquire(f.a.ID, 2, now)
	noErr(t, "lease after release", err)
	ok, err := s.RenewLease(c, l4.ID, "n1", now, now.Add(time.Hour))
	noErr(t, "RenewLease", err)
	diff(t, "renewed", ok, true)
	ok, err = s.RenewLease(c, l4.ID, "n2", now, now.Add(time.Hour))
	noErr(t, "RenewLease(other holder)", err)
	diff(t, "renewed by another holder", ok, false)
	later := now.Add(time.Minute)
	n, err = s.CountLeases(c, trunk, "", later)
	noErr(t, "CountLeases later", err)
	diff(t, "live leases a minute later", n, 1)
	_, err = acquire(f.b.ID, 0, later)
	noErr(t, "lease once others expired", err)
	_, err = acquire(f.b.ID, 0, later)
	noErr(t, "second lease once others expired", err)
	_, err = acquire(f.b.ID, 0, later)
	wantErr(t, "trunk full again", err, store.ErrTrunkFull)
	ok, err = s.RenewLease(c, l1.ID, "n1", later, later.Add(time.Hour))
	noErr(t, "RenewLease(released)", err)
	diff(t, "renewed a released lease", ok, false)
	// An expired lease is not revived, even before it is reclaimed.
	var l5 store.Lease
	noErr(t, "lease for expiry", s.RunTx(c, func(tx *sql.Tx) error {
		var err error
		l5, err = s.AcquireLeaseTx(c, tx, store.LeaseRequest{TrunkID: trunk + "-x", TrunkMax: 1, TenantID: f.b.ID,
			FaxID: model.NewID(model.PrefixFax), Holder: "n1", TTL: time.Second, Now: now})
		return err
	}))
	ok, err = s.RenewLease(c, l5.ID, "n1", now.Add(2*time.Second), later.Add(time.Hour))
	noErr(t, "RenewLease(expired)", err)
	diff(t, "renewed an expired lease", ok, false)
	noErr(t, "LiveLeaseForFaxTx", s.RunTx(c, func(tx *sql.Tx) error {
		live, err := s.LiveLeaseForFaxTx(c, tx, l4.FaxID, later)
		diff(t, "live lease of the renewed fax", live, true)
		return err
	}))
}

// testLeasesConcurrent: many goroutines (on PostgreSQL, many connections)
// race for a trunk's channels; exactly the cap win.
func testLeasesConcurrent(t *testing.T, s *store.Store, f faxFixture) {
	c := ctx(t)
	trunk := fmt.Sprintf("trk_race%d", f.tag)
	const racers, capacity = 24, 5
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, full := 0, 0
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tenant := f.a.ID
			if i%2 == 1 {
				tenant = f.b.ID
			}
			err := s.RunTx(c, func(tx *sql.Tx) error {
				_, err := s.AcquireLeaseTx(c, tx, store.LeaseRequest{TrunkID: trunk, TrunkMax: capacity, TenantID: tenant,
					FaxID: model.NewID(model.PrefixFax), Holder: "n", TTL: time.Minute, Now: time.Now()})
				return err
			})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, store.ErrTrunkFull):
				full++
			default:
				t.Errorf("AcquireLeaseTx: %v", err)
			}
		}()
	}
	wg.Wait()
	if won != capacity || full != racers-capacity {
		t.Errorf("%d won, %d found the trunk full; want %d and %d", won, full, capacity, racers-capacity)
	}
}

func testUsage(t *testing.T, s *store.Store, f faxFixture) {
	c := ctx(t)
	day1 := time.Date(2031, 3, 31, 23, 59, 0, 0, time.UTC)
	day2 := day1.Add(2 * time.Minute) // April 1st: another day and month
	noErr(t, "AddUsageTx", s.RunTx(c, func(tx *sql.Tx) error {
		if err := s.AddUsageTx(c, tx, f.a.ID, day1, 3, 1); err != nil {
			return err
		}
		if err := s.AddUsageTx(c, tx, f.a.ID, day1, 2, 1); err != nil {
			return err
		}
		return s.AddUsageTx(c, tx, f.a.ID, day2, 7, 1)
	}))
	d, m, err := s.GetUsage(c, f.scopeA, f.a.ID, day1)
	noErr(t, "GetUsage", err)
	diff(t, "day usage", d, model.Usage{TenantID: f.a.ID, Period: "2031-03-31", Pages: 5, Faxes: 2})
	diff(t, "month usage", m, model.Usage{TenantID: f.a.ID, Period: "2031-03", Pages: 5, Faxes: 2})
	d, m, err = s.GetUsage(c, f.scopeA, f.a.ID, day2)
	noErr(t, "GetUsage(next day)", err)
	diff(t, "next day", d.Pages, 7)
	diff(t, "next month", m.Pages, 7)
	d, _, err = s.GetUsage(c, f.scopeB, f.b.ID, day1)
	noErr(t, "GetUsage(B)", err)
	diff(t, "B has none", d, model.Usage{TenantID: f.b.ID, Period: "2031-03-31"})
	_, _, err = s.GetUsage(c, f.scopeB, f.a.ID, day1)
	wantErr(t, "GetUsage(other tenant)", err, model.ErrNotFound)

	pending := newFax(f.aUser, "+12025550600")
	pending.Pages = 4
	mustFax(t, s, pending)
	noErr(t, "QuotaStateTx", s.RunTx(c, func(tx *sql.Tx) error {
		d, m, p, err := s.QuotaStateTx(c, tx, f.a.ID, day1)
		diff(t, "quota state (day, month, pending)", []int{d, m, p}, []int{5, 5, 4})
		return err
	}))
	n, err := s.PendingPages(c, f.scopeA, f.a.ID)
	noErr(t, "PendingPages", err)
	diff(t, "pending pages", n, 4)
	_, err = s.PendingPages(c, f.scopeB, f.a.ID)
	wantErr(t, "PendingPages(other tenant)", err, model.ErrNotFound)
}

func testChannelCap(t *testing.T, s *store.Store, f faxFixture) {
	c := ctx(t)
	n, err := s.GetTenantChannelCap(c, f.a.ID)
	noErr(t, "GetTenantChannelCap(none set)", err)
	diff(t, "default cap", n, 0)
	noErr(t, "SetTenantChannelCap", s.SetTenantChannelCap(c, f.a.ID, 4))
	noErr(t, "SetTenantChannelCap again", s.SetTenantChannelCap(c, f.a.ID, 6))
	n, err = s.GetTenantChannelCap(c, f.a.ID)
	noErr(t, "GetTenantChannelCap", err)
	diff(t, "cap", n, 6)
	n, err = s.GetTenantChannelCap(c, f.b.ID)
	noErr(t, "GetTenantChannelCap(B)", err)
	diff(t, "B's cap", n, 0)
	wantErr(t, "SetTenantChannelCap(unknown tenant)", s.SetTenantChannelCap(c, "ten_nosuchtenant2222", 1), model.ErrNotFound)
	if err := s.SetTenantChannelCap(c, f.a.ID, -1); err == nil {
		t.Error("negative cap accepted")
	}
}
