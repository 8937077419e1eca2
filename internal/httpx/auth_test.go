package httpx_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"faxgate/internal/app/apptest"
	"faxgate/internal/auth"
	"faxgate/internal/auth/authtest"
	"faxgate/internal/httpx"
	"faxgate/internal/model"
	"faxgate/internal/tenancy"
)

// seen is what a handler behind the middleware observed.
type seen struct {
	Actor    string `json:"actor"`
	Via      string `json:"via"`
	Session  bool   `json:"session"`
	AuthErr  string `json:"auth_err"`
	Company  string `json:"company"`
	ClientIP string `json:"client_ip"`
}

// authStack puts the middleware, with the real auth and tenancy services
// on a SQLite store, in front of a handler that reports what it saw.
func authStack(t *testing.T) (*httptest.Server, *authtest.Env, authtest.World) {
	t.Helper()
	env := authtest.NewEnv(t, apptest.Store(t, ""), nil)
	w := env.NewWorld(t)
	mw, err := httpx.NewMiddleware(httpx.Options{Logger: slog.New(slog.NewTextHandler(t.Output(), nil)),
		Auth: env.Auth, Branding: env.Tenancy, PublicPrefixes: []string{"/static/"}})
	if err != nil {
		t.Fatal(err)
	}
	report := func(rw http.ResponseWriter, r *http.Request) {
		a, _ := httpx.ActorFrom(r.Context())
		_, s := httpx.SessionFrom(r.Context())
		v := seen{Actor: a.Email, Via: a.Via, Session: s, Company: httpx.BrandingFrom(r.Context()).CompanyName,
			ClientIP: httpx.ClientIP(r)}
		if err := httpx.AuthErrorFrom(r.Context()); err != nil {
			v.AuthErr = err.Error()
		}
		httpx.WriteJSON(rw, 200, v)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /page", report)
	mux.HandleFunc("GET /static/x", report)
	mux.HandleFunc("GET /api/v1/x", report)
	srv := httptest.NewServer(mw(mux))
	t.Cleanup(srv.Close)
	return srv, env, w
}

func get(t *testing.T, srv *httptest.Server, path string, prep func(*http.Request)) (int, seen, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.URL+path, nil)
	if prep != nil {
		prep(req)
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var v seen
	if res.Header.Get("Content-Type") == "application/json; charset=utf-8" {
		_ = json.NewDecoder(res.Body).Decode(&v)
	}
	return res.StatusCode, v, res.Header
}

func TestAuthenticateMiddleware(t *testing.T) {
	srv, env, w := authStack(t)
	ctx := t.Context()
	login, err := env.Auth.Login(ctx, auth.LoginInput{Login: w.TenantA.Email, Password: authtest.Password, IP: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = env.Tenancy.UpdateBranding(ctx, w.AdminActor, w.A.ID, tenancy.BrandingInput{
		Domain: ptr("fax.a.example"), CompanyName: ptr("A Company")})
	if err != nil {
		t.Fatal(err)
	}
	_, key, err := env.Auth.CreateAPIKey(ctx, w.UserAActor, "k")
	if err != nil {
		t.Fatal(err)
	}
	cookie := func(tok string) func(*http.Request) {
		return func(r *http.Request) { r.AddCookie(&http.Cookie{Name: httpx.SessionCookie, Value: tok}) }
	}
	tests := []struct {
		name   string
		path   string
		prep   func(*http.Request)
		status int
		want   seen
	}{
		{"anonymous gets host branding", "/page", func(r *http.Request) { r.Host = "FAX.A.example:8080" }, 200,
			seen{Company: "A Company"}},
		{"anonymous other host", "/page", nil, 200, seen{Company: model.DefaultBranding().CompanyName}},
		{"session cookie", "/page", cookie(login.Token), 200,
			seen{Actor: w.TenantA.Email, Via: "session", Session: true, Company: "A Company"}},
		{"dead cookie leaves the request anonymous", "/page", cookie("stale"), 200,
			seen{AuthErr: model.ErrUnauthenticated.Error(), Company: model.DefaultBranding().CompanyName}},
		{"api key", "/api/v1/x", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+key) }, 200,
			seen{Actor: w.UserA.Email, Via: "api_key", Company: "A Company"}},
		{"basic", "/api/v1/x", func(r *http.Request) { r.SetBasicAuth(w.UserB.Email, authtest.Password) }, 200,
			seen{Actor: w.UserB.Email, Via: "basic", Company: model.DefaultBranding().CompanyName}},
		{"bad bearer on a page is refused too", "/page",
			func(r *http.Request) { r.Header.Set("Authorization", "Bearer nope") }, 401, seen{}},
		{"header wins over cookie", "/page", func(r *http.Request) {
			cookie(login.Token)(r)
			r.Header.Set("Authorization", "Bearer nope")
		}, 401, seen{}},
		{"public prefix ignores credentials", "/static/x",
			func(r *http.Request) { r.Header.Set("Authorization", "Bearer nope") }, 200,
			seen{Company: model.DefaultBranding().CompanyName}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, got, hdr := get(t, srv, tt.path, tt.prep)
			if status != tt.status {
				t.Fatalf("status %d, want %d", status, tt.status)
			}
			if status == 401 && hdr.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			tt.want.ClientIP = "127.0.0.1"
			if status == 200 && got != tt.want {
				t.Errorf("saw %+v\nwant %+v", got, tt.want)
			}
		})
	}

	t.Run("disabled user's session", func(t *testing.T) {
		disabled := model.UserDisabled
		if _, err := env.Tenancy.UpdateUser(ctx, w.AdminActor, w.TenantA.ID, tenancy.UserPatch{Status: &disabled}); err != nil {
			t.Fatal(err)
		}
		status, got, _ := get(t, srv, "/page", cookie(login.Token))
		if status != 200 || got.Actor != "" || got.AuthErr == "" {
			t.Fatalf("%d %+v", status, got)
		}
	})
	t.Run("throttled basic", func(t *testing.T) {
		var status int
		var hdr http.Header
		for i := range 10 {
			status, _, hdr = get(t, srv, "/api/v1/x", func(r *http.Request) { r.SetBasicAuth(w.UserB.Email, "wrong"+string(rune('a'+i))) })
			if status == 429 {
				break
			}
		}
		if status != 429 || hdr.Get("Retry-After") == "" {
			t.Fatalf("status %d Retry-After %q", status, hdr.Get("Retry-After"))
		}
		env.Clock.Advance(time.Hour)
		if status, _, _ := get(t, srv, "/api/v1/x", func(r *http.Request) { r.SetBasicAuth(w.UserB.Email, authtest.Password) }); status != 200 {
			t.Fatalf("after the lock: %d", status)
		}
	})
}

func ptr[T any](v T) *T { return &v }
