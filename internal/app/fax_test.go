package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"faxgate/internal/app"
	"faxgate/internal/app/apptest"
	"faxgate/internal/auth"
	"faxgate/internal/auth/authtest"
	"faxgate/internal/campaign"
	"faxgate/internal/documents"
	"faxgate/internal/faxin"
	"faxgate/internal/faxout"
	"faxgate/internal/model"
	"faxgate/internal/notify"
	"faxgate/internal/tenancy"
)

// TestFaxWiring: a fresh install has the enabled test trunk; a fax
// submitted through the app's faxout service is dialled by the app's
// workers on the "fax" queue and delivered; a fax to a number of this
// node's DID pool is received by faxin through the test line.
func TestFaxWiring(t *testing.T) {
	apptest.ForEachEngine(t, func(t *testing.T, dsn func(*testing.T) string) {
		a := newApp(t, testConfig(t, dsn(t)), nil)
		ctx := t.Context()
		root, err := a.CreateAdmin(ctx, app.AdminInput{Email: "root@example.com", Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		admin := model.Actor{Role: model.RoleAdmin, UserID: root.ID, Email: root.Email, Via: "cli"}
		trunks, err := a.Faxout().ListTrunks(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		var test *model.Trunk
		for i := range trunks {
			if trunks[i].Kind == model.TrunkTest && trunks[i].Enabled {
				test = &trunks[i]
			}
		}
		if test == nil {
			t.Fatalf("fresh install has no enabled test trunk: %+v", trunks)
		}
		// A fast test trunk ahead of the real-time default keeps the test short.
		enabled := true
		if _, err := a.Faxout().CreateTrunk(ctx, admin, faxout.TrunkInput{Name: "Fast test", Kind: model.TrunkTest,
			Speed: model.SpeedFast, Priority: 1, MaxChannels: 4, Enabled: &enabled, T38: model.T38Request}); err != nil {
			t.Fatal(err)
		}
		ten, err := a.Tenancy().CreateTenant(ctx, admin, tenancy.TenantInput{Name: "Wired"})
		if err != nil {
			t.Fatal(err)
		}
		d, err := a.Documents().Create(ctx, admin, documents.CreateInput{TenantID: ten.ID, Name: "Note",
			Files: []documents.Upload{{Filename: "note.txt", Size: 5, Body: bytes.NewReader([]byte("hello"))}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := a.Stop(sctx); err != nil {
				t.Errorf("stop: %v", err)
			}
		})
		if code, v := getHealth(t, a.Handler()); code != 200 {
			t.Fatalf("healthz %d %v", code, v)
		}
		for d.Status == model.DocumentProcessing {
			time.Sleep(50 * time.Millisecond)
			if d, err = a.Documents().Get(ctx, admin, d.ID); err != nil {
				t.Fatal(err)
			}
		}
		if d.Status != model.DocumentReady {
			t.Fatalf("document %+v", d)
		}
		// The do-not-contact list is enforced on this send path.
		if _, err := a.Contacts().AddDNC(ctx, admin, campaign.DNCInput{TenantID: ten.ID, Number: "+12025550177",
			Note: "asked to stop"}); err != nil {
			t.Fatal(err)
		}
		_, _, err = a.Faxout().Submit(ctx, admin, faxout.SubmitInput{TenantID: ten.ID, To: "+12025550177",
			DocumentID: d.ID})
		var verr *model.ValidationError
		if !errors.As(err, &verr) || verr.Fields["to"] == "" {
			t.Fatalf("submit to a do-not-contact number: got %v, want a validation error on to", err)
		}
		// A number of our own DID pool, assigned to the tenant: the test
		// line hands the call to faxin.
		if _, err := a.Faxin().AddDID(ctx, admin, faxinDIDInput("+12025550142", ten.ID)); err != nil {
			t.Fatal(err)
		}
		out, _, err := a.Faxout().Submit(ctx, admin, faxout.SubmitInput{TenantID: ten.ID, To: "+12025550100",
			DocumentID: d.ID})
		if err != nil {
			t.Fatal(err)
		}
		own, _, err := a.Faxout().Submit(ctx, admin, faxout.SubmitInput{TenantID: ten.ID, To: "+12025550142",
			DocumentID: d.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{out.ID, own.ID} {
			f := waitFinal(t, a, admin, id)
			if f.Status != model.FaxDelivered || len(f.Attempts) == 0 || f.Attempts[0].TrunkName != "Fast test" {
				t.Fatalf("fax %s: %s %s %q, attempts %+v", f.To, f.Status, f.Cause, f.ResultText, f.Attempts)
			}
		}
		var got []model.InboundFax
		for deadline := time.Now().Add(30 * time.Second); len(got) == 0 && time.Now().Before(deadline); {
			if got, _, err = a.Faxin().List(ctx, admin, faxinFilter(ten.ID), model.ListOptions{}); err != nil {
				t.Fatal(err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if len(got) != 1 || got[0].Status != model.FaxReceived || got[0].Pages != own.Pages {
			t.Fatalf("inbox %+v, want the fax sent to our own DID", got)
		}
		var queue string
		if err := a.Store().DB().QueryRowContext(ctx, "SELECT queue FROM river_job WHERE kind = $1 LIMIT 1",
			faxout.KindSend).Scan(&queue); err != nil || queue != faxout.Queue {
			t.Errorf("fax job queue %q (%v), want %q", queue, err, faxout.Queue)
		}
	})
}

func waitFinal(t *testing.T, a *app.App, actor model.Actor, id string) model.Fax {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		f, err := a.Faxout().Get(t.Context(), actor, id)
		if err != nil {
			t.Fatal(err)
		}
		if f.Status == model.FaxDelivered || f.Status == model.FaxFailed || f.Status == model.FaxCanceled ||
			time.Now().After(deadline) {
			return f
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestSMTPWiring: with --email-domain the SMTP server listens and greets;
// shutdown closes it.
func TestSMTPWiring(t *testing.T) {
	cfg := testConfig(t, "")
	cfg.SMTPAddr, cfg.EmailDomain = "127.0.0.1:0", "fax.example.com"
	logs := &syncBuffer{}
	a := newApp(t, cfg, logs)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	waitHealthy(t, a)
	addr := a.SMTPAddr()
	if addr == "" {
		t.Fatalf("SMTP not listening; log:\n%s", logs.String())
	}
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	greeting, err := bufio.NewReader(c).ReadString('\n')
	c.Close()
	if err != nil || !strings.HasPrefix(greeting, "220 ") {
		t.Fatalf("greeting %q %v", greeting, err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return")
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatal("SMTP still accepts connections after shutdown")
	}
}

func faxinDIDInput(number, tenantID string) faxin.DIDInput {
	return faxin.DIDInput{Number: number, TenantID: tenantID, Label: "own line"}
}

func faxinFilter(tenantID string) faxin.InboxFilter { return faxin.InboxFilter{TenantID: tenantID} }

// TestFaxWebhooks: faxout's lifecycle events reach the tenant's webhook
// endpoints through the app's webhooks queue.
func TestFaxWebhooks(t *testing.T) {
	apptest.ForEachEngine(t, func(t *testing.T, dsn func(*testing.T) string) {
		type got struct{ typ, faxID, status string }
		events := make(chan got, 16)
		recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var body struct {
				Type string `json:"type"`
				Data struct {
					FaxID  string `json:"fax_id"`
					Status string `json:"status"`
				} `json:"data"`
			}
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil || r.Header.Get("webhook-signature") == "" {
				http.Error(w, "bad", 400)
				return
			}
			events <- got{body.Type, body.Data.FaxID, body.Data.Status}
		}))
		t.Cleanup(recv.Close)
		cfg := testConfig(t, dsn(t))
		a, err := app.New(cfg, app.WithLogger(slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))),
			app.WithAuthConfig(func(c *auth.Config) { c.Argon2 = authtest.CheapArgon2() }),
			app.WithWebhookConfig(func(c *notify.WebhookConfig) { c.AllowPrivateTargets, c.AllowInsecureHTTP = true, true }))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		ctx := t.Context()
		if err := a.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		root, err := a.CreateAdmin(ctx, app.AdminInput{Email: "root@example.com", Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		admin := model.Actor{Role: model.RoleAdmin, UserID: root.ID, Email: root.Email, Via: "cli"}
		on := true
		if _, err := a.Faxout().CreateTrunk(ctx, admin, faxout.TrunkInput{Name: "Fast test", Kind: model.TrunkTest,
			Speed: model.SpeedFast, Priority: 1, MaxChannels: 4, Enabled: &on, T38: model.T38Request}); err != nil {
			t.Fatal(err)
		}
		ten, err := a.Tenancy().CreateTenant(ctx, admin, tenancy.TenantInput{Name: "Hooked"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Webhooks().Create(ctx, admin, notify.WebhookInput{TenantID: ten.ID, URL: recv.URL + "/hook",
			Events: []string{"*"}}); err != nil {
			t.Fatal(err)
		}
		d, err := a.Documents().Create(ctx, admin, documents.CreateInput{TenantID: ten.ID, Name: "Note",
			Files: []documents.Upload{{Filename: "note.txt", Size: 5, Body: bytes.NewReader([]byte("hello"))}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_ = a.Stop(sctx)
		})
		for d.Status == model.DocumentProcessing {
			time.Sleep(50 * time.Millisecond)
			if d, err = a.Documents().Get(ctx, admin, d.ID); err != nil {
				t.Fatal(err)
			}
		}
		f, _, err := a.Faxout().Submit(ctx, admin, faxout.SubmitInput{TenantID: ten.ID, To: "+12025550100",
			DocumentID: d.ID})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]got{}
		timeout := time.After(60 * time.Second)
		for seen["fax.queued"].faxID == "" || seen["fax.delivered"].faxID == "" {
			select {
			case g := <-events:
				seen[g.typ] = g
			case <-timeout:
				t.Fatalf("webhooks received %+v, want fax.queued and fax.delivered", seen)
			}
		}
		if g := seen["fax.delivered"]; g.faxID != f.ID || g.status != "delivered" {
			t.Fatalf("fax.delivered %+v, want fax %s", g, f.ID)
		}
	})
}
