package ui

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

func TestAdminCreatesTenantAndTenantAdmin(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	b.login("admin@example.com")
	r := b.post("/admin/tenants", url.Values{"name": {"Acme"}, "status": {"active"}, "daily_page_limit": {"lots"},
		"retention_days": {"90"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantHTML(t, r, `id="f-daily_page_limit-err"`, `value="Acme"`, `value="90"`)

	r = b.post("/admin/tenants", url.Values{"name": {"Acme"}, "status": {"active"}, "daily_page_limit": {"100"},
		"monthly_page_limit": {"2000"}, "retention_days": {"90"}, "email_domain": {"fax.acme.test"}})
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/admin/users/new?role=tenant&tenant_id=ten_") {
		t.Fatalf("create tenant: %d %q\n%s", r.Status, r.Location, text(r.Body))
	}
	tid := mustURL(t, r.Location).Query().Get("tenant_id")
	tn, err := p.St.GetTenant(p.Ctx, model.PlatformScope(), tid)
	authtest.Must(t, "tenant", err)
	if tn.Name != "Acme" || tn.DailyPageLimit != 100 || tn.MonthlyPageLimit != 2000 || tn.RetentionDays != 90 || tn.EmailDomain != "fax.acme.test" {
		t.Errorf("stored tenant %+v", tn)
	}
	r = b.get(r.Location)
	wantText(t, r, "Tenant Acme created.")
	wantHTML(t, r, `<option value="tenant" selected>`, `<option value="`+tid+`" selected>Acme</option>`)

	r = b.post("/admin/tenants", url.Values{"name": {"Acme"}, "status": {"active"}})
	if r.Status != http.StatusConflict && r.Status != http.StatusUnprocessableEntity {
		t.Errorf("duplicate tenant name: %d", r.Status)
	}
	wantHTML(t, r, `id="f-name-err"`)

	// Suspend and reactivate from the list.
	wantRedirect(t, b.post("/admin/tenants/"+tid+"/status", url.Values{"status": {"suspended"}}), "/admin/tenants")
	tn, _ = p.St.GetTenant(p.Ctx, model.PlatformScope(), tid)
	if tn.Status != model.TenantSuspended {
		t.Fatalf("status %s", tn.Status)
	}
	r = b.get("/admin/tenants?status=suspended")
	wantText(t, r, "Tenant Acme suspended", "Reactivate")
	wantRedirect(t, b.post("/admin/tenants/"+tid+"/status", url.Values{"status": {"active"}}), "/admin/tenants")

	// Edit.
	r = b.get("/admin/tenants/" + tid + "/edit")
	wantHTML(t, r, `value="Acme"`, `value="2000"`)
	wantRedirect(t, b.post("/admin/tenants/"+tid, url.Values{"name": {"Acme Corp"}, "status": {"active"},
		"daily_page_limit": {"0"}, "monthly_page_limit": {"2000"}, "retention_days": {"30"}}), "/admin/tenants")
	tn, _ = p.St.GetTenant(p.Ctx, model.PlatformScope(), tid)
	if tn.Name != "Acme Corp" || tn.DailyPageLimit != 0 || tn.RetentionDays != 30 {
		t.Errorf("edited tenant %+v", tn)
	}
	wantStatus(t, b.get("/admin/tenants/ten_aaaaaaaaaaaaaaaa/edit"), http.StatusNotFound)
}

func TestDashboardCounts(t *testing.T) {
	p := newPortal(t, withReports(t))
	b := p.browser(t)
	b.login("boss@a.example")
	r := b.get("/")
	wantStatus(t, r, http.StatusOK)
	checkHygiene(t, "tenant dashboard", r)
	wantHTML(t, r, `<p class="stat-value" aria-describedby="stat-users">2</p>`, `class="pages-chart"`)
	wantText(t, r, "Faxes sent, 30 days", "Success rate", "Pages per day", "No pages in this period")
	if strings.Contains(r.Body, "stat-tenants") {
		t.Error("a tenant admin sees the tenant count")
	}
	u := p.browser(t)
	u.login("user@a.example")
	r = u.get("/")
	checkHygiene(t, "user dashboard", r)
	if strings.Contains(r.Body, "stat-users") {
		t.Error("a user sees the user count")
	}
	a := p.browser(t)
	a.login("admin@example.com")
	r = a.get("/")
	wantHTML(t, r, `aria-describedby="stat-users">5</p>`, `aria-describedby="stat-tenants">2</p>`)
	wantText(t, r, "Recent activity", "auth.login")
}

func TestSystemActivitiesFilters(t *testing.T) {
	p := newPortal(t, withReports(t)) // the export route comes with the reports
	b := p.browser(t)
	b.login("boss@a.example")
	wantRedirect(t, b.post("/admin/users", newUserForm("ada@a.example")), "/admin/users")

	r := b.get("/reports/activities?action=" + model.ActionUserCreated)
	wantStatus(t, r, http.StatusOK)
	wantText(t, r, "user.created", "boss@a.example")
	if strings.Contains(r.Body, "<code>auth.login</code>") {
		t.Error("action filter does not filter")
	}
	// Search: the detail (any case), kept in its field and by the export.
	r = b.get("/reports/activities?q=ADA%40a.example")
	wantStatus(t, r, http.StatusOK)
	wantText(t, r, "user.created")
	wantHTML(t, r, `value="ADA@a.example"`, `href="/reports/activities/export?q=ADA%40a.example"`)
	if strings.Contains(r.Body, "<code>auth.login</code>") {
		t.Error("the search does not filter")
	}
	csv := b.get("/reports/activities/export?q=ADA%40a.example").Body
	if lines := strings.Split(strings.TrimSpace(csv), "\n"); len(lines) != 2 || !strings.Contains(lines[1], "user.created") {
		t.Errorf("export of the search:\n%s", csv)
	}
	wantText(t, b.get("/reports/activities?q=nothing-like-this"), "No activities match.")
	r = b.get("/reports/activities?q=" + strings.Repeat("x", 201))
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantHTML(t, r, `id="f-q-err"`)
	r = b.get("/reports/activities?user_id=" + p.W.UserA.ID)
	if strings.Contains(r.Body, "<code>") {
		t.Error("user filter shows another user's events")
	}
	today := p.Clock.Now().UTC().Format("2006-01-02")
	r = b.get("/reports/activities?from=" + today + "&to=" + today + "&action=auth")
	wantText(t, r, "auth.login")
	r = b.get("/reports/activities?from=2026-01-01&to=2025-01-01")
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantHTML(t, r, `id="f-to-err"`)
	r = b.get("/reports/activities?from=yesterday")
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantHTML(t, r, `id="f-from-err"`, `value="yesterday"`)

	// Tenant B sees none of tenant A's events.
	other := p.browser(t)
	other.login("boss@b.example")
	if strings.Contains(other.get("/reports/activities").Body, "ada@a.example") {
		t.Error("tenant B sees tenant A's activities")
	}
	// A plain user sees only their own actions and gets no user filter.
	u := p.browser(t)
	u.login("user@a.example")
	r = u.get("/reports/activities")
	if strings.Contains(r.Body, "boss@a.example") || strings.Contains(r.Body, `name="user_id"`) {
		t.Error("a user sees other users' activities")
	}
}

func TestActivitiesPagination(t *testing.T) {
	p := newPortal(t)
	for range 30 {
		p.Audit.Record(p.Ctx, p.W.TenantAActor, model.ActionUserUpdated, "user", p.W.UserA.ID, "test", p.W.A.ID)
	}
	b := p.browser(t)
	b.login("boss@a.example")
	r := b.get("/reports/activities?action=user.updated&limit=20")
	if n := strings.Count(r.Body, "<code>user.updated</code>"); n != 20 {
		t.Fatalf("page 1: %d rows", n)
	}
	events, next, err := p.Audit.List(p.Ctx, p.W.TenantAActor, store.AuditFilter{Action: "user.updated"}, model.ListOptions{Limit: 20})
	authtest.Must(t, "list", err)
	if len(events) != 20 || next == "" {
		t.Fatal("fixture")
	}
	wantHTML(t, r, `href="/reports/activities?action=user.updated&amp;cursor=`+url.QueryEscape(next)+`&amp;limit=20" rel="next"`)
}
