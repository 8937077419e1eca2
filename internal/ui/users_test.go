package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

func newUserForm(email string) url.Values {
	return url.Values{
		"email": {email}, "api_username": {"new.user"}, "first_name": {"Ada"}, "last_name": {"Lovelace"},
		"phone": {"+15550100"}, "role": {"user"}, "password": {authtest.Password}, "password_confirm": {authtest.Password},
	}
}

func TestTenantAddsUser(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	b.login("boss@a.example")
	wantStatus(t, b.get("/admin/users/new"), http.StatusOK)
	r := b.post("/admin/users", newUserForm("ada@a.example"))
	wantRedirect(t, r, "/admin/users")
	r = b.get("/admin/users")
	wantText(t, r, "User ada@a.example added.", "Ada Lovelace", "new.user")
	users, _, err := p.St.ListUsers(p.Ctx, model.TenantScope(p.W.A.ID), store.UserFilter{Query: "ada@"}, model.ListOptions{Limit: 5})
	authtest.Must(t, "list", err)
	if len(users) != 1 || users[0].TenantID != p.W.A.ID || users[0].Role != model.RoleUser {
		t.Fatalf("stored users: %+v", users)
	}
	// The new user can log in with the password set by the tenant admin.
	p.browser(t).login("ada@a.example")
}

func TestUserFormKeepsInputAndShowsFieldErrors(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	b.login("boss@a.example")
	tests := []struct {
		name   string
		change func(url.Values)
		status int
		field  string
		msg    string
	}{
		{"password mismatch", func(v url.Values) { v.Set("password_confirm", "something else 1") },
			http.StatusUnprocessableEntity, "password_confirm", "does not match the password"},
		{"bad email", func(v url.Values) { v.Set("email", "not-an-email") }, http.StatusUnprocessableEntity, "email", ""},
		{"bad api username", func(v url.Values) { v.Set("api_username", "No Spaces!") }, http.StatusUnprocessableEntity, "api_username", ""},
		{"short password", func(v url.Values) { v.Set("password", "short"); v.Set("password_confirm", "short") },
			http.StatusUnprocessableEntity, "password", ""},
		{"email taken", func(v url.Values) { v.Set("email", "user@a.example") }, http.StatusConflict, "email", "is already in use"},
		{"tenant cannot make admins", func(v url.Values) { v.Set("role", "admin") }, http.StatusForbidden, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := newUserForm("grace@a.example")
			tc.change(v)
			r := b.post("/admin/users", v)
			wantStatus(t, r, tc.status)
			// What was typed stays, except passwords.
			wantHTML(t, r, `value="Ada"`, `value="Lovelace"`, `value="&#43;15550100"`)
			if strings.Contains(r.Body, authtest.Password) {
				t.Error("a password is echoed back")
			}
			if tc.field != "" {
				re := regexp.MustCompile(`<(input|select) id="f-` + tc.field + `"[^>]* aria-invalid="true" aria-describedby="[^"]*f-` + tc.field + `-err"`)
				if !re.MatchString(r.Body) {
					t.Errorf("input %s is not marked invalid", tc.field)
				}
				re = regexp.MustCompile(`<small id="f-` + tc.field + `-err" class="field-error">([^<]+)</small>`)
				m := re.FindStringSubmatch(r.Body)
				if m == nil || !strings.Contains(m[1], tc.msg) {
					t.Errorf("field error of %s: %v, want %q", tc.field, m, tc.msg)
				}
			}
		})
	}
	if n, err := p.St.CountUsers(p.Ctx, model.TenantScope(p.W.A.ID)); err != nil || n != 2 {
		t.Errorf("users of tenant A: %d, %v; want 2 (nothing created)", n, err)
	}
}

func TestUserListPagination(t *testing.T) {
	p := newPortal(t)
	for i := range 30 {
		p.User(t, p.W.A.ID, model.RoleUser, fmt.Sprintf("page%02d@a.example", i))
	}
	b := p.browser(t)
	b.login("boss@a.example")
	r := b.get("/admin/users?q=page&limit=25")
	wantStatus(t, r, http.StatusOK)
	if n := strings.Count(r.Body, "@a.example</td>"); n != 25 {
		t.Fatalf("first page has %d rows, want 25", n)
	}
	if strings.Contains(r.Body, `rel="first"`) {
		t.Error("the first page links to the first page")
	}
	next := regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(r.Body)
	if next == nil {
		t.Fatal("no next link")
	}
	link := strings.ReplaceAll(next[1], "&amp;", "&")
	u := mustURL(t, link)
	if u.Path != "/admin/users" || u.Query().Get("q") != "page" || u.Query().Get("cursor") == "" {
		t.Fatalf("next link %q does not keep the filter", link)
	}
	r = b.get(link)
	if n := strings.Count(r.Body, "@a.example</td>"); n != 5 {
		t.Fatalf("second page has %d rows, want 5", n)
	}
	if strings.Contains(r.Body, `rel="next"`) {
		t.Error("the last page has a next link")
	}
	wantHTML(t, r, `href="/admin/users?limit=25&amp;q=page" rel="first"`)
}

func TestUserListSearchFragment(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	b.login("boss@a.example")
	// htmx asks with HX-Request and picks #results out of the full page.
	r := b.do(http.MethodGet, "/admin/users?q=user%40", nil, "", map[string]string{"HX-Request": "true"})
	wantStatus(t, r, http.StatusOK)
	wantHTML(t, r, `<div id="results">`, "user@a.example")
	if strings.Contains(r.Body, "boss@a.example</td>") {
		t.Error("search did not filter")
	}
}

func TestForeignUsersAreNotFound(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	b.login("boss@a.example")
	foreign := p.W.UserB.ID
	gets := []string{"/admin/users/" + foreign + "/edit", "/admin/users/" + foreign + "/delete",
		"/admin/users/" + foreign + "/password", "/admin/users/usr_aaaaaaaaaaaaaaaa/edit", "/admin/users/garbage/edit"}
	for _, path := range gets {
		r := b.get(path)
		wantStatus(t, r, http.StatusNotFound)
		wantText(t, r, "Page not found")
	}
	posts := map[string]url.Values{
		"/admin/users/" + foreign:               newUserForm("stolen@b.example"),
		"/admin/users/" + foreign + "/status":   {"status": {"disabled"}},
		"/admin/users/" + foreign + "/delete":   nil,
		"/admin/users/" + foreign + "/password": {"password": {"new password 123"}, "password_confirm": {"new password 123"}},
	}
	for path, form := range posts {
		wantStatus(t, b.post(path, form), http.StatusNotFound)
	}
	u, err := p.St.GetUser(p.Ctx, model.PlatformScope(), foreign)
	authtest.Must(t, "get", err)
	if u.Email != "user@b.example" || u.Status != model.UserActive || u.PasswordHash != p.W.UserB.PasswordHash {
		t.Errorf("tenant B's user changed: %+v", u)
	}
}

func TestDisableEnableDelete(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	b.login("boss@a.example")
	id := p.W.UserA.ID
	back := "/admin/users?q=user"
	wantRedirect(t, b.post("/admin/users/"+id+"/status", url.Values{"status": {"disabled"}, "back": {back}}), back)
	wantText(t, b.get(back), "User user@a.example disabled")
	u, _ := p.St.GetUser(p.Ctx, model.PlatformScope(), id)
	if u.Status != model.UserDisabled {
		t.Fatalf("status %s", u.Status)
	}
	wantRedirect(t, b.post("/admin/users/"+id+"/status", url.Values{"status": {"active"}}), "/admin/users")

	r := b.get("/admin/users/" + id + "/delete")
	wantStatus(t, r, http.StatusOK)
	wantHTML(t, r, `id="confirm-box"`, `action="/admin/users/`+id+`/delete"`)
	wantText(t, r, "Delete user@a.example?")
	wantRedirect(t, b.post("/admin/users/"+id+"/delete", nil), "/admin/users")
	wantText(t, b.get("/admin/users"), "User user@a.example deleted.")
	if _, err := p.St.GetUser(p.Ctx, model.PlatformScope(), id); err == nil {
		t.Fatal("user still exists")
	}
	// Deleting yourself is refused with a message, not an error page.
	wantRedirect(t, b.post("/admin/users/"+p.W.TenantA.ID+"/delete", nil), "/admin/users")
	if r := b.get("/admin/users"); !strings.Contains(r.Body, "flash-error") {
		t.Errorf("no error flash after deleting yourself:\n%s", text(r.Body))
	}
}

func TestEditAndResetPassword(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	b.login("boss@a.example")
	id := p.W.UserA.ID
	r := b.get("/admin/users/" + id + "/edit")
	wantStatus(t, r, http.StatusOK)
	wantHTML(t, r, `value="user@a.example"`)
	v := url.Values{"email": {"user@a.example"}, "first_name": {"Grace"}, "last_name": {"Hopper"}, "role": {"tenant"}}
	wantRedirect(t, b.post("/admin/users/"+id, v), "/admin/users")
	u, _ := p.St.GetUser(p.Ctx, model.PlatformScope(), id)
	if u.FirstName != "Grace" || u.Role != model.RoleTenant {
		t.Fatalf("not saved: %+v", u)
	}
	if len(p.Events(t, model.ActionUserRoleChanged)) != 1 {
		t.Error("role change not audited once")
	}

	r = b.post("/admin/users/"+id+"/password", url.Values{"password": {"brand new pass 1"}, "password_confirm": {"other"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantText(t, r, "does not match the password")
	wantRedirect(t, b.post("/admin/users/"+id+"/password",
		url.Values{"password": {"brand new pass 1"}, "password_confirm": {"brand new pass 1"}}), "/admin/users")
	r = p.browser(t).post("/login", url.Values{"login": {"user@a.example"}, "password": {"brand new pass 1"}})
	wantRedirect(t, r, "/")
}

func TestCrossOriginPostIsRefused(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	b.login("boss@a.example")
	forms := map[string]url.Values{
		"/admin/users": newUserForm("csrf@a.example"),
		"/admin/users/" + p.W.UserA.ID + "/delete": nil,
		"/admin/branding":                          {"company_name": {"Evil Corp"}},
		"/profile/api-keys":                        {"name": {"stolen"}},
		"/logout":                                  nil,
	}
	for path, form := range forms {
		r := b.do(http.MethodPost, path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded",
			map[string]string{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"})
		wantStatus(t, r, http.StatusForbidden)
	}
	if _, err := p.St.GetUserByLogin(p.Ctx, "csrf@a.example"); err == nil {
		t.Error("a cross-origin post created a user")
	}
	if _, err := p.St.GetUser(p.Ctx, model.PlatformScope(), p.W.UserA.ID); err != nil {
		t.Error("a cross-origin post deleted a user")
	}
	// Still logged in (the cross-origin logout did nothing).
	wantStatus(t, b.get("/profile"), http.StatusOK)
}

func TestAdminManagesUsersAcrossTenants(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	b.login("admin@example.com")
	r := b.get("/admin/all-users")
	wantStatus(t, r, http.StatusOK)
	wantText(t, r, "boss@a.example", "user@b.example", "Tenant A", "Tenant B")
	r = b.get("/admin/all-users?tenant_id=" + p.W.B.ID)
	if strings.Contains(r.Body, "boss@a.example") || !strings.Contains(r.Body, "boss@b.example") {
		t.Error("tenant filter does not filter")
	}
	v := newUserForm("boss2@b.example")
	v.Set("role", "tenant")
	v.Set("tenant_id", p.W.B.ID)
	wantRedirect(t, b.post("/admin/users", v), "/admin/all-users?tenant_id="+p.W.B.ID)
	u, err := p.St.GetUserByLogin(p.Ctx, "boss2@b.example")
	authtest.Must(t, "created", err)
	if u.TenantID != p.W.B.ID || u.Role != model.RoleTenant {
		t.Errorf("created %+v", u)
	}
	// Admins can hand out the admin role; tenants only see tenant/user.
	wantHTML(t, b.get("/admin/users/new"), `<option value="admin"`)
	tb := p.browser(t)
	tb.login("boss@a.example")
	if strings.Contains(tb.get("/admin/users/new").Body, `<option value="admin"`) {
		t.Error("a tenant admin is offered the admin role")
	}
}

func TestRoleAccess(t *testing.T) {
	p := newPortal(t)
	tests := []struct {
		email string
		path  string
		want  int
	}{
		{"user@a.example", "/admin/users", http.StatusForbidden},
		{"user@a.example", "/admin/branding", http.StatusForbidden},
		{"user@a.example", "/admin/tenants", http.StatusForbidden},
		{"user@a.example", "/reports/activities", http.StatusOK},
		{"user@a.example", "/profile", http.StatusOK},
		{"boss@a.example", "/admin/tenants", http.StatusForbidden},
		{"boss@a.example", "/admin/all-users", http.StatusForbidden},
		{"boss@a.example", "/admin/branding", http.StatusOK},
		{"admin@example.com", "/admin/tenants", http.StatusOK},
		{"admin@example.com", "/admin/users", http.StatusForbidden},
		{"admin@example.com", "/no/such/page", http.StatusNotFound},
	}
	browsers := map[string]*browser{}
	for _, tc := range tests {
		b, ok := browsers[tc.email]
		if !ok {
			b = p.browser(t)
			b.login(tc.email)
			browsers[tc.email] = b
		}
		if r := b.get(tc.path); r.Status != tc.want {
			t.Errorf("%s GET %s: %d, want %d", tc.email, tc.path, r.Status, tc.want)
		}
	}
}
