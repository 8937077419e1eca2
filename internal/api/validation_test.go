package api_test

import (
	"fmt"
	"strings"
	"testing"

	"faxgate/internal/api"
)

func TestRolesCannotBeRaised(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn func(*testing.T) string) {
		e := newEnv(t, dsn(t))
		w := e.newWorld(t)
		cases := []struct {
			name string
			c    cred
			path string
			body any
		}{
			{"user raises own role via me", bearer(w.keyUA), "/api/v1/me", map[string]string{"role": "tenant"}},
			{"user raises own role via users", bearer(w.keyUA), "/api/v1/users/" + w.UA.ID, map[string]string{"role": "admin"}},
			{"user enables itself", bearer(w.keyUA), "/api/v1/me", map[string]string{"status": "active", "role": "admin"}},
			{"tenant raises own role", bearer(w.keyTA), "/api/v1/me", map[string]string{"role": "admin"}},
			{"tenant makes a user admin", bearer(w.keyTA), "/api/v1/users/" + w.UA.ID, map[string]string{"role": "admin"}},
			{"user moves itself", bearer(w.keyUA), "/api/v1/me", map[string]string{"tenant_id": w.B.ID}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := e.call(t, tc.c, "PATCH", tc.path, tc.body)
				if r.status != 403 {
					t.Fatalf("status %d, want 403: %s", r.status, r.body)
				}
			})
		}
		var ua, ta api.User
		e.must(t, e.adminCred(), "GET", "/api/v1/users/"+w.UA.ID, nil, 200, &ua)
		e.must(t, e.adminCred(), "GET", "/api/v1/users/"+w.TA.ID, nil, 200, &ta)
		if ua.Role != "user" || ua.TenantID != w.A.ID || ta.Role != "tenant" {
			t.Fatalf("roles changed: %s %s %s", ua.Role, ua.TenantID, ta.Role)
		}

		t.Run("tenant cannot create an admin", func(t *testing.T) {
			r := e.call(t, bearer(w.keyTA), "POST", "/api/v1/users", api.UserCreate{Role: "admin",
				Email: "evil@a.example", Password: password})
			if r.status != 403 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			r = e.call(t, bearer(w.keyTA), "POST", "/api/v1/users", api.UserCreate{Role: "tenant",
				TenantID: w.B.ID, Email: "evil2@a.example", Password: password})
			if r.status != 422 && r.status != 404 {
				t.Fatalf("create in other tenant: %d: %s", r.status, r.body)
			}
			var users api.UserList
			e.must(t, e.adminCred(), "GET", "/api/v1/users?q=evil", nil, 200, &users)
			if len(users.Items) != 0 {
				t.Fatalf("created %+v", users.Items)
			}
		})
		t.Run("user cannot create users", func(t *testing.T) {
			r := e.call(t, bearer(w.keyUA), "POST", "/api/v1/users", api.UserCreate{Role: "user",
				Email: "x@a.example", Password: password})
			if r.status != 403 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
		})
		t.Run("only admins manage tenants", func(t *testing.T) {
			for _, c := range []cred{bearer(w.keyTA), bearer(w.keyUA)} {
				if r := e.call(t, c, "POST", "/api/v1/tenants", api.TenantInput{Name: "Mine"}); r.status != 403 {
					t.Fatalf("create tenant: %d", r.status)
				}
				if r := e.call(t, c, "GET", "/api/v1/tenants", nil); r.status != 403 {
					t.Fatalf("list tenants: %d", r.status)
				}
			}
			var own api.Tenant
			e.must(t, bearer(w.keyUA), "GET", "/api/v1/tenants/"+w.A.ID, nil, 200, &own)
			if own.Name != "Tenant A" {
				t.Fatalf("own tenant %+v", own)
			}
		})
	})
}

func TestInputErrors(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn func(*testing.T) string) {
		e := newEnv(t, dsn(t))
		w := e.newWorld(t)
		c := bearer(w.keyTA)
		big := `{"first_name":"` + strings.Repeat("x", 2<<20) + `"}`
		cases := []struct {
			name         string
			method, path string
			body         any
			status       int
			code         string
			fields       []string
		}{
			{"invalid fields", "POST", "/api/v1/users", api.UserCreate{Role: "user", Email: "not-an-email",
				Password: "short"}, 422, "invalid_input", []string{"email", "password"}},
			{"bad role", "POST", "/api/v1/users", api.UserCreate{Role: "boss", Email: "r@a.example",
				Password: password}, 422, "invalid_input", []string{"role"}},
			{"unknown field", "POST", "/api/v1/users", `{"role":"user","email":"u@a.example","password":"` +
				password + `","is_admin":true}`, 400, "bad_request", []string{"is_admin"}},
			{"wrong type", "PATCH", "/api/v1/me", `{"first_name":42}`, 400, "bad_request", []string{"first_name"}},
			{"malformed", "PATCH", "/api/v1/me", `{"first_name":`, 400, "bad_request", nil},
			{"empty body", "POST", "/api/v1/api-keys", "", 400, "bad_request", nil},
			{"too large", "PATCH", "/api/v1/me", big, 413, "too_large", nil},
			{"duplicate email", "POST", "/api/v1/users", api.UserCreate{Role: "user", Email: "USER@a.example",
				Password: password}, 409, "conflict", []string{"email"}},
			{"bad limit", "GET", "/api/v1/users?limit=0", nil, 422, "invalid_input", []string{"limit"}},
			{"bad cursor", "GET", "/api/v1/users?cursor=%25%25", nil, 422, "invalid_input", []string{"cursor"}},
			{"unknown query parameter", "GET", "/api/v1/users?tennant_id=x", nil, 400, "bad_request", []string{"tennant_id"}},
			{"bad from", "GET", "/api/v1/activities?from=yesterday", nil, 422, "invalid_input", []string{"from"}},
			{"no such user", "GET", "/api/v1/users/usr_aaaaaaaaaaaaaaaa", nil, 404, "not_found", nil},
			{"no such endpoint", "GET", "/api/v1/nothing", nil, 404, "not_found", nil},
			{"wrong method", "PUT", "/api/v1/users", nil, 405, "method_not_allowed", nil},
			{"form body", "PATCH", "/api/v1/me", nil, 415, "unsupported_media_type", nil},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				cc := c
				if tc.code == "unsupported_media_type" {
					cc = both(c, header("Content-Type", "application/x-www-form-urlencoded"))
					tc.body = []byte("first_name=x")
				}
				r := e.call(t, cc, tc.method, tc.path, tc.body)
				if r.status != tc.status || r.errorCode() != tc.code {
					t.Fatalf("got %d %q, want %d %q: %.300s", r.status, r.errorCode(), tc.status, tc.code, r.body)
				}
				for _, f := range tc.fields {
					if r.fields()[f] == "" {
						t.Errorf("no detail for field %q: %s", f, r.body)
					}
				}
			})
		}
	})
}

func TestPagination(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn func(*testing.T) string) {
		e := newEnv(t, dsn(t))
		w := e.newWorld(t)
		const extra = 7
		for i := range extra {
			e.createUser(t, bearer(w.keyTA), "", "user", fmt.Sprintf("u%d@a.example", i))
		}
		want := extra + 2 // plus the tenant admin and the user of the world
		seen := map[string]bool{}
		cursor, pages := "", 0
		for {
			var page api.UserList
			path := "/api/v1/users?limit=3"
			if cursor != "" {
				path += "&cursor=" + cursor
			}
			e.must(t, bearer(w.keyTA), "GET", path, nil, 200, &page)
			pages++
			if len(page.Items) > 3 {
				t.Fatalf("page of %d items", len(page.Items))
			}
			for _, u := range page.Items {
				if seen[u.ID] {
					t.Fatalf("user %s on two pages", u.Email)
				}
				seen[u.ID] = true
			}
			if page.NextCursor == "" {
				break
			}
			cursor = page.NextCursor
			if pages > 10 {
				t.Fatal("pagination does not end")
			}
		}
		if len(seen) != want || pages != (want+2)/3 {
			t.Fatalf("saw %d users in %d pages, want %d in %d", len(seen), pages, want, (want+2)/3)
		}

		// Activities paginate the same way.
		var acts api.ActivityList
		e.must(t, e.adminCred(), "GET", "/api/v1/activities?limit=2", nil, 200, &acts)
		if len(acts.Items) != 2 || acts.NextCursor == "" {
			t.Fatalf("activities page: %d items, cursor %q", len(acts.Items), acts.NextCursor)
		}
		var next api.ActivityList
		e.must(t, e.adminCred(), "GET", "/api/v1/activities?limit=2&cursor="+acts.NextCursor, nil, 200, &next)
		if len(next.Items) == 0 || next.Items[0].ID == acts.Items[0].ID || next.Items[0].ID == acts.Items[1].ID {
			t.Fatalf("second activities page repeats the first")
		}
	})
}
