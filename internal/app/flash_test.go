package app_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"faxgate/internal/app"
	"faxgate/internal/app/apptest"
	"faxgate/internal/auth"
	"faxgate/internal/httpx"
	"faxgate/internal/model"
)

// TestFlashAcrossNodes runs two app instances on one database (two nodes
// behind a load balancer): a flash message set by one node's redirect is
// shown by the other, because the cookie key lives in the database.
func TestFlashAcrossNodes(t *testing.T) {
	apptest.ForEachEngine(t, func(t *testing.T, dsn func(*testing.T) string) {
		cfg := testConfig(t, dsn(t))
		nodes := []*app.App{newApp(t, cfg, nil), newApp(t, cfg, nil)} // same DB (and SQLite file)
		ctx := t.Context()
		a := nodes[0]
		h, err := a.Auth().Hasher().Hash(ctx, "admin password 123")
		if err != nil {
			t.Fatal(err)
		}
		admin := model.User{Role: model.RoleAdmin, Email: "admin@example.com", PasswordHash: h, Status: model.UserActive}
		if err := a.Store().CreateUser(ctx, &admin); err != nil {
			t.Fatal(err)
		}
		res, err := a.Auth().Login(ctx, auth.LoginInput{Login: admin.Email, Password: "admin password 123"})
		if err != nil {
			t.Fatal(err)
		}
		session := &http.Cookie{Name: httpx.SessionCookie, Value: res.Token}
		const msg = "Choose a tenant to edit its branding."
		for _, dir := range [][2]int{{0, 1}, {1, 0}} {
			set, show := nodes[dir[0]], nodes[dir[1]]
			// Branding without a tenant sends the admin to the tenant list
			// with a flash.
			req := httptest.NewRequest("GET", "/admin/branding", nil)
			req.AddCookie(session)
			rec := httptest.NewRecorder()
			set.Handler().ServeHTTP(rec, req)
			var flash *http.Cookie
			for _, c := range rec.Result().Cookies() {
				if c.Name == "faxgate_flash" && c.Value != "" {
					flash = c
				}
			}
			if rec.Code != http.StatusSeeOther && rec.Code != http.StatusFound || flash == nil {
				t.Fatalf("node %d: GET /admin/branding = %d, flash cookie %v", dir[0], rec.Code, flash)
			}
			req = httptest.NewRequest("GET", rec.Header().Get("Location"), nil)
			req.AddCookie(session)
			req.AddCookie(&http.Cookie{Name: flash.Name, Value: flash.Value})
			rec = httptest.NewRecorder()
			show.Handler().ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), msg) {
				t.Fatalf("node %d did not show node %d's flash (%d): %.300s", dir[1], dir[0], rec.Code, rec.Body.String())
			}
		}
	})
}
