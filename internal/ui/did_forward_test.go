package ui

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// TestDIDWebhookSecret: the save that gives a DID its first webhook shows
// the signing secret once (not cached, never again on the form or the
// list); "new signing secret" confirms, replaces it and shows the new one;
// other tenants get 404 and users 403.
func TestDIDWebhookSecret(t *testing.T) {
	forEachFaxPortal(t, func(t *testing.T, p *faxPortal) {
		admin, a, b, user := p.browser(t), p.browser(t), p.browser(t), p.browser(t)
		admin.login(p.W.Admin.Email)
		a.login(p.W.TenantA.Email)
		b.login(p.W.TenantB.Email)
		user.login(p.W.UserA.Email)
		wantRedirect(t, admin.post("/admin/dids", url.Values{"number": {"+12025550180"}, "tenant_id": {p.W.A.ID}}), "/admin/dids")
		dids, _, err := p.St.ListDIDs(t.Context(), model.PlatformScope(), store.DIDFilter{}, model.ListOptions{})
		if err != nil || len(dids) != 1 {
			t.Fatalf("DIDs after adding: %v, %v", dids, err)
		}
		did := dids[0]
		forward, secretPath := "/dids/"+did.ID+"/forward", "/dids/"+did.ID+"/webhook-secret"
		stored := func() string {
			t.Helper()
			d, err := p.St.GetDID(t.Context(), model.PlatformScope(), did.ID)
			if err != nil {
				t.Fatal(err)
			}
			return d.WebhookSecret
		}
		routing := func(hook, station string) url.Values {
			return url.Values{"action": {"inbox"}, "forward_emails": {""}, "user_id": {p.W.UserA.ID},
				"webhook_url": {hook}, "station_id": {station}}
		}

		// No webhook yet: no secret to replace.
		r := a.get(forward)
		wantStatus(t, r, http.StatusOK)
		if strings.Contains(r.Body, secretPath) {
			t.Error("the form offers a new secret for a DID without webhook")
		}
		wantRedirect(t, a.get(secretPath), forward)
		wantText(t, a.get(forward), "has no webhook")

		// The save that sets the webhook shows the secret, this once.
		r = a.post(forward, routing("https://hooks.a.example/in", ""))
		wantStatus(t, r, http.StatusOK)
		wantText(t, r, "Routing saved", "https://hooks.a.example/in", "shown only this once")
		wantHTML(t, r, `data-copy="#did-webhook-secret"`)
		first := secretRE.FindString(html.UnescapeString(r.Body))
		if first == "" || first != stored() || r.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("page secret %q, stored %q, Cache-Control %q", first, stored(), r.Header.Get("Cache-Control"))
		}
		for _, path := range []string{forward, "/dids"} {
			if r := a.get(path); strings.Contains(html.UnescapeString(r.Body), first) {
				t.Errorf("%s shows the secret again", path)
			}
		}
		wantHTML(t, a.get(forward), `href="`+secretPath+`"`)
		// Later saves keep the secret and do not show it.
		wantRedirect(t, a.post(forward, routing("https://hooks.a.example/v2", "Main fax")), "/dids")
		if stored() != first {
			t.Error("changing the webhook URL replaced the secret")
		}

		// Another tenant: 404; the routed user: 403 (routing is for managers).
		for _, c := range []struct {
			who    *browser
			method string
			status int
		}{{b, "GET", 404}, {b, "POST", 404}, {user, "GET", 403}, {user, "POST", 403}} {
			var r response
			if c.method == "GET" {
				r = c.who.get(secretPath)
			} else {
				r = c.who.post(secretPath, nil)
			}
			wantStatus(t, r, c.status)
		}
		if stored() != first {
			t.Fatal("a refused request replaced the secret")
		}

		// New secret: confirm, then shown once.
		wantText(t, a.get(secretPath), "Make a new signing secret for the webhook of "+did.Number+"?")
		r = a.post(secretPath, nil)
		wantStatus(t, r, http.StatusOK)
		wantText(t, r, "New signing secret", "no longer signs", "shown only this once")
		second := secretRE.FindString(html.UnescapeString(r.Body))
		if second == "" || second == first || second != stored() || r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("rotated: page %q, first %q, stored %q", second, first, stored())
		}
		if n := len(p.Events(t, model.ActionWebhookSecretRotated, did.ID)); n != 1 {
			t.Errorf("%d rotation audit events, want 1", n)
		}

		// Webhook removed: the secret goes with it and cannot be rotated.
		wantRedirect(t, a.post(forward, routing("", "")), "/dids")
		if stored() != "" {
			t.Error("removing the webhook kept its secret")
		}
		wantRedirect(t, a.post(secretPath, nil), forward)
	})
}
