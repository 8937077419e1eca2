package ui

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/model"
)

func TestAPIKeyIsShownOnceAndCanBeRevoked(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	b.login("user@a.example")
	r := b.post("/profile/api-keys", url.Values{"name": {"billing"}})
	wantStatus(t, r, http.StatusOK)
	m := regexp.MustCompile(`id="new-key-value" type="text" value="(fgk_[^"]+)"`).FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("raw key not shown:\n%s", text(r.Body))
	}
	raw := m[1]
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Error("the page with the raw key may be cached")
	}
	// The key works on the API side...
	if _, err := p.Auth.AuthenticateAPIKey(p.Ctx, raw, "192.0.2.9"); err != nil {
		t.Fatalf("new key does not authenticate: %v", err)
	}
	// ...and is never shown again.
	r = b.get("/profile")
	if strings.Contains(r.Body, raw) {
		t.Fatal("raw key shown again")
	}
	wantText(t, r, "billing", raw[:12]+"…")

	keys, err := p.Auth.ListAPIKeys(p.Ctx, p.W.UserAActor)
	authtest.Must(t, "keys", err)
	// Revoking asks first: the confirmation posts to the same address.
	r = b.get("/profile")
	wantHTML(t, r, `hx-get="/profile/api-keys/`+keys[0].ID+`/revoke"`)
	r = b.get("/profile/api-keys/" + keys[0].ID + "/revoke")
	wantStatus(t, r, http.StatusOK)
	wantHTML(t, r, `id="confirm-box"`, `action="/profile/api-keys/`+keys[0].ID+`/revoke"`)
	wantText(t, r, "Revoke the key “billing”?")
	wantRedirect(t, b.post("/profile/api-keys/"+keys[0].ID+"/revoke", nil), "/profile#api-keys")
	wantStatus(t, b.get("/profile/api-keys/"+keys[0].ID+"/revoke"), http.StatusNotFound) // revoked already
	if _, err := p.Auth.AuthenticateAPIKey(p.Ctx, raw, "192.0.2.9"); err == nil {
		t.Fatal("revoked key still works")
	}
	// Somebody else's key is not found.
	other, _, err := p.Auth.CreateAPIKey(p.Ctx, p.W.UserBActor, "theirs")
	authtest.Must(t, "other key", err)
	wantStatus(t, b.post("/profile/api-keys/"+other.ID+"/revoke", nil), http.StatusNotFound)
	wantStatus(t, b.get("/profile/api-keys/"+other.ID+"/revoke"), http.StatusNotFound)

	r = b.post("/profile/api-keys", url.Values{"name": {""}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantHTML(t, r, `id="f-name-err"`)
}

func TestChangePassword(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	b.login("user@a.example")
	other := p.browser(t)
	other.login("user@a.example")

	r := b.post("/profile/password", url.Values{"current_password": {"wrong one!"}, "password": {"new secret pass"}, "password_confirm": {"new secret pass"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantHTML(t, r, `id="f-current_password-err"`)

	r = b.post("/profile/password", url.Values{"current_password": {authtest.Password}, "password": {"new secret pass"}, "password_confirm": {"new secret pass"}})
	wantRedirect(t, r, "/profile")
	wantText(t, b.get("/profile"), "Your password was changed.")
	// The other session ended; this one goes on.
	wantRedirect(t, other.get("/profile"), "/login?next=%2Fprofile")
}

func TestProfileDetails(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	b.login("user@a.example")
	wantRedirect(t, b.post("/profile", url.Values{"first_name": {"Linus"}, "last_name": {"T"}, "phone": {"+4930123"}}), "/profile")
	u, _ := p.St.GetUser(p.Ctx, model.PlatformScope(), p.W.UserA.ID)
	if u.FirstName != "Linus" || u.Phone != "+4930123" {
		t.Errorf("not saved: %+v", u)
	}
	r := b.post("/profile", url.Values{"first_name": {"Linus"}, "phone": {"call me maybe"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantHTML(t, r, `id="f-phone-err"`, `value="call me maybe"`)
}

func TestTOTPEnrolmentInThePortal(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	b.login("user@a.example")
	r := b.post("/profile/totp", nil)
	wantStatus(t, r, http.StatusOK)
	wantHTML(t, r, `src="data:image/png;base64,`)
	secret := regexp.MustCompile(`<code class="secret">([A-Z2-7]+)</code>`).FindStringSubmatch(r.Body)
	otpURL := regexp.MustCompile(`name="url" value="([^"]+)"`).FindStringSubmatch(r.Body)
	if secret == nil || otpURL == nil {
		t.Fatalf("no secret/url on the page:\n%s", text(r.Body))
	}
	form := url.Values{"code": {"000000"}, "url": {strings.ReplaceAll(otpURL[1], "&amp;", "&")}}
	r = b.post("/profile/totp/confirm", form)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantHTML(t, r, `id="f-code-err"`, `src="data:image/png;base64,`, secret[1])

	code, err := totp.GenerateCode(secret[1], p.Clock.Now())
	authtest.Must(t, "code", err)
	form.Set("code", code)
	wantRedirect(t, b.post("/profile/totp/confirm", form), "/profile#totp")
	u, _ := p.St.GetUser(p.Ctx, model.PlatformScope(), p.W.UserA.ID)
	if !u.TOTPEnabled {
		t.Fatal("TOTP not enabled")
	}
	p.Clock.Advance(time.Minute)
	r = b.post("/profile/totp/disable", url.Values{"password": {"not my password"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantHTML(t, r, `id="f-totp-password-err"`)
	wantRedirect(t, b.post("/profile/totp/disable", url.Values{"password": {authtest.Password}}), "/profile#totp")
	u, _ = p.St.GetUser(p.Ctx, model.PlatformScope(), p.W.UserA.ID)
	if u.TOTPEnabled {
		t.Fatal("TOTP still enabled")
	}
}

func TestManagerTurnsOffUserTOTP(t *testing.T) {
	p := newPortal(t)
	en, err := p.Auth.BeginTOTP(p.Ctx, p.W.UserAActor)
	authtest.Must(t, "begin", err)
	code, err := totp.GenerateCode(en.Secret, p.Clock.Now())
	authtest.Must(t, "code", err)
	authtest.Must(t, "confirm", p.Auth.ConfirmTOTP(p.Ctx, p.W.UserAActor, code))

	other := p.browser(t)
	other.login("boss@b.example")
	wantStatus(t, other.post("/admin/users/"+p.W.UserA.ID+"/totp/disable", nil), http.StatusNotFound)

	b := p.browser(t)
	b.login("boss@a.example")
	edit := "/admin/users/" + p.W.UserA.ID + "/edit"
	// The user's page asks first: a link to the confirmation, whose box
	// posts.
	r := b.get(edit)
	wantHTML(t, r, `hx-get="/admin/users/`+p.W.UserA.ID+`/totp/disable"`)
	if strings.Contains(r.Body, `action="/admin/users/`+p.W.UserA.ID+`/totp/disable"`) {
		t.Error("the user's page posts the two-factor switch-off without asking")
	}
	wantStatus(t, other.get("/admin/users/"+p.W.UserA.ID+"/totp/disable"), http.StatusNotFound)
	r = b.get("/admin/users/" + p.W.UserA.ID + "/totp/disable")
	wantText(t, r, "Turn off two-factor login of user@a.example?")
	wantHTML(t, r, `id="confirm-box"`, `action="/admin/users/`+p.W.UserA.ID+`/totp/disable"`)
	wantRedirect(t, b.post("/admin/users/"+p.W.UserA.ID+"/totp/disable", nil), edit)
	u, _ := p.St.GetUser(p.Ctx, model.PlatformScope(), p.W.UserA.ID)
	if u.TOTPEnabled {
		t.Fatal("TOTP still on")
	}
	wantText(t, b.get(edit), "Two-factor login of user@a.example is off.")
}
