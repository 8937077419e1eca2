package ui

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/blob"
	"faxgate/internal/campaign"
	"faxgate/internal/httpx"
	"faxgate/internal/jobs"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
)

// contactPortal is the portal with the contacts service and its import
// worker (real River jobs, a real blob store) on a real SQLite store.
type contactPortal struct {
	*portal
	Camp *campaign.Service
}

// newContactPortal starts the portal; with start false no worker runs
// imports, so they stay queued.
func newContactPortal(t *testing.T, start ...bool) *contactPortal {
	t.Helper()
	env := authtest.NewEnv(t, storetest.OpenSQLite(t), nil)
	env.Clock.Advance(time.Since(env.Clock.Now()).Truncate(time.Second))
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	blobs, err := blob.NewFS(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	camp := campaign.NewService(env.St, env.Audit, logger, env.Clock.Now)
	workers := river.NewWorkers()
	campaign.NewImportWorker(camp).Register(workers)
	j, err := jobs.New(env.St, logger, workers, nil, jobs.WithFetchPollInterval(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	camp.EnableImportJobs(blobs, j)
	if len(start) == 0 || start[0] {
		if err := j.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_ = j.Stop(ctx)
		})
	}
	h, err := New(Deps{Auth: env.Auth, Tenancy: env.Tenancy, Audit: env.Audit, Campaigns: camp, Now: env.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Register(mux)
	mw, err := httpx.NewMiddleware(httpx.Options{Auth: env.Auth, Branding: env.Tenancy, PublicPrefixes: []string{"/static/"}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mw(mux))
	t.Cleanup(srv.Close)
	return &contactPortal{portal: &portal{Env: env, W: env.NewWorld(t), URL: srv.URL}, Camp: camp}
}

func contactValues(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func TestContactsMenuAndEmptyStates(t *testing.T) {
	nav := regexp.MustCompile(`(?s)<nav id="sidenav".*?</nav>`)
	p := newContactPortal(t)
	for _, tc := range []struct {
		who, page, current string
	}{
		{"user@a.example", "/contacts", `href="/contacts" aria-current="page">Contacts<`},
		{"boss@a.example", "/groups", `href="/groups" aria-current="page">Groups<`},
		{"user@a.example", "/dnc", `href="/dnc" aria-current="page">Contact DNC<`},
		{"admin@example.com", "/admin/dnc", `href="/admin/dnc" aria-current="page">Global DNC<`},
	} {
		b := p.browser(t)
		b.login(tc.who)
		r := b.get(tc.page)
		wantStatus(t, r, http.StatusOK)
		if menu := nav.FindString(r.Body); !strings.Contains(menu, tc.current) || !strings.Contains(menu, ">Contacts</p>") {
			t.Errorf("%s %s: menu lacks %s", tc.who, tc.page, tc.current)
		}
	}
	b := p.browser(t)
	b.login("user@a.example")
	wantText(t, b.get("/contacts"), "No contacts yet.")
	wantText(t, b.get("/groups"), "No groups yet.")
	wantText(t, b.get("/dnc"), "The list is empty.")
	wantText(t, b.get("/contacts?q=zzz"), "No contacts match.")
	wantStatus(t, b.get("/admin/dnc"), http.StatusForbidden)
}

func TestContactFormValidation(t *testing.T) {
	p := newContactPortal(t)
	b := p.browser(t)
	b.login("user@a.example")
	for _, tc := range []struct {
		name   string
		form   url.Values
		fields []string
	}{
		{"no fax", contactValues("first_name", "Ada"), []string{"f-fax-err"}},
		{"bad fax and email", contactValues("fax", "12", "email", "not-mail"), []string{"f-fax-err", "f-email-err"}},
		{"long custom", contactValues("fax", "+12025550101", "custom3", strings.Repeat("x", 201)), []string{"f-custom3-err"}},
		{"long name", contactValues("fax", "+12025550101", "last_name", strings.Repeat("x", 101)), []string{"f-last_name-err"}},
	} {
		r := b.post("/contacts", tc.form)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantText(t, r, "Please correct the fields marked below.")
		for _, f := range tc.fields {
			wantHTML(t, r, `id="`+f+`"`)
		}
		for _, v := range tc.form {
			if len(v[0]) < 50 {
				// the form keeps the input (html/template writes + as &#43;)
				wantHTML(t, r, `value="`+strings.ReplaceAll(v[0], "+", "&#43;")+`"`)
			}
		}
	}
	r := b.post("/contacts", contactValues("first_name", "Ada", "last_name", "Lovelace", "fax", "(202) 555-0101",
		"email", "ada@example.com", "custom1", "VIP", "custom5", "Zone 5"))
	wantRedirect(t, r, "/contacts")
	r = b.get("/contacts")
	wantText(t, r, "Contact Ada Lovelace (+12025550101) added.", "+12025550101", "VIP · Zone 5")
	wantStatus(t, b.post("/contacts", contactValues("fax", "+1 202 555 0101")), http.StatusConflict)

	cs, _, err := p.Camp.ListContacts(t.Context(), p.W.UserAActor, store.ContactFilter{}, model.ListOptions{Limit: 5})
	if err != nil || len(cs) != 1 {
		t.Fatalf("contacts %v %v", cs, err)
	}
	id := cs[0].ID
	r = b.post("/contacts/"+id, contactValues("first_name", "Ada", "fax", "x", "email", "ada@example.com"))
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantHTML(t, r, `id="f-fax-err"`, `value="x"`)
	wantRedirect(t, b.post("/contacts/"+id, contactValues("first_name", "Augusta", "fax", "+12025550101")), "/contacts")
	wantText(t, b.get("/contacts?q=augusta"), "Augusta")

	other := p.browser(t)
	other.login("boss@b.example")
	for _, path := range []string{"/contacts/" + id + "/edit", "/contacts/" + id + "/delete"} {
		wantStatus(t, other.get(path), http.StatusNotFound)
	}
	wantStatus(t, other.post("/contacts/"+id+"/delete", nil), http.StatusNotFound)

	wantText(t, b.get("/contacts/"+id+"/delete"), "Delete Augusta?")
	wantRedirect(t, b.post("/contacts/"+id+"/delete", nil), "/contacts")
	wantText(t, b.get("/contacts"), "No contacts yet.")
}

func TestGroupImportWithMapping(t *testing.T) {
	p := newContactPortal(t)
	b := p.browser(t)
	b.login("user@a.example")
	r := b.postFiles("/groups", [][2]string{{"name", ""}}, upFile{name: "x.csv", ctype: "text/csv", body: []byte("Fax\n1\n")})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantHTML(t, r, `id="f-name-err"`)

	file := "Nom;Telecopie;Email\nCarla;+12025550121;carla@example.com\nDan;oops;\nEve;2025550122;\n"
	r = b.postFiles("/groups", [][2]string{{"name", "Clinics"}, {"description", "All of them"}},
		upFile{name: "clinics.csv", ctype: "text/csv", body: []byte(file)})
	if r.Status != http.StatusSeeOther || !strings.Contains(r.Location, "/import/imp_") {
		t.Fatalf("add group with file: %d %q %s", r.Status, r.Location, text(r.Body))
	}
	mapping := r.Location
	r = b.get(mapping)
	wantStatus(t, r, http.StatusOK)
	wantText(t, r, "clinics.csv", "2 columns were not recognised", "Telecopie", "+12025550121", "carla@example.com")
	action := strings.SplitN(mapping, "?", 2)[0]

	base := url.Values{"filename": {"clinics.csv"}, "col0": {"first_name"}, "col1": {""}, "col2": {"email"}}
	r = b.post(action, base)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantText(t, r, "Choose the column that holds the fax numbers.")
	twice := url.Values{"col0": {"email"}, "col1": {"fax"}, "col2": {"email"}}
	r = b.post(action, twice)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantHTML(t, r, `id="f-col2-err"`)
	base.Set("col1", "fax")
	r = b.post(action, base)
	if r.Status != http.StatusSeeOther || !strings.Contains(r.Location, "/imports/imp_") {
		t.Fatalf("confirm mapping: %d %q %s", r.Status, r.Location, text(r.Body))
	}
	status := r.Location
	deadline := time.Now().Add(time.Minute)
	for r = b.get(status); strings.Contains(r.Body, `hx-trigger="every 1s"`) && time.Now().Before(deadline); r = b.get(status) {
		wantHTML(t, r, "<progress")
		time.Sleep(50 * time.Millisecond)
	}
	wantText(t, r, "Import finished", "New contacts: 2", "Invalid rows: 1")
	wantHTML(t, r, `<td class="num" data-label="Line">3</td>`)
	wantStatus(t, b.post(action, base), http.StatusNotFound) // the staged file is used up

	groupURL := strings.Split(status, "/imports/")[0]
	r = b.get(groupURL)
	wantText(t, r, "Carla", "+12025550122")
	wantHTML(t, r, `href="/api/v1/groups/`+strings.TrimPrefix(groupURL, "/groups/")+`/export"`)

	other := p.browser(t)
	other.login("user@b.example")
	for _, path := range []string{groupURL, groupURL + "/import", status, mapping} {
		wantStatus(t, other.get(path), http.StatusNotFound)
	}

	// Upload page: no file chosen.
	r = b.postFiles(groupURL+"/import", [][2]string{{"delimiter", "semicolon"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantHTML(t, r, `id="f-file-err"`)
	r = b.postFiles(groupURL+"/import", nil, upFile{name: "e.csv", ctype: "text/csv", body: []byte("  \n")})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantText(t, r, "the file is empty")
}

func TestDNCPages(t *testing.T) {
	p := newContactPortal(t)
	user := p.browser(t)
	user.login("user@a.example")
	r := user.post("/dnc", contactValues("number", "nope", "note", "asked"))
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantHTML(t, r, `id="f-number-err"`, `value="asked"`)
	wantRedirect(t, user.post("/dnc", contactValues("number", "202 555 0199", "note", "asked by phone")), "/dnc")
	r = user.get("/dnc")
	wantText(t, r, "+12025550199 is on the do-not-contact list", "asked by phone", "user@a.example")
	if strings.Contains(r.Body, "/delete") {
		t.Error("users see Remove")
	}
	if blocked, why := p.Camp.IsBlocked(t.Context(), p.W.A.ID, "+12025550199"); !blocked || !strings.Contains(why, "asked by phone") {
		t.Errorf("IsBlocked = %v %q", blocked, why)
	}
	r = user.postFiles("/dnc/import", [][2]string{{"note", "imported"}}, upFile{name: "d.csv", ctype: "text/csv",
		body: []byte("Number,Note\n+12025550198,\n+12025550199,again\nbad,x\n")})
	wantStatus(t, r, http.StatusOK)
	wantText(t, r, "1 numbers added", "Already on the list: 1", "Invalid: 1")
	wantHTML(t, r, `<td class="num" data-label="Line">4</td>`)

	ds, _, _ := p.Camp.ListDNC(t.Context(), p.W.TenantAActor, store.DNCFilter{Query: "asked"}, model.ListOptions{Limit: 5})
	if len(ds) != 1 {
		t.Fatalf("dnc %v", ds)
	}
	wantStatus(t, user.get("/dnc/"+ds[0].ID+"/delete"), http.StatusForbidden)
	boss := p.browser(t)
	boss.login("boss@a.example")
	wantText(t, boss.get("/dnc/"+ds[0].ID+"/delete"), "Remove +12025550199?")
	other := p.browser(t)
	other.login("boss@b.example")
	wantStatus(t, other.post("/dnc/"+ds[0].ID+"/delete", nil), http.StatusNotFound)
	wantRedirect(t, boss.post("/dnc/"+ds[0].ID+"/delete", nil), "/dnc")
	if blocked, _ := p.Camp.IsBlocked(t.Context(), p.W.A.ID, "+12025550199"); blocked {
		t.Error("still blocked after removal")
	}

	admin := p.browser(t)
	admin.login("admin@example.com")
	wantRedirect(t, admin.post("/admin/dnc", contactValues("number", "+12025550177", "note", "regulator")), "/admin/dnc")
	wantText(t, admin.get("/admin/dnc"), "+12025550177", "regulator")
	if blocked, why := p.Camp.IsBlocked(t.Context(), p.W.B.ID, "+12025550177"); !blocked || !strings.Contains(why, "global") {
		t.Errorf("global IsBlocked = %v %q", blocked, why)
	}
	wantStatus(t, boss.post("/admin/dnc", contactValues("number", "+12025550176")), http.StatusForbidden)
}

// TestAdminNamesTheTenant: a platform admin must choose the tenant of a
// new contact or group, then sees it in the all-tenants list.
func TestAdminNamesTheTenant(t *testing.T) {
	p := newContactPortal(t)
	b := p.browser(t)
	b.login("admin@example.com")
	r := b.get("/contacts/new")
	wantHTML(t, r, `<option value="`+p.W.A.ID+`">Tenant A</option>`)
	r = b.post("/contacts", contactValues("fax", "+12025550101"))
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantHTML(t, r, `id="f-tenant_id-err"`)
	wantRedirect(t, b.post("/contacts", contactValues("tenant_id", p.W.B.ID, "fax", "+12025550101", "first_name", "Zed")), "/contacts")
	r = b.get("/contacts")
	wantText(t, r, "Zed", "Tenant B")
	r = b.postFiles("/groups", [][2]string{{"tenant_id", p.W.A.ID}, {"name", "Admin made"}})
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/groups/grp_") {
		t.Fatalf("admin adds a group: %d %q %s", r.Status, r.Location, text(r.Body))
	}
	wantText(t, b.get("/groups"), "Admin made", "Tenant A")
	// The tenant's own admin sees it, the other tenant does not.
	boss := p.browser(t)
	boss.login("boss@a.example")
	wantText(t, boss.get(r.Location), "Admin made")
	other := p.browser(t)
	other.login("boss@b.example")
	wantStatus(t, other.get(r.Location), http.StatusNotFound)
	r2 := boss.postFiles("/groups", [][2]string{{"name", "admin MADE"}})
	wantStatus(t, r2, http.StatusConflict)
	wantHTML(t, r2, `id="f-name-err"`)
}

// TestImportStatusPolls: while an import waits or runs its page shows a
// progress bar and refreshes itself (htmx); other groups do not show it.
func TestImportStatusPolls(t *testing.T) {
	p := newContactPortal(t, false)
	ctx := t.Context()
	g, err := p.Camp.CreateGroup(ctx, p.W.UserAActor, campaign.GroupInput{Name: "Waiting"})
	if err != nil {
		t.Fatal(err)
	}
	other, _ := p.Camp.CreateGroup(ctx, p.W.UserAActor, campaign.GroupInput{Name: "Other"})
	im, err := p.Camp.StartImport(ctx, p.W.UserAActor, g.ID, "w.csv", strings.NewReader("Fax\n+12025550101\n"),
		campaign.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b := p.browser(t)
	b.login("user@a.example")
	r := b.get("/groups/" + g.ID + "/imports/" + im.ID)
	wantStatus(t, r, http.StatusOK)
	wantHTML(t, r, `hx-trigger="every 1s"`, `<progress id="import-progress" value="0" max="100">`)
	wantText(t, r, "Importing…", "Waiting to start…", "w.csv")
	wantStatus(t, b.get("/groups/"+other.ID+"/imports/"+im.ID), http.StatusNotFound)
}
