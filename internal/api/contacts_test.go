package api_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"faxgate/internal/api"
)

// csvPost posts a text/csv body.
func (e *env) csvPost(t *testing.T, c cred, path, body string) resp {
	t.Helper()
	req, err := http.NewRequest("POST", e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/csv")
	c(req)
	return e.do(t, req)
}

// actions are the audit actions of the tenant's activity log.
func (e *env) actions(t *testing.T, c cred) string {
	t.Helper()
	var l api.ActivityList
	e.must(t, c, "GET", "/api/v1/activities?limit=500", nil, 200, &l)
	var b strings.Builder
	for _, a := range l.Items {
		b.WriteString(a.Action + " ")
	}
	return b.String()
}

func wantStatusCode(t *testing.T, what string, r resp, status int, field string) {
	t.Helper()
	if r.status != status {
		t.Errorf("%s: status %d, want %d: %s", what, r.status, status, r.body)
		return
	}
	if field != "" && r.fields()[field] == "" {
		t.Errorf("%s: no message for field %q: %s", what, field, r.body)
	}
}

func TestContactsAPI(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn func(t *testing.T) string) {
		e := newEnv(t, dsn(t))
		w := e.newWorld(t)
		ta, ua, tb := bearer(w.keyTA), bearer(w.keyUA), bearer(w.keyTB)

		var c api.Contact
		e.must(t, ua, "POST", "/api/v1/contacts", api.ContactInput{FirstName: " Ada ", LastName: "Lovelace",
			Fax: "(202) 555-0101", Email: "ada@example.com", Custom: []string{"VIP", "", "x"}}, 201, &c)
		if c.Fax != "+12025550101" || c.FirstName != "Ada" || c.TenantID != w.A.ID || len(c.Custom) != 3 {
			t.Errorf("created %+v", c)
		}
		e.must(t, ta, "POST", "/api/v1/contacts", api.ContactInput{FirstName: "Bob", LastName: "Able", Fax: "+12025550102"}, 201, nil)

		for _, tc := range []struct {
			name  string
			body  any
			code  int
			field string
		}{
			{"no fax", api.ContactInput{FirstName: "X"}, 422, "fax"},
			{"bad fax", api.ContactInput{Fax: "12"}, 422, "fax"},
			{"bad email", api.ContactInput{Fax: "+12025550109", Email: "nope"}, 422, "email"},
			{"six custom", api.ContactInput{Fax: "+12025550109", Custom: []string{"1", "2", "3", "4", "5", "6"}}, 422, "custom"},
			{"long name", api.ContactInput{Fax: "+12025550109", FirstName: strings.Repeat("a", 101)}, 422, "first_name"},
			{"same fax", api.ContactInput{Fax: "+1 202 555 0101"}, 409, "fax"},
			{"unknown field", `{"fax":"+12025550109","nick":"x"}`, 400, ""},
		} {
			wantStatusCode(t, tc.name, e.call(t, ta, "POST", "/api/v1/contacts", tc.body), tc.code, tc.field)
		}
		wantStatusCode(t, "admin without tenant", e.call(t, e.adminCred(), "POST", "/api/v1/contacts",
			api.ContactInput{Fax: "+12025550109"}), 422, "tenant_id")

		var l api.ContactList
		e.must(t, ta, "GET", "/api/v1/contacts?sort=name&limit=1", nil, 200, &l)
		if len(l.Items) != 1 || l.Items[0].LastName != "Able" || l.NextCursor == "" {
			t.Fatalf("page 1 by name %+v", l)
		}
		e.must(t, ta, "GET", "/api/v1/contacts?sort=name&limit=1&cursor="+url.QueryEscape(l.NextCursor), nil, 200, &l)
		if len(l.Items) != 1 || l.Items[0].LastName != "Lovelace" {
			t.Errorf("page 2 by name %+v", l)
		}
		e.must(t, ta, "GET", "/api/v1/contacts?q=lovel", nil, 200, &l)
		if len(l.Items) != 1 || l.Items[0].ID != c.ID {
			t.Errorf("search %+v", l)
		}
		wantStatusCode(t, "bad sort", e.call(t, ta, "GET", "/api/v1/contacts?sort=age", nil), 422, "sort")
		e.must(t, tb, "GET", "/api/v1/contacts", nil, 200, &l)
		if len(l.Items) != 0 {
			t.Errorf("tenant B sees %+v", l.Items)
		}

		e.must(t, ua, "PATCH", "/api/v1/contacts/"+c.ID, map[string]any{"company": "Engines Ltd", "custom": []string{}}, 200, &c)
		if c.Company != "Engines Ltd" || len(c.Custom) != 0 || c.Email != "ada@example.com" {
			t.Errorf("patched %+v", c)
		}
		wantStatusCode(t, "patch bad fax", e.call(t, ua, "PATCH", "/api/v1/contacts/"+c.ID, map[string]any{"fax": "x"}), 422, "fax")
		for _, m := range []string{"GET", "PATCH", "DELETE"} {
			wantStatusCode(t, "other tenant "+m, e.call(t, tb, m, "/api/v1/contacts/"+c.ID, map[string]any{}), 404, "")
		}
		e.must(t, ua, "DELETE", "/api/v1/contacts/"+c.ID, nil, 204, nil)
		wantStatusCode(t, "deleted", e.call(t, ua, "GET", "/api/v1/contacts/"+c.ID, nil), 404, "")
		if got := e.actions(t, ta); !strings.Contains(got, "contact.created") || !strings.Contains(got, "contact.updated") ||
			!strings.Contains(got, "contact.deleted") {
			t.Errorf("activities %s", got)
		}
	})
}

func TestGroupsAPI(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn func(t *testing.T) string) {
		e := newDocEnv(t, dsn(t), nil)
		w := e.newWorld(t)
		ta, ua, tb := bearer(w.keyTA), bearer(w.keyUA), bearer(w.keyTB)

		var g api.Group
		e.must(t, ua, "POST", "/api/v1/groups", api.GroupInput{Name: "Clinics", Description: "All clinics"}, 201, &g)
		wantStatusCode(t, "same name", e.call(t, ta, "POST", "/api/v1/groups", api.GroupInput{Name: "clinics"}), 409, "name")
		wantStatusCode(t, "no name", e.call(t, ta, "POST", "/api/v1/groups", api.GroupInput{}), 422, "name")
		e.must(t, ta, "PATCH", "/api/v1/groups/"+g.ID, api.GroupPatch{Description: ptr("Every clinic")}, 200, &g)

		var c1, c2 api.Contact
		e.must(t, ta, "POST", "/api/v1/contacts", api.ContactInput{FirstName: "A", Fax: "+12025550111"}, 201, &c1)
		e.must(t, ta, "POST", "/api/v1/contacts", api.ContactInput{FirstName: "B", Fax: "+12025550112"}, 201, &c2)
		var ch api.GroupMembersChanged
		e.must(t, ua, "POST", "/api/v1/groups/"+g.ID+"/members", api.GroupMembers{ContactIDs: []string{c1.ID, c2.ID}}, 200, &ch)
		if ch.Changed != 2 || ch.MemberCount != 2 {
			t.Errorf("added %+v", ch)
		}
		e.must(t, ua, "DELETE", "/api/v1/groups/"+g.ID+"/members/"+c2.ID, nil, 200, &ch)
		if ch.Changed != 1 || ch.MemberCount != 1 {
			t.Errorf("removed %+v", ch)
		}
		var l api.ContactList
		e.must(t, ua, "GET", "/api/v1/groups/"+g.ID+"/members", nil, 200, &l)
		if len(l.Items) != 1 || l.Items[0].ID != c1.ID {
			t.Errorf("members %+v", l)
		}
		wantStatusCode(t, "no ids", e.call(t, ua, "POST", "/api/v1/groups/"+g.ID+"/members", api.GroupMembers{}), 422, "contact_ids")

		// A header needing a mapping, given as a query parameter, with bad rows.
		file := "Nom;Telecopie;Societe\nCarla;+12025550121;Acme\nDan;not a number;\n;+12025550111;Merged\nEve;2025550122;\n"
		mapping := url.QueryEscape(`{"Nom":"first_name","Telecopie":"fax","Societe":"company"}`)
		r := e.csvPost(t, ta, "/api/v1/groups/"+g.ID+"/import?mapping="+mapping, file)
		wantStatusCode(t, "import", r, 202, "")
		loc := r.header.Get("Location")
		im := e.waitImport(t, ta, loc)
		res := im.Result
		if res == nil || res.Total != 4 || res.Imported != 2 || res.Updated != 1 || res.Invalid != 1 ||
			len(res.Errors) != 1 || res.Errors[0].Line != 3 || !strings.Contains(res.Errors[0].Reason, "fax") {
			t.Fatalf("import %+v result %+v", im, res)
		}
		e.must(t, ta, "GET", "/api/v1/groups/"+g.ID, nil, 200, &g)
		if g.MemberCount != 3 {
			t.Errorf("members after import %d", g.MemberCount)
		}

		// Multipart with detected headers.
		r = e.upload(t, ua, "/api/v1/groups/"+g.ID+"/import", file2("Fax Number,First Name\n+12025550131,Fay\n"))
		wantStatusCode(t, "multipart import", r, 202, "")
		if im := e.waitImport(t, ua, r.header.Get("Location")); im.Result == nil || im.Result.Imported != 1 || im.Filename != "list.csv" {
			t.Errorf("multipart import %+v", im)
		}
		for _, tc := range []struct {
			name, path, body string
			code             int
			field            string
		}{
			{"no fax column", "", "Name,Email\nx,y@example.com\n", 422, "file"},
			{"bad mapping", "?mapping=" + url.QueryEscape(`{"Nope":"fax"}`), file, 422, "mapping"},
			{"unknown field", "?mapping=" + url.QueryEscape(`{"Nom":"age"}`), file, 422, "mapping"},
			{"mapping not json", "?mapping=x", file, 422, "mapping"},
			{"bad delimiter", "?delimiter=x", file, 422, "delimiter"},
			{"empty", "", "", 422, "file"},
		} {
			wantStatusCode(t, tc.name, e.csvPost(t, ta, "/api/v1/groups/"+g.ID+"/import"+tc.path, tc.body), tc.code, tc.field)
		}

		ex := e.call(t, ua, "GET", "/api/v1/groups/"+g.ID+"/export", nil)
		rows, err := csv.NewReader(strings.NewReader(string(ex.body))).ReadAll()
		if err != nil || ex.status != 200 || !strings.HasPrefix(ex.header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(ex.header.Get("Content-Disposition"), "Clinics.csv") || len(rows) != 5 || rows[0][2] != "fax" {
			t.Errorf("export %d %v %v: %q", ex.status, ex.header, err, ex.body)
		}

		// Tenant B sees none of it.
		for _, p := range []string{"", "/members", "/export", strings.TrimPrefix(loc, "/api/v1/groups/"+g.ID)} {
			wantStatusCode(t, "other tenant GET "+p, e.call(t, tb, "GET", "/api/v1/groups/"+g.ID+p, nil), 404, "")
		}
		wantStatusCode(t, "other tenant import", e.csvPost(t, tb, "/api/v1/groups/"+g.ID+"/import", file), 404, "")
		wantStatusCode(t, "other tenant members", e.call(t, tb, "POST", "/api/v1/groups/"+g.ID+"/members",
			api.GroupMembers{ContactIDs: []string{c1.ID}}), 404, "")
		var gb api.Group
		e.must(t, tb, "POST", "/api/v1/groups", api.GroupInput{Name: "B"}, 201, &gb)
		wantStatusCode(t, "foreign contact into own group", e.call(t, tb, "POST", "/api/v1/groups/"+gb.ID+"/members",
			api.GroupMembers{ContactIDs: []string{c1.ID}}), 404, "")
		wantStatusCode(t, "import of another group", e.call(t, ta, "GET", "/api/v1/groups/"+gb.ID+
			strings.TrimPrefix(loc, "/api/v1/groups/"+g.ID), nil), 404, "")

		e.must(t, ta, "DELETE", "/api/v1/groups/"+g.ID, nil, 204, nil)
		e.must(t, ta, "GET", "/api/v1/contacts/"+c1.ID, nil, 200, nil)
		got := e.actions(t, ta)
		for _, a := range []string{"group.created", "group.updated", "group.members_changed", "group.imported", "group.deleted"} {
			if !strings.Contains(got, a) {
				t.Errorf("no %s in activities %s", a, got)
			}
		}
	})
}

func file2(body string) part { return file("list.csv", "text/csv", []byte(body)) }

// waitImport polls an import until it is done or failed.
func (e *env) waitImport(t *testing.T, c cred, loc string) api.ContactImport {
	t.Helper()
	var im api.ContactImport
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		e.must(t, c, "GET", loc, nil, 200, &im)
		if im.Status == "done" || im.Status == "failed" {
			return im
		}
	}
	t.Fatalf("import %s still %s", loc, im.Status)
	return im
}

func TestDNCAPI(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn func(t *testing.T) string) {
		e := newEnv(t, dsn(t))
		w := e.newWorld(t)
		ta, ua, tb := bearer(w.keyTA), bearer(w.keyUA), bearer(w.keyTB)

		var d api.DNCEntry
		e.must(t, ua, "POST", "/api/v1/dnc", api.DNCInput{Number: "202-555-0199", Note: "asked by phone"}, 201, &d)
		if d.Number != "+12025550199" || d.Scope != "tenant" || d.CreatedBy != "user@a.example" {
			t.Errorf("added %+v", d)
		}
		wantStatusCode(t, "again", e.call(t, ta, "POST", "/api/v1/dnc", api.DNCInput{Number: "+12025550199"}), 409, "number")
		wantStatusCode(t, "bad number", e.call(t, ta, "POST", "/api/v1/dnc", api.DNCInput{Number: "abc"}), 422, "number")
		wantStatusCode(t, "user global", e.call(t, ua, "POST", "/api/v1/dnc?scope=global", api.DNCInput{Number: "+12025550198"}), 403, "")
		wantStatusCode(t, "bad scope", e.call(t, ua, "GET", "/api/v1/dnc?scope=all", nil), 422, "scope")
		var gd api.DNCEntry
		e.must(t, e.adminCred(), "POST", "/api/v1/dnc?scope=global", api.DNCInput{Number: "+12025550198", Note: "regulator"}, 201, &gd)
		if gd.Scope != "global" || gd.TenantID != "" {
			t.Errorf("global %+v", gd)
		}
		var l api.DNCList
		e.must(t, e.adminCred(), "GET", "/api/v1/dnc?scope=global", nil, 200, &l)
		if len(l.Items) != 1 || l.Items[0].ID != gd.ID {
			t.Errorf("global list %+v", l)
		}

		r := e.csvPost(t, ta, "/api/v1/dnc/import?note=imported", "Phone;Reason\n+12025550197;\n2025550199;dup\nxyz;bad\n")
		var res api.DNCImportResult
		wantStatusCode(t, "import", r, 200, "")
		if err := json.Unmarshal(r.body, &res); err != nil || res.Total != 3 || res.Added != 1 || res.AlreadyListed != 1 ||
			res.Invalid != 1 || res.Errors[0].Line != 4 {
			t.Errorf("dnc import %+v %v", res, err)
		}
		e.must(t, ua, "GET", "/api/v1/dnc?q=imported", nil, 200, &l)
		if len(l.Items) != 1 || l.Items[0].Number != "+12025550197" {
			t.Errorf("search %+v", l)
		}
		e.must(t, tb, "GET", "/api/v1/dnc", nil, 200, &l)
		if len(l.Items) != 0 {
			t.Errorf("tenant B sees %+v", l.Items)
		}
		e.must(t, ua, "GET", "/api/v1/dnc/"+d.ID, nil, 200, nil)
		wantStatusCode(t, "other tenant reads", e.call(t, tb, "GET", "/api/v1/dnc/"+d.ID, nil), 404, "")
		wantStatusCode(t, "user removes", e.call(t, ua, "DELETE", "/api/v1/dnc/"+d.ID, nil), 403, "")
		wantStatusCode(t, "other tenant removes", e.call(t, tb, "DELETE", "/api/v1/dnc/"+d.ID, nil), 404, "")
		wantStatusCode(t, "tenant removes global", e.call(t, ta, "DELETE", "/api/v1/dnc/"+gd.ID, nil), 404, "")
		e.must(t, ta, "DELETE", "/api/v1/dnc/"+d.ID, nil, 204, nil)
		e.must(t, e.adminCred(), "DELETE", "/api/v1/dnc/"+gd.ID, nil, 204, nil)
		got := e.actions(t, ta)
		for _, a := range []string{"dnc.added", "dnc.imported", "dnc.removed"} {
			if !strings.Contains(got, a) {
				t.Errorf("no %s in activities %s", a, got)
			}
		}
	})
}
