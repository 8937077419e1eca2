package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"faxgate/internal/api"
)

// TestDIDPoolAPI: the admin's pool (one, range, CSV, assign, release,
// delete), validation with field errors, audit of every change, and My
// DIDs routing by tenant admins (users read only the DIDs routed to them).
func TestDIDPoolAPI(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn func(*testing.T) string) {
		e := newEnv(t, dsn(t))
		w := e.newWorld(t)
		adm := e.adminCred()

		var one api.DID
		r := e.must(t, adm, "POST", "/api/v1/dids", api.DIDInput{Number: "+1 202 555 0100", Label: "main"}, 201, &one)
		if one.Number != "+12025550100" || one.TenantID != "" || one.Action != "inbox" || one.Label != "main" ||
			r.header.Get("Location") != "/api/v1/dids/"+one.ID {
			t.Fatalf("created %+v (Location %q)", one, r.header.Get("Location"))
		}
		if r := e.call(t, adm, "POST", "/api/v1/dids", api.DIDInput{Number: "+12025550100"}); r.status != 409 {
			t.Fatalf("duplicate number: %d %s", r.status, r.body)
		}

		var rng api.DIDImport
		e.must(t, adm, "POST", "/api/v1/dids/range", api.DIDRange{From: "+12025550100", To: "+12025550104",
			TenantID: w.A.ID}, 201, &rng)
		if len(rng.Created) != 4 || len(rng.Existing) != 1 || rng.Existing[0] != "+12025550100" ||
			rng.Created[0].TenantID != w.A.ID {
			t.Fatalf("range %+v", rng)
		}

		csv := "number,label\n+12025550200,front desk\nnot a number\n+12025550201\n+12025550100\n"
		var imp api.DIDImport
		e.must(t, both(adm, header("Content-Type", "text/csv")), "POST", "/api/v1/dids/import?tenant_id="+w.B.ID,
			[]byte(csv), 201, &imp)
		if len(imp.Created) != 2 || len(imp.Existing) != 1 || len(imp.Invalid) != 1 ||
			!strings.HasPrefix(imp.Invalid[0], "line 3:") || imp.Created[0].TenantID != w.B.ID {
			t.Fatalf("CSV import %+v", imp)
		}
		var multi api.DIDImport
		e.mustUpload(t, adm, "/api/v1/dids/import", 201, &multi, file("dids.csv", "text/csv", []byte("+12025550300\n")))
		if len(multi.Created) != 1 || multi.Created[0].TenantID != "" {
			t.Fatalf("multipart import %+v", multi)
		}

		invalid := []struct {
			name, path string
			body       any
			status     int
			field      string
		}{
			{"bad number", "/api/v1/dids", api.DIDInput{Number: "12"}, 422, "number"},
			{"unknown tenant", "/api/v1/dids", api.DIDInput{Number: "+12025550400", TenantID: "ten_nope"}, 422, "tenant_id"},
			{"long label", "/api/v1/dids", api.DIDInput{Number: "+12025550401", Label: strings.Repeat("x", 101)}, 422, "label"},
			{"range reversed", "/api/v1/dids/range", api.DIDRange{From: "+12025550110", To: "+12025550100"}, 422, "to"},
			{"range too big", "/api/v1/dids/range", api.DIDRange{From: "+12025000000", To: "+12025999999"}, 422, "to"},
			{"range digits", "/api/v1/dids/range", api.DIDRange{From: "+12025550100", To: "+120255501000"}, 422, "to"},
			{"range bad from", "/api/v1/dids/range", api.DIDRange{From: "x", To: "+12025550100"}, 422, "from"},
		}
		for _, tc := range invalid {
			t.Run(tc.name, func(t *testing.T) {
				r := e.call(t, adm, "POST", tc.path, tc.body)
				if r.status != tc.status || r.fields()[tc.field] == "" {
					t.Fatalf("status %d fields %v, want %d on %s: %s", r.status, r.fields(), tc.status, tc.field, r.body)
				}
			})
		}
		if r := e.call(t, both(adm, header("Content-Type", "text/csv")), "POST", "/api/v1/dids/import",
			[]byte(strings.Repeat("+12025550100,label\n", 200_000))); r.status != http.StatusRequestEntityTooLarge {
			t.Fatalf("oversized CSV: %d %s", r.status, r.body)
		}
		if r := e.call(t, both(adm, header("Content-Type", "application/pdf")), "POST", "/api/v1/dids/import",
			[]byte("%PDF")); r.status != http.StatusUnsupportedMediaType {
			t.Fatalf("CSV as PDF: %d %s", r.status, r.body)
		}

		// Filters.
		var list api.DIDList
		e.must(t, adm, "GET", "/api/v1/dids?tenant_id="+w.A.ID+"&limit=500", nil, 200, &list)
		if len(list.Items) != 4 {
			t.Fatalf("tenant A's DIDs: %d", len(list.Items))
		}
		e.must(t, adm, "GET", "/api/v1/dids?unassigned=true", nil, 200, &list)
		if len(list.Items) != 2 {
			t.Fatalf("unassigned DIDs: %+v", list.Items)
		}
		e.must(t, adm, "GET", "/api/v1/dids?q=front", nil, 200, &list)
		if len(list.Items) != 1 || list.Items[0].Number != "+12025550200" {
			t.Fatalf("search: %+v", list.Items)
		}

		// Assign, route, release (routing cleared), delete.
		var d api.DID
		e.must(t, adm, "PATCH", "/api/v1/dids/"+one.ID, map[string]string{"tenant_id": w.A.ID}, 200, &d)
		if d.TenantID != w.A.ID || d.AssignedAt == nil {
			t.Fatalf("assigned %+v", d)
		}
		ta, ua := bearer(w.keyTA), bearer(w.keyUA)
		route := map[string]any{"action": "email", "forward_emails": []string{"a@a.example", "b@a.example"},
			"user_id": w.UA.ID, "station_id": "ACME FAX"}
		e.must(t, ta, "PATCH", "/api/v1/my/dids/"+one.ID, route, 200, &d)
		if d.Action != "email" || len(d.ForwardEmails) != 2 || d.UserID != w.UA.ID || d.StationID != "ACME FAX" {
			t.Fatalf("routed %+v", d)
		}
		e.must(t, ua, "GET", "/api/v1/my/dids/"+one.ID, nil, 200, &d)
		if d.ID != one.ID || d.UserID != w.UA.ID {
			t.Fatalf("user reads the DID routed to them: %+v", d)
		}
		e.must(t, ua, "GET", "/api/v1/my/dids", nil, 200, &list)
		if len(list.Items) != 1 || list.Items[0].ID != one.ID {
			t.Fatalf("user's DIDs %+v", list.Items)
		}
		e.must(t, ta, "GET", "/api/v1/my/dids?limit=500", nil, 200, &list)
		if len(list.Items) != 5 {
			t.Fatalf("tenant A's My DIDs: %d", len(list.Items))
		}
		if r := e.call(t, ua, "PATCH", "/api/v1/my/dids/"+one.ID, map[string]string{"action": "reject"}); r.status != 403 {
			t.Fatalf("user routes a DID: %d", r.status)
		}
		badRoutes := []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"action": "fax"}, "action"},
			{map[string]any{"action": "email", "forward_emails": []string{}}, "forward_emails"},
			{map[string]any{"forward_emails": []string{"not an address"}}, "forward_emails"},
			{map[string]any{"user_id": w.UB.ID}, "user_id"},
			{map[string]any{"webhook_url": "ftp://x.example"}, "webhook_url"},
			{map[string]any{"station_id": strings.Repeat("9", 21)}, "station_id"},
		}
		for _, tc := range badRoutes {
			r := e.call(t, ta, "PATCH", "/api/v1/my/dids/"+one.ID, tc.body)
			if r.status != 422 || r.fields()[tc.field] == "" {
				t.Fatalf("routing %v: %d %s, want 422 on %s", tc.body, r.status, r.body, tc.field)
			}
		}
		e.must(t, adm, "PATCH", "/api/v1/dids/"+one.ID, map[string]string{"tenant_id": ""}, 200, &d)
		if d.TenantID != "" || d.Action != "inbox" || len(d.ForwardEmails) != 0 || d.UserID != "" ||
			d.WebhookURL != "" || d.StationID != "" {
			t.Fatalf("released DID keeps routing: %+v", d)
		}
		if r := e.call(t, ta, "GET", "/api/v1/my/dids/"+one.ID, nil); r.status != 404 {
			t.Fatalf("released DID still visible to the tenant: %d", r.status)
		}
		if r := e.call(t, adm, "PATCH", "/api/v1/dids/"+one.ID, map[string]any{}); r.status != 422 {
			t.Fatalf("patch without tenant_id: %d", r.status)
		}
		e.must(t, adm, "DELETE", "/api/v1/dids/"+one.ID, nil, 204, nil)
		if r := e.call(t, adm, "GET", "/api/v1/dids/"+one.ID, nil); r.status != 404 {
			t.Fatalf("deleted DID: %d", r.status)
		}

		// The pool is closed to tenants and users.
		for _, c := range []cred{ta, ua} {
			if r := e.call(t, c, "GET", "/api/v1/dids", nil); r.status != 403 {
				t.Fatalf("pool open to a tenant: %d", r.status)
			}
		}

		// Every change is in System Activities.
		var acts api.ActivityList
		e.must(t, adm, "GET", "/api/v1/activities?limit=500", nil, 200, &acts)
		seen := map[string]int{}
		for _, a := range acts.Items {
			seen[a.Action]++
		}
		for action, n := range map[string]int{"did.created": 4, "did.assigned": 1, "did.routing_updated": 1,
			"did.released": 1, "did.deleted": 1} {
			if seen[action] < n {
				t.Errorf("activities hold %d %s, want %d (%v)", seen[action], action, n, seen)
			}
		}
	})
}

// TestDIDIsolation: tenant A's admin and user address tenant B's DID and
// a fax received on it: 404 everywhere, and nothing of B changes.
func TestDIDIsolation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn func(*testing.T) string) {
		e, w, doc := faxEnv(t, dsn(t))
		adm := e.adminCred()
		var bDID api.DID
		e.must(t, adm, "POST", "/api/v1/dids", api.DIDInput{Number: "+12025550777", TenantID: w.B.ID}, 201, &bDID)
		e.must(t, bearer(w.keyTB), "PATCH", "/api/v1/my/dids/"+bDID.ID, map[string]any{"user_id": w.UB.ID}, 200, nil)

		// Tenant A faxes B's number over the test line: B receives it.
		var sent api.Fax
		e.must(t, bearer(w.keyUA), "POST", "/api/v1/faxes", api.FaxSend{To: "+12025550777", DocumentID: doc.ID}, 201, &sent)
		if f := e.waitFax(t, bearer(w.keyUA), sent.ID); f.Status != "delivered" {
			t.Fatalf("fax to B's DID: %+v", f)
		}
		rx := e.waitInbound(t, bearer(w.keyUB))

		beforeDID := e.must(t, adm, "GET", "/api/v1/dids/"+bDID.ID, nil, 200, nil).body
		cases := []struct {
			method, path string
			body         any
		}{
			{"GET", "/api/v1/my/dids/" + bDID.ID, nil},
			{"PATCH", "/api/v1/my/dids/" + bDID.ID, map[string]any{"action": "reject"}},
			{"GET", "/api/v1/faxes/" + rx.ID, nil},
			{"GET", "/api/v1/faxes/" + rx.ID + "/file?format=pdf", nil},
			{"GET", "/api/v1/faxes/" + rx.ID + "/file?format=tiff", nil},
		}
		for _, who := range []struct {
			name string
			c    cred
		}{{"tenant admin", bearer(w.keyTA)}, {"user", bearer(w.keyUA)}} {
			for _, tc := range cases {
				t.Run(who.name+" "+tc.method+" "+tc.path, func(t *testing.T) {
					r := e.call(t, who.c, tc.method, tc.path, tc.body)
					want := 404
					if who.name == "user" && tc.method == "PATCH" {
						want = 403 // routing is closed to users whoever owns the DID
					}
					if r.status != want {
						t.Fatalf("status %d, want %d: %s", r.status, want, r.body)
					}
				})
			}
			var dl api.DIDList
			e.must(t, who.c, "GET", "/api/v1/my/dids", nil, 200, &dl)
			var fl api.FaxList
			e.must(t, who.c, "GET", "/api/v1/faxes?direction=inbound", nil, 200, &fl)
			if len(dl.Items) != 0 || len(fl.Items) != 0 {
				t.Fatalf("%s sees B's DIDs %+v or faxes %+v", who.name, dl.Items, fl.Items)
			}
		}
		if after := e.must(t, adm, "GET", "/api/v1/dids/"+bDID.ID, nil, 200, nil).body; string(after) != string(beforeDID) {
			t.Fatalf("B's DID changed:\n%s\n%s", beforeDID, after)
		}
		// B's own people see and download it.
		for _, c := range []cred{bearer(w.keyUB), bearer(w.keyTB)} {
			r := e.must(t, c, "GET", "/api/v1/faxes/"+rx.ID+"/file?format=pdf", nil, 200, nil)
			if !strings.HasPrefix(string(r.body), "%PDF-") {
				t.Fatalf("B's download is not a PDF: %.20q", r.body)
			}
		}
	})
}

// waitInbound polls the inbound list until one received fax is there.
func (e *env) waitInbound(t *testing.T, c cred) api.Fax {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var l api.FaxList
		e.must(t, c, "GET", "/api/v1/faxes?direction=inbound", nil, 200, &l)
		if len(l.Items) == 1 && l.Items[0].Status == "received" {
			return l.Items[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no received fax after 60 s: %+v", l.Items)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
