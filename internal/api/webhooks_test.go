package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"faxgate/internal/api"
	"faxgate/internal/app"
	"faxgate/internal/model"
	"faxgate/internal/notify"
	"faxgate/internal/tenancy"
)

// hookReceiver is a real HTTP server recording webhook requests.
type hookReceiver struct {
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []hookRequest
}

type hookRequest struct {
	header http.Header
	body   []byte
}

func newHookReceiver(t *testing.T) *hookReceiver {
	h := &hookReceiver{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.reqs = append(h.reqs, hookRequest{header: r.Header.Clone(), body: b})
		h.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookReceiver) got() []hookRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hookRequest(nil), h.reqs...)
}

// verifyStandardWebhook checks a request as a Standard Webhooks receiver
// does, independently of notify's signer: base64 HMAC-SHA256 keyed with the
// decoded secret over "id.timestamp.body", "v1," prefix, one of the
// space-separated signatures, timestamp within 5 minutes.
func verifyStandardWebhook(secret string, h http.Header, body []byte) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return err
	}
	id, ts := h.Get("webhook-id"), h.Get("webhook-timestamp")
	if id == "" || ts == "" {
		return errors.New("webhook-id or webhook-timestamp missing")
	}
	var sec int64
	if err := json.Unmarshal([]byte(ts), &sec); err != nil || time.Since(time.Unix(sec, 0)).Abs() > 5*time.Minute {
		return errors.New("webhook-timestamp " + ts + " is not a recent unix time")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "." + string(body)))
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, sig := range strings.Fields(h.Get("webhook-signature")) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return nil
		}
	}
	return errors.New("no matching signature in " + h.Get("webhook-signature"))
}

// webhookEnv is a running application whose webhooks may use plain http
// (the receivers of the test are httptest servers); private targets follow
// the platform setting, off at first.
func webhookEnv(t *testing.T, dsn string) (*env, world) {
	t.Helper()
	e := newEnvWith(t, dsn, []app.Option{app.WithWebhookConfig(func(c *notify.WebhookConfig) {
		c.AllowInsecureHTTP = true
	})})
	if err := e.app.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = e.app.Stop(ctx)
	})
	return e, e.newWorld(t)
}

func allowPrivateTargets(t *testing.T, e *env, on bool) {
	t.Helper()
	if _, err := e.app.Tenancy().UpdatePlatformSettings(t.Context(), model.SystemActor(),
		tenancy.PlatformSettingsInput{AllowPrivateWebhookTargets: &on}); err != nil {
		t.Fatal(err)
	}
}

func strp(s string) *string { return &s }

func TestWebhooksAPIValidation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn func(t *testing.T) string) {
		e, w := webhookEnv(t, dsn(t))
		ta := bearer(w.keyTA)
		recv := newHookReceiver(t)
		all := &[]string{"*"}
		tests := []struct {
			name   string
			c      cred
			body   any
			status int
			field  string // in fields, for 422
			says   string
		}{
			{"not a URL", ta, api.WebhookEndpointInput{URL: strp("hooks here"), Events: all}, 422, "url", "absolute URL"},
			{"ftp", ta, api.WebhookEndpointInput{URL: strp("ftp://example.com/x"), Events: all}, 422, "url", "https"},
			{"fragment", ta, api.WebhookEndpointInput{URL: strp("https://example.com/x#y"), Events: all}, 422, "url", "fragment"},
			{"loopback", ta, api.WebhookEndpointInput{URL: strp(recv.srv.URL + "/hook"), Events: all}, 422, "url", "loopback"},
			{"private", ta, api.WebhookEndpointInput{URL: strp("https://10.1.2.3/hook"), Events: all}, 422, "url", "private"},
			{"metadata", ta, api.WebhookEndpointInput{URL: strp("http://169.254.169.254/"), Events: all}, 422, "url", "link-local"},
			{"no URL", ta, api.WebhookEndpointInput{Events: all}, 422, "url", "required"},
			{"no events", ta, api.WebhookEndpointInput{URL: strp("https://8.8.8.8/h"), Events: &[]string{}}, 422, "events", "at least one"},
			{"unknown event", ta, api.WebhookEndpointInput{URL: strp("https://8.8.8.8/h"), Events: &[]string{"fax.lost"}}, 422, "events", "unknown event"},
			{"weak secret", ta, api.WebhookEndpointInput{URL: strp("https://8.8.8.8/h"), Events: all, Secret: "whsec_c2hvcnQ="}, 422, "secret", ""},
			{"unknown field", ta, `{"url":"https://8.8.8.8/h","events":["*"],"sekret":"x"}`, 400, "", ""},
			{"admin without tenant", e.adminCred(), api.WebhookEndpointInput{URL: strp("https://8.8.8.8/h"), Events: all}, 422, "tenant_id", "required"},
			{"user", bearer(w.keyUA), api.WebhookEndpointInput{URL: strp("https://8.8.8.8/h"), Events: all}, 403, "", ""},
		}
		for _, tc := range tests {
			r := e.call(t, tc.c, "POST", "/api/v1/webhooks", tc.body)
			if r.status != tc.status || tc.field != "" && !strings.Contains(r.fields()[tc.field], tc.says) {
				t.Errorf("%s: %d %s; want %d with %s: %q", tc.name, r.status, r.body, tc.status, tc.field, tc.says)
			}
		}
		if r := e.call(t, bearer(w.keyUA), "GET", "/api/v1/webhooks", nil); r.status != 403 {
			t.Errorf("user lists webhooks: %d", r.status)
		}

		// The platform admin allows private targets: at once, no restart.
		allowPrivateTargets(t, e, true)
		var ep api.WebhookEndpointCreated
		e.must(t, ta, "POST", "/api/v1/webhooks", api.WebhookEndpointInput{URL: strp(recv.srv.URL + "/hook"), Events: all}, 201, &ep)
		allowPrivateTargets(t, e, false)
		r := e.call(t, ta, "PATCH", "/api/v1/webhooks/"+ep.ID, api.WebhookEndpointInput{URL: strp(recv.srv.URL + "/other")})
		if r.status != 422 || !strings.Contains(r.fields()["url"], "loopback") {
			t.Errorf("PATCH to loopback with the setting off: %d %s", r.status, r.body)
		}
		if r := e.call(t, ta, "PATCH", "/api/v1/webhooks/"+ep.ID, `{"secret":"whsec_x"}`); r.status != 422 || r.fields()["secret"] == "" {
			t.Errorf("PATCH secret: %d %s", r.status, r.body)
		}
	})
}

func TestWebhooksAPITenantIsolation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn func(t *testing.T) string) {
		e, w := webhookEnv(t, dsn(t))
		allowPrivateTargets(t, e, true)
		recv := newHookReceiver(t)
		ta, tb := bearer(w.keyTA), bearer(w.keyTB)
		var a, b api.WebhookEndpointCreated
		e.must(t, ta, "POST", "/api/v1/webhooks", api.WebhookEndpointInput{URL: strp(recv.srv.URL + "/a"), Events: &[]string{"*"}}, 201, &a)
		e.must(t, tb, "POST", "/api/v1/webhooks", api.WebhookEndpointInput{URL: strp(recv.srv.URL + "/b"), Events: &[]string{"*"}}, 201, &b)
		var d api.WebhookDelivery
		e.must(t, ta, "POST", "/api/v1/webhooks/"+a.ID+"/test", nil, 202, &d)
		waitDelivery(t, e, ta, d.ID)

		for _, c := range []struct{ method, path string }{
			{"GET", "/api/v1/webhooks/" + a.ID},
			{"PATCH", "/api/v1/webhooks/" + a.ID},
			{"DELETE", "/api/v1/webhooks/" + a.ID},
			{"POST", "/api/v1/webhooks/" + a.ID + "/test"},
			{"POST", "/api/v1/webhooks/" + a.ID + "/rotate-secret"},
			{"GET", "/api/v1/webhooks/deliveries?endpoint_id=" + a.ID},
			{"GET", "/api/v1/webhooks/deliveries/" + d.ID},
			{"POST", "/api/v1/webhooks/deliveries/" + d.ID + "/redeliver"},
			{"GET", "/api/v1/webhooks?tenant_id=" + w.A.ID},
		} {
			var body any
			if c.method == "PATCH" || strings.HasSuffix(c.path, "rotate-secret") {
				body = "{}"
			}
			if r := e.call(t, tb, c.method, c.path, body); r.status != 404 {
				t.Errorf("tenant B %s %s: %d %s, want 404", c.method, c.path, r.status, r.body)
			}
		}
		var lb api.WebhookEndpointList
		e.must(t, tb, "GET", "/api/v1/webhooks", nil, 200, &lb)
		var dl api.WebhookDeliveryList
		e.must(t, tb, "GET", "/api/v1/webhooks/deliveries", nil, 200, &dl)
		if len(lb.Items) != 1 || lb.Items[0].ID != b.ID || len(dl.Items) != 0 {
			t.Errorf("tenant B sees %+v and %+v", lb.Items, dl.Items)
		}
		// Search by URL, within the caller's tenant.
		var found api.WebhookEndpointList
		e.must(t, ta, "GET", "/api/v1/webhooks?q=%2FA", nil, 200, &found)
		if len(found.Items) != 1 || found.Items[0].ID != a.ID {
			t.Errorf("tenant A searching its URL: %+v", found.Items)
		}
		e.must(t, tb, "GET", "/api/v1/webhooks?q=%2FA", nil, 200, &found)
		if len(found.Items) != 0 {
			t.Errorf("tenant B finds tenant A's endpoint: %+v", found.Items)
		}
		// The platform admin sees both tenants' endpoints, and filters.
		var la api.WebhookEndpointList
		e.must(t, e.adminCred(), "GET", "/api/v1/webhooks?tenant_id="+w.A.ID, nil, 200, &la)
		if len(la.Items) != 1 || la.Items[0].ID != a.ID {
			t.Errorf("admin, tenant A: %+v", la.Items)
		}
		// A's endpoint is untouched.
		e.must(t, ta, "GET", "/api/v1/webhooks/"+a.ID, nil, 200, nil)
	})
}

// waitDelivery polls a delivery until it is final.
func waitDelivery(t *testing.T, e *env, c cred, id string) api.WebhookDelivery {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var d api.WebhookDelivery
		e.must(t, c, "GET", "/api/v1/webhooks/deliveries/"+id, nil, 200, &d)
		if d.Status == "succeeded" || d.Status == "failed" {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery %s still %s", id, d.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestWebhooksAPIFlow: create (secret once), read (never the secret), send
// a test event that a real receiver verifies with the secret, the delivery
// log, redeliver, rotate the secret, delete.
func TestWebhooksAPIFlow(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn func(t *testing.T) string) {
		e, w := webhookEnv(t, dsn(t))
		allowPrivateTargets(t, e, true)
		recv := newHookReceiver(t)
		ta := bearer(w.keyTA)

		var ep api.WebhookEndpointCreated
		r := e.must(t, ta, "POST", "/api/v1/webhooks", api.WebhookEndpointInput{URL: strp(recv.srv.URL + "/hook"),
			Events: &[]string{"fax.failed", "fax.delivered"}, Description: strp("ERP")}, 201, &ep)
		if !strings.HasPrefix(ep.Secret, "whsec_") || ep.TenantID != w.A.ID || !ep.Enabled ||
			strings.Join(ep.Events, ",") != "fax.delivered,fax.failed" ||
			r.header.Get("Location") != "/api/v1/webhooks/"+ep.ID {
			t.Fatalf("created %+v (Location %q)", ep, r.header.Get("Location"))
		}
		// Never shown again: not in get, list or patch answers.
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{"GET", "/api/v1/webhooks/" + ep.ID, nil},
			{"GET", "/api/v1/webhooks", nil},
			{"PATCH", "/api/v1/webhooks/" + ep.ID, api.WebhookEndpointInput{Description: strp("ERP, prod")}},
		} {
			r := e.must(t, ta, c.method, c.path, c.body, 200, nil)
			if strings.Contains(string(r.body), ep.Secret) || strings.Contains(string(r.body), "secret") {
				t.Errorf("%s %s shows the secret: %s", c.method, c.path, r.body)
			}
		}

		var d api.WebhookDelivery
		e.must(t, ta, "POST", "/api/v1/webhooks/"+ep.ID+"/test", nil, 202, &d)
		if d.EndpointID != ep.ID || d.EventType != "webhook.test" {
			t.Fatalf("test delivery %+v", d)
		}
		d = waitDelivery(t, e, ta, d.ID)
		got := recv.got()
		if d.Status != "succeeded" || d.Attempts != 1 || len(d.AttemptLog) != 1 || d.AttemptLog[0].StatusCode != 204 ||
			d.LastStatusCode != 204 || len(got) != 1 {
			t.Fatalf("delivery %+v, receiver got %d", d, len(got))
		}
		if err := verifyStandardWebhook(ep.Secret, got[0].header, got[0].body); err != nil {
			t.Fatalf("signature: %v", err)
		}
		var payload struct {
			Type string `json:"type"`
			Data struct {
				EndpointID string `json:"endpoint_id"`
			} `json:"data"`
		}
		if err := json.Unmarshal(got[0].body, &payload); err != nil || payload.Type != "webhook.test" ||
			payload.Data.EndpointID != ep.ID || d.Payload != string(got[0].body) || got[0].header.Get("webhook-id") != d.MessageID {
			t.Fatalf("payload %s (%v), logged %q", got[0].body, err, d.Payload)
		}
		var log api.WebhookDeliveryList
		e.must(t, ta, "GET", "/api/v1/webhooks/deliveries?endpoint_id="+ep.ID+"&status=succeeded", nil, 200, &log)
		if len(log.Items) != 1 || log.Items[0].ID != d.ID || log.Items[0].Payload != "" {
			t.Fatalf("log %+v", log.Items)
		}
		if r := e.call(t, ta, "GET", "/api/v1/webhooks/deliveries?status=lost", nil); r.status != 422 {
			t.Errorf("bad status filter: %d", r.status)
		}

		// Redeliver: the same message id again.
		e.must(t, ta, "POST", "/api/v1/webhooks/deliveries/"+d.ID+"/redeliver", nil, 202, nil)
		if d = waitDelivery(t, e, ta, d.ID); d.Attempts != 2 || d.Status != "succeeded" {
			t.Fatalf("redelivered %+v", d)
		}
		got = recv.got()
		if len(got) != 2 || got[1].header.Get("webhook-id") != got[0].header.Get("webhook-id") {
			t.Fatalf("receiver got %d", len(got))
		}

		// Rotate: the new secret, shown once, signs from now on.
		var rot api.WebhookEndpointCreated
		e.must(t, ta, "POST", "/api/v1/webhooks/"+ep.ID+"/rotate-secret", api.WebhookSecretRotation{}, 200, &rot)
		if rot.Secret == ep.Secret || !strings.HasPrefix(rot.Secret, "whsec_") {
			t.Fatalf("rotated %+v", rot)
		}
		e.must(t, ta, "POST", "/api/v1/webhooks/"+ep.ID+"/test", nil, 202, &d)
		waitDelivery(t, e, ta, d.ID)
		got = recv.got()
		last := got[len(got)-1]
		if err := verifyStandardWebhook(rot.Secret, last.header, last.body); err != nil {
			t.Errorf("signature with the new secret: %v", err)
		}
		if err := verifyStandardWebhook(ep.Secret, last.header, last.body); err == nil {
			t.Error("the revoked secret still signs")
		}

		// Disabled endpoints get no test event; delete removes it.
		var off api.WebhookEndpoint
		no := false
		e.must(t, ta, "PATCH", "/api/v1/webhooks/"+ep.ID, api.WebhookEndpointInput{Enabled: &no}, 200, &off)
		if r := e.call(t, ta, "POST", "/api/v1/webhooks/"+ep.ID+"/test", nil); off.Enabled || r.status != 422 {
			t.Errorf("test on a disabled endpoint: %d %s", r.status, r.body)
		}
		e.must(t, ta, "DELETE", "/api/v1/webhooks/"+ep.ID, nil, 204, nil)
		if r := e.call(t, ta, "GET", "/api/v1/webhooks/"+ep.ID, nil); r.status != 404 {
			t.Errorf("deleted endpoint: %d", r.status)
		}
	})
}
