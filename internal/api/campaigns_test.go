package api_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"faxgate/internal/api"
	"faxgate/internal/campaign"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// campaignGroup makes a group of the tenant with deliverable test numbers
// and one number on the tenant's do-not-contact list, through the domain
// (the contacts API is tested on its own).
func campaignGroup(t *testing.T, e *env, actor model.Actor, n int) model.Group {
	t.Helper()
	svc := e.app.Contacts()
	g, err := svc.CreateGroup(t.Context(), actor, campaign.GroupInput{Name: "Customers"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range n + 1 {
		c, err := svc.CreateContact(t.Context(), actor, campaign.ContactInput{FirstName: "C", LastName: fmt.Sprint(i),
			Fax: fmt.Sprintf("+1202%07d", 3001000+i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	if _, err := svc.AddMembers(t.Context(), actor, g.ID, ids); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddDNC(t.Context(), actor, campaign.DNCInput{Number: fmt.Sprintf("+1202%07d", 3001000+n)}); err != nil {
		t.Fatal(err)
	}
	return g
}

// TestCampaignsAPI runs a campaign through the API on the fast test line:
// create, edit, start, 409s, another tenant's 404s, progress to completed,
// recipients as JSON and CSV, webhooks, delete.
func TestCampaignsAPI(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn func(t *testing.T) string) {
		e, w, doc := faxEnv(t, dsn(t))
		ta := model.Actor{UserID: w.TA.ID, TenantID: w.A.ID, Role: model.RoleTenant, Email: w.TA.Email, Via: "test"}
		// An endpoint straight in the store: the service refuses loopback
		// targets, and only the recorded deliveries matter here.
		if err := e.app.Store().CreateWebhookEndpoint(t.Context(), &model.WebhookEndpoint{TenantID: w.A.ID,
			URL: "http://127.0.0.1:9/hook", Events: []string{"*"}, Enabled: true,
			Secret: "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}); err != nil {
			t.Fatal(err)
		}
		g := campaignGroup(t, e, ta, 3)
		ua, tb := bearer(w.keyUA), bearer(w.keyTB)

		var c api.Campaign
		e.must(t, ua, "POST", "/api/v1/campaigns", api.CampaignInput{Title: "Offer", DocumentID: doc.ID,
			GroupID: g.ID, CallsPerMinute: 120, WindowDays: []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
			201, &c)
		if c.Status != "draft" || c.MaxLines != campaign.DefaultMaxLines || len(c.WindowDays) != 7 || c.WindowEndHour != 24 {
			t.Errorf("created %+v", c)
		}
		r := e.call(t, ua, "POST", "/api/v1/campaigns", api.CampaignInput{Title: "Bad", DocumentID: doc.ID,
			GroupID: g.ID, WindowDays: []string{"someday"}})
		if r.status != 422 || r.fields()["window_days"] == "" {
			t.Errorf("bad window: %d %s", r.status, r.body)
		}
		title := "Spring offer"
		e.must(t, ua, "PATCH", "/api/v1/campaigns/"+c.ID, api.CampaignPatch{Title: &title}, 200, &c)
		if c.Title != title {
			t.Errorf("patched title %q", c.Title)
		}
		var found api.CampaignList
		e.must(t, ua, "GET", "/api/v1/campaigns?q=SPRING", nil, 200, &found)
		if len(found.Items) != 1 || found.Items[0].ID != c.ID {
			t.Errorf("search by title: %+v", found.Items)
		}
		e.must(t, ua, "GET", "/api/v1/campaigns?q=autumn", nil, 200, &found)
		if len(found.Items) != 0 {
			t.Errorf("search for another title: %+v", found.Items)
		}
		e.must(t, tb, "GET", "/api/v1/campaigns?q=spring", nil, 200, &found)
		if len(found.Items) != 0 {
			t.Errorf("tenant B finds tenant A's campaign: %+v", found.Items)
		}

		path := "/api/v1/campaigns/" + c.ID
		for _, p := range []struct{ method, path string }{{"GET", path}, {"PATCH", path}, {"DELETE", path},
			{"POST", path + "/start"}, {"POST", path + "/stop"}, {"GET", path + "/recipients"},
			{"GET", path + "/recipients?format=csv"}, {"POST", path + "/retry-failed"}} {
			var body any
			if p.method == "PATCH" {
				body = api.CampaignPatch{Title: &title}
			}
			if r := e.call(t, tb, p.method, p.path, body); r.status != 404 {
				t.Errorf("tenant B %s %s: %d %s, want 404", p.method, p.path, r.status, r.body)
			}
		}

		e.must(t, ua, "POST", path+"/start", nil, 200, &c)
		if c.Status != "running" || c.Total != 4 || c.Skipped != 1 {
			t.Errorf("started %+v", c)
		}
		for _, p := range []struct{ method, path, msg string }{
			{"POST", path + "/start", "cannot start a running campaign"},
			{"POST", path + "/resume", "cannot resume a running campaign"},
			{"PATCH", path, "cannot edit a running campaign"},
			{"DELETE", path, "cannot delete a running campaign"},
		} {
			var body any
			if p.method == "PATCH" {
				body = api.CampaignPatch{Title: &title}
			}
			r := e.call(t, ua, p.method, p.path, body)
			if r.status != 409 || r.errorCode() != "conflict" || !strings.Contains(string(r.body), p.msg) {
				t.Errorf("%s %s: %d %s, want 409 %q", p.method, p.path, r.status, r.body, p.msg)
			}
		}

		deadline := time.Now().Add(90 * time.Second)
		for c.Status != "completed" {
			if time.Now().After(deadline) {
				t.Fatalf("campaign still %+v", c)
			}
			time.Sleep(100 * time.Millisecond)
			e.must(t, ua, "GET", path, nil, 200, &c)
		}
		if c.Delivered != 3 || c.Skipped != 1 || c.Sent != 3 || c.Progress != 100 || c.CompletedAt == nil {
			t.Errorf("completed %+v", c)
		}

		var rs api.CampaignRecipientList
		e.must(t, ua, "GET", path+"/recipients?state=delivered&limit=2", nil, 200, &rs)
		if len(rs.Items) != 2 || rs.NextCursor == "" || rs.Items[0].FaxID == "" {
			t.Errorf("recipients page 1: %+v", rs)
		}
		e.must(t, ua, "GET", path+"/recipients?state=delivered&limit=2&cursor="+rs.NextCursor, nil, 200, &rs)
		if len(rs.Items) != 1 || rs.NextCursor != "" {
			t.Errorf("recipients page 2: %+v", rs)
		}
		var f api.Fax
		e.must(t, ua, "GET", "/api/v1/faxes/"+rs.Items[0].FaxID, nil, 200, &f)
		if f.Source != "campaign" || f.Status != "delivered" {
			t.Errorf("campaign fax %+v", f)
		}
		r = e.call(t, ua, "GET", path+"/recipients?format=csv", nil)
		rows, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") || err != nil ||
			len(rows) != 5 || rows[0][3] != "state" {
			t.Errorf("csv: %d %s %v\n%s", r.status, r.header.Get("Content-Type"), err, r.body)
		}
		e.must(t, ua, "GET", path+"/recipients?q=3001002", nil, 200, &rs)
		if len(rs.Items) != 1 || rs.Items[0].Fax != "+12023001002" {
			t.Errorf("recipients searched by number: %+v", rs.Items)
		}
		r = e.call(t, ua, "GET", path+"/recipients?format=csv&q=3001002", nil)
		if rows, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll(); err != nil || len(rows) != 2 {
			t.Errorf("csv of the search: %v\n%s", err, r.body)
		}
		if r := e.call(t, ua, "GET", path+"/recipients?state=bogus", nil); r.status != 422 {
			t.Errorf("bad state filter: %d", r.status)
		}

		events := map[string]int{}
		ds, _, err := e.app.Webhooks().ListDeliveries(t.Context(), ta, store.WebhookDeliveryFilter{},
			model.ListOptions{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			events[d.EventType]++
			if strings.HasPrefix(d.EventType, "fax.") && !strings.Contains(string(d.Payload), `"campaign_id":"`+c.ID) {
				t.Errorf("%s without the campaign id: %s", d.EventType, d.Payload)
			}
		}
		if events["campaign.started"] != 1 || events["campaign.completed"] != 1 || events["fax.delivered"] != 3 {
			t.Errorf("webhook events = %v", events)
		}

		var list api.CampaignList
		e.must(t, ua, "GET", "/api/v1/campaigns?status=completed", nil, 200, &list)
		if len(list.Items) != 1 || list.Items[0].ID != c.ID {
			t.Errorf("list %+v", list)
		}
		e.must(t, tb, "GET", "/api/v1/campaigns", nil, 200, &list)
		if len(list.Items) != 0 {
			t.Errorf("tenant B sees %d campaigns", len(list.Items))
		}
		// The portal answers the same way: another tenant's campaign is 404.
		tokA, tokB := sessionCookie(e.login(t, "user@a.example")), sessionCookie(e.login(t, "boss@b.example"))
		for _, p := range []struct{ method, path string }{{"GET", "/campaigns/" + c.ID},
			{"GET", "/campaigns/" + c.ID + "/stop"}, {"POST", "/campaigns/" + c.ID + "/pause"}} {
			if r := e.call(t, tokB, p.method, p.path, nil); r.status != 404 {
				t.Errorf("portal, tenant B: %s %s = %d, want 404", p.method, p.path, r.status)
			}
		}
		if r := e.call(t, tokA, "GET", "/campaigns/"+c.ID, nil); r.status != 200 ||
			!strings.Contains(string(r.body), title) || !strings.Contains(string(r.body), `id="stat-delivered">3<`) {
			t.Errorf("portal, tenant A: %d\n%s", r.status, r.body)
		}
		// The recipients' search, and the export link that keeps it.
		if r := e.call(t, tokA, "GET", "/campaigns/"+c.ID+"?q=3001002", nil); r.status != 200 ||
			!strings.Contains(string(r.body), "3001002") || strings.Contains(string(r.body), "3001001") ||
			!strings.Contains(string(r.body), "recipients?format=csv&amp;q=3001002") {
			t.Errorf("portal recipients searched: %d\n%s", r.status, r.body)
		}
		if r := e.call(t, tokA, "GET", "/campaigns?q="+url.QueryEscape("SPRING"), nil); r.status != 200 || !strings.Contains(string(r.body), title) {
			t.Errorf("portal campaigns searched by title: %d", r.status)
		}
		if r := e.call(t, tokA, "GET", "/campaigns?q=autumn", nil); r.status != 200 || strings.Contains(string(r.body), title) ||
			!strings.Contains(string(r.body), "No campaigns match.") {
			t.Errorf("portal campaigns searched for another title: %d", r.status)
		}
		if r := e.call(t, tokB, "GET", "/campaigns", nil); r.status != 200 || strings.Contains(string(r.body), title) {
			t.Errorf("portal list of tenant B: %d, shows A's campaign: %v", r.status, strings.Contains(string(r.body), title))
		}
		e.must(t, ua, "DELETE", path, nil, 204, nil)
		if r := e.call(t, ua, "GET", path, nil); r.status != 404 {
			t.Errorf("after delete: %d", r.status)
		}
	})
}
