package ui

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/model"
)

func TestAnonymousIsSentToLogin(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	tests := []struct{ path, want string }{
		{"/", "/login"},
		{"/admin/users", "/login?next=%2Fadmin%2Fusers"},
		{"/reports/activities?action=user", "/login?next=%2Freports%2Factivities%3Faction%3Duser"},
		{"/profile", "/login?next=%2Fprofile"},
	}
	for _, tc := range tests {
		wantRedirect(t, b.get(tc.path), tc.want)
	}
	// A form post cannot be replayed after login: no next.
	wantRedirect(t, b.post("/admin/users", url.Values{"email": {"x@example.com"}}), "/login")
}

func TestLoginShowsErrorsAndKeepsLogin(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	r := b.post("/login", url.Values{"login": {"boss@a.example"}, "password": {"wrong password!"}})
	wantStatus(t, r, http.StatusUnauthorized)
	wantText(t, r, "Wrong login or password.")
	wantHTML(t, r, `value="boss@a.example"`)
	if strings.Contains(r.Body, "wrong password!") {
		t.Error("the password is echoed back")
	}
	r = b.post("/login", url.Values{"login": {""}, "password": {""}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantHTML(t, r, `<input id="f-login" name="login" type="text" value="" required autofocus autocomplete="username" maxlength="254" aria-invalid="true" aria-describedby="f-login-err">`,
		`<small id="f-login-err" class="field-error">is required</small>`, `<a href="#f-password">Password: is required</a>`)
}

func TestLoginRedirectsOnlyToLocalPaths(t *testing.T) {
	p := newPortal(t)
	tests := []struct{ next, want string }{
		{"/admin/users?q=a", "/admin/users?q=a"},
		{"//evil.example/x", "/"},
		{"https://evil.example/", "/"},
		{`/\evil.example`, "/"},
		{"javascript:alert(1)", "/"},
		{"/login", "/"},
		{"", "/"},
	}
	for _, tc := range tests {
		b := p.browser(t)
		r := b.post("/login", url.Values{"login": {"boss@a.example"}, "password": {authtest.Password}, "next": {tc.next}})
		wantRedirect(t, r, tc.want)
	}
}

func TestLoginPageCarriesNext(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	r := b.get("/login?next=" + url.QueryEscape("/admin/users?q=x"))
	wantStatus(t, r, http.StatusOK)
	wantHTML(t, r, `name="next" value="/admin/users?q=x"`)
	r = b.get("/login?next=" + url.QueryEscape("https://evil.example"))
	wantHTML(t, r, `name="next" value="/"`)
}

func TestLoginWithTOTP(t *testing.T) {
	p := newPortal(t)
	actor := p.W.TenantAActor
	en, err := p.Auth.BeginTOTP(p.Ctx, actor)
	authtest.Must(t, "begin totp", err)
	code, err := totp.GenerateCode(en.Secret, p.Clock.Now())
	authtest.Must(t, "code", err)
	authtest.Must(t, "confirm totp", p.Auth.ConfirmTOTP(p.Ctx, actor, code))
	p.Clock.Advance(time.Minute) // the confirmation code is used up

	b := p.browser(t)
	r := b.post("/login", url.Values{"login": {"boss@a.example"}, "password": {authtest.Password}, "next": {"/profile"}})
	wantRedirect(t, r, "/login/totp?next=%2Fprofile")
	// Half logged in: the portal still refuses pages and points to the code.
	wantRedirect(t, b.get("/admin/users"), "/login/totp?next=%2Fadmin%2Fusers")

	r = b.get("/login/totp?next=%2Fprofile")
	wantStatus(t, r, http.StatusOK)
	wantHTML(t, r, `autocomplete="one-time-code"`, `name="next" value="/profile"`)

	r = b.post("/login/totp", url.Values{"code": {"000000"}, "next": {"/profile"}})
	wantStatus(t, r, http.StatusUnauthorized)
	wantText(t, r, "is not the current code of your authenticator app")

	code, err = totp.GenerateCode(en.Secret, p.Clock.Now())
	authtest.Must(t, "code", err)
	wantRedirect(t, b.post("/login/totp", url.Values{"code": {code}, "next": {"/profile"}}), "/profile")
	wantStatus(t, b.get("/profile"), http.StatusOK)
}

func TestTOTPPageWithoutPendingLogin(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	wantRedirect(t, b.get("/login/totp"), "/login")
	r := b.post("/login/totp", url.Values{"code": {"123456"}})
	wantRedirect(t, r, "/login")
	wantText(t, b.get("/login"), "Your login has expired. Please log in again.")
}

func TestDisabledUserSeesWhy(t *testing.T) {
	p := newPortal(t)
	st := model.UserDisabled
	u := p.W.UserA
	u.Status = st
	authtest.Must(t, "disable", p.St.UpdateUser(p.Ctx, model.PlatformScope(), &u))
	b := p.browser(t)
	r := b.post("/login", url.Values{"login": {u.Email}, "password": {authtest.Password}})
	wantStatus(t, r, http.StatusForbidden)
	wantText(t, r, "This account is disabled.")
}

func TestLogoutRevokesTheSession(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	b.login("boss@a.example")
	token := sessionCookie(t, b)
	wantRedirect(t, b.post("/logout", nil), "/login")
	wantText(t, b.get("/login"), "You have been logged out.")
	// Replaying the old cookie does not work: the session is gone.
	old := p.browser(t)
	old.c.Jar.SetCookies(mustURL(t, p.URL), []*http.Cookie{{Name: "faxgate_session", Value: token}})
	wantRedirect(t, old.get("/profile"), "/login?next=%2Fprofile")
	wantText(t, old.get("/login"), "Your session has ended.")
}

func TestLoggedInUserSkipsLoginPage(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	b.login("user@a.example")
	wantRedirect(t, b.get("/login?next=%2Fprofile"), "/profile")
}

func sessionCookie(t *testing.T, b *browser) string {
	t.Helper()
	for _, c := range b.c.Jar.Cookies(mustURL(t, b.base)) {
		if c.Name == "faxgate_session" {
			return c.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
