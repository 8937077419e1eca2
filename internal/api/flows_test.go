package api_test

import (
	"bytes"
	"image/color"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"faxgate/internal/api"
)

// TestAdminFlow walks the "done when" path of the issue through the API:
// the admin creates a tenant and its admin, who adds a user and keys,
// brands the tenant, and finds every action in System Activities.
func TestAdminFlow(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn func(*testing.T) string) {
		e := newEnv(t, dsn(t))
		var ten api.Tenant
		r := e.must(t, e.adminCred(), "POST", "/api/v1/tenants", api.TenantInput{Name: "Acme",
			DailyPageLimit: ptr(100), RetentionDays: ptr(30)}, 201, &ten)
		if r.header.Get("Location") != "/api/v1/tenants/"+ten.ID || ten.Status != "active" ||
			ten.DailyPageLimit != 100 || ten.RetentionDays != 30 {
			t.Fatalf("tenant %+v, Location %q", ten, r.header.Get("Location"))
		}
		boss := e.createUser(t, e.adminCred(), ten.ID, "tenant", "Boss@Acme.example")
		if boss.Email != "boss@acme.example" || boss.TenantID != ten.ID || boss.Role != "tenant" {
			t.Fatalf("boss %+v", boss)
		}
		if strings.Contains(string(e.must(t, e.adminCred(), "GET", "/api/v1/users/"+boss.ID, nil, 200, nil).body), "argon2") {
			t.Fatal("password hash in the answer")
		}
		bc := basic("boss@acme.example", password)
		key, _ := e.createKey(t, bc)
		kc := bearer(key)
		worker := e.createUser(t, kc, "", "user", "worker@acme.example")

		var me api.User
		e.must(t, kc, "PATCH", "/api/v1/me", map[string]string{"first_name": "Bea", "phone": "+1 555 0100"}, 200, &me)
		if me.FirstName != "Bea" || me.Phone == "" {
			t.Fatalf("me %+v", me)
		}
		e.must(t, kc, "POST", "/api/v1/users/"+worker.ID+"/password", api.PasswordReset{Password: "a new password 42"}, 204, nil)
		e.must(t, basic("worker@acme.example", "a new password 42"), "GET", "/api/v1/me", nil, 200, nil)

		var br api.Branding
		e.must(t, kc, "PUT", "/api/v1/branding", api.BrandingInput{Domain: ptr("Fax.Acme.Example"),
			CompanyName: ptr("Acme Fax"), Title: ptr("Acme"), Footer: ptr("(c) Acme")}, 200, &br)
		if br.Domain != "fax.acme.example" || br.CompanyName != "Acme Fax" || br.TenantID != ten.ID || br.LogoURL != nil {
			t.Fatalf("branding %+v", br)
		}
		logo := pngLogo(t, color.RGBA{255, 0, 0, 255})
		e.must(t, both(kc, header("Content-Type", "image/png")), "PUT", "/api/v1/branding/logo", logo, 200, &br)
		if br.LogoURL == nil || !strings.HasPrefix(*br.LogoURL, "/branding/logo/"+ten.ID) {
			t.Fatalf("logo url %v", br.LogoURL)
		}
		got := e.must(t, kc, "GET", "/api/v1/branding/logo", nil, 200, nil)
		if !bytes.Equal(got.body, logo) || got.header.Get("Content-Type") != "image/png" {
			t.Fatalf("logo round trip: %d bytes, %s", len(got.body), got.header.Get("Content-Type"))
		}
		// The same through a multipart form, then removal.
		logo2 := pngLogo(t, color.RGBA{0, 255, 0, 255})
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("logo", "logo.png")
		fw.Write(logo2)
		mw.Close()
		e.must(t, both(kc, header("Content-Type", mw.FormDataContentType())), "PUT", "/api/v1/branding/logo", buf.Bytes(), 200, nil)
		if got := e.must(t, kc, "GET", "/api/v1/branding/logo", nil, 200, nil); !bytes.Equal(got.body, logo2) {
			t.Fatal("multipart logo not stored")
		}
		bad := e.call(t, both(kc, header("Content-Type", "image/png")), "PUT", "/api/v1/branding/logo", []byte("<html>not an image</html>"))
		if bad.status != 422 || bad.fields()["logo"] == "" {
			t.Fatalf("bad logo: %d %s", bad.status, bad.body)
		}
		huge := append(bytes.Clone(logo), make([]byte, 600<<10)...)
		if r := e.call(t, both(kc, header("Content-Type", "image/png")), "PUT", "/api/v1/branding/logo", huge); r.status != 413 {
			t.Fatalf("huge logo: %d %s", r.status, r.body)
		}
		e.must(t, kc, "DELETE", "/api/v1/branding/logo", nil, 204, nil)
		e.must(t, kc, "GET", "/api/v1/branding/logo", nil, 404, nil)

		// The portal shows the branding on the login page of its domain.
		req, _ := http.NewRequest("GET", e.srv.URL+"/login", nil)
		req.Host = "fax.acme.example"
		res, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		page := new(bytes.Buffer)
		page.ReadFrom(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(page.String(), "Acme Fax") {
			t.Errorf("login page of the branded domain: %d, has company name: %v", res.StatusCode,
				strings.Contains(page.String(), "Acme Fax"))
		}

		e.must(t, kc, "POST", "/api/v1/me/password", api.PasswordChange{CurrentPassword: password,
			NewPassword: "boss new password 7"}, 204, nil)
		if r := e.call(t, bc, "GET", "/api/v1/me", nil); r.status != 401 {
			t.Fatalf("old password still works: %d", r.status)
		}
		e.must(t, kc, "DELETE", "/api/v1/users/"+worker.ID, nil, 204, nil)
		e.must(t, kc, "GET", "/api/v1/users/"+worker.ID, nil, 404, nil)

		var acts api.ActivityList
		e.must(t, kc, "GET", "/api/v1/activities?limit=500", nil, 200, &acts)
		have := map[string]bool{}
		for _, a := range acts.Items {
			have[a.Action] = true
			if a.TenantID != ten.ID {
				t.Errorf("tenant sees activity of tenant %q", a.TenantID)
			}
		}
		for _, want := range []string{"user.created", "user.updated", "user.password_reset", "user.deleted",
			"api_key.created", "branding.updated", "auth.password_changed"} {
			if !have[want] {
				t.Errorf("no %s in activities (have %v)", want, have)
			}
		}
		var filtered api.ActivityList
		e.must(t, kc, "GET", "/api/v1/activities?action=branding&from=2000-01-01&to=2999-12-31", nil, 200, &filtered)
		if len(filtered.Items) == 0 {
			t.Error("action filter found nothing")
		}
		for _, a := range filtered.Items {
			if !strings.HasPrefix(a.Action, "branding") {
				t.Errorf("action filter let %s through", a.Action)
			}
		}
		var searched api.ActivityList
		e.must(t, kc, "GET", "/api/v1/activities?q=WORKER%40acme&action=user.deleted", nil, 200, &searched)
		if len(searched.Items) != 1 || searched.Items[0].Action != "user.deleted" {
			t.Errorf("search with action: %+v", searched.Items)
		}
		if r := e.call(t, kc, "GET", "/api/v1/activities?q="+strings.Repeat("x", 201), nil); r.status != 422 || r.fields()["q"] == "" {
			t.Errorf("a search of 201 characters: %d %s", r.status, r.body)
		}
		var adminActs api.ActivityList
		e.must(t, e.adminCred(), "GET", "/api/v1/activities?tenant_id="+ten.ID+"&action=tenant", nil, 200, &adminActs)
		if len(adminActs.Items) != 1 || adminActs.Items[0].Action != "tenant.created" {
			t.Errorf("admin tenant filter: %+v", adminActs.Items)
		}
	})
}

// TestEveryDocumentedPathIsServed sends a real request to every documented
// operation of the running application and checks that the mux routes it
// (never the 404/405 of an unknown endpoint) and that nothing fails.
func TestEveryDocumentedPathIsServed(t *testing.T) {
	e := newEnv(t, "")
	w := e.newWorld(t)
	// Real ids where a test wants a found object; elsewhere a well-formed
	// id of the right kind, named by the collection before the wildcard.
	ids := map[string]string{"/api/v1/tenants/{id}": w.A.ID, "/api/v1/users/{id}": w.UA.ID,
		"/api/v1/users/{id}/password": w.UA.ID}
	for _, rt := range e.app.API().Routes() {
		t.Run(rt.Pattern(), func(t *testing.T) {
			path := rt.Path
			if id, ok := ids[path]; ok {
				path = strings.Replace(path, "{id}", id, 1)
			}
			path = withTestIDs(path)
			if strings.Contains(path, "{") {
				t.Fatalf("no test id for %s", path)
			}
			var body any
			if rt.Body != nil || len(rt.BodyTypes) > 0 {
				body = "{}"
			}
			r := e.call(t, e.adminCred(), rt.Method, path, body)
			if r.status == 405 || r.status >= 500 || r.status == 404 && strings.Contains(string(r.body), "no endpoint") {
				t.Fatalf("%s %s: %d %s", rt.Method, path, r.status, r.body)
			}
		})
	}
}

// idPrefixes are the id prefixes of the collections of the API.
var idPrefixes = map[string]string{"tenants": "ten", "users": "usr", "api-keys": "key", "documents": "doc",
	"faxes": "fax", "trunks": "trk", "cids": "cid", "dids": "did", "webhooks": "whk", "deliveries": "whd",
	"announcements": "ann", "contacts": "con", "groups": "grp", "members": "con", "imports": "imp", "dnc": "dnc",
	"campaigns": "cmp", "email-allowlist": "eal"}

// withTestIDs replaces each {wildcard} of path with a well-formed id of the
// collection named before it ({n}: page 1).
func withTestIDs(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if !strings.HasPrefix(p, "{") {
			continue
		}
		if p == "{n}" {
			parts[i] = "1"
		} else if prefix, ok := idPrefixes[parts[i-1]]; ok {
			parts[i] = prefix + "_aaaaaaaaaaaaaaaa"
		}
	}
	return strings.Join(parts, "/")
}
