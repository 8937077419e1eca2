package storetest

import (
	"database/sql"
	"slices"
	"testing"
	"time"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// testFaxin covers the DID pool and received faxes (issue 6).
func testFaxin(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	t.Run("DIDs", func(t *testing.T) { testDIDs(t, s, f) })
	t.Run("InboundFaxes", func(t *testing.T) { testInboundFaxes(t, s, f) })
}

func didID(d model.DID) string            { return d.ID }
func inboundID(f model.InboundFax) string { return f.ID }
func ptrBool(b bool) *bool                { return &b }

func descIDs(in ...string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	slices.Reverse(out)
	return out
}

func testDIDs(t *testing.T, s *store.Store, f fixture) {
	c := ctx(t)
	batch := []*model.DID{{Number: "+12025550101"}, {Number: "+12025550102"}, {Number: "+12025550103", Label: "Sales"}}
	skipped, err := s.CreateDIDs(c, batch, false)
	noErr(t, "CreateDIDs", err)
	diff(t, "skipped", skipped, []string(nil))
	for _, d := range batch {
		if !model.ValidID(model.PrefixDID, d.ID) || d.CreatedAt.IsZero() || d.Action != model.DIDInbox {
			t.Fatalf("created DID = %+v", d)
		}
	}
	// A clash without skipping fails the whole batch; with skipping only
	// the new numbers are added.
	_, err = s.CreateDIDs(c, []*model.DID{{Number: "+12025550104"}, {Number: "+12025550101"}}, false)
	wantConflict(t, "duplicate number", err, "number")
	if _, err := s.GetDIDByNumber(c, "+12025550104"); err == nil {
		t.Error("a failed batch left +12025550104 behind")
	}
	more := []*model.DID{{Number: "+12025550104"}, {Number: "+12025550101"}}
	skipped, err = s.CreateDIDs(c, more, true)
	noErr(t, "CreateDIDs skip", err)
	diff(t, "skipped", skipped, []string{"+12025550101"})
	if more[0].ID == "" || more[1].ID != "" {
		t.Errorf("ids after skip = %q, %q", more[0].ID, more[1].ID)
	}

	// Assign two to tenant A with routing, one to B.
	a1, a2, b1 := *batch[0], *batch[1], *batch[2]
	a1.TenantID, a1.AssignedAt, a1.UserID, a1.Action = f.a.ID, time.Now(), f.aUser.ID, model.DIDEmail
	a1.ForwardEmails, a1.WebhookURL, a1.WebhookSecret, a1.StationID = []string{"x@a.example", "y@a.example"},
		"https://hooks.a.example/fax", "whsec_abc", "ACME"
	a2.TenantID, a2.AssignedAt = f.a.ID, time.Now()
	b1.TenantID, b1.AssignedAt = f.b.ID, time.Now()
	for _, d := range []*model.DID{&a1, &a2, &b1} {
		noErr(t, "UpdateDID", s.UpdateDID(c, d))
	}
	got, err := s.GetDID(c, f.scopeA, a1.ID)
	noErr(t, "GetDID", err)
	diff(t, "DID a1", got, a1)
	byNum, err := s.GetDIDByNumber(c, a1.Number)
	noErr(t, "GetDIDByNumber", err)
	diff(t, "DID by number", byNum, a1)
	_, err = s.GetDID(c, f.scopeB, a1.ID)
	wantErr(t, "other tenant's DID", err, model.ErrNotFound)
	_, err = s.GetDID(c, model.Scope{}, a1.ID)
	wantErr(t, "zero scope", err, store.ErrInvalidScope)

	list := func(scope model.Scope, fl store.DIDFilter) []string {
		t.Helper()
		items, _, err := s.ListDIDs(c, scope, fl, model.ListOptions{})
		noErr(t, "ListDIDs", err)
		return ids(items, didID)
	}
	// One batch shares created_at: the order is then by id, descending.
	diff(t, "A's DIDs", list(f.scopeA, store.DIDFilter{}), descIDs(a1.ID, a2.ID))
	diff(t, "B's DIDs", list(f.scopeB, store.DIDFilter{}), []string{b1.ID})
	diff(t, "pool spare", list(model.PlatformScope(), store.DIDFilter{Unassigned: true}), []string{more[0].ID})
	diff(t, "by tenant", list(model.PlatformScope(), store.DIDFilter{TenantID: f.b.ID}), []string{b1.ID})
	diff(t, "by user", list(f.scopeA, store.DIDFilter{UserID: f.aUser.ID}), []string{a1.ID})
	diff(t, "query label", list(model.PlatformScope(), store.DIDFilter{Query: "sAL"}), []string{b1.ID})
	diff(t, "query number", list(model.PlatformScope(), store.DIDFilter{Query: "5550104"}), []string{more[0].ID})
	n, err := s.CountDIDs(c, f.scopeA, store.DIDFilter{})
	noErr(t, "CountDIDs", err)
	if n != 2 {
		t.Errorf("CountDIDs(A) = %d, want 2", n)
	}

	// A user that is deleted leaves the DID unrouted to anyone.
	u := mustUser(t, s, f.a.ID, model.RoleUser, "gone@a.example")
	a2.UserID = u.ID
	noErr(t, "route a2", s.UpdateDID(c, &a2))
	noErr(t, "DeleteUser", s.DeleteUser(c, f.scopeA, u.ID))
	got, err = s.GetDID(c, f.scopeA, a2.ID)
	noErr(t, "GetDID a2", err)
	if got.UserID != "" {
		t.Errorf("DID user after the user's deletion = %q", got.UserID)
	}
	bad := a2
	bad.UserID = "usr_doesnotexist0000"
	wantInvalid(t, "unknown user", s.UpdateDID(c, &bad), "did")
	bad = a2
	bad.Action = "forward"
	if err := s.UpdateDID(c, &bad); err == nil {
		t.Error("UpdateDID with action \"forward\" succeeded; the CHECK constraint should refuse it")
	}
	noErr(t, "DeleteDID", s.DeleteDID(c, more[0].ID))
	wantErr(t, "DeleteDID twice", s.DeleteDID(c, more[0].ID), model.ErrNotFound)
}

// mustInbound stores a received fax of user u on did.
func mustInbound(t *testing.T, s *store.Store, u model.User, did model.DID, status model.FaxStatus) model.InboundFax {
	t.Helper()
	f := model.InboundFax{Fax: model.Fax{TenantID: u.TenantID, UserID: u.ID, Status: status, Source: model.SourceAPI,
		To: did.Number, CallerID: "+14155550123"}, DIDID: did.ID}
	noErr(t, "InsertInboundFax", s.InsertInboundFax(ctx(t), &f))
	return f
}

func testInboundFaxes(t *testing.T, s *store.Store, f fixture) {
	c := ctx(t)
	dids := []*model.DID{{Number: "+12025550201", TenantID: f.a.ID}, {Number: "+12025550202", TenantID: f.a.ID},
		{Number: "+12025550203", TenantID: f.b.ID}}
	_, err := s.CreateDIDs(c, dids, false)
	noErr(t, "CreateDIDs", err)
	da1, da2, db := *dids[0], *dids[1], *dids[2]

	rx := mustInbound(t, s, f.aUser, da1, model.FaxReceiving)
	if rx.Direction != model.Inbound || !model.ValidID(model.PrefixFax, rx.ID) {
		t.Fatalf("inserted = %+v", rx)
	}
	// Finish it in a transaction, with an attempt (the CDR row).
	err = s.RunTx(c, func(tx *sql.Tx) error {
		cur, err := s.GetInboundFaxTx(c, tx, rx.ID)
		if err != nil {
			return err
		}
		cur.Status, cur.Pages, cur.Partial, cur.Duration = model.FaxReceived, 3, true, 83*time.Second
		cur.FileKey, cur.PDFKey, cur.FileBytes, cur.PDFBytes = "t/x/fax/1/fax.tif", "t/x/fax/1/fax.pdf", 1000, 1200
		cur.CompletedAt, cur.RemoteStationID = time.Now(), "REMOTE"
		if err := s.SaveInboundFaxTx(c, tx, &cur); err != nil {
			return err
		}
		rx = cur
		return s.InsertAttemptTx(c, tx, &model.Attempt{FaxID: cur.ID, TenantID: cur.TenantID, Try: 1, Leg: 1,
			Status: model.AttemptCompleted, StartedAt: time.Now(), EndedAt: time.Now(), Pages: 3})
	})
	noErr(t, "finish", err)
	got, err := s.GetInboundFax(c, f.scopeA, rx.ID)
	noErr(t, "GetInboundFax", err)
	diff(t, "received fax", got, rx)
	_, err = s.GetInboundFax(c, f.scopeB, rx.ID)
	wantErr(t, "other tenant's fax", err, model.ErrNotFound)

	failed := mustInbound(t, s, f.aAdmin, da2, model.FaxFailed)
	other := mustInbound(t, s, f.bUser, db, model.FaxReceived)
	// Outbound faxes never show in the inbox.
	mustFax(t, s, newFax(f.aUser, "+12025550999"))

	list := func(scope model.Scope, fl store.InboundFilter) []string {
		t.Helper()
		items, _, err := s.ListInboundFaxes(c, scope, fl, model.ListOptions{})
		noErr(t, "ListInboundFaxes", err)
		return ids(items, inboundID)
	}
	diff(t, "A inbox", list(f.scopeA, store.InboundFilter{}), []string{failed.ID, rx.ID})
	diff(t, "B inbox", list(f.scopeB, store.InboundFilter{}), []string{other.ID})
	diff(t, "platform by tenant", list(model.PlatformScope(), store.InboundFilter{TenantID: f.b.ID}), []string{other.ID})
	diff(t, "by DID", list(f.scopeA, store.InboundFilter{DIDID: da2.ID}), []string{failed.ID})
	diff(t, "by status", list(f.scopeA, store.InboundFilter{Status: []model.FaxStatus{model.FaxReceived}}), []string{rx.ID})
	diff(t, "by user", list(f.scopeA, store.InboundFilter{UserID: f.aUser.ID}), []string{rx.ID})
	diff(t, "future", list(f.scopeA, store.InboundFilter{From: time.Now().Add(time.Hour)}), []string{})
	diff(t, "unread", list(f.scopeA, store.InboundFilter{Read: ptrBool(false)}), []string{failed.ID, rx.ID})
	// Search: the caller ID, the DID or the station id (any case), within
	// the scope; LIKE characters are literal.
	diff(t, "search DID", list(f.scopeA, store.InboundFilter{Query: "5550202"}), []string{failed.ID})
	diff(t, "search caller", list(f.scopeA, store.InboundFilter{Query: "4155550123"}), []string{failed.ID, rx.ID})
	diff(t, "search station id", list(f.scopeA, store.InboundFilter{Query: "remote"}), []string{rx.ID})
	diff(t, "search another tenant's DID", list(f.scopeA, store.InboundFilter{Query: "5550203"}), []string{})
	diff(t, "search %", list(f.scopeA, store.InboundFilter{Query: "%"}), []string{})

	readAt := time.Now()
	noErr(t, "mark read", s.SetInboundFaxRead(c, f.scopeA, rx.ID, readAt))
	wantErr(t, "mark other tenant's", s.SetInboundFaxRead(c, f.scopeB, rx.ID, readAt), model.ErrNotFound)
	diff(t, "read", list(f.scopeA, store.InboundFilter{Read: ptrBool(true)}), []string{rx.ID})
	diff(t, "unread", list(f.scopeA, store.InboundFilter{Read: ptrBool(false)}), []string{failed.ID})
	noErr(t, "mark unread", s.SetInboundFaxRead(c, f.scopeA, rx.ID, time.Time{}))
	diff(t, "read again", list(f.scopeA, store.InboundFilter{Read: ptrBool(true)}), []string{})
	n, err := s.CountInboundFaxes(c, f.scopeA, store.InboundFilter{})
	noErr(t, "CountInboundFaxes", err)
	if n != 2 {
		t.Errorf("CountInboundFaxes = %d, want 2", n)
	}

	// Retention candidates: final, not purged, older than the cut.
	cands, err := s.InboundPurgeCandidates(c, f.a.ID, time.Now().Add(time.Minute), 10)
	noErr(t, "InboundPurgeCandidates", err)
	diff(t, "candidates", ids(cands, inboundID), []string{rx.ID, failed.ID})
	cands, err = s.InboundPurgeCandidates(c, f.a.ID, rx.CreatedAt, 10)
	noErr(t, "InboundPurgeCandidates early", err)
	diff(t, "no candidates before", ids(cands, inboundID), []string{})
	ok, err := s.MarkInboundFaxPurged(c, rx.ID, time.Now())
	noErr(t, "MarkInboundFaxPurged", err)
	if !ok {
		t.Error("first purge reported false")
	}
	if ok, _ := s.MarkInboundFaxPurged(c, rx.ID, time.Now()); ok {
		t.Error("second purge reported true")
	}
	got, err = s.GetInboundFax(c, f.scopeA, rx.ID)
	noErr(t, "GetInboundFax purged", err)
	if !got.Purged() || got.FileKey != "" || got.PDFKey != "" || got.Pages != 3 {
		t.Errorf("purged fax = %+v", got)
	}

	// Deleting hides the fax, keeps its row and attempt.
	old, err := s.DeleteInboundFax(c, f.scopeA, failed.ID, time.Now())
	noErr(t, "DeleteInboundFax", err)
	if old.ID != failed.ID {
		t.Errorf("deleted = %q", old.ID)
	}
	_, err = s.DeleteInboundFax(c, f.scopeA, failed.ID, time.Now())
	wantErr(t, "delete twice", err, model.ErrNotFound)
	_, err = s.DeleteInboundFax(c, f.scopeB, rx.ID, time.Now())
	wantErr(t, "delete other tenant's", err, model.ErrNotFound)
	_, err = s.GetInboundFax(c, f.scopeA, failed.ID)
	wantErr(t, "get deleted", err, model.ErrNotFound)
	diff(t, "inbox after delete", list(f.scopeA, store.InboundFilter{}), []string{rx.ID})
	atts, err := s.ListAttempts(c, f.scopeA, rx.ID)
	noErr(t, "ListAttempts", err)
	if len(atts) != 1 {
		t.Errorf("attempts = %d, want 1", len(atts))
	}
	stale, err := s.StaleReceptions(c, time.Now().Add(time.Minute), 10)
	noErr(t, "StaleReceptions", err)
	diff(t, "stale", ids(stale, inboundID), []string{})
}
