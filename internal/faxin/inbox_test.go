package faxin_test

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/faxin"
	"faxgate/internal/faxtiff"
	"faxgate/internal/jobs"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/telephony/linesim/testdoc"
)

// quick receives a fax on did without the engine: the spool file is
// written as the engine would, then Finish runs. pages 0 = nothing arrived.
func (e *env) quick(t *testing.T, did model.DID, pages int) model.InboundFax {
	t.Helper()
	rt, err := e.Svc.Route(e.Ctx, did.Number, "+14155550123")
	authtest.Must(t, "Route", err)
	id, rxPath, err := e.Svc.Begin(e.Ctx, rt, faxin.CallInfo{})
	authtest.Must(t, "Begin", err)
	res := faxin.Result{Code: 49, Text: "The call dropped prematurely", Class: "remote_hangup"}
	if pages > 0 {
		authtest.Must(t, "write rx", faxtiff.WriteFile(rxPath, testdoc.Document(faxtiff.Standard, pages, testdoc.Options{})))
		res = faxin.Result{OK: true, Code: 0, Text: "OK", Pages: pages}
	}
	f, err := e.Svc.Finish(e.Ctx, id, res)
	authtest.Must(t, "Finish", err)
	return f
}

func (e *env) routed(t *testing.T, number, tenantID, userID string) model.DID {
	t.Helper()
	d := e.did(t, number, tenantID)
	d, err := e.Svc.UpdateRouting(e.Ctx, e.W.AdminActor, d.ID, faxin.RoutingInput{UserID: &userID})
	authtest.Must(t, "route "+number, err)
	return d
}

func inboxIDs(t *testing.T, e *env, a model.Actor, f faxin.InboxFilter) []string {
	t.Helper()
	items, _, err := e.Svc.List(e.Ctx, a, f, model.ListOptions{})
	authtest.Must(t, "List", err)
	out := []string{}
	for _, it := range items {
		out = append(out, it.ID)
	}
	return out
}

func sameIDs(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
		return
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s = %v, want %v", what, got, want)
			return
		}
	}
}

func TestInbox(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, false)
		d1 := e.routed(t, "+12025550301", e.W.A.ID, e.W.UserA.ID)
		d2 := e.routed(t, "+12025550302", e.W.A.ID, "")
		dB := e.routed(t, "+12025550303", e.W.B.ID, e.W.UserB.ID)
		f1 := e.quick(t, d1, 2)
		f2 := e.quick(t, d2, 1)
		f3 := e.quick(t, dB, 1)
		f4 := e.quick(t, d1, 0)
		if f4.Status != model.FaxFailed || f1.Status != model.FaxReceived {
			t.Fatalf("statuses %s, %s", f1.Status, f4.Status)
		}
		boss, user := e.W.TenantAActor, e.W.UserAActor
		sameIDs(t, "user A inbox", inboxIDs(t, e, user, faxin.InboxFilter{}), f4.ID, f1.ID)
		sameIDs(t, "tenant A inbox", inboxIDs(t, e, boss, faxin.InboxFilter{}), f4.ID, f2.ID, f1.ID)
		sameIDs(t, "user A asks for tenant B", inboxIDs(t, e, user, faxin.InboxFilter{TenantID: e.W.B.ID}), f4.ID, f1.ID)
		sameIDs(t, "admin, tenant B", inboxIDs(t, e, e.W.AdminActor, faxin.InboxFilter{TenantID: e.W.B.ID}), f3.ID)
		sameIDs(t, "by DID", inboxIDs(t, e, boss, faxin.InboxFilter{DIDID: d2.ID}), f2.ID)
		sameIDs(t, "by status", inboxIDs(t, e, boss, faxin.InboxFilter{Status: []model.FaxStatus{model.FaxFailed}}), f4.ID)
		sameIDs(t, "by user", inboxIDs(t, e, boss, faxin.InboxFilter{UserID: e.W.UserA.ID}), f4.ID, f1.ID)
		sameIDs(t, "future", inboxIDs(t, e, boss, faxin.InboxFilter{From: time.Now().Add(time.Hour)}))
		sameIDs(t, "past", inboxIDs(t, e, boss, faxin.InboxFilter{To: time.Now().Add(-time.Hour)}))

		// Read / unread.
		authtest.Must(t, "MarkRead", e.Svc.MarkRead(e.Ctx, user, f1.ID, true))
		sameIDs(t, "read", inboxIDs(t, e, boss, faxin.InboxFilter{Read: ptr(true)}), f1.ID)
		sameIDs(t, "unread", inboxIDs(t, e, boss, faxin.InboxFilter{Read: ptr(false)}), f4.ID, f2.ID)
		authtest.Must(t, "MarkUnread", e.Svc.MarkRead(e.Ctx, boss, f1.ID, false))
		sameIDs(t, "read after unread", inboxIDs(t, e, boss, faxin.InboxFilter{Read: ptr(true)}))
		if evs := e.Events(t, faxin.ActionFaxUnread, f1.ID); len(evs) != 1 || evs[0].TenantID != e.W.A.ID {
			t.Fatalf("mark unread audited as %+v", evs)
		}
		wantIs(t, "user marks a fax not routed to them", e.Svc.MarkRead(e.Ctx, user, f2.ID, true), model.ErrNotFound)
		wantIs(t, "B marks A's fax", e.Svc.MarkRead(e.Ctx, e.W.TenantBActor, f1.ID, true), model.ErrNotFound)

		// Isolation of single faxes.
		for _, tc := range []struct {
			name  string
			actor model.Actor
			id    string
		}{{"user A, unrouted DID", user, f2.ID}, {"tenant B", e.W.TenantBActor, f1.ID}, {"user B", e.W.UserBActor, f1.ID},
			{"tenant A, B's fax", boss, f3.ID}} {
			_, err := e.Svc.Get(e.Ctx, tc.actor, tc.id)
			wantIs(t, tc.name+" Get", err, model.ErrNotFound)
			wantIs(t, tc.name+" Delete", e.Svc.Delete(e.Ctx, tc.actor, tc.id), model.ErrNotFound)
		}
		got, err := e.Svc.Get(e.Ctx, user, f1.ID)
		authtest.Must(t, "Get", err)
		if got.Source != "" || len(got.Attempts) != 1 {
			t.Errorf("Get = source %q, %d attempts", got.Source, len(got.Attempts))
		}
		_, err = e.Svc.Open(e.Ctx, user, f1.ID, "docx")
		wantField(t, "bad format", err, "format")

		// Delete: files go, the fax leaves the inbox, the CDR row stays.
		authtest.Must(t, "Delete", e.Svc.Delete(e.Ctx, user, f1.ID))
		for _, k := range []string{f1.FileKey, f1.PDFKey} {
			if _, err := e.Blobs.Stat(e.Ctx, k); err == nil {
				t.Errorf("blob %s survived the delete", k)
			}
		}
		_, err = e.Svc.Get(e.Ctx, boss, f1.ID)
		wantIs(t, "Get deleted", err, model.ErrNotFound)
		sameIDs(t, "inbox after delete", inboxIDs(t, e, boss, faxin.InboxFilter{}), f4.ID, f2.ID)
		cdr, _, err := st.ListCDR(e.Ctx, model.TenantScope(e.W.A.ID), store.AttemptFilter{}, model.ListOptions{})
		authtest.Must(t, "ListCDR", err)
		found := false
		for _, a := range cdr {
			found = found || a.FaxID == f1.ID
		}
		if !found || len(cdr) != 3 {
			t.Errorf("CDR rows = %d, deleted fax's row kept: %t", len(cdr), found)
		}
		if len(e.Events(t, model.ActionFaxDeleted, f1.ID)) != 1 {
			t.Error("no fax.deleted audit event")
		}
	})
}

func TestRetention(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, false)
		p, err := st.GetPlatformSettings(e.Ctx, model.PlatformScope())
		authtest.Must(t, "GetPlatformSettings", err)
		p.RetentionMaxDays = 60
		authtest.Must(t, "PutPlatformSettings", st.PutPlatformSettings(e.Ctx, model.PlatformScope(), &p))
		b := e.W.B
		b.RetentionDays = 400 // above the platform's maximum: 60 applies
		authtest.Must(t, "UpdateTenant", st.UpdateTenant(e.Ctx, model.PlatformScope(), &b))
		fa := e.quick(t, e.routed(t, "+12025550401", e.W.A.ID, ""), 1) // tenant A: 30 days
		fb := e.quick(t, e.routed(t, "+12025550402", e.W.B.ID, ""), 1)
		rt, err := e.Svc.Route(e.Ctx, "+12025550401", "")
		authtest.Must(t, "Route", err)
		stuck, _, err := e.Svc.Begin(e.Ctx, rt, faxin.CallInfo{}) // its node "dies": never finished
		authtest.Must(t, "Begin", err)

		rep, err := e.Svc.Purge(e.Ctx)
		authtest.Must(t, "Purge now", err)
		if rep.Purged != 0 || rep.Stale != 0 {
			t.Errorf("first purge = %+v", rep)
		}

		// 31 days later, run by the River periodic job (RunOnStart).
		e.Clock.Advance(31 * 24 * time.Hour)
		workers := river.NewWorkers()
		periodic := e.Svc.AddWorkers(workers)
		j, err := jobs.New(st, nil, workers, nil, jobs.WithFetchPollInterval(50*time.Millisecond), jobs.WithPeriodicJobs(periodic))
		authtest.Must(t, "jobs.New", err)
		authtest.Must(t, "jobs.Start", j.Start(t.Context()))
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = j.Stop(ctx)
		})
		// The run purges fa and fails then purges the stale reception; wait
		// for the whole run, not only its first fax.
		waitFor(t, "the periodic purge", 30*time.Second, func() bool {
			f, err := st.GetInboundFax(e.Ctx, model.PlatformScope(), fa.ID)
			s, serr := st.GetInboundFax(e.Ctx, model.PlatformScope(), stuck)
			return err == nil && f.Purged() && serr == nil && s.Purged()
		})
		_, err = e.Svc.Open(e.Ctx, e.W.TenantAActor, fa.ID, "pdf")
		wantIs(t, "download of a purged fax", err, model.ErrGone)
		for _, k := range []string{fa.FileKey, fa.PDFKey} {
			if _, err := e.Blobs.Stat(e.Ctx, k); err == nil {
				t.Errorf("blob %s survived the purge", k)
			}
		}
		got, err := e.Svc.Get(e.Ctx, e.W.TenantAActor, fa.ID)
		authtest.Must(t, "Get purged", err)
		if got.Pages != 1 || len(got.Attempts) != 1 || !got.PurgedAt.Equal(e.Clock.Now().Truncate(time.Microsecond)) {
			t.Errorf("purged fax = pages %d, attempts %d, purged at %v (clock %v)", got.Pages, len(got.Attempts), got.PurgedAt, e.Clock.Now())
		}
		s, err := st.GetInboundFax(e.Ctx, model.PlatformScope(), stuck)
		authtest.Must(t, "stuck fax", err)
		if s.Status != model.FaxFailed || !s.Purged() {
			t.Errorf("stale reception: status %s, purged %t", s.Status, s.Purged())
		}
		if f, _ := st.GetInboundFax(e.Ctx, model.PlatformScope(), fb.ID); f.Purged() {
			t.Error("tenant B's fax purged after 31 days (its period is 60)")
		}
		// 61 days: B's too; a second run finds nothing more.
		e.Clock.Advance(30 * 24 * time.Hour)
		rep, err = e.Svc.Purge(e.Ctx)
		authtest.Must(t, "Purge", err)
		if rep.Purged != 1 { // B's fax (the stale reception was failed and purged in the first run)
			t.Errorf("purge at 61 days = %+v", rep)
		}
		_, err = e.Svc.Open(e.Ctx, e.W.TenantBActor, fb.ID, "tiff")
		wantIs(t, "B's purged fax", err, model.ErrGone)
		rep, err = e.Svc.Purge(e.Ctx)
		authtest.Must(t, "Purge again", err)
		if rep.Purged != 0 {
			t.Errorf("third purge = %+v", rep)
		}
		if len(e.Events(t, model.ActionFaxPurged)) < 2 {
			t.Error("purges not audited")
		}
	})
}
