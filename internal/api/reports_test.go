package api_test

import (
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"faxgate/internal/api"
	"faxgate/internal/model"
)

// TestCDRReportAPI sends real faxes over the fast test line and reads them
// back as call detail records, per role, filtered and as CSV.
func TestCDRReportAPI(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn func(*testing.T) string) {
		e, w, doc := faxEnv(t, dsn(t))
		ua, ta, tb := bearer(w.keyUA), bearer(w.keyTA), bearer(w.keyTB)
		zero := 0
		var ok, busy api.Fax
		e.must(t, ua, "POST", "/api/v1/faxes", api.FaxSend{To: "+12025550100", DocumentID: doc.ID}, 201, &ok)
		e.must(t, ua, "POST", "/api/v1/faxes", api.FaxSend{To: "+12025550486", DocumentID: doc.ID,
			Retries: &zero}, 201, &busy)
		e.waitFax(t, ua, ok.ID)
		e.waitFax(t, ua, busy.ID)

		var all api.CDRList
		e.must(t, ta, "GET", "/api/v1/reports/cdr", nil, 200, &all)
		if len(all.Items) != 2 {
			t.Fatalf("tenant CDR %+v", all.Items)
		}
		// The test clock stands still, so both calls start at the same
		// instant; find them by fax.
		byFax := map[string]api.CDR{}
		for _, c := range all.Items {
			byFax[c.FaxID] = c
		}
		row := byFax[ok.ID]
		if row.Direction != "outbound" || row.To != "+12025550100" || row.Status != "completed" ||
			row.TrunkName != "Fast test" || row.Pages < 1 || row.EndedAt == nil || row.UserEmail != "user@a.example" {
			t.Fatalf("delivered row %+v", row)
		}
		if b := byFax[busy.ID]; b.Cause != "busy" || b.Status != "failed" {
			t.Fatalf("busy row %+v", b)
		}

		var filtered api.CDRList
		e.must(t, ua, "GET", "/api/v1/reports/cdr?cause=busy&number=0486&direction=outbound", nil, 200, &filtered)
		if len(filtered.Items) != 1 || filtered.Items[0].FaxID != busy.ID {
			t.Fatalf("filtered %+v", filtered.Items)
		}
		var paged, rest api.CDRList
		e.must(t, ua, "GET", "/api/v1/reports/cdr?limit=1&order=asc", nil, 200, &paged)
		if len(paged.Items) != 1 || paged.NextCursor == "" {
			t.Fatalf("first page %+v", paged)
		}
		e.must(t, ua, "GET", "/api/v1/reports/cdr?limit=1&order=asc&cursor="+paged.NextCursor, nil, 200, &rest)
		if len(rest.Items) != 1 || rest.NextCursor != "" || rest.Items[0].ID == paged.Items[0].ID {
			t.Fatalf("second page %+v", rest)
		}

		// Sorted by pages: the delivered fax has pages, the busy one none;
		// pages follow the order and the CSV export too.
		var big, small api.CDRList
		e.must(t, ua, "GET", "/api/v1/reports/cdr?sort=pages&limit=1", nil, 200, &big)
		if len(big.Items) != 1 || big.Items[0].FaxID != ok.ID || big.NextCursor == "" {
			t.Fatalf("sort=pages first page %+v", big)
		}
		e.must(t, ua, "GET", "/api/v1/reports/cdr?sort=pages&limit=1&cursor="+big.NextCursor, nil, 200, &small)
		if len(small.Items) != 1 || small.Items[0].FaxID != busy.ID || small.NextCursor != "" {
			t.Fatalf("sort=pages second page %+v", small)
		}
		if r := e.call(t, ua, "GET", "/api/v1/reports/cdr?sort=status&limit=1&cursor="+big.NextCursor, nil); r.status != 422 {
			t.Errorf("a sort=pages cursor with sort=status: %d %s", r.status, r.body)
		}
		byPages := e.must(t, ua, "GET", "/api/v1/reports/cdr?format=csv&sort=pages&order=asc", nil, 200, nil)
		pr, err := csv.NewReader(strings.NewReader(string(byPages.body))).ReadAll()
		if err != nil || len(pr) != 3 {
			t.Fatalf("CSV sort=pages&order=asc (%v): %q", err, byPages.body)
		}
		if att := slices.Index(pr[0], "attempt_id"); att < 0 || pr[1][att] != small.Items[0].ID || pr[2][att] != big.Items[0].ID {
			t.Fatalf("CSV sort=pages&order=asc (%v): %q", err, byPages.body)
		}

		// Another tenant sees none of it, and may not name tenant A.
		var other api.CDRList
		e.must(t, tb, "GET", "/api/v1/reports/cdr", nil, 200, &other)
		if len(other.Items) != 0 {
			t.Fatalf("tenant B sees %+v", other.Items)
		}
		if r := e.call(t, tb, "GET", "/api/v1/reports/cdr?tenant_id="+w.A.ID, nil); r.status != 404 {
			t.Fatalf("foreign tenant_id: %d %s", r.status, r.body)
		}

		// CSV: every row, with a header, in the requested zone.
		r := e.must(t, ta, "GET", "/api/v1/reports/cdr?format=csv&tz=Asia/Tokyo", nil, 200, nil)
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") ||
			!strings.Contains(r.header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("CSV headers: %q %q", ct, r.header.Get("Content-Disposition"))
		}
		recs, err := csv.NewReader(strings.NewReader(string(r.body))).ReadAll()
		if err != nil || len(recs) != 3 || recs[0][0] != "started_at" || !strings.HasSuffix(recs[1][0], "+09:00") {
			t.Fatalf("CSV (%v): %q", err, r.body)
		}

		for _, c := range []struct {
			query string
			want  int
		}{
			{"direction=sideways", 422},
			{"status=lost", 422},
			{"order=up", 422},
			{"sort=size", 422},
			{"sort=pages%27--", 422},
			{"from=yesterday", 422},
			{"format=xml", 422},
			{"format=csv&tz=Mars/Olympus", 422},
			{"colour=red", 400},
			{"cursor=!!", 422},
		} {
			if r := e.call(t, ua, "GET", "/api/v1/reports/cdr?"+c.query, nil); r.status != c.want {
				t.Errorf("?%s: %d %s, want %d", c.query, r.status, r.body, c.want)
			}
		}
	})
}

// TestDashboardAndAnnouncementsAPI reads the dashboard after real faxes
// and walks an announcement through its life, per role.
func TestDashboardAndAnnouncementsAPI(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn func(*testing.T) string) {
		e, w, doc := faxEnv(t, dsn(t))
		ua, ta, tb := bearer(w.keyUA), bearer(w.keyTA), bearer(w.keyTB)
		var sent api.Fax
		e.must(t, ua, "POST", "/api/v1/faxes", api.FaxSend{To: "+12025550100", DocumentID: doc.ID}, 201, &sent)
		sent = e.waitFax(t, ua, sent.ID)

		var d api.Dashboard
		e.must(t, ta, "GET", "/api/v1/dashboard?tz=Europe/Paris", nil, 200, &d)
		if d.Sent != 1 || d.SentPages != sent.Pages || len(d.Days) != 30 || d.SuccessRate == nil ||
			*d.SuccessRate != 100 || d.Users != 2 || d.TimeZone != "Europe/Paris" {
			t.Fatalf("tenant dashboard %+v", d)
		}
		var db api.Dashboard
		e.must(t, tb, "GET", "/api/v1/dashboard", nil, 200, &db)
		if db.Sent != 0 || db.SuccessRate != nil {
			t.Fatalf("tenant B dashboard %+v", db)
		}
		if r := e.call(t, tb, "GET", "/api/v1/dashboard?tenant_id="+w.A.ID, nil); r.status != 404 {
			t.Fatalf("B names A: %d", r.status)
		}

		// Announcements: tenant admin posts, its user sees it, tenant B does not.
		var an api.Announcement
		e.must(t, ta, "POST", "/api/v1/announcements", api.AnnouncementInput{Message: "Line maintenance at 22:00"}, 201, &an)
		if !an.Active || an.TenantID != w.A.ID || an.Level != "info" {
			t.Fatalf("posted %+v", an)
		}
		var seen api.AnnouncementList
		e.must(t, ua, "GET", "/api/v1/announcements?active=true", nil, 200, &seen)
		if len(seen.Items) != 1 || seen.Items[0].ID != an.ID {
			t.Fatalf("user A sees %+v", seen.Items)
		}
		e.must(t, tb, "GET", "/api/v1/announcements?active=true", nil, 200, &seen)
		if len(seen.Items) != 0 {
			t.Fatalf("tenant B sees %+v", seen.Items)
		}
		if r := e.call(t, tb, "GET", "/api/v1/announcements/"+an.ID, nil); r.status != 404 {
			t.Fatalf("B gets A's announcement: %d", r.status)
		}
		if r := e.call(t, ua, "POST", "/api/v1/announcements", api.AnnouncementInput{Message: "x"}); r.status != 403 {
			t.Fatalf("user posts: %d", r.status)
		}
		if r := e.call(t, ua, "GET", "/api/v1/announcements", nil); r.status != 403 {
			t.Fatalf("user lists managed: %d", r.status)
		}
		if r := e.call(t, ta, "POST", "/api/v1/announcements", api.AnnouncementInput{Message: ""}); r.status != 422 ||
			r.fields()["message"] == "" {
			t.Fatalf("empty message: %d %s", r.status, r.body)
		}
		var up api.Announcement
		e.must(t, ta, "PATCH", "/api/v1/announcements/"+an.ID, api.AnnouncementInput{Message: "Moved to 23:00",
			Level: "warning"}, 200, &up)
		if up.Message != "Moved to 23:00" || up.Level != "warning" {
			t.Fatalf("updated %+v", up)
		}
		// A platform-wide one reaches tenant B too.
		var plat api.Announcement
		e.must(t, e.adminCred(), "POST", "/api/v1/announcements", api.AnnouncementInput{Message: "Platform news"}, 201, &plat)
		e.must(t, tb, "GET", "/api/v1/announcements?active=true", nil, 200, &seen)
		if len(seen.Items) != 1 || seen.Items[0].ID != plat.ID || seen.Items[0].TenantID != "" {
			t.Fatalf("tenant B sees %+v", seen.Items)
		}
		e.must(t, ta, "DELETE", "/api/v1/announcements/"+an.ID, nil, 204, nil)
		e.must(t, ua, "GET", "/api/v1/announcements?active=true", nil, 200, &seen)
		if len(seen.Items) != 1 || seen.Items[0].ID != plat.ID {
			t.Fatalf("after delete user A sees %+v", seen.Items)
		}
	})
}

// TestPlatformAdminAPI covers the admin console endpoints: platform
// settings (the relay password never comes back), the test email's
// answer from an unreachable relay, and platform health.
func TestPlatformAdminAPI(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn func(*testing.T) string) {
		e := newEnv(t, dsn(t))
		w := e.newWorld(t)
		admin, ta := e.adminCred(), bearer(w.keyTA)

		host, port, pw, user, from := "127.0.0.1", 1, "relay-password", "fax", "fax@example.com"
		var ps api.PlatformSettings
		e.must(t, admin, "PATCH", "/api/v1/settings/platform", api.PlatformSettingsPatch{SMTPHost: &host,
			SMTPPort: &port, SMTPPassword: &pw, SMTPUsername: &user, SMTPFromAddress: &from}, 200, &ps)
		if ps.SMTPHost != host || ps.SMTPPort != 1 || !ps.SMTPPasswordSet {
			t.Fatalf("saved %+v", ps)
		}
		r := e.must(t, admin, "GET", "/api/v1/settings/platform", nil, 200, &ps)
		if strings.Contains(string(r.body), pw) {
			t.Fatal("the relay password is in the response")
		}
		bad := 70000
		if r := e.call(t, admin, "PATCH", "/api/v1/settings/platform", api.PlatformSettingsPatch{SMTPPort: &bad}); r.status != 422 {
			t.Fatalf("port 70000: %d %s", r.status, r.body)
		}
		if r := e.call(t, ta, "GET", "/api/v1/settings/platform", nil); r.status != 403 {
			t.Fatalf("tenant admin reads platform settings: %d", r.status)
		}

		var res api.TestEmailResult
		e.must(t, admin, "POST", "/api/v1/settings/platform/test-email", api.TestEmail{To: "ops@example.com"}, 200, &res)
		if res.Sent || res.Error == "" {
			t.Fatalf("test email through a closed port: %+v", res)
		}
		if r := e.call(t, admin, "POST", "/api/v1/settings/platform/test-email", api.TestEmail{To: "not an address"}); r.status != 422 {
			t.Fatalf("bad address: %d %s", r.status, r.body)
		}

		var h api.PlatformHealth
		e.must(t, admin, "GET", "/api/v1/admin/health", nil, 200, &h)
		if len(h.Tenants) != 2 || len(h.Trunks) == 0 || h.Disk.TotalBytes == 0 || h.Engine == "" {
			t.Fatalf("health %+v", h)
		}
		if r := e.call(t, ta, "GET", "/api/v1/admin/health", nil); r.status != 403 {
			t.Fatalf("tenant admin reads health: %d", r.status)
		}
	})
}

// TestFaxListFilters checks the shared and inbound-only filters of
// GET /faxes.
func TestFaxListFilters(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn func(*testing.T) string) {
		e, w, doc := faxEnv(t, dsn(t))
		ua := bearer(w.keyUA)
		var a, b api.Fax
		e.must(t, ua, "POST", "/api/v1/faxes", api.FaxSend{To: "+12025550100", DocumentID: doc.ID, Title: "Alpha"}, 201, &a)
		e.must(t, ua, "POST", "/api/v1/faxes", api.FaxSend{To: "+12025550111", DocumentID: doc.ID, Title: "Beta"}, 201, &b)
		var l api.FaxList
		e.must(t, ua, "GET", "/api/v1/faxes?q=beta", nil, 200, &l)
		if len(l.Items) != 1 || l.Items[0].ID != b.ID {
			t.Fatalf("q=beta: %+v", l.Items)
		}
		e.must(t, ua, "GET", "/api/v1/faxes?from=2000-01-01&to=2000-01-02", nil, 200, &l)
		if len(l.Items) != 0 {
			t.Fatalf("old date range: %+v", l.Items)
		}
		e.must(t, ua, "GET", "/api/v1/faxes?direction=inbound&read=false", nil, 200, &l)
		// q searches received faxes too: the sender's number or the DID.
		st := e.app.Store()
		dids := []*model.DID{{Number: "+12025550301", TenantID: w.A.ID}, {Number: "+12025550302", TenantID: w.A.ID}}
		if _, err := st.CreateDIDs(t.Context(), dids, false); err != nil {
			t.Fatal(err)
		}
		var rx []string
		for i, caller := range []string{"+14155550123", "+33142000000"} {
			f := model.InboundFax{Fax: model.Fax{TenantID: w.A.ID, UserID: w.UA.ID, Status: model.FaxReceived,
				Source: model.SourceAPI, To: dids[i].Number, CallerID: caller}, DIDID: dids[i].ID}
			if err := st.InsertInboundFax(t.Context(), &f); err != nil {
				t.Fatal(err)
			}
			rx = append(rx, f.ID)
		}
		for _, c := range []struct{ q, want string }{{"4155", rx[0]}, {"5550302", rx[1]}} {
			e.must(t, ua, "GET", "/api/v1/faxes?direction=inbound&q="+c.q, nil, 200, &l)
			if len(l.Items) != 1 || l.Items[0].ID != c.want {
				t.Errorf("inbound q=%s: %+v", c.q, l.Items)
			}
		}
		for _, c := range []struct {
			query string
			want  int
		}{{"read=false", 422}, {"direction=inbound&read=maybe", 422}, {"from=soon", 422}} {
			if r := e.call(t, ua, "GET", "/api/v1/faxes?"+c.query, nil); r.status != c.want {
				t.Errorf("?%s: %d %s", c.query, r.status, r.body)
			}
		}
	})
}
