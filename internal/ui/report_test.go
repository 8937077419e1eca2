package ui

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"faxgate/internal/announce"
	"faxgate/internal/auth/authtest"
	"faxgate/internal/health"
	"faxgate/internal/httpx"
	"faxgate/internal/model"
	"faxgate/internal/reports"
	"faxgate/internal/store/storetest"
	"faxgate/internal/tenancy"
)

// withReports adds the reports, announcements and health services.
func withReports(t *testing.T) func(*authtest.Env, *Deps) {
	dir := t.TempDir()
	return func(env *authtest.Env, d *Deps) {
		d.Reports = reports.New(env.St, env.Clock.Now)
		d.Announcements = announce.New(env.St, env.Audit, env.Clock.Now)
		d.Health = health.New(env.St, dir, "test", env.Clock.Now)
	}
}

// TestReportPages opens CDR Reports and the exports as each role.
func TestReportPages(t *testing.T) {
	p := newPortal(t, withReports(t))
	for _, who := range []string{"user@a.example", "boss@a.example", "admin@example.com"} {
		b := p.browser(t)
		b.login(who)
		r := b.get("/reports/cdr")
		wantStatus(t, r, http.StatusOK)
		checkHygiene(t, who+" /reports/cdr", r)
		wantText(t, r, "CDR Reports", "No calls yet", "Export CSV")

		r = b.get("/reports/cdr?direction=sideways&from=yesterday")
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantText(t, r, "choose inbound or outbound", "must be a date")

		r = b.get("/reports/cdr?sort=size&order=sideways")
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantText(t, r, "choose a column from the list", "choose ascending or descending")
		r = b.get("/reports/cdr?sort=duration&order=asc")
		wantStatus(t, r, http.StatusOK)
		wantHTML(t, r, `href="/reports/cdr/export?order=asc&amp;sort=duration"`)

		r = b.get("/reports/cdr/export?direction=outbound")
		wantStatus(t, r, http.StatusOK)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") ||
			!strings.Contains(r.Header.Get("Content-Disposition"), "cdr-") {
			t.Fatalf("%s CDR export headers %v", who, r.Header)
		}
		recs, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
		if err != nil || len(recs) != 1 || recs[0][0] != "started_at" {
			t.Fatalf("%s CDR export (%v): %q", who, err, r.Body)
		}

		r = b.get("/reports/activities")
		wantHTML(t, r, `id="activities-export"`)
		r = b.get("/reports/activities/export")
		wantStatus(t, r, http.StatusOK)
		recs, err = csv.NewReader(strings.NewReader(r.Body)).ReadAll()
		if err != nil || len(recs) < 2 || recs[0][3] != "action" {
			t.Fatalf("%s activities export (%v): %q", who, err, r.Body)
		}
		for _, rec := range recs[1:] {
			if who == "user@a.example" && rec[1] != who {
				t.Fatalf("user sees another's activity %v", rec)
			}
		}
	}
}

// TestSortHeads: the current column's link flips the direction, the
// others sort descending; filters stay, the cursor goes.
func TestSortHeads(t *testing.T) {
	r, _ := http.NewRequest("GET", "/reports/cdr?sort=pages&number=55&cursor=abc", nil)
	h := sortHeads(r, cdrSortOptions, "pages", false)
	if got := h["pages"]; got.Aria != "descending" || got.Href != "/reports/cdr?number=55&order=asc&sort=pages" {
		t.Errorf("current column %+v", got)
	}
	if got := h["started"]; got.Aria != "none" || got.Href != "/reports/cdr?number=55" {
		t.Errorf("default column %+v", got)
	}
	r, _ = http.NewRequest("GET", "/reports/cdr?sort=to&order=asc", nil)
	if got := sortHeads(r, cdrSortOptions, "to", true)["to"]; got.Aria != "ascending" || got.Href != "/reports/cdr?sort=to" {
		t.Errorf("ascending column %+v", got)
	}
}

// TestAnnouncementPages posts, edits and removes announcements through the
// forms, and checks who sees them on the login page and in the menu.
func TestAnnouncementPages(t *testing.T) {
	p := newPortal(t, withReports(t))
	boss := p.browser(t)
	boss.login("boss@a.example")
	r := boss.get("/settings/announcements")
	wantStatus(t, r, http.StatusOK)
	checkHygiene(t, "announcements", r)
	wantText(t, r, "No announcements yet")

	r = boss.post("/settings/announcements", url.Values{"message": {""}, "level": {"info"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantText(t, r, "is required")
	r = boss.post("/settings/announcements", url.Values{"message": {"Fax line maintenance"}, "level": {"warning"},
		"expires_at": {"2001-01-01T10:00"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantText(t, r, "must be after the start")
	if !strings.Contains(r.Body, "Fax line maintenance") {
		t.Fatal("the form lost the message")
	}
	wantRedirect(t, boss.post("/settings/announcements", url.Values{"message": {"Fax line maintenance"},
		"level": {"warning"}}), "/settings/announcements")
	r = boss.get("/settings/announcements")
	wantText(t, r, "Announcement posted.", "Warning: Fax line maintenance", "Showing")
	// The list searches the messages (case-insensitive, % is literal).
	wantText(t, boss.get("/settings/announcements?q=LINE+maint"), "Warning: Fax line maintenance")
	r = boss.get("/settings/announcements?q=100%25")
	wantText(t, r, "No announcements match “100%”.")
	if strings.Contains(r.Body, "Warning: Fax line maintenance") {
		t.Fatal("the search for 100% lists the announcement")
	}

	// A user cannot manage; the users of tenant A see it at login, B's do not.
	user := p.browser(t)
	user.login("user@a.example")
	if r := user.get("/settings/announcements"); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
		t.Fatalf("user opens announcements: %d", r.Status)
	}
	as, err := announce.New(p.St, p.Audit, p.Clock.Now).Active(t.Context(), p.W.A.ID)
	if err != nil || len(as) != 1 {
		t.Fatalf("active for A: %v %v", as, err)
	}
	id := as[0].ID
	other := p.browser(t)
	other.login("boss@b.example")
	if r := other.get("/settings/announcements/" + id + "/edit"); r.Status != http.StatusNotFound {
		t.Fatalf("tenant B edits A's announcement: %d", r.Status)
	}
	if r := other.post("/settings/announcements/"+id+"/delete", nil); r.Status != http.StatusNotFound {
		t.Fatalf("tenant B deletes A's announcement: %d", r.Status)
	}

	// Edit, then remove.
	r = boss.get("/settings/announcements/" + id + "/edit")
	wantStatus(t, r, http.StatusOK)
	checkHygiene(t, "announcement edit", r)
	wantRedirect(t, boss.post("/settings/announcements/"+id, url.Values{"message": {"Maintenance moved"},
		"level": {"info"}}), "/settings/announcements")
	wantText(t, boss.get("/settings/announcements"), "Maintenance moved")
	r = boss.get("/settings/announcements/" + id + "/delete")
	wantStatus(t, r, http.StatusOK)
	wantText(t, r, "Remove this announcement?", "Maintenance moved")
	wantRedirect(t, boss.post("/settings/announcements/"+id+"/delete", nil), "/settings/announcements")
	wantText(t, boss.get("/settings/announcements"), "Announcement removed.", "No announcements yet")

	// A platform-wide one shows on the login page.
	admin := p.browser(t)
	admin.login("admin@example.com")
	wantRedirect(t, admin.post("/settings/announcements", url.Values{"message": {"Platform upgrade on Sunday"},
		"level": {"info"}, "tenant_id": {""}}), "/settings/announcements")
	r = p.browser(t).get("/login")
	wantText(t, r, "Platform notice", "Platform upgrade on Sunday")
	checkHygiene(t, "login with announcement", r)
}

// TestPlatformSettingsPage saves the relay settings through the form,
// keeps the saved password when the field is left empty, and refuses bad
// values with field errors.
func TestPlatformSettingsPage(t *testing.T) {
	p := newPortal(t, withReports(t))
	admin := p.browser(t)
	admin.login("admin@example.com")
	r := admin.get("/admin/platform")
	wantStatus(t, r, http.StatusOK)
	checkHygiene(t, "platform settings", r)
	form := url.Values{"smtp_host": {"relay.example.test"}, "smtp_port": {"587"}, "smtp_security": {"starttls"},
		"smtp_username": {"fax"}, "smtp_password": {"s3cret-relay"}, "smtp_from_address": {"fax@example.test"},
		"email_attachment_limit_mb": {"8"}, "retention_min_days": {"1"}, "retention_max_days": {"365"},
		"retention_default_days": {"30"}}
	wantRedirect(t, admin.post("/admin/platform", form), "/admin/platform")
	form.Set("smtp_password", "")
	form.Set("smtp_port", "2525")
	wantRedirect(t, admin.post("/admin/platform", form), "/admin/platform")
	ps, err := p.Tenancy.GetPlatformSettings(t.Context(), p.W.AdminActor)
	if err != nil || ps.SMTP.Password != "s3cret-relay" || ps.SMTP.Port != 2525 || ps.EmailAttachmentLimit != 8<<20 {
		t.Fatalf("saved %+v (%v)", ps.SMTP, err)
	}
	r = admin.get("/admin/platform")
	wantText(t, r, "Platform settings saved.", "A password is saved")
	if strings.Contains(r.Body, "s3cret-relay") {
		t.Fatal("the page shows the saved password")
	}
	form.Set("smtp_port", "99999")
	form.Set("retention_default_days", "abc")
	r = admin.post("/admin/platform", form)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantText(t, r, "must be a whole number")

	boss := p.browser(t)
	boss.login("boss@a.example")
	if r := boss.get("/admin/platform"); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
		t.Fatalf("tenant admin opens platform settings: %d", r.Status)
	}
}

func TestHealthPage(t *testing.T) {
	p := newPortal(t, withReports(t))
	admin := p.browser(t)
	admin.login("admin@example.com")
	r := admin.get("/admin/health")
	wantStatus(t, r, http.StatusOK)
	checkHygiene(t, "health", r)
	wantText(t, r, "Jobs waiting", "Disk free", "Tenants: pages against limits", "Tenant A", "Tenant B")
	boss := p.browser(t)
	boss.login("boss@a.example")
	if r := boss.get("/admin/health"); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
		t.Fatalf("tenant admin opens health: %d", r.Status)
	}
}

func TestUsageBar(t *testing.T) {
	for _, c := range []struct {
		used, limit, pct int
		level            string
	}{{5, 0, 0, ""}, {0, 10, 0, ""}, {7, 10, 70, ""}, {8, 10, 80, "high"}, {10, 10, 100, "full"}, {15, 10, 100, "full"}} {
		b := newUsageBar(c.used, c.limit)
		if b.Percent != c.pct || b.Level != c.level {
			t.Errorf("%d/%d: %+v", c.used, c.limit, b)
		}
	}
	if byteSize(512) != "512 B" || byteSize(1536) != "1.5 KiB" || byteSize(3<<30) != "3.0 GiB" {
		t.Errorf("byteSize: %s %s %s", byteSize(512), byteSize(1536), byteSize(3<<30))
	}
}

// TestZoneOncePerRequest: the viewer's time zone is read from the fax
// settings once per request (guard's memo) and shared by the view and the
// handler; the next request reads the saved change.
func TestZoneOncePerRequest(t *testing.T) {
	env := authtest.NewEnv(t, storetest.OpenSQLite(t), nil)
	w := env.NewWorld(t)
	h, err := New(Deps{Auth: env.Auth, Tenancy: env.Tenancy, Audit: env.Audit, Now: env.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	req := func() *http.Request {
		r := httptest.NewRequest("GET", "/reports/cdr", nil)
		return withZoneMemo(r.WithContext(httpx.WithActor(r.Context(), w.TenantAActor)))
	}
	first := req()
	if loc := h.zone(first); loc != time.UTC {
		t.Fatalf("zone before any setting: %v", loc)
	}
	paris := "Europe/Paris"
	if _, err := env.Tenancy.UpdateFaxSettings(context.Background(), w.TenantAActor, "",
		tenancy.FaxSettingsInput{TimeZone: &paris}); err != nil {
		t.Fatal(err)
	}
	if loc := h.zone(first); loc != time.UTC {
		t.Errorf("the same request read the settings again: %v", loc)
	}
	if loc := h.zone(req()); loc.String() != paris {
		t.Errorf("a new request: %v, want %s", loc, paris)
	}
}

func TestCDRRowTimes(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip(err)
	}
	start := time.Date(2026, 3, 4, 22, 59, 50, 0, time.UTC) // 23:59:50 in Paris
	for _, c := range []struct {
		name            string
		answered, ended time.Time
		want            [3]string // answered, ended, duration
	}{
		{"same day", start.Add(2 * time.Second), start.Add(9 * time.Second), [3]string{"23:59:52", "23:59:59", "9 s"}},
		{"past midnight in the zone", start.Add(5 * time.Second), start.Add(40 * time.Second), [3]string{"23:59:55", "2026-03-05 00:00:30", "40 s"}},
		{"never answered", time.Time{}, start.Add(30 * time.Second), [3]string{"", "2026-03-05 00:00:20", "30 s"}},
		{"in progress", start.Add(time.Second), time.Time{}, [3]string{"23:59:51", "", ""}},
	} {
		r := newCDRRow(model.CDR{Attempt: model.Attempt{StartedAt: start, AnsweredAt: c.answered, EndedAt: c.ended}}, paris)
		if got := [3]string{r.Answered, r.Ended, r.Duration}; got != c.want || r.Started != "2026-03-04 23:59:50" {
			t.Errorf("%s: started %q, answered/ended/duration %q, want %q", c.name, r.Started, got, c.want)
		}
	}
}
