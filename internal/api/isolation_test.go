package api_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"faxgate/internal/api"
)

// pngLogo returns a small valid PNG.
func pngLogo(t *testing.T, c color.Color) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 4))
	for x := range 8 {
		for y := range 4 {
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// snapshot is everything of tenant B that tenant A must not be able to
// see or change, read by the platform admin.
type snapshot struct {
	Tenant   json.RawMessage
	UB, TB   json.RawMessage
	Branding json.RawMessage
	Logo     []byte
	Keys     json.RawMessage
}

func (e *env) snapshotB(t *testing.T, w world) snapshot {
	t.Helper()
	var s snapshot
	s.Tenant = e.must(t, e.adminCred(), "GET", "/api/v1/tenants/"+w.B.ID, nil, 200, nil).body
	s.UB = e.must(t, e.adminCred(), "GET", "/api/v1/users/"+w.UB.ID, nil, 200, nil).body
	s.TB = e.must(t, e.adminCred(), "GET", "/api/v1/users/"+w.TB.ID, nil, 200, nil).body
	s.Branding = e.must(t, e.adminCred(), "GET", "/api/v1/branding?tenant_id="+w.B.ID, nil, 200, nil).body
	s.Logo = e.must(t, e.adminCred(), "GET", "/api/v1/branding/logo?tenant_id="+w.B.ID, nil, 200, nil).body
	s.Keys = e.must(t, bearer(w.keyUB), "GET", "/api/v1/api-keys", nil, 200, nil).body
	return s
}

// TestTenantIsolation: for every endpoint that names an object, a user of
// tenant A addressing tenant B's object gets 404 (or, where the endpoint
// is closed to its role altogether, the same 403 it gets for its own
// tenant's objects), and nothing of tenant B changes.
func TestTenantIsolation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn func(*testing.T) string) {
		e := newEnv(t, dsn(t))
		w := e.newWorld(t)
		bLogo := pngLogo(t, color.RGBA{0, 0, 255, 255})
		e.must(t, bearer(w.keyTB), "PUT", "/api/v1/branding", api.BrandingInput{
			Domain: ptr("fax.b.example"), CompanyName: ptr("B Corp")}, 200, nil)
		e.must(t, both(bearer(w.keyTB), header("Content-Type", "image/png")), "PUT", "/api/v1/branding/logo", bLogo, 200, nil)
		before := e.snapshotB(t, w)

		b, uB, tB := w.B.ID, w.UB.ID, w.TB.ID
		a := w.A.ID
		cases := []struct {
			method, path string
			body         any
			want         int
		}{
			{"GET", "/api/v1/users/" + uB, nil, 404},
			{"PATCH", "/api/v1/users/" + uB, map[string]string{"first_name": "Hacked"}, 404},
			{"PATCH", "/api/v1/users/" + tB, map[string]string{"status": "disabled"}, 404},
			{"PATCH", "/api/v1/users/" + uB, map[string]string{"tenant_id": a}, 404},
			{"DELETE", "/api/v1/users/" + uB, nil, 404},
			{"POST", "/api/v1/users/" + uB + "/password", api.PasswordReset{Password: "hijacked password 1"}, 404},
			{"GET", "/api/v1/users?tenant_id=" + b, nil, 404},
			{"DELETE", "/api/v1/api-keys/" + w.keyIDUB, nil, 404},
			{"GET", "/api/v1/tenants/" + b, nil, 404},
			{"PATCH", "/api/v1/tenants/" + b, map[string]string{"status": "suspended"}, 403},
			{"GET", "/api/v1/branding?tenant_id=" + b, nil, 404},
			{"PUT", "/api/v1/branding?tenant_id=" + b, api.BrandingInput{CompanyName: ptr("Hacked")}, 404},
			{"GET", "/api/v1/branding/logo?tenant_id=" + b, nil, 404},
			{"PUT", "/api/v1/branding/logo?tenant_id=" + b, pngLogo(t, color.Black), 404},
			{"DELETE", "/api/v1/branding/logo?tenant_id=" + b, nil, 404},
			{"GET", "/api/v1/activities?tenant_id=" + b, nil, 404},
		}
		for _, who := range []struct {
			name string
			c    cred
		}{{"tenant admin", bearer(w.keyTA)}, {"user", bearer(w.keyUA)}} {
			for _, tc := range cases {
				t.Run(who.name+" "+tc.method+" "+tc.path, func(t *testing.T) {
					c := who.c
					if _, ok := tc.body.([]byte); ok {
						c = both(c, header("Content-Type", "image/png"))
					}
					r := e.call(t, c, tc.method, tc.path, tc.body)
					want := tc.want
					if who.name == "user" && r.status == 403 && r.errorCode() == "forbidden" {
						want = 403 // closed to the user role whoever owns the object
					}
					if r.status != want {
						t.Fatalf("status %d, want %d: %s", r.status, want, r.body)
					}
					if r.status == 403 {
						// Closed to the role: the answer must not depend on the
						// object's tenant (no existence leak).
						own := e.call(t, c, tc.method, ownPath(tc.path, w), tc.body)
						if own.status != 403 {
							t.Fatalf("own-tenant object answers %d, foreign 403: leaks", own.status)
						}
					}
				})
			}
		}
		after := e.snapshotB(t, w)
		if !bytes.Equal(before.Tenant, after.Tenant) || !bytes.Equal(before.UB, after.UB) ||
			!bytes.Equal(before.TB, after.TB) || !bytes.Equal(before.Branding, after.Branding) ||
			!bytes.Equal(before.Logo, after.Logo) || !bytes.Equal(before.Keys, after.Keys) {
			t.Fatalf("tenant B changed:\nbefore %s\nafter  %s", dump(before), dump(after))
		}
		// B's credentials still work unchanged.
		e.must(t, basic("user@b.example", password), "GET", "/api/v1/me", nil, 200, nil)
		e.must(t, bearer(w.keyUB), "GET", "/api/v1/me", nil, 200, nil)

		t.Run("lists hold only own tenant", func(t *testing.T) {
			var users api.UserList
			e.must(t, bearer(w.keyTA), "GET", "/api/v1/users?limit=500", nil, 200, &users)
			if len(users.Items) != 2 {
				t.Errorf("tenant A sees %d users, want 2", len(users.Items))
			}
			for _, u := range users.Items {
				if u.TenantID != a {
					t.Errorf("tenant A sees user %s of tenant %q", u.Email, u.TenantID)
				}
			}
			var acts api.ActivityList
			e.must(t, bearer(w.keyTA), "GET", "/api/v1/activities?limit=500", nil, 200, &acts)
			if len(acts.Items) == 0 {
				t.Error("tenant A sees no activities at all")
			}
			for _, ev := range acts.Items {
				if ev.TenantID != a {
					t.Errorf("tenant A sees activity %s of tenant %q", ev.Action, ev.TenantID)
				}
			}
			e.must(t, bearer(w.keyTA), "GET", "/api/v1/activities?user_id="+uB, nil, 200, &acts)
			if len(acts.Items) != 0 {
				t.Errorf("tenant A sees %d activities of a tenant B user", len(acts.Items))
			}
			var keys api.APIKeyList
			e.must(t, bearer(w.keyTA), "GET", "/api/v1/api-keys", nil, 200, &keys)
			for _, k := range keys.Items {
				if k.UserID != w.TA.ID {
					t.Errorf("tenant admin sees key of %s", k.UserID)
				}
			}
		})
	})
}

// ownPath rewrites a tenant-B path to the matching tenant-A object.
func ownPath(p string, w world) string {
	return strings.NewReplacer(w.B.ID, w.A.ID, w.UB.ID, w.UA.ID, w.TB.ID, w.TA.ID).Replace(p)
}

func dump(s snapshot) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func ptr[T any](v T) *T { return &v }
