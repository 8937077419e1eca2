package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"faxgate/internal/api"
	"faxgate/internal/app"
	"faxgate/internal/app/apptest"
	"faxgate/internal/auth"
	"faxgate/internal/auth/authtest"
	"faxgate/internal/config"
	"faxgate/internal/model"
)

// forEachEngine runs fn on SQLite, and on PostgreSQL when configured.
func forEachEngine(t *testing.T, fn func(t *testing.T, dsn func(t *testing.T) string)) {
	apptest.ForEachEngine(t, fn)
}

const (
	adminEmail = "root@example.com"
	password   = "correct horse battery staple"
)

// env is the real application (store, services, middleware, portal, API)
// behind an httptest.Server, with a settable clock.
type env struct {
	app   *app.App
	srv   *httptest.Server
	clock *authtest.Clock
	admin model.User
}

func newEnv(t *testing.T, dsn string, authCfg ...func(*auth.Config)) *env {
	t.Helper()
	return newEnvWith(t, dsn, nil, authCfg...)
}

// newEnvWith is newEnv with more application options.
func newEnvWith(t *testing.T, dsn string, opts []app.Option, authCfg ...func(*auth.Config)) *env {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.DB = dsn
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.SMTPAddr, cfg.SIPAddr = "off", "off"
	clk := authtest.NewClock()
	a, err := app.New(cfg, append([]app.Option{app.WithClock(clk.Now),
		app.WithLogger(slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))),
		app.WithAuthConfig(func(c *auth.Config) {
			c.Argon2 = authtest.CheapArgon2()
			c.FailureDelay = -1
			for _, f := range authCfg {
				f(c)
			}
		})}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if err := a.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	admin, err := a.CreateAdmin(t.Context(), app.AdminInput{Email: adminEmail, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return &env{app: a, srv: srv, clock: clk, admin: admin}
}

// cred adds credentials (or browser headers) to a request.
type cred func(*http.Request)

func basic(login, pw string) cred { return func(r *http.Request) { r.SetBasicAuth(login, pw) } }
func bearer(key string) cred {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+key) }
}
func sessionCookie(token string) cred {
	return func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "faxgate_session", Value: token}) }
}
func header(k, v string) cred { return func(r *http.Request) { r.Header.Set(k, v) } }
func anon() cred              { return func(*http.Request) {} }
func both(cs ...cred) cred {
	return func(r *http.Request) {
		for _, c := range cs {
			c(r)
		}
	}
}

func (e *env) adminCred() cred { return basic(adminEmail, password) }

// resp is a finished response.
type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) errorCode() string {
	var v struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.body, &v)
	return v.Error.Code
}

func (r resp) fields() map[string]string {
	var v struct {
		Error struct {
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.body, &v)
	return v.Error.Fields
}

// call sends body (nil; string or []byte raw; anything else as JSON).
func (e *env) call(t *testing.T, c cred, method, path string, body any) resp {
	t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ctype = strings.NewReader(b), "application/json"
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd, ctype = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequestWithContext(context.Background(), method, e.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	c(req)
	res, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

// must calls and fails the test unless the status is want; it decodes the
// JSON answer into out (when not nil).
func (e *env) must(t *testing.T, c cred, method, path string, body any, want int, out any) resp {
	t.Helper()
	r := e.call(t, c, method, path, body)
	if r.status != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, want, r.body)
	}
	if out != nil {
		if err := json.Unmarshal(r.body, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, path, r.body, err)
		}
	}
	return r
}

// world is a platform with two tenants, each with a tenant admin, a user
// and an API key for each of them, all made through the API.
type world struct {
	A, B             api.Tenant
	TA, UA, TB, UB   api.User
	keyTA, keyUA     string
	keyTB, keyUB     string
	keyIDUA, keyIDUB string
}

func (e *env) newWorld(t *testing.T) world {
	t.Helper()
	var w world
	e.must(t, e.adminCred(), "POST", "/api/v1/tenants", api.TenantInput{Name: "Tenant A"}, 201, &w.A)
	e.must(t, e.adminCred(), "POST", "/api/v1/tenants", api.TenantInput{Name: "Tenant B"}, 201, &w.B)
	w.TA = e.createUser(t, e.adminCred(), w.A.ID, "tenant", "boss@a.example")
	w.TB = e.createUser(t, e.adminCred(), w.B.ID, "tenant", "boss@b.example")
	w.UA = e.createUser(t, basic("boss@a.example", password), "", "user", "user@a.example")
	w.UB = e.createUser(t, basic("boss@b.example", password), "", "user", "user@b.example")
	w.keyTA, _ = e.createKey(t, basic("boss@a.example", password))
	w.keyTB, _ = e.createKey(t, basic("boss@b.example", password))
	w.keyUA, w.keyIDUA = e.createKey(t, basic("user@a.example", password))
	w.keyUB, w.keyIDUB = e.createKey(t, basic("user@b.example", password))
	return w
}

func (e *env) createUser(t *testing.T, c cred, tenantID, role, email string) api.User {
	t.Helper()
	var u api.User
	e.must(t, c, "POST", "/api/v1/users", api.UserCreate{TenantID: tenantID, Role: role, Email: email,
		Password: password, FirstName: "First", LastName: "Last"}, 201, &u)
	return u
}

func (e *env) createKey(t *testing.T, c cred) (raw, id string) {
	t.Helper()
	var k api.APIKeyCreated
	e.must(t, c, "POST", "/api/v1/api-keys", api.APIKeyCreate{Name: "test key"}, 201, &k)
	if !strings.HasPrefix(k.Key, "fgk_") || k.ID == "" {
		t.Fatalf("created key %+v", k)
	}
	return k.Key, k.ID
}

// login opens a portal session through the auth service, as the login
// page does, and returns its token.
func (e *env) login(t *testing.T, email string) string {
	t.Helper()
	res, err := e.app.Auth().Login(t.Context(), auth.LoginInput{Login: email, Password: password, IP: "127.0.0.1"})
	if err != nil {
		t.Fatalf("login %s: %v", email, err)
	}
	return res.Token
}
