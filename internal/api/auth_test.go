package api_test

import (
	"strconv"
	"testing"
	"time"

	"faxgate/internal/api"
	"faxgate/internal/auth"
)

func TestAuthentication(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn func(*testing.T) string) {
		e := newEnv(t, dsn(t))
		w := e.newWorld(t)
		tests := []struct {
			name   string
			cred   cred
			status int
			code   string
		}{
			{"no credentials", anon(), 401, "unauthenticated"},
			{"wrong password", basic("user@a.example", "wrong password!"), 401, "bad_credentials"},
			{"unknown user", basic("nobody@a.example", password), 401, "bad_credentials"},
			{"malformed basic", header("Authorization", "Basic !!!"), 401, "unauthenticated"},
			{"unknown scheme", header("Authorization", "Digest abc"), 401, "unauthenticated"},
			{"unknown key", bearer("fgk_doesnotexist"), 401, "unauthenticated"},
			{"good key", bearer(w.keyUA), 200, ""},
			{"good basic", basic("user@a.example", password), 200, ""},
			{"bad session cookie", sessionCookie("nope"), 401, "unauthenticated"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := e.call(t, tt.cred, "GET", "/api/v1/me", nil)
				if r.status != tt.status || r.errorCode() != tt.code {
					t.Fatalf("status %d code %q, want %d %q: %s", r.status, r.errorCode(), tt.status, tt.code, r.body)
				}
				if r.status == 401 && r.header.Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
			})
		}
		t.Run("me is the key's owner", func(t *testing.T) {
			var me api.User
			e.must(t, bearer(w.keyUA), "GET", "/api/v1/me", nil, 200, &me)
			if me.ID != w.UA.ID || me.Email != "user@a.example" || me.Role != "user" {
				t.Fatalf("me = %+v", me)
			}
		})
		t.Run("revoked key", func(t *testing.T) {
			e.must(t, bearer(w.keyUA), "DELETE", "/api/v1/api-keys/"+w.keyIDUA, nil, 204, nil)
			if r := e.call(t, bearer(w.keyUA), "GET", "/api/v1/me", nil); r.status != 401 {
				t.Fatalf("revoked key: %d %s", r.status, r.body)
			}
			var keys api.APIKeyList
			e.must(t, basic("user@a.example", password), "GET", "/api/v1/api-keys", nil, 200, &keys)
			if len(keys.Items) != 1 || keys.Items[0].RevokedAt == nil {
				t.Fatalf("keys after revoke: %+v", keys)
			}
		})
		t.Run("disabled user", func(t *testing.T) {
			e.must(t, basic("boss@b.example", password), "PATCH", "/api/v1/users/"+w.UB.ID,
				map[string]string{"status": "disabled"}, 200, nil)
			for _, c := range []cred{bearer(w.keyUB), basic("user@b.example", password)} {
				r := e.call(t, c, "GET", "/api/v1/me", nil)
				if r.status != 403 || r.errorCode() != "account_disabled" {
					t.Fatalf("disabled user: %d %s", r.status, r.body)
				}
			}
		})
		t.Run("suspended tenant", func(t *testing.T) {
			e.must(t, e.adminCred(), "PATCH", "/api/v1/tenants/"+w.A.ID,
				map[string]string{"status": "suspended"}, 200, nil)
			for _, c := range []cred{bearer(w.keyTA), basic("boss@a.example", password)} {
				r := e.call(t, c, "GET", "/api/v1/me", nil)
				if r.status != 403 || r.errorCode() != "tenant_suspended" {
					t.Fatalf("suspended tenant: %d %s", r.status, r.body)
				}
			}
			// The other tenant is unaffected.
			e.must(t, bearer(w.keyTB), "GET", "/api/v1/me", nil, 200, nil)
		})
	})
}

func TestSessions(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn func(*testing.T) string) {
		e := newEnv(t, dsn(t))
		e.newWorld(t)
		tok := e.login(t, "boss@a.example")
		c := sessionCookie(tok)
		var me api.User
		e.must(t, c, "GET", "/api/v1/me", nil, 200, &me)
		if me.Email != "boss@a.example" {
			t.Fatalf("me %+v", me)
		}

		t.Run("same-origin cookie POST", func(t *testing.T) {
			e.must(t, both(c, header("Sec-Fetch-Site", "same-origin")), "POST", "/api/v1/api-keys",
				api.APIKeyCreate{Name: "ok"}, 201, nil)
		})
		t.Run("cross-origin cookie POST refused", func(t *testing.T) {
			for _, h := range []cred{header("Sec-Fetch-Site", "cross-site"), header("Origin", "https://evil.example")} {
				r := e.call(t, both(c, h), "POST", "/api/v1/api-keys", api.APIKeyCreate{Name: "evil"})
				if r.status != 403 || r.errorCode() != "cross_origin" {
					t.Fatalf("cross-origin POST: %d %s", r.status, r.body)
				}
				r = e.call(t, both(c, h), "DELETE", "/api/v1/users/"+me.ID, nil)
				if r.status != 403 || r.errorCode() != "cross_origin" {
					t.Fatalf("cross-origin DELETE: %d %s", r.status, r.body)
				}
			}
			var keys api.APIKeyList
			e.must(t, c, "GET", "/api/v1/api-keys", nil, 200, &keys)
			for _, k := range keys.Items {
				if k.Name == "evil" {
					t.Fatal("a cross-origin request created a key")
				}
			}
		})
		t.Run("bearer header disables the cookie", func(t *testing.T) {
			// A bearer header skips the CSRF check, so the cookie must not
			// count at all: a bogus token with a good cookie is refused.
			r := e.call(t, both(c, bearer("fgk_bogus"), header("Sec-Fetch-Site", "cross-site")),
				"POST", "/api/v1/api-keys", api.APIKeyCreate{Name: "evil2"})
			if r.status != 401 {
				t.Fatalf("bogus bearer with cookie: %d %s", r.status, r.body)
			}
		})
		t.Run("idle expiry", func(t *testing.T) {
			idle := e.app.Auth().Config().SessionIdle
			e.clock.Advance(idle - time.Minute)
			e.must(t, c, "GET", "/api/v1/me", nil, 200, nil) // activity keeps it alive
			e.clock.Advance(idle + time.Minute)
			r := e.call(t, c, "GET", "/api/v1/me", nil)
			if r.status != 401 {
				t.Fatalf("expired session: %d %s", r.status, r.body)
			}
		})
		t.Run("absolute expiry", func(t *testing.T) {
			tok := e.login(t, "boss@a.example")
			abs := e.app.Auth().Config().SessionAbsolute
			step := e.app.Auth().Config().SessionIdle / 2
			for elapsed := time.Duration(0); elapsed+step < abs; elapsed += step {
				e.must(t, sessionCookie(tok), "GET", "/api/v1/me", nil, 200, nil)
				e.clock.Advance(step)
			}
			e.clock.Advance(step + time.Minute)
			if r := e.call(t, sessionCookie(tok), "GET", "/api/v1/me", nil); r.status != 401 {
				t.Fatalf("session past its absolute expiry: %d", r.status)
			}
		})
	})
}

func TestThrottling(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn func(*testing.T) string) {
		e := newEnv(t, dsn(t), func(c *auth.Config) { c.MaxFailures = 3 })
		e.newWorld(t)
		var last resp
		for i := range 6 {
			last = e.call(t, basic("user@a.example", "wrong password "+strconv.Itoa(i)), "GET", "/api/v1/me", nil)
			if last.status == 429 {
				break
			}
			if last.status != 401 {
				t.Fatalf("attempt %d: %d %s", i, last.status, last.body)
			}
		}
		if last.status != 429 || last.errorCode() != "throttled" {
			t.Fatalf("never throttled: %d %s", last.status, last.body)
		}
		secs, err := strconv.Atoi(last.header.Get("Retry-After"))
		if err != nil || secs <= 0 {
			t.Fatalf("Retry-After %q", last.header.Get("Retry-After"))
		}
		// Even the right password is refused while locked...
		if r := e.call(t, basic("user@a.example", password), "GET", "/api/v1/me", nil); r.status != 429 {
			t.Fatalf("locked account with right password: %d", r.status)
		}
		// ...and works once the lock has expired.
		e.clock.Advance(time.Duration(secs+1) * time.Second)
		e.must(t, basic("user@a.example", password), "GET", "/api/v1/me", nil, 200, nil)
	})
}
