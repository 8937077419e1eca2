package api_test

import (
	"testing"

	"faxgate/internal/api"
)

// TestEmailAllowlistAPI: tenant admins manage their own allowlist, users
// may not, another tenant's entries answer 404, bad values 422 with the
// field, duplicates 409, and platform admins name the tenant.
func TestEmailAllowlistAPI(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn func(t *testing.T) string) {
		e := newEnv(t, dsn(t))
		w := e.newWorld(t)
		ta, tb, ua := bearer(w.keyTA), bearer(w.keyTB), bearer(w.keyUA)
		const path = "/api/v1/email-allowlist"

		var net api.EmailAllowlistEntry
		e.must(t, ta, "POST", path, api.EmailAllowlistCreate{Value: "203.0.113.0/28", UserID: w.UA.ID, Note: "scanner"}, 201, &net)
		if net.Kind != "network" || net.Value != "203.0.113.0/28" || net.UserID != w.UA.ID || net.UserEmail != "user@a.example" {
			t.Fatalf("created %+v", net)
		}
		var addr api.EmailAllowlistEntry
		e.must(t, ta, "POST", path, api.EmailAllowlistCreate{Value: "Orders@Supplier.Example"}, 201, &addr)
		if addr.Kind != "address" || addr.Value != "orders@supplier.example" || addr.UserID != w.TA.ID {
			t.Fatalf("created %+v", addr)
		}

		bad := []struct {
			name   string
			c      cred
			body   api.EmailAllowlistCreate
			status int
			code   string
			field  string
		}{
			{"too wide a network", ta, api.EmailAllowlistCreate{Value: "0.0.0.0/0"}, 422, "invalid_input", "value"},
			{"not a domain", ta, api.EmailAllowlistCreate{Value: "not valid!"}, 422, "invalid_input", "value"},
			{"user of another tenant", ta, api.EmailAllowlistCreate{Value: "x.example", UserID: w.UB.ID}, 422, "invalid_input", "user_id"},
			{"duplicate", ta, api.EmailAllowlistCreate{Value: "orders@supplier.example"}, 409, "", ""},
			{"user role", ua, api.EmailAllowlistCreate{Value: "y.example"}, 403, "", ""},
		}
		for _, tt := range bad {
			t.Run(tt.name, func(t *testing.T) {
				r := e.call(t, tt.c, "POST", path, tt.body)
				if r.status != tt.status || (tt.code != "" && r.errorCode() != tt.code) || (tt.field != "" && r.fields()[tt.field] == "") {
					t.Fatalf("got %d %s", r.status, r.body)
				}
			})
		}

		var list api.EmailAllowlist
		e.must(t, ta, "GET", path, nil, 200, &list)
		if len(list.Items) != 2 {
			t.Fatalf("list %+v", list)
		}
		var other api.EmailAllowlist
		e.must(t, tb, "GET", path, nil, 200, &other)
		if len(other.Items) != 0 {
			t.Fatalf("tenant B sees %+v", other)
		}
		if r := e.call(t, tb, "GET", path+"?tenant_id="+w.A.ID, nil); r.status != 404 {
			t.Errorf("tenant B names tenant A: %d", r.status)
		}
		if r := e.call(t, tb, "DELETE", path+"/"+net.ID, nil); r.status != 404 {
			t.Errorf("tenant B deletes A's entry: %d %s", r.status, r.body)
		}
		if r := e.call(t, e.adminCred(), "GET", path, nil); r.status != 422 {
			t.Errorf("admin without tenant_id: %d %s", r.status, r.body)
		}
		var adminView api.EmailAllowlist
		e.must(t, e.adminCred(), "GET", path+"?tenant_id="+w.A.ID, nil, 200, &adminView)
		if len(adminView.Items) != 2 {
			t.Errorf("admin sees %d entries of tenant A", len(adminView.Items))
		}
		e.must(t, ta, "DELETE", path+"/"+net.ID, nil, 204, nil)
		e.must(t, ta, "GET", path, nil, 200, &list)
		if len(list.Items) != 1 || list.Items[0].ID != addr.ID {
			t.Fatalf("after delete %+v", list)
		}
	})
}
