package reports_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/model"
	"faxgate/internal/reports"
	"faxgate/internal/store"
)

// fixture is a World with call records: tenant A's user sent one fax that
// was busy then delivered, A's boss sent one that failed, A received one,
// and tenant B's user sent one.
type fixture struct {
	st  *store.Store
	w   authtest.World
	svc *reports.Service
	// ids of the attempts, by name
	userBusy, userOK, bossFail, inbound, otherTenant string
}

func newFixture(t *testing.T, st *store.Store) *fixture {
	t.Helper()
	e := authtest.NewEnv(t, st, nil)
	f := &fixture{st: st, w: e.NewWorld(t), svc: reports.New(st, nil)}
	base := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	at := func(min int) time.Time { return base.Add(time.Duration(min) * time.Minute) }

	ids := f.outbound(t, f.w.UserA, "+15550100", "+15559990", []call{
		{at(1), model.AttemptFailed, model.CauseBusy, 486, 0},
		{at(2), model.AttemptCompleted, model.CauseNone, 200, 2},
	})
	f.userBusy, f.userOK = ids[0], ids[1]
	f.bossFail = f.outbound(t, f.w.TenantA, "+4930123456", "", []call{
		{at(3), model.AttemptFailed, model.CauseFaxNegotiation, 200, 0},
	})[0]
	f.otherTenant = f.outbound(t, f.w.UserB, "+15550100", "", []call{
		{at(4), model.AttemptCompleted, model.CauseNone, 200, 1},
	})[0]
	f.inbound = f.received(t, f.w.UserA, "+33123456789", "+15557770", at(5))
	return f
}

type call struct {
	at     time.Time
	status model.AttemptStatus
	cause  model.Cause
	sip    int
	pages  int
}

func (f *fixture) outbound(t *testing.T, u model.User, to, cid string, calls []call) []string {
	t.Helper()
	ctx := context.Background()
	last := calls[len(calls)-1]
	status := model.FaxDelivered
	if last.status == model.AttemptFailed {
		status = model.FaxFailed
	}
	fax := model.Fax{TenantID: u.TenantID, UserID: u.ID, Direction: model.Outbound, Status: status,
		Source: model.SourceAPI, To: to, CallerID: cid, Title: "=cmd|' /C calc'!A0", NextTry: 1, NextLeg: 1,
		Pages: 2, PagesSent: last.pages, CompletedAt: last.at.Add(40 * time.Second)}
	var ids []string
	err := f.st.RunTx(ctx, func(tx *sql.Tx) error {
		if err := f.st.InsertFaxTx(ctx, tx, &fax); err != nil {
			return err
		}
		for i, c := range calls {
			a := model.Attempt{FaxID: fax.ID, TenantID: u.TenantID, Try: i + 1, Leg: 1, TrunkName: "Test line",
				Status: model.AttemptDialing, DialedNumber: to, CallerID: cid, StartedAt: c.at, T30Code: -1}
			if err := f.st.InsertAttemptTx(ctx, tx, &a); err != nil {
				return err
			}
			a.Status, a.Cause, a.SIPCode, a.Pages = c.status, c.cause, c.sip, c.pages
			a.EndedAt = c.at.Add(40 * time.Second)
			if c.sip == 200 {
				a.AnsweredAt, a.Transport, a.T30Code = c.at.Add(2*time.Second), model.TransportT38, 0
			}
			if err := f.st.FinishAttemptTx(ctx, tx, &a); err != nil {
				return err
			}
			ids = append(ids, a.ID)
		}
		return nil
	})
	authtest.Must(t, "insert outbound fax", err)
	return ids
}

// running inserts an outbound fax whose only call is still connected.
func (f *fixture) running(t *testing.T, u model.User, to string, at time.Time) string {
	t.Helper()
	ctx := context.Background()
	fax := model.Fax{TenantID: u.TenantID, UserID: u.ID, Direction: model.Outbound, Status: model.FaxSending,
		Source: model.SourceAPI, To: to, NextTry: 1, NextLeg: 1, Pages: 1}
	var id string
	err := f.st.RunTx(ctx, func(tx *sql.Tx) error {
		if err := f.st.InsertFaxTx(ctx, tx, &fax); err != nil {
			return err
		}
		a := model.Attempt{FaxID: fax.ID, TenantID: u.TenantID, Try: 1, Leg: 1, TrunkName: "Test line",
			Status: model.AttemptConnected, DialedNumber: to, StartedAt: at, AnsweredAt: at.Add(time.Second), T30Code: -1}
		err := f.st.InsertAttemptTx(ctx, tx, &a)
		id = a.ID
		return err
	})
	authtest.Must(t, "insert running fax", err)
	return id
}

func (f *fixture) received(t *testing.T, u model.User, from, did string, at time.Time) string {
	t.Helper()
	ctx := context.Background()
	in := model.InboundFax{Fax: model.Fax{TenantID: u.TenantID, UserID: u.ID, Status: model.FaxReceived,
		Source: model.SourceSIP, To: did, CallerID: from, Pages: 3, NextTry: 1, NextLeg: 1}}
	authtest.Must(t, "insert inbound fax", f.st.InsertInboundFax(ctx, &in))
	var id string
	err := f.st.RunTx(ctx, func(tx *sql.Tx) error {
		a := model.Attempt{FaxID: in.ID, TenantID: u.TenantID, Try: 1, Leg: 1, Status: model.AttemptConnected,
			StartedAt: at, AnsweredAt: at, T30Code: -1}
		if err := f.st.InsertAttemptTx(ctx, tx, &a); err != nil {
			return err
		}
		a.Status, a.Pages, a.T30Code, a.EndedAt, a.Transport = model.AttemptCompleted, 3, 0, at.Add(time.Minute), model.TransportG711
		id = a.ID
		return f.st.FinishAttemptTx(ctx, tx, &a)
	})
	authtest.Must(t, "insert reception", err)
	return id
}

func ids(rows []model.CDR) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	return out
}

func TestCDRVisibilityAndFilters(t *testing.T) {
	authtest.ForEachEngine(t, func(t *testing.T, open func(t *testing.T) *store.Store) {
		f := newFixture(t, open(t))
		ctx := context.Background()
		w := f.w
		cases := []struct {
			name   string
			actor  model.Actor
			filter reports.CDRFilter
			want   []string // newest first
		}{
			{"admin sees every tenant", w.AdminActor, reports.CDRFilter{},
				[]string{f.inbound, f.otherTenant, f.bossFail, f.userOK, f.userBusy}},
			{"admin narrows to a tenant", w.AdminActor, reports.CDRFilter{TenantID: w.B.ID}, []string{f.otherTenant}},
			{"tenant admin sees its tenant only", w.TenantAActor, reports.CDRFilter{TenantID: w.B.ID},
				[]string{f.inbound, f.bossFail, f.userOK, f.userBusy}},
			{"user sees own faxes only", w.UserAActor, reports.CDRFilter{UserID: w.TenantA.ID},
				[]string{f.inbound, f.userOK, f.userBusy}},
			{"direction inbound", w.TenantAActor, reports.CDRFilter{Direction: model.Inbound}, []string{f.inbound}},
			{"status failed", w.TenantAActor, reports.CDRFilter{Status: model.AttemptFailed},
				[]string{f.bossFail, f.userBusy}},
			{"cause busy", w.TenantAActor, reports.CDRFilter{Cause: model.CauseBusy}, []string{f.userBusy}},
			{"number matches destination", w.TenantAActor, reports.CDRFilter{Number: "4930"}, []string{f.bossFail}},
			{"number matches caller", w.TenantAActor, reports.CDRFilter{Number: "33123"}, []string{f.inbound}},
			{"user filter", w.TenantAActor, reports.CDRFilter{UserID: w.TenantA.ID}, []string{f.bossFail}},
			{"oldest first", w.UserAActor, reports.CDRFilter{Ascending: true},
				[]string{f.userBusy, f.userOK, f.inbound}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				rows, next, err := f.svc.CDR(ctx, c.actor, c.filter, model.ListOptions{})
				authtest.Must(t, "CDR", err)
				if got := ids(rows); strings.Join(got, ",") != strings.Join(c.want, ",") || next != "" {
					t.Fatalf("got %v (next %q), want %v", got, next, c.want)
				}
			})
		}
	})
}

func TestCDRRowContent(t *testing.T) {
	authtest.ForEachEngine(t, func(t *testing.T, open func(t *testing.T) *store.Store) {
		f := newFixture(t, open(t))
		rows, _, err := f.svc.CDR(context.Background(), f.w.UserAActor, reports.CDRFilter{}, model.ListOptions{})
		authtest.Must(t, "CDR", err)
		in, ok := rows[0], rows[0].ID == f.inbound
		if !ok || in.Direction != model.Inbound || in.From != "+33123456789" || in.To != "+15557770" ||
			in.Pages != 3 || in.Transport != model.TransportG711 || in.UserEmail != "user@a.example" {
			t.Fatalf("inbound row = %+v", in)
		}
		out := rows[1]
		if out.Direction != model.Outbound || out.From != "+15559990" || out.To != "+15550100" ||
			out.FaxStatus != model.FaxDelivered || out.Try != 2 || out.ResultCode() != 0 {
			t.Fatalf("outbound row = %+v", out)
		}
	})
}

func TestCDRPagination(t *testing.T) {
	authtest.ForEachEngine(t, func(t *testing.T, open func(t *testing.T) *store.Store) {
		f := newFixture(t, open(t))
		ctx := context.Background()
		for _, asc := range []bool{false, true} {
			var got []string
			o := model.ListOptions{Limit: 2}
			for pages := 0; ; pages++ {
				if pages > 5 {
					t.Fatal("pagination does not end")
				}
				rows, next, err := f.svc.CDR(ctx, f.w.AdminActor, reports.CDRFilter{Ascending: asc}, o)
				authtest.Must(t, "CDR", err)
				got = append(got, ids(rows)...)
				if next == "" {
					break
				}
				o.Cursor = next
			}
			all, _, err := f.svc.CDR(ctx, f.w.AdminActor, reports.CDRFilter{Ascending: asc}, model.ListOptions{})
			authtest.Must(t, "CDR", err)
			if strings.Join(got, ",") != strings.Join(ids(all), ",") {
				t.Fatalf("ascending=%v: pages %v, one list %v", asc, got, ids(all))
			}
		}
	})
}

// TestCDRSorts pages through the records two at a time in every order,
// both directions: the pages join into the one-list answer, which is
// ordered by the column with ties broken by id; the CSV export has the
// same order.
func TestCDRSorts(t *testing.T) {
	authtest.ForEachEngine(t, func(t *testing.T, open func(t *testing.T) *store.Store) {
		f := newFixture(t, open(t))
		ctx := context.Background()
		// A running call (no end yet, so no duration) and a second
		// reception with the same pages as the first: ties.
		running := f.running(t, f.w.TenantA, "+15550199", time.Now().UTC().Add(-20*time.Minute))
		f.received(t, f.w.UserA, "+33123456780", "+15557770", time.Now().UTC().Add(-10*time.Minute))
		key := func(by reports.CDRSort, c model.CDR) string {
			switch by {
			case reports.CDRByDuration:
				if c.EndedAt.IsZero() {
					return fmt.Sprintf("%020d", 0)
				}
				return fmt.Sprintf("%020d", 1+c.EndedAt.Sub(c.StartedAt).Microseconds())
			case reports.CDRByPages:
				return fmt.Sprintf("%020d", c.Pages)
			case reports.CDRByStatus:
				return string(c.Status)
			case reports.CDRByTo:
				return c.To
			case reports.CDRByFrom:
				return c.From
			case reports.CDRByDirection:
				return string(c.Direction)
			}
			return fmt.Sprintf("%020d", c.StartedAt.UnixMicro())
		}
		for _, by := range reports.CDRSorts {
			for _, asc := range []bool{false, true} {
				cf := reports.CDRFilter{Sort: by, Ascending: asc}
				var got []string
				o := model.ListOptions{Limit: 2}
				for pages := 0; ; pages++ {
					if pages > 5 {
						t.Fatalf("%s asc=%v: pagination does not end", by, asc)
					}
					rows, next, err := f.svc.CDR(ctx, f.w.AdminActor, cf, o)
					authtest.Must(t, "CDR", err)
					got = append(got, ids(rows)...)
					if next == "" {
						break
					}
					o.Cursor = next
				}
				all, _, err := f.svc.CDR(ctx, f.w.AdminActor, cf, model.ListOptions{})
				authtest.Must(t, "CDR", err)
				if len(all) != 7 || strings.Join(got, ",") != strings.Join(ids(all), ",") {
					t.Fatalf("%s asc=%v: pages %v, one list %v", by, asc, got, ids(all))
				}
				for i := 1; i < len(all); i++ {
					a, b := key(by, all[i-1])+"\x00"+all[i-1].ID, key(by, all[i])+"\x00"+all[i].ID
					if asc && a > b || !asc && a < b {
						t.Errorf("%s asc=%v: %s before %s", by, asc, a, b)
					}
				}
				var buf bytes.Buffer
				_, err = f.svc.WriteCDRCSV(ctx, f.w.AdminActor, cf, time.UTC, &buf)
				authtest.Must(t, "WriteCDRCSV", err)
				recs, err := csv.NewReader(&buf).ReadAll()
				authtest.Must(t, "read CSV", err)
				var csvIDs []string
				att := slices.Index(recs[0], "attempt_id")
				for _, r := range recs[1:] {
					csvIDs = append(csvIDs, r[att])
				}
				if strings.Join(csvIDs, ",") != strings.Join(ids(all), ",") {
					t.Errorf("%s asc=%v: CSV order %v, list %v", by, asc, csvIDs, ids(all))
				}
			}
		}
		// The running call has no duration: last when longest first.
		all, _, err := f.svc.CDR(ctx, f.w.AdminActor, reports.CDRFilter{Sort: reports.CDRByDuration}, model.ListOptions{})
		authtest.Must(t, "CDR", err)
		if all[len(all)-1].ID != running {
			t.Errorf("by duration, longest first: the running call is not last: %v", ids(all))
		}
		// A cursor of one order is refused by another.
		_, next, err := f.svc.CDR(ctx, f.w.AdminActor, reports.CDRFilter{Sort: reports.CDRByPages}, model.ListOptions{Limit: 2})
		authtest.Must(t, "CDR", err)
		for _, other := range []reports.CDRSort{reports.CDRByStatus, reports.CDRByStarted} {
			if _, _, err := f.svc.CDR(ctx, f.w.AdminActor, reports.CDRFilter{Sort: other},
				model.ListOptions{Limit: 2, Cursor: next}); !isInvalid(err) {
				t.Errorf("pages cursor with sort %s: %v", other, err)
			}
		}
		if _, _, err := f.svc.CDR(ctx, f.w.AdminActor, reports.CDRFilter{Sort: "size"}, model.ListOptions{}); !isInvalid(err) {
			t.Errorf("unknown sort: %v", err)
		}
	})
}

func TestCDRCSV(t *testing.T) {
	authtest.ForEachEngine(t, func(t *testing.T, open func(t *testing.T) *store.Store) {
		f := newFixture(t, open(t))
		// The delivered call went over a SIP trunk.
		var faxID string
		if err := f.st.DB().QueryRowContext(context.Background(), `SELECT fax_id FROM attempts WHERE id = $1`,
			f.userOK).Scan(&faxID); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		authtest.Must(t, "InsertSIPCall", f.st.InsertSIPCall(context.Background(), model.SIPCall{CallID: "c1@192.0.2.9",
			Direction: model.Outbound, FaxID: faxID, AttemptID: f.userOK, SIPCode: 200, SIPReason: "OK", Codec: "PCMU",
			Transport: "g711", Sent: 900, Received: 880, Lost: 3, Recovered: 0, StartedAt: now, EndedAt: now}))
		var buf bytes.Buffer
		paris, err := time.LoadLocation("Europe/Paris")
		if err != nil {
			t.Skip("no time zone database:", err)
		}
		n, err := f.svc.WriteCDRCSV(context.Background(), f.w.TenantAActor, reports.CDRFilter{}, paris, &buf)
		authtest.Must(t, "WriteCDRCSV", err)
		recs, err := csv.NewReader(&buf).ReadAll()
		authtest.Must(t, "read CSV", err)
		if n != 4 || len(recs) != 5 || strings.Join(recs[0], ",") != strings.Join(reports.CDRColumns, ",") {
			t.Fatalf("n=%d, %d records, header %v", n, len(recs), recs[0])
		}
		row := map[string]string{}
		for i, h := range recs[0] {
			row[h] = recs[1][i] // the newest: the reception
		}
		if row["attempt_id"] != f.inbound || row["from"] != "+33123456789" || row["duration_s"] != "60.0" ||
			!strings.HasSuffix(row["started_at"], "+01:00") && !strings.HasSuffix(row["started_at"], "+02:00") {
			t.Fatalf("first row %v", row)
		}
		sipCols := []string{"sip_call_id", "sip_code", "sip_reason", "codec", "packets_sent", "packets_received",
			"packets_lost", "packets_recovered"}
		for _, rec := range recs[1:] {
			cells := map[string]string{}
			for i, h := range recs[0] {
				cells[h] = rec[i]
			}
			var got []string
			for _, c := range sipCols {
				got = append(got, cells[c])
			}
			want := []string{"", "", "", "", "", "", "", ""} // not SIP calls
			if cells["attempt_id"] == f.userOK {
				want = []string{"c1@192.0.2.9", "200", "OK", "PCMU", "900", "880", "3", "0"}
			}
			if !slices.Equal(got, want) {
				t.Errorf("attempt %s: SIP cells %q, want %q", cells["attempt_id"], got, want)
			}
		}
	})
}

func TestCDRRefusals(t *testing.T) {
	authtest.ForEachEngine(t, func(t *testing.T, open func(t *testing.T) *store.Store) {
		f := newFixture(t, open(t))
		ctx := context.Background()
		now := time.Now()
		for _, c := range []struct {
			name   string
			actor  model.Actor
			filter reports.CDRFilter
			want   error
		}{
			{"no actor", model.Actor{}, reports.CDRFilter{}, model.ErrUnauthenticated},
			{"bad direction", f.w.AdminActor, reports.CDRFilter{Direction: "sideways"}, &model.ValidationError{}},
			{"bad status", f.w.AdminActor, reports.CDRFilter{Status: "lost"}, &model.ValidationError{}},
			{"to before from", f.w.AdminActor, reports.CDRFilter{From: now, To: now.Add(-time.Hour)}, &model.ValidationError{}},
		} {
			_, _, err := f.svc.CDR(ctx, c.actor, c.filter, model.ListOptions{})
			if !sameKind(err, c.want) {
				t.Errorf("%s: err = %v, want %T %v", c.name, err, c.want, c.want)
			}
		}
		_, _, err := f.svc.CDR(ctx, f.w.AdminActor, reports.CDRFilter{}, model.ListOptions{Cursor: "!!"})
		if err == nil {
			t.Error("a malformed cursor is accepted")
		}
	})
}

// sameKind reports whether err is want, or a validation error when want is one.
func sameKind(err, want error) bool {
	if _, ok := want.(*model.ValidationError); ok {
		var ve *model.ValidationError
		return errors.As(err, &ve)
	}
	return errors.Is(err, want)
}

func TestDashboard(t *testing.T) {
	authtest.ForEachEngine(t, func(t *testing.T, open func(t *testing.T) *store.Store) {
		f := newFixture(t, open(t))
		ctx := context.Background()
		for _, c := range []struct {
			name                     string
			actor                    model.Actor
			tenantID                 string
			sent, failed, received   int
			sentPages, receivedPages int
			rate                     float64
			users, tenants           int
		}{
			{"tenant A", f.w.TenantAActor, "", 1, 1, 1, 2, 3, 50, 2, 0},
			{"user A", f.w.UserAActor, "", 1, 0, 1, 2, 3, 100, 0, 0},
			{"tenant B", f.w.TenantBActor, "", 1, 0, 0, 1, 0, 100, 2, 0},
			{"admin", f.w.AdminActor, "", 2, 1, 1, 3, 3, 200.0 / 3, 5, 2},
			{"admin on B", f.w.AdminActor, f.w.B.ID, 1, 0, 0, 1, 0, 100, 2, 0},
		} {
			t.Run(c.name, func(t *testing.T) {
				d, err := f.svc.Dashboard(ctx, c.actor, c.tenantID, time.UTC)
				authtest.Must(t, "Dashboard", err)
				if d.Sent != c.sent || d.Failed != c.failed || d.Received != c.received ||
					d.SentPages != c.sentPages || d.ReceivedPages != c.receivedPages ||
					d.Users != c.users || d.Tenants != c.tenants || int(d.SuccessRate*10) != int(c.rate*10) ||
					d.AllSent != c.sent || d.AllReceived != c.received {
					t.Fatalf("dashboard %+v", d)
				}
				if len(d.Days) != reports.DashboardDays {
					t.Fatalf("%d days", len(d.Days))
				}
				today := d.Days[len(d.Days)-1]
				yesterday := d.Days[len(d.Days)-2]
				if today.Sent+yesterday.Sent != c.sent || today.ReceivedPages+yesterday.ReceivedPages != c.receivedPages {
					t.Fatalf("last days %+v %+v", yesterday, today)
				}
			})
		}
		// A fax delivered 60 days ago is in the all-time total only.
		long := time.Now().AddDate(0, 0, -60)
		f.outbound(t, f.w.UserA, "+15550111", "", []call{{long, model.AttemptCompleted, model.CauseNone, 200, 1}})
		for _, c := range []struct {
			name          string
			actor         model.Actor
			sent, allSent int
		}{
			{"user A", f.w.UserAActor, 1, 2},
			{"tenant A", f.w.TenantAActor, 1, 2},
			{"tenant B", f.w.TenantBActor, 1, 1},
		} {
			d, err := f.svc.Dashboard(ctx, c.actor, "", time.UTC)
			authtest.Must(t, "Dashboard", err)
			if d.Sent != c.sent || d.AllSent != c.allSent {
				t.Errorf("%s: sent %d in 30 days, %d in all; want %d, %d", c.name, d.Sent, d.AllSent, c.sent, c.allSent)
			}
		}
		// A day boundary in another zone moves nothing out of the window.
		kolkata, err := time.LoadLocation("Asia/Kolkata")
		if err != nil {
			t.Skip(err)
		}
		d, err := f.svc.Dashboard(ctx, f.w.AdminActor, "", kolkata)
		authtest.Must(t, "Dashboard in Kolkata", err)
		if d.Sent != 2 || d.Days[0].Date.Location() != kolkata {
			t.Fatalf("Kolkata dashboard %+v", d)
		}
	})
}

func isInvalid(err error) bool {
	var ve *model.ValidationError
	return errors.As(err, &ve)
}
