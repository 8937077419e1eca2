package notify_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/model"
	"faxgate/internal/notify"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
)

func wantErrIs(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: error = %v, want %v", what, err, target)
	}
}

// wantInvalid fails unless err is a *model.ValidationError on field whose
// message contains msg.
func wantInvalid(t *testing.T, what string, err error, field, msg string) {
	t.Helper()
	var ve *model.ValidationError
	if !errors.As(err, &ve) || ve.Fields[field] == "" || !strings.Contains(ve.Fields[field], msg) {
		t.Errorf("%s: error = %v, want ValidationError on %q containing %q", what, err, field, msg)
	}
}

func TestEndpointPermissions(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, testConfig())
		w := e.W
		in := notify.WebhookInput{URL: "http://127.0.0.1:9/a", Events: []string{"*"}}

		// Users have no access at all.
		_, err := e.WH.Create(e.Ctx, w.UserAActor, in)
		wantErrIs(t, "user Create", err, model.ErrForbidden)
		_, _, err = e.WH.List(e.Ctx, w.UserAActor, store.WebhookEndpointFilter{}, model.ListOptions{})
		wantErrIs(t, "user List", err, model.ErrForbidden)
		_, _, err = e.WH.ListDeliveries(e.Ctx, w.UserAActor, store.WebhookDeliveryFilter{}, model.ListOptions{})
		wantErrIs(t, "user ListDeliveries", err, model.ErrForbidden)

		// A tenant admin creates for its own tenant only.
		a, err := e.WH.Create(e.Ctx, w.TenantAActor, in)
		authtest.Must(t, "tenant A Create", err)
		if a.TenantID != w.A.ID || a.Secret == "" || !a.Enabled {
			t.Errorf("created endpoint %+v: want tenant A, a secret, enabled", a)
		}
		other := in
		other.TenantID = w.B.ID
		_, err = e.WH.Create(e.Ctx, w.TenantAActor, other)
		wantInvalid(t, "tenant A Create for B", err, "tenant_id", "no such tenant")

		// The admin must say which tenant.
		_, err = e.WH.Create(e.Ctx, w.AdminActor, in)
		wantInvalid(t, "admin Create without tenant", err, "tenant_id", "required")
		b, err := e.WH.Create(e.Ctx, w.AdminActor, other)
		authtest.Must(t, "admin Create for B", err)

		// Another tenant's endpoint does not exist for B's admin.
		ops := map[string]func(model.Actor) error{
			"Get":    func(ac model.Actor) error { _, err := e.WH.Get(e.Ctx, ac, a.ID); return err },
			"Update": func(ac model.Actor) error { _, err := e.WH.Update(e.Ctx, ac, a.ID, notify.WebhookPatch{}); return err },
			"Rotate": func(ac model.Actor) error {
				_, err := e.WH.RotateSecret(e.Ctx, ac, a.ID, notify.WebhookRotation{})
				return err
			},
			"SendTest": func(ac model.Actor) error { _, err := e.WH.SendTest(e.Ctx, ac, a.ID); return err },
			"Delete":   func(ac model.Actor) error { return e.WH.Delete(e.Ctx, ac, a.ID) },
		}
		for name, op := range ops {
			wantErrIs(t, "tenant B "+name+" of A's endpoint", op(w.TenantBActor), model.ErrNotFound)
			wantErrIs(t, "user A "+name, op(w.UserAActor), model.ErrForbidden)
		}
		_, err = e.WH.Get(e.Ctx, w.TenantAActor, "garbage")
		wantErrIs(t, "Get(garbage id)", err, model.ErrNotFound)

		// Lists: own tenant for tenant admins, everything for the admin.
		ids := func(ac model.Actor, f store.WebhookEndpointFilter) []string {
			list, _, err := e.WH.List(e.Ctx, ac, f, model.ListOptions{})
			authtest.Must(t, "List", err)
			var out []string
			for _, ep := range list {
				if ep.Secret != "" || ep.PreviousSecret != "" {
					t.Errorf("List returned a secret for %s", ep.ID)
				}
				out = append(out, ep.ID)
			}
			return out
		}
		if got := ids(w.TenantAActor, store.WebhookEndpointFilter{}); !slices.Equal(got, []string{a.ID}) {
			t.Errorf("tenant A lists %v, want [%s]", got, a.ID)
		}
		if got := ids(w.TenantBActor, store.WebhookEndpointFilter{TenantID: w.A.ID}); len(got) != 0 {
			t.Errorf("tenant B filtering on tenant A lists %v, want nothing", got)
		}
		if got := ids(w.AdminActor, store.WebhookEndpointFilter{}); !slices.Equal(got, []string{b.ID, a.ID}) {
			t.Errorf("admin lists %v, want [%s %s]", got, b.ID, a.ID)
		}
		got, err := e.WH.Get(e.Ctx, w.AdminActor, a.ID)
		authtest.Must(t, "admin Get", err)
		if got.Secret != "" || got.URL != a.URL {
			t.Errorf("admin Get = %+v, want A's endpoint without secret", got)
		}
		authtest.Must(t, "admin Delete", e.WH.Delete(e.Ctx, w.AdminActor, b.ID))
		if evs := e.Events(t, model.ActionWebhookCreated, a.ID, b.ID); len(evs) != 2 {
			t.Errorf("%d webhook.created events, want 2", len(evs))
		}
		if evs := e.Events(t, model.ActionWebhookDeleted, b.ID); len(evs) != 1 || evs[0].TenantID != w.B.ID {
			t.Errorf("webhook.deleted events = %+v", evs)
		}
	})
}

func TestEndpointValidation(t *testing.T) {
	st := storetest.OpenSQLite(t)
	cfg := testConfig()
	cfg.MaxEndpoints = 3
	e := newEnv(t, st, cfg)
	ac := e.W.TenantAActor
	long := strings.Repeat("x", 501)
	tests := []struct {
		name  string
		in    notify.WebhookInput
		field string
		msg   string
	}{
		{"no url", notify.WebhookInput{Events: []string{"*"}}, "url", "required"},
		{"relative url", notify.WebhookInput{URL: "/hooks", Events: []string{"*"}}, "url", "absolute"},
		{"ftp", notify.WebhookInput{URL: "ftp://example.com/x", Events: []string{"*"}}, "url", "https"},
		{"fragment", notify.WebhookInput{URL: "http://127.0.0.1/x#y", Events: []string{"*"}}, "url", "fragment"},
		{"bad port", notify.WebhookInput{URL: "http://127.0.0.1:99999/", Events: []string{"*"}}, "url", "port"},
		{"too long", notify.WebhookInput{URL: "http://127.0.0.1/" + strings.Repeat("a", 2048), Events: []string{"*"}}, "url", "2048"},
		{"no events", notify.WebhookInput{URL: "http://127.0.0.1/"}, "events", "at least one"},
		{"unknown event", notify.WebhookInput{URL: "http://127.0.0.1/", Events: []string{"fax.exploded"}}, "events", "unknown event type \"fax.exploded\""},
		{"test event", notify.WebhookInput{URL: "http://127.0.0.1/", Events: []string{model.EventWebhookTest}}, "events", "unknown"},
		{"long description", notify.WebhookInput{URL: "http://127.0.0.1/", Events: []string{"*"}, Description: long}, "description", "500"},
		{"control chars", notify.WebhookInput{URL: "http://127.0.0.1/", Events: []string{"*"}, Description: "a\x07b"}, "description", "control"},
		{"bad secret", notify.WebhookInput{URL: "http://127.0.0.1/", Events: []string{"*"}, Secret: "hunter2"}, "secret", "whsec_"},
		{"short secret", notify.WebhookInput{URL: "http://127.0.0.1/", Events: []string{"*"}, Secret: "whsec_c2hvcnQ="}, "secret", "24 to 64"},
	}
	for _, tc := range tests {
		_, err := e.WH.Create(e.Ctx, ac, tc.in)
		wantInvalid(t, tc.name, err, tc.field, tc.msg)
	}

	// Events are normalised: known order, duplicates and case folded, "*" alone.
	ep, err := e.WH.Create(e.Ctx, ac, notify.WebhookInput{URL: "HTTP://127.0.0.1:8/x", Description: "  CRM  ",
		Events: []string{" FAX.FAILED", model.EventFaxQueued, model.EventFaxFailed}})
	authtest.Must(t, "Create", err)
	if !slices.Equal(ep.Events, []string{model.EventFaxQueued, model.EventFaxFailed}) || ep.Description != "CRM" ||
		ep.URL != "http://127.0.0.1:8/x" {
		t.Errorf("normalised endpoint = events %v, description %q, url %q", ep.Events, ep.Description, ep.URL)
	}
	own := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	off := false
	ep2, err := e.WH.Create(e.Ctx, ac, notify.WebhookInput{URL: "http://127.0.0.1:8/y", Secret: own, Enabled: &off,
		Events: []string{model.EventFaxQueued, "*"}})
	authtest.Must(t, "Create with own secret", err)
	if ep2.Secret != own || ep2.Enabled || !slices.Equal(ep2.Events, []string{"*"}) {
		t.Errorf("endpoint with own secret = %+v", ep2)
	}

	// Update validates the same way and keeps what it is not given.
	bad := "ftp://x"
	_, err = e.WH.Update(e.Ctx, ac, ep.ID, notify.WebhookPatch{URL: &bad})
	wantInvalid(t, "Update(bad url)", err, "url", "https")
	none := []string{}
	_, err = e.WH.Update(e.Ctx, ac, ep.ID, notify.WebhookPatch{Events: &none})
	wantInvalid(t, "Update(no events)", err, "events", "at least one")
	desc := "ERP"
	up, err := e.WH.Update(e.Ctx, ac, ep.ID, notify.WebhookPatch{Description: &desc})
	authtest.Must(t, "Update", err)
	if up.Description != "ERP" || up.URL != ep.URL || !slices.Equal(up.Events, ep.Events) || up.Secret != "" {
		t.Errorf("updated endpoint = %+v", up)
	}

	// Audit lines never show a password in the URL.
	cred, err := e.WH.Create(e.Ctx, ac, notify.WebhookInput{URL: "http://hook:s3cr3t@127.0.0.1:8/cred", Events: []string{"*"}})
	authtest.Must(t, "Create with credentials", err)
	evs := e.Events(t, model.ActionWebhookCreated, cred.ID)
	if len(evs) != 1 || strings.Contains(evs[0].Detail, "s3cr3t") || !strings.Contains(evs[0].Detail, "hook:xxxxx@") {
		t.Errorf("audit detail %+v, want the URL with its password redacted", evs)
	}
	authtest.Must(t, "Delete", e.WH.Delete(e.Ctx, ac, cred.ID))

	// The tenant's endpoint count is bounded.
	_, err = e.WH.Create(e.Ctx, ac, notify.WebhookInput{URL: "http://127.0.0.1:8/z", Events: []string{"*"}})
	authtest.Must(t, "third endpoint", err)
	_, err = e.WH.Create(e.Ctx, ac, notify.WebhookInput{URL: "http://127.0.0.1:8/w", Events: []string{"*"}})
	wantInvalid(t, "fourth endpoint", err, "url", "at most 3")
	_, err = e.WH.Create(e.Ctx, e.W.TenantBActor, notify.WebhookInput{URL: "http://127.0.0.1:8/w", Events: []string{"*"}})
	authtest.Must(t, "tenant B's first endpoint", err)
}

// TestEndpointEnableClearsState: enabling an endpoint that faxgate disabled
// clears the reason and the failure streak.
func TestEndpointEnableClearsState(t *testing.T) {
	st := storetest.OpenSQLite(t)
	e := newEnv(t, st, testConfig())
	ep := e.endpoint(t, e.W.TenantAActor, "http://127.0.0.1:8/x", "*")
	raw, err := st.GetWebhookEndpoint(e.Ctx, model.TenantScope(e.W.A.ID), ep.ID)
	authtest.Must(t, "GetWebhookEndpoint", err)
	raw.Enabled, raw.DisabledReason, raw.FailingSince = false, "the receiver answered 410 Gone", e.Clock.Now()
	authtest.Must(t, "UpdateWebhookEndpoint", st.UpdateWebhookEndpoint(e.Ctx, model.TenantScope(e.W.A.ID), &raw))
	on := true
	got, err := e.WH.Update(e.Ctx, e.W.TenantAActor, ep.ID, notify.WebhookPatch{Enabled: &on})
	authtest.Must(t, "Update(enable)", err)
	if !got.Enabled || got.DisabledReason != "" || !got.FailingSince.IsZero() {
		t.Errorf("enabled endpoint = %+v, want reason and failing-since cleared", got)
	}
	if evs := e.Events(t, model.ActionWebhookUpdated, ep.ID); len(evs) != 1 || !strings.Contains(evs[0].Detail, "enabled true") {
		t.Errorf("webhook.updated events = %+v", evs)
	}
}

func TestSecretShownOnceAndRotate(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, testConfig())
		ac := e.W.TenantAActor
		ep := e.endpoint(t, ac, "http://127.0.0.1:8/x", "*")
		if got, _ := e.WH.Get(e.Ctx, ac, ep.ID); got.Secret != "" || got.PreviousSecret != "" {
			t.Errorf("Get shows the secret: %+v", got)
		}
		r, err := e.WH.RotateSecret(e.Ctx, ac, ep.ID, notify.WebhookRotation{KeepPrevious: true})
		authtest.Must(t, "RotateSecret", err)
		if r.Secret == "" || r.Secret == ep.Secret || notify.CheckWebhookSecret(r.Secret) != nil || r.PreviousSecret != "" {
			t.Errorf("rotated endpoint secret %q (old %q), previous shown %q", r.Secret, ep.Secret, r.PreviousSecret)
		}
		if want := e.Clock.Now().Add(notify.DefaultRotationOverlap); !r.PreviousSecretExpiresAt.Equal(want) {
			t.Errorf("previous secret expires %v, want %v", r.PreviousSecretExpiresAt, want)
		}
		raw, _ := st.GetWebhookEndpoint(e.Ctx, model.PlatformScope(), ep.ID)
		if raw.PreviousSecret != ep.Secret {
			t.Errorf("stored previous secret %q, want the old one", raw.PreviousSecret)
		}
		if raw.Secret != r.Secret {
			t.Errorf("stored secret after rotation = %q, want %q", raw.Secret, r.Secret)
		}
		_, err = e.WH.RotateSecret(e.Ctx, ac, ep.ID, notify.WebhookRotation{Secret: r.Secret})
		wantInvalid(t, "rotate to the same secret", err, "secret", "differ")
		_, err = e.WH.RotateSecret(e.Ctx, ac, ep.ID, notify.WebhookRotation{Secret: "whsec_bad"})
		wantInvalid(t, "rotate to a bad secret", err, "secret", "")
		own := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
		r2, err := e.WH.RotateSecret(e.Ctx, ac, ep.ID, notify.WebhookRotation{Secret: own})
		authtest.Must(t, "RotateSecret(own, drop previous)", err)
		raw, _ = st.GetWebhookEndpoint(e.Ctx, model.PlatformScope(), ep.ID)
		if r2.Secret != own || raw.PreviousSecret != "" || !raw.PreviousSecretExpiresAt.IsZero() {
			t.Errorf("after rotation without overlap: secret %q, previous %q until %v", r2.Secret, raw.PreviousSecret, raw.PreviousSecretExpiresAt)
		}
		if n := len(e.Events(t, model.ActionWebhookSecretRotated, ep.ID)); n != 2 {
			t.Errorf("%d webhook.secret_rotated events, want 2", n)
		}
	})
}
