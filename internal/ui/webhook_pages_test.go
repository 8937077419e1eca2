package ui

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/riverqueue/river"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/jobs"
	"faxgate/internal/notify"
)

// newWebhookPortal serves the portal with the webhook service (jobs are
// inserted, not worked: deliveries stay pending).
func newWebhookPortal(t *testing.T) *portal {
	return newPortal(t, func(env *authtest.Env, d *Deps) {
		cfg := notify.WebhookConfig{AllowInsecureHTTP: true}
		workers := river.NewWorkers()
		if _, err := notify.AddWebhookWorkers(workers, env.St, env.Audit, cfg); err != nil {
			t.Fatal(err)
		}
		j, err := jobs.New(env.St, nil, workers, map[string]river.QueueConfig{notify.WebhookQueue: {MaxWorkers: 1}})
		if err != nil {
			t.Fatal(err)
		}
		d.Webhooks, err = notify.NewWebhooks(env.St, j, env.Audit, cfg)
		if err != nil {
			t.Fatal(err)
		}
	})
}

var secretRE = regexp.MustCompile(`whsec_[A-Za-z0-9+/=]+`)

func TestWebhookPages(t *testing.T) {
	p := newWebhookPortal(t)
	a, other, user := p.browser(t), p.browser(t), p.browser(t)
	a.login(p.W.TenantA.Email)
	other.login(p.W.TenantB.Email)
	user.login(p.W.UserA.Email)

	r := a.get("/settings/webhooks")
	wantStatus(t, r, 200)
	wantText(t, r, "No webhooks")
	wantHTML(t, r, `href="/settings/webhooks"`) // the menu entry
	wantStatus(t, user.get("/settings/webhooks"), http.StatusForbidden)

	form := func(u string, events ...string) url.Values {
		return url.Values{"url": {u}, "description": {"ERP"}, "enabled": {"on"}, "events": events}
	}
	for _, tc := range []struct {
		name string
		form url.Values
		want string
	}{
		{"no scheme", form("hooks.example.com/x", "fax.failed"), "Url: must be an absolute URL"},
		{"private address", form("http://10.0.0.8/hook", "fax.failed"), "which is a private address"},
		{"no events", form("http://8.8.8.8/hook"), "Events: choose at least one"},
	} {
		r := a.post("/settings/webhooks", tc.form)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantText(t, r, tc.want)
		if tc.form.Get("url") != "" {
			wantHTML(t, r, `value="`+tc.form.Get("url")+`"`)
		}
	}

	r = a.post("/settings/webhooks", form("http://8.8.8.8/hook", "fax.delivered", "fax.failed"))
	wantStatus(t, r, 200)
	wantText(t, r, "Webhook added", "shown only this once")
	secret := secretRE.FindString(html.UnescapeString(r.Body)) // "+" is escaped in attributes
	if secret == "" || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("no secret on the page (Cache-Control %q)", r.Header.Get("Cache-Control"))
	}
	r = a.get("/settings/webhooks")
	wantText(t, r, "http://8.8.8.8/hook", "fax.delivered, fax.failed", "Enabled")
	if strings.Contains(html.UnescapeString(r.Body), secret) {
		t.Error("the list shows the secret")
	}
	id := regexp.MustCompile(`/settings/webhooks/(whk_[a-z2-7]{16})/edit`).FindStringSubmatch(r.Body)[1]
	base := "/settings/webhooks/" + id

	// Search by URL or description (any case), kept in its field.
	r = a.get("/settings/webhooks?q=erp")
	wantText(t, r, "http://8.8.8.8/hook")
	wantHTML(t, r, `name="q" type="search" value="erp"`)
	r = a.get("/settings/webhooks?q=nothing-like-this")
	wantText(t, r, "No webhooks match.")
	if strings.Contains(r.Body, "http://8.8.8.8/hook") {
		t.Error("the search does not filter")
	}
	if strings.Contains(other.get("/settings/webhooks?q=8.8.8.8").Body, "http://8.8.8.8/hook") {
		t.Error("tenant B finds tenant A's webhook")
	}

	// Another tenant's admin: every page of the endpoint is 404.
	for _, c := range []struct{ method, path string }{
		{"GET", base + "/edit"}, {"POST", base}, {"GET", base + "/delete"}, {"POST", base + "/delete"},
		{"POST", base + "/test"}, {"GET", base + "/rotate"}, {"POST", base + "/rotate"}, {"GET", base + "/deliveries"},
	} {
		var r response
		if c.method == "GET" {
			r = other.get(c.path)
		} else {
			r = other.post(c.path, form("http://8.8.4.4/x", "*"))
		}
		wantStatus(t, r, http.StatusNotFound)
	}

	// Send test: the log shows it pending, and refreshes itself.
	r = a.post(base+"/test", nil)
	wantRedirect(t, r, base+"/deliveries")
	r = a.get(base + "/deliveries")
	wantText(t, r, "Test event sent", "webhook.test", "pending")
	wantHTML(t, r, `hx-trigger="every 2s"`)
	del := regexp.MustCompile(`/settings/webhook-deliveries/(whd_[a-z2-7]{16})`).FindStringSubmatch(r.Body)[1]
	// Filters: event, status, message id; each keeps its value.
	r = a.get(base + "/deliveries?event_type=webhook.test")
	wantHTML(t, r, `value="webhook.test" selected`, "/settings/webhook-deliveries/"+del)
	for _, q := range []string{"event_type=fax.failed", "status=succeeded", "q=msg_nothing"} {
		r = a.get(base + "/deliveries?" + q)
		wantText(t, r, "No deliveries match.")
		if strings.Contains(r.Body, "/settings/webhook-deliveries/"+del) {
			t.Errorf("deliveries?%s shows the test delivery", q)
		}
	}
	wantStatus(t, other.get("/settings/webhook-deliveries/"+del), http.StatusNotFound)
	r = a.get("/settings/webhook-deliveries/" + del)
	wantText(t, r, "webhook.test", "Not attempted yet", `"type":"webhook.test"`)
	r = a.post("/settings/webhook-deliveries/"+del+"/redeliver", nil)
	wantRedirect(t, r, base+"/deliveries")
	wantText(t, a.get(base+"/deliveries"), "Not redelivered")

	// Edit: disable, change events; the form keeps the input on errors.
	r = a.post(base, url.Values{"url": {"http://8.8.8.8/hook"}, "events": {"*"}, "description": {"ERP v2"}})
	wantRedirect(t, r, "/settings/webhooks")
	wantText(t, a.get("/settings/webhooks"), "All events", "Disabled", "ERP v2")

	// Rotate: confirm, then the new secret once.
	wantText(t, a.get(base+"/rotate"), "Make a new signing secret")
	r = a.post(base+"/rotate", nil)
	wantText(t, r, "New signing secret")
	if s := secretRE.FindString(html.UnescapeString(r.Body)); s == "" || s == secret {
		t.Errorf("rotated secret %q", s)
	}

	// Delete after confirming.
	wantText(t, a.get(base+"/delete"), "Delete the webhook to http://8.8.8.8/hook?")
	wantRedirect(t, a.post(base+"/delete", nil), "/settings/webhooks")
	wantText(t, a.get("/settings/webhooks"), "deleted", "No webhooks")
	wantStatus(t, a.get(base+"/edit"), http.StatusNotFound)
}
