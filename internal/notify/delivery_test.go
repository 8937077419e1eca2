package notify_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/model"
	"faxgate/internal/notify"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
)

// faxData is the data of the fax events published in these tests.
type faxData struct {
	FaxID  string `json:"fax_id"`
	Status string `json:"status"`
	Pages  int    `json:"pages"`
}

// TestDeliverySignedAndFiltered publishes one event for tenant A: exactly
// the enabled endpoints of A subscribed to its type receive it, signed
// per Standard Webhooks (checked by an independent verifier), with the
// documented headers and body.
func TestDeliverySignedAndFiltered(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		big := strings.Repeat("r", 3000)
		rc := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusAccepted)
			_, _ = w.Write([]byte(big))
		})
		e := newEnv(t, st, testConfig())
		a1 := e.endpoint(t, e.W.TenantAActor, rc.url("/a1"), model.EventFaxDelivered)
		a2 := e.endpoint(t, e.W.TenantAActor, rc.url("/a2"), "*")
		a3 := e.endpoint(t, e.W.TenantAActor, rc.url("/a3"), model.EventFaxFailed, model.EventFaxQueued)
		a4 := e.endpoint(t, e.W.TenantAActor, rc.url("/a4"), "*")
		off := false
		_, err := e.WH.Update(e.Ctx, e.W.TenantAActor, a4.ID, notify.WebhookPatch{Enabled: &off})
		authtest.Must(t, "disable a4", err)
		b1 := e.endpoint(t, e.W.TenantBActor, rc.url("/b1"), "*")
		e.start(t)

		at := e.Clock.Now().Add(-time.Minute)
		p, err := e.WH.Publish(e.Ctx, e.W.A.ID, notify.Event{Type: model.EventFaxDelivered, At: at,
			Data: faxData{FaxID: "fax_1", Status: "delivered", Pages: 3}})
		authtest.Must(t, "Publish", err)
		if !model.ValidID(model.PrefixWebhookMessage, p.MessageID) || len(p.DeliveryIDs) != 2 {
			t.Fatalf("Published = %+v, want a msg_ id and two deliveries", p)
		}
		for _, id := range p.DeliveryIDs {
			d := e.waitFinal(t, id)
			if d.Status != model.WebhookSucceeded || d.Attempts != 1 || len(d.AttemptLog) != 1 {
				t.Fatalf("delivery %s = %+v", id, d)
			}
			a := d.AttemptLog[0]
			if a.StatusCode != 202 || a.Error != "" || len(a.ResponseBody) != 1024 || a.Duration <= 0 || !a.At.Equal(e.Clock.Now()) {
				t.Errorf("attempt = status %d, error %q, body %d bytes, duration %v, at %v", a.StatusCode, a.Error,
					len(a.ResponseBody), a.Duration, a.At)
			}
		}
		wantBody := fmt.Sprintf(`{"type":"fax.delivered","timestamp":"%s","data":{"fax_id":"fax_1","status":"delivered","pages":3}}`,
			at.UTC().Format(time.RFC3339Nano))
		for _, ep := range []model.WebhookEndpoint{a1, a2} {
			got := rc.got(strings.TrimPrefix(ep.URL, rc.srv.URL))
			if len(got) != 1 {
				t.Fatalf("%s received %d requests, want 1", ep.URL, len(got))
			}
			r := got[0]
			if string(r.Body) != wantBody {
				t.Errorf("body = %s\nwant   %s", r.Body, wantBody)
			}
			if err := verifySignature(ep.Secret, r.Header, r.Body); err != nil {
				t.Errorf("%s: signature: %v", ep.URL, err)
			}
			if verifySignature(b1.Secret, r.Header, r.Body) == nil {
				t.Errorf("%s: signature verifies with another endpoint's secret", ep.URL)
			}
			h := r.Header
			if h.Get("webhook-id") != p.MessageID || h.Get("webhook-timestamp") != strconv.FormatInt(e.Clock.Now().Unix(), 10) ||
				h.Get("Content-Type") != "application/json" || h.Get("User-Agent") != "faxgate" ||
				len(strings.Fields(h.Get("webhook-signature"))) != 1 {
				t.Errorf("%s: headers %v", ep.URL, h)
			}
			var env struct {
				Type      string          `json:"type"`
				Timestamp time.Time       `json:"timestamp"`
				Data      json.RawMessage `json:"data"`
			}
			if err := json.Unmarshal(r.Body, &env); err != nil || env.Type != model.EventFaxDelivered || !env.Timestamp.Equal(at) {
				t.Errorf("payload %s: %v", r.Body, err)
			}
		}
		// Nothing was even queued for the unsubscribed, disabled and
		// other-tenant endpoints.
		for _, ep := range []model.WebhookEndpoint{a3, a4, b1} {
			list, _, err := st.ListWebhookDeliveries(e.Ctx, model.PlatformScope(), store.WebhookDeliveryFilter{EndpointID: ep.ID}, model.ListOptions{})
			authtest.Must(t, "ListWebhookDeliveries", err)
			if len(list) != 0 || len(rc.got(strings.TrimPrefix(ep.URL, rc.srv.URL))) != 0 {
				t.Errorf("%s got deliveries %v", ep.URL, list)
			}
		}
		// An event nobody subscribed to writes nothing.
		p, err = e.WH.Publish(e.Ctx, e.W.B.ID, notify.Event{Type: model.EventCampaignStarted})
		authtest.Must(t, "Publish(campaign.started to B)", err)
		if len(p.DeliveryIDs) != 1 {
			t.Errorf("campaign.started for B made %d deliveries, want 1 (b1 takes *)", len(p.DeliveryIDs))
		}
		d := e.waitFinal(t, p.DeliveryIDs[0])
		if got := rc.got("/b1"); len(got) != 1 || !strings.Contains(string(got[0].Body), `"data":{}`) || d.EndpointID != b1.ID {
			t.Errorf("b1 received %d requests, want the campaign event with empty data", len(got))
		}
		_, err = e.WH.Publish(e.Ctx, e.W.A.ID, notify.Event{Type: "fax.exploded"})
		if err == nil {
			t.Error("Publish accepted an unknown event type")
		}
	})
}

// TestDeliveryRetries: failures are retried with growing delays and the
// same webhook-id until the receiver accepts; 3xx are failures (no
// redirect is followed); when the schedule runs out the delivery fails.
func TestDeliveryRetries(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
			switch {
			case r.URL.Path == "/flaky" && n <= 2:
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte("database down"))
			case r.URL.Path == "/redirect":
				http.Redirect(w, r, "/target", http.StatusFound)
			case r.URL.Path == "/down":
				w.WriteHeader(http.StatusServiceUnavailable)
			default:
				w.WriteHeader(http.StatusNoContent)
			}
		})
		cfg := testConfig()
		cfg.Schedule = []time.Duration{150 * time.Millisecond, 300 * time.Millisecond}
		cfg.Jitter = -1 // exact delays, to measure them
		e := newEnv(t, st, cfg)
		flaky := e.endpoint(t, e.W.TenantAActor, rc.url("/flaky"), "*")
		e.endpoint(t, e.W.TenantAActor, rc.url("/redirect"), "*")
		e.endpoint(t, e.W.TenantAActor, rc.url("/down"), "*")
		e.start(t)
		p, err := e.WH.Publish(e.Ctx, e.W.A.ID, notify.Event{Type: model.EventFaxQueued, Data: faxData{FaxID: "fax_2"}})
		authtest.Must(t, "Publish", err)
		byURL := map[string]model.WebhookDelivery{}
		for _, id := range p.DeliveryIDs {
			d := e.waitFinal(t, id)
			byURL[strings.TrimPrefix(d.URL, rc.srv.URL)] = d
		}

		d := byURL["/flaky"]
		codes := func(d model.WebhookDelivery) []int {
			var out []int
			for _, a := range d.AttemptLog {
				out = append(out, a.StatusCode)
			}
			return out
		}
		if d.Status != model.WebhookSucceeded || !slices.Equal(codes(d), []int{500, 500, 204}) {
			t.Errorf("flaky delivery = %s, codes %v; want succeeded after 500, 500", d.Status, codes(d))
		}
		if a := d.AttemptLog[0]; a.ResponseBody != "database down" || a.Error != "receiver answered 500 Internal Server Error" {
			t.Errorf("first attempt logged body %q, error %q", a.ResponseBody, a.Error)
		}
		got := rc.got("/flaky")
		if len(got) != 3 {
			t.Fatalf("flaky received %d requests, want 3", len(got))
		}
		for i, r := range got {
			if r.Header.Get("webhook-id") != p.MessageID {
				t.Errorf("request %d webhook-id %q, want %q on every retry", i, r.Header.Get("webhook-id"), p.MessageID)
			}
			if err := verifySignature(flaky.Secret, r.Header, r.Body); err != nil {
				t.Errorf("request %d: %v", i, err)
			}
		}
		if gap := got[1].At.Sub(got[0].At); gap < 150*time.Millisecond {
			t.Errorf("first retry after %v, want >= 150ms", gap)
		}
		if gap := got[2].At.Sub(got[1].At); gap < 300*time.Millisecond {
			t.Errorf("second retry after %v, want >= 300ms", gap)
		}
		ep, _ := st.GetWebhookEndpoint(e.Ctx, model.PlatformScope(), flaky.ID)
		if !ep.FailingSince.IsZero() || ep.LastSuccessAt.IsZero() || ep.LastFailureAt.IsZero() {
			t.Errorf("flaky endpoint health: failing since %v, last success %v, last failure %v", ep.FailingSince, ep.LastSuccessAt, ep.LastFailureAt)
		}

		d = byURL["/redirect"]
		if d.Status != model.WebhookFailed || !slices.Equal(codes(d), []int{302, 302, 302}) ||
			!strings.Contains(d.LastError, "redirects are not followed") || len(rc.got("/target")) != 0 {
			t.Errorf("redirect delivery = %s %v %q; target hit %d times", d.Status, codes(d), d.LastError, len(rc.got("/target")))
		}
		d = byURL["/down"]
		if d.Status != model.WebhookFailed || d.Attempts != 3 || !d.NextAttemptAt.IsZero() || d.LastStatusCode != 503 {
			t.Errorf("down delivery = %+v, want failed after 3 attempts", d)
		}
		list, _, err := e.WH.ListDeliveries(e.Ctx, e.W.TenantAActor, store.WebhookDeliveryFilter{Status: model.WebhookFailed}, model.ListOptions{})
		authtest.Must(t, "ListDeliveries(failed)", err)
		if len(list) != 2 {
			t.Errorf("%d failed deliveries listed, want 2", len(list))
		}
	})
}

// TestDeliveryTimeout: a receiver slower than the timeout is a failed
// attempt ("timed out"), retried.
func TestDeliveryTimeout(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
			if n == 1 {
				select {
				case <-r.Context().Done():
				case <-time.After(5 * time.Second):
				}
				return
			}
			w.WriteHeader(http.StatusOK)
		})
		cfg := testConfig()
		cfg.Timeout = 300 * time.Millisecond
		e := newEnv(t, st, cfg)
		e.endpoint(t, e.W.TenantAActor, rc.url("/slow"), "*")
		e.start(t)
		p, err := e.WH.Publish(e.Ctx, e.W.A.ID, notify.Event{Type: model.EventFaxFailed})
		authtest.Must(t, "Publish", err)
		d := e.waitFinal(t, p.DeliveryIDs[0])
		if d.Status != model.WebhookSucceeded || len(d.AttemptLog) != 2 {
			t.Fatalf("delivery = %+v, want success on the 2nd attempt", d)
		}
		a := d.AttemptLog[0]
		if a.Error != "timed out after 300ms" || a.StatusCode != 0 || a.Duration < 300*time.Millisecond || a.Duration > 3*time.Second {
			t.Errorf("timed-out attempt = %+v", a)
		}
	})
}

// TestDeliveryRetryWindow: no attempt is retried more than 24 h after the
// event, whatever the schedule says.
func TestDeliveryRetryWindow(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		rc := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) })
		e := newEnv(t, st, testConfig())
		e.endpoint(t, e.W.TenantAActor, rc.url("/x"), "*")
		p, err := e.WH.Publish(e.Ctx, e.W.A.ID, notify.Event{Type: model.EventFaxFailed})
		authtest.Must(t, "Publish", err)
		e.Clock.Advance(24*time.Hour + time.Second) // the workers only start now
		e.start(t)
		d := e.waitFinal(t, p.DeliveryIDs[0])
		if d.Status != model.WebhookFailed || d.Attempts != 1 || len(rc.got("/x")) != 1 {
			t.Errorf("delivery = %s after %d attempts (%d requests), want failed after 1", d.Status, d.Attempts, len(rc.got("/x")))
		}
	})
}

// TestTransactionalPublish: an event published in a transaction that rolls
// back leaves no delivery and no job; one that commits is delivered.
func TestTransactionalPublish(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		rc := newReceiver(t, nil)
		e := newEnv(t, st, testConfig())
		e.endpoint(t, e.W.TenantAActor, rc.url("/tx"), "*")
		e.start(t)

		tx, err := st.DB().BeginTx(e.Ctx, nil)
		authtest.Must(t, "BeginTx", err)
		lost, err := e.WH.PublishTx(e.Ctx, tx, e.W.A.ID, notify.Event{Type: model.EventFaxCanceled})
		authtest.Must(t, "PublishTx(rolled back)", err)
		authtest.Must(t, "Rollback", tx.Rollback())

		tx, err = st.DB().BeginTx(e.Ctx, nil)
		authtest.Must(t, "BeginTx", err)
		kept, err := e.WH.PublishTx(e.Ctx, tx, e.W.A.ID, notify.Event{Type: model.EventFaxDelivered})
		authtest.Must(t, "PublishTx(committed)", err)
		authtest.Must(t, "Commit", tx.Commit())

		e.waitFinal(t, kept.DeliveryIDs[0])
		_, err = st.GetWebhookDelivery(e.Ctx, model.PlatformScope(), lost.DeliveryIDs[0])
		wantErrIs(t, "rolled-back delivery", err, model.ErrNotFound)
		var jobs int
		authtest.Must(t, "count jobs", st.DB().QueryRowContext(e.Ctx,
			`SELECT COUNT(*) FROM river_job WHERE kind = 'webhook_delivery'`).Scan(&jobs))
		if jobs != 1 {
			t.Errorf("%d webhook_delivery jobs, want 1 (the committed one)", jobs)
		}
		got := rc.got("")
		if len(got) != 1 || got[0].Header.Get("webhook-id") != kept.MessageID {
			t.Errorf("receiver got %d requests, want only the committed event", len(got))
		}
	})
}

// TestDeliverySSRFGuard: with private targets refused, deliveries to
// loopback addresses fail before any byte is sent, whether the address is
// literal (IPv4, IPv6, IPv4-mapped IPv6) or a name re-pointed at 127.0.0.1
// after registration (DNS rebinding); with private targets allowed the
// same deliveries arrive, proving it is the guard that stops them.
func TestDeliverySSRFGuard(t *testing.T) {
	for _, eng := range storetest.Engines() {
		for _, allow := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/allow_private=%v", eng.Name, allow), func(t *testing.T) { testDeliveryGuard(t, eng.Open(t), allow) })
		}
	}
}

func testDeliveryGuard(t *testing.T, st *store.Store, allow bool) {
	rc := newReceiver(t, nil)
	port := rc.srv.URL[strings.LastIndex(rc.srv.URL, ":")+1:]
	dns := startDNS(t)
	dns.set("rebind.test", "93.184.215.14")
	cfg := testConfig()
	cfg.AllowPrivateTargets, cfg.Resolver, cfg.Schedule = allow, dns.resolver(), []time.Duration{}
	e := newEnv(t, st, cfg)
	rebind := e.endpoint(t, e.W.TenantAActor, "http://rebind.test:"+port+"/rebind", "*")
	if !allow {
		_, err := e.WH.Create(e.Ctx, e.W.TenantAActor, notify.WebhookInput{URL: rc.url("/direct"), Events: []string{"*"}})
		wantInvalid(t, "register 127.0.0.1", err, "url", "loopback")
	}
	dns.set("rebind.test", "127.0.0.1") // after registration
	e.start(t)
	secret := notify.NewWebhookSecret()
	targets := []notify.WebhookTarget{
		{URL: "http://127.0.0.1:" + port + "/literal", Secret: secret},
		{URL: "http://[::ffff:127.0.0.1]:" + port + "/mapped", Secret: secret},
	}
	if !allow { // nothing listens on ::1; when allowed the attempt would fail for another reason
		targets = append(targets, notify.WebhookTarget{URL: "http://[::1]:" + port + "/v6", Secret: secret})
	}
	p, err := e.WH.Publish(e.Ctx, e.W.A.ID, notify.Event{Type: model.EventFaxReceived}, targets...)
	authtest.Must(t, "Publish", err)
	if len(p.DeliveryIDs) != 1+len(targets) {
		t.Fatalf("%d deliveries, want %d", len(p.DeliveryIDs), 1+len(targets))
	}
	for _, id := range p.DeliveryIDs {
		d := e.waitFinal(t, id)
		switch {
		case allow && d.Status != model.WebhookSucceeded:
			t.Errorf("%s with private targets allowed: %s %q", d.URL, d.Status, d.LastError)
		case !allow && (d.Status != model.WebhookFailed || !strings.Contains(d.LastError, "refused by the SSRF guard") ||
			!strings.Contains(d.LastError, "loopback")):
			t.Errorf("%s with private targets refused: %s %q", d.URL, d.Status, d.LastError)
		}
	}
	if n := len(rc.got("")); allow && n != 3 || !allow && n != 0 {
		t.Errorf("receiver got %d requests (allow=%v)", n, allow)
	}
	if allow {
		r := rc.got("/rebind")
		if len(r) != 1 || verifySignature(rebind.Secret, r[0].Header, r[0].Body) != nil ||
			verifySignature(secret, rc.got("/literal")[0].Header, rc.got("/literal")[0].Body) != nil {
			t.Error("allowed deliveries are not signed with their endpoint's or target's secret")
		}
	}
}

// TestExtraTargets: per-DID targets are delivered with their own secret;
// one equal to an endpoint's URL is sent once; unusable ones are skipped.
func TestExtraTargets(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		rc := newReceiver(t, nil)
		e := newEnv(t, st, testConfig())
		ep := e.endpoint(t, e.W.TenantAActor, rc.url("/tenant"), model.EventFaxReceived)
		e.start(t)
		didSecret := notify.NewWebhookSecret()
		p, err := e.WH.Publish(e.Ctx, e.W.A.ID, notify.Event{Type: model.EventFaxReceived, Data: faxData{FaxID: "fax_in"}},
			notify.WebhookTarget{URL: rc.url("/did"), Secret: didSecret},
			notify.WebhookTarget{URL: rc.url("/tenant"), Secret: didSecret},
			notify.WebhookTarget{URL: "ftp://nope", Secret: didSecret},
			notify.WebhookTarget{URL: rc.url("/nosecret"), Secret: "plain"})
		authtest.Must(t, "Publish", err)
		if len(p.DeliveryIDs) != 2 {
			t.Fatalf("%d deliveries, want 2 (endpoint + DID target)", len(p.DeliveryIDs))
		}
		for _, id := range p.DeliveryIDs {
			if d := e.waitFinal(t, id); d.Status != model.WebhookSucceeded {
				t.Errorf("delivery %s: %s %q", d.URL, d.Status, d.LastError)
			}
		}
		did, tenant := rc.got("/did"), rc.got("/tenant")
		if len(did) != 1 || len(tenant) != 1 || len(rc.got("/nosecret")) != 0 {
			t.Fatalf("requests: did %d, tenant %d, nosecret %d", len(did), len(tenant), len(rc.got("/nosecret")))
		}
		if verifySignature(didSecret, did[0].Header, did[0].Body) != nil || verifySignature(ep.Secret, tenant[0].Header, tenant[0].Body) != nil {
			t.Error("target or endpoint delivery not signed with its own secret")
		}
		if did[0].Header.Get("webhook-id") != tenant[0].Header.Get("webhook-id") {
			t.Error("one event has different webhook-ids on its targets")
		}
		list, _, err := e.WH.ListDeliveries(e.Ctx, e.W.TenantAActor, store.WebhookDeliveryFilter{MessageID: p.MessageID}, model.ListOptions{})
		authtest.Must(t, "ListDeliveries", err)
		if len(list) != 2 {
			t.Errorf("tenant lists %d deliveries of the message, want 2", len(list))
		}
	})
}

// TestAutoDisable: a 410 Gone disables the endpoint at once; an endpoint
// that has failed for 5 days is disabled at its next failure, and its
// pending retries end as failed without another request.
func TestAutoDisable(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		rc := newReceiver(t, func(_ int, w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/gone" {
				w.WriteHeader(http.StatusGone)
				return
			}
			w.WriteHeader(http.StatusInternalServerError)
		})
		e := newEnv(t, st, testConfig())
		gone := e.endpoint(t, e.W.TenantAActor, rc.url("/gone"), "*")
		sick := e.endpoint(t, e.W.TenantAActor, rc.url("/sick"), "*")
		raw, err := st.GetWebhookEndpoint(e.Ctx, model.PlatformScope(), sick.ID)
		authtest.Must(t, "GetWebhookEndpoint", err)
		raw.FailingSince = e.Clock.Now().Add(-notify.DefaultAutoDisableAfter - time.Second)
		authtest.Must(t, "UpdateWebhookEndpoint", st.UpdateWebhookEndpoint(e.Ctx, model.PlatformScope(), &raw))
		e.start(t)
		p, err := e.WH.Publish(e.Ctx, e.W.A.ID, notify.Event{Type: model.EventFaxFailed})
		authtest.Must(t, "Publish", err)
		for _, id := range p.DeliveryIDs {
			d := e.waitFinal(t, id)
			if d.Status != model.WebhookFailed || d.Attempts != 1 {
				t.Errorf("%s: %s after %d attempts (%q), want failed after 1", d.URL, d.Status, d.Attempts, d.LastError)
			}
			if strings.HasSuffix(d.URL, "/sick") && d.LastError != "the endpoint is disabled" {
				t.Errorf("sick endpoint's delivery ended with %q", d.LastError)
			}
		}
		for _, c := range []struct {
			ep     model.WebhookEndpoint
			reason string
		}{{gone, "410 Gone"}, {sick, "no successful delivery since"}} {
			got, err := e.WH.Get(e.Ctx, e.W.TenantAActor, c.ep.ID)
			authtest.Must(t, "Get", err)
			if got.Enabled || !strings.Contains(got.DisabledReason, c.reason) {
				t.Errorf("%s: enabled %v, reason %q; want disabled with %q", c.ep.URL, got.Enabled, got.DisabledReason, c.reason)
			}
			evs := e.Events(t, model.ActionWebhookAutoDisabled, c.ep.ID)
			if len(evs) != 1 || evs[0].TenantID != e.W.A.ID || evs[0].ActorEmail != "system" {
				t.Errorf("%s: auto-disable audit events %+v", c.ep.URL, evs)
			}
		}
		if len(rc.got("/gone")) != 1 || len(rc.got("/sick")) != 1 {
			t.Errorf("requests: gone %d, sick %d; want 1 each", len(rc.got("/gone")), len(rc.got("/sick")))
		}
		// Disabled endpoints get nothing new.
		p, err = e.WH.Publish(e.Ctx, e.W.A.ID, notify.Event{Type: model.EventFaxFailed})
		authtest.Must(t, "Publish after disable", err)
		if len(p.DeliveryIDs) != 0 {
			t.Errorf("%d deliveries to disabled endpoints", len(p.DeliveryIDs))
		}
	})
}

// TestRotationSignatures: during the overlap after a rotation that keeps
// the previous secret, deliveries carry two signatures (new and old);
// without overlap, or after it, only the new one.
func TestRotationSignatures(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		rc := newReceiver(t, nil)
		e := newEnv(t, st, testConfig())
		ep := e.endpoint(t, e.W.TenantAActor, rc.url("/rot"), "*")
		e.start(t)
		deliver := func() received {
			t.Helper()
			p, err := e.WH.Publish(e.Ctx, e.W.A.ID, notify.Event{Type: model.EventFaxDelivered})
			authtest.Must(t, "Publish", err)
			if d := e.waitFinal(t, p.DeliveryIDs[0]); d.Status != model.WebhookSucceeded {
				t.Fatalf("delivery %s: %q", d.Status, d.LastError)
			}
			got := rc.got("/rot")
			return got[len(got)-1]
		}
		r1, err := e.WH.RotateSecret(e.Ctx, e.W.TenantAActor, ep.ID, notify.WebhookRotation{KeepPrevious: true})
		authtest.Must(t, "RotateSecret(keep)", err)
		r := deliver()
		sigs := strings.Fields(r.Header.Get("webhook-signature"))
		if len(sigs) != 2 || verifySignature(r1.Secret, r.Header, r.Body) != nil || verifySignature(ep.Secret, r.Header, r.Body) != nil {
			t.Errorf("during overlap: %d signatures; new ok %v, old ok %v", len(sigs),
				verifySignature(r1.Secret, r.Header, r.Body), verifySignature(ep.Secret, r.Header, r.Body))
		}
		e.Clock.Advance(notify.DefaultRotationOverlap + time.Second)
		r = deliver()
		if len(strings.Fields(r.Header.Get("webhook-signature"))) != 1 || verifySignature(ep.Secret, r.Header, r.Body) == nil ||
			verifySignature(r1.Secret, r.Header, r.Body) != nil {
			t.Errorf("after overlap: signature header %q", r.Header.Get("webhook-signature"))
		}
		r2, err := e.WH.RotateSecret(e.Ctx, e.W.TenantAActor, ep.ID, notify.WebhookRotation{})
		authtest.Must(t, "RotateSecret(revoke)", err)
		r = deliver()
		if verifySignature(r2.Secret, r.Header, r.Body) != nil || verifySignature(r1.Secret, r.Header, r.Body) == nil {
			t.Errorf("after rotation without overlap: signature header %q", r.Header.Get("webhook-signature"))
		}
	})
}

// TestRedeliverAndSendTest covers the manual actions of the delivery log
// and their isolation between tenants.
func TestRedeliverAndSendTest(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		var healthy atomic.Bool
		rc := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
			if healthy.Load() {
				w.WriteHeader(http.StatusOK)
				return
			}
			w.WriteHeader(http.StatusInternalServerError)
		})
		cfg := testConfig()
		cfg.Schedule = []time.Duration{}
		e := newEnv(t, st, cfg)
		ep := e.endpoint(t, e.W.TenantAActor, rc.url("/r"), model.EventFaxFailed)
		e.start(t)

		d, err := e.WH.SendTest(e.Ctx, e.W.TenantAActor, ep.ID)
		authtest.Must(t, "SendTest", err)
		if d.EventType != model.EventWebhookTest || d.EndpointID != ep.ID {
			t.Errorf("test delivery = %+v", d)
		}
		if evs := e.Events(t, "webhook.test_sent", ep.ID); len(evs) != 1 {
			t.Errorf("webhook.test_sent audit events = %+v", evs)
		}
		d = e.waitFinal(t, d.ID)
		if d.Status != model.WebhookFailed || d.Attempts != 1 {
			t.Fatalf("test delivery to a failing receiver = %s after %d", d.Status, d.Attempts)
		}
		body := string(rc.got("/r")[0].Body)
		if !strings.Contains(body, `"type":"webhook.test"`) || !strings.Contains(body, ep.ID) {
			t.Errorf("test event body %s", body)
		}

		// Redelivery: not for another tenant, not while retrying; then once.
		_, err = e.WH.Redeliver(e.Ctx, e.W.TenantBActor, d.ID)
		wantErrIs(t, "tenant B Redeliver", err, model.ErrNotFound)
		_, err = e.WH.GetDelivery(e.Ctx, e.W.TenantBActor, d.ID)
		wantErrIs(t, "tenant B GetDelivery", err, model.ErrNotFound)
		_, err = e.WH.Redeliver(e.Ctx, e.W.UserAActor, d.ID)
		wantErrIs(t, "user Redeliver", err, model.ErrForbidden)
		healthy.Store(true)
		r, err := e.WH.Redeliver(e.Ctx, e.W.TenantAActor, d.ID)
		authtest.Must(t, "Redeliver", err)
		if r.Status.Final() {
			// The worker may already be done; otherwise it must be pending.
			t.Logf("redelivery finished before Redeliver returned: %s", r.Status)
		} else if r.Status != model.WebhookPending {
			t.Errorf("redelivered status %s, want pending", r.Status)
		}
		r = e.waitFinal(t, d.ID)
		got := rc.got("/r")
		if r.Status != model.WebhookSucceeded || r.Attempts != 2 || len(got) != 2 ||
			got[1].Header.Get("webhook-id") != got[0].Header.Get("webhook-id") || string(got[1].Body) != body {
			t.Errorf("after redelivery: %s, %d attempts, %d requests", r.Status, r.Attempts, len(got))
		}
		if evs := e.Events(t, model.ActionWebhookRedelivered, d.ID); len(evs) != 1 {
			t.Errorf("%d webhook.redelivered events, want 1", len(evs))
		}

		// Cross-tenant views of the log; the admin sees everything.
		for _, c := range []struct {
			actor model.Actor
			want  int
		}{{e.W.TenantAActor, 1}, {e.W.TenantBActor, 0}, {e.W.AdminActor, 1}} {
			list, _, err := e.WH.ListDeliveries(e.Ctx, c.actor, store.WebhookDeliveryFilter{EndpointID: ep.ID}, model.ListOptions{})
			authtest.Must(t, "ListDeliveries", err)
			if len(list) != c.want {
				t.Errorf("%s lists %d deliveries, want %d", c.actor.Email, len(list), c.want)
			}
		}
		full, err := e.WH.GetDelivery(e.Ctx, e.W.AdminActor, d.ID)
		authtest.Must(t, "admin GetDelivery", err)
		if len(full.AttemptLog) != 2 || full.AttemptLog[0].StatusCode != 500 || full.AttemptLog[1].StatusCode != 200 {
			t.Errorf("attempt log = %+v", full.AttemptLog)
		}

		// A disabled endpoint cannot be tested or redelivered to.
		off := false
		_, err = e.WH.Update(e.Ctx, e.W.TenantAActor, ep.ID, notify.WebhookPatch{Enabled: &off})
		authtest.Must(t, "disable", err)
		_, err = e.WH.SendTest(e.Ctx, e.W.TenantAActor, ep.ID)
		wantInvalid(t, "SendTest(disabled)", err, "endpoint", "disabled")
		_, err = e.WH.Redeliver(e.Ctx, e.W.TenantAActor, d.ID)
		wantInvalid(t, "Redeliver(disabled)", err, "endpoint", "disabled")
	})
}

// TestRedeliverPending: a delivery whose automatic attempts are still due
// cannot be redelivered by hand (its job would run twice).
func TestRedeliverPending(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		rc := newReceiver(t, nil)
		e := newEnv(t, st, testConfig()) // workers not started: the delivery stays pending
		e.endpoint(t, e.W.TenantAActor, rc.url("/p"), "*")
		p, err := e.WH.Publish(e.Ctx, e.W.A.ID, notify.Event{Type: model.EventFaxQueued})
		authtest.Must(t, "Publish", err)
		_, err = e.WH.Redeliver(e.Ctx, e.W.TenantAActor, p.DeliveryIDs[0])
		wantErrIs(t, "Redeliver(pending)", err, model.ErrConflict)
		d, err := e.WH.GetDelivery(e.Ctx, e.W.TenantAActor, p.DeliveryIDs[0])
		authtest.Must(t, "GetDelivery", err)
		if d.Status != model.WebhookPending || d.Attempts != 0 || !d.NextAttemptAt.Equal(e.Clock.Now()) {
			t.Errorf("pending delivery = %+v", d)
		}
	})
}

// TestCleanupJob: the webhook_cleanup job deletes final deliveries older
// than the retention and keeps newer ones.
func TestCleanupJob(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		rc := newReceiver(t, nil)
		cfg := testConfig()
		cfg.DeliveryRetention = 7 * 24 * time.Hour
		e := newEnv(t, st, cfg)
		e.endpoint(t, e.W.TenantAActor, rc.url("/c"), "*")
		e.start(t)
		old, err := e.WH.Publish(e.Ctx, e.W.A.ID, notify.Event{Type: model.EventFaxQueued})
		authtest.Must(t, "Publish(old)", err)
		e.waitFinal(t, old.DeliveryIDs[0])
		e.Clock.Advance(8 * 24 * time.Hour)
		fresh, err := e.WH.Publish(e.Ctx, e.W.A.ID, notify.Event{Type: model.EventFaxDelivered})
		authtest.Must(t, "Publish(fresh)", err)
		e.waitFinal(t, fresh.DeliveryIDs[0])
		authtest.Must(t, "insert clean-up", e.Jobs.Insert(e.Ctx, notify.WebhookCleanupArgs{},
			&river.InsertOpts{Queue: notify.WebhookQueue}))
		deadline := time.Now().Add(30 * time.Second)
		for {
			_, err := st.GetWebhookDelivery(e.Ctx, model.PlatformScope(), old.DeliveryIDs[0])
			if errors.Is(err, model.ErrNotFound) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("old delivery still there after 30 s: %v", err)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if _, err := st.GetWebhookDelivery(e.Ctx, model.PlatformScope(), fresh.DeliveryIDs[0]); err != nil {
			t.Errorf("fresh delivery: %v", err)
		}
	})
}
