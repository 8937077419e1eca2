package faxin_test

import (
	"strings"
	"testing"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/faxin"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// TestRotateDIDSecret: tenant admins and admins replace a DID webhook's
// signing secret (stored, audited); users, other tenants and DIDs without
// a webhook are refused.
func TestRotateDIDSecret(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, false)
		hooked := e.did(t, "+12025550170", e.W.A.ID)
		plain := e.did(t, "+12025550171", e.W.A.ID)
		hooked, err := e.Svc.UpdateRouting(e.Ctx, e.W.TenantAActor, hooked.ID, faxin.RoutingInput{
			UserID: &e.W.UserA.ID, WebhookURL: ptr("https://hooks.a.example/in")})
		authtest.Must(t, "UpdateRouting", err)
		first := hooked.WebhookSecret

		for _, tc := range []struct {
			name  string
			actor model.Actor
			id    string
			check func(t *testing.T, err error)
		}{
			{"user routed to it", e.W.UserAActor, hooked.ID, func(t *testing.T, err error) { wantIs(t, "user", err, model.ErrForbidden) }},
			{"other tenant", e.W.TenantBActor, hooked.ID, func(t *testing.T, err error) { wantIs(t, "tenant B", err, model.ErrNotFound) }},
			{"no webhook", e.W.TenantAActor, plain.ID, func(t *testing.T, err error) { wantField(t, "no webhook", err, "webhook_url") }},
			{"unknown", e.W.TenantAActor, "did_aaaaaaaaaaaaaaaa", func(t *testing.T, err error) { wantIs(t, "unknown", err, model.ErrNotFound) }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.Svc.RotateDIDSecret(e.Ctx, tc.actor, tc.id)
				tc.check(t, err)
			})
		}
		if got, _ := st.GetDID(e.Ctx, model.PlatformScope(), hooked.ID); got.WebhookSecret != first {
			t.Fatal("a refused rotation changed the secret")
		}

		seen := map[string]bool{first: true}
		for _, actor := range []model.Actor{e.W.TenantAActor, e.W.AdminActor} {
			d, err := e.Svc.RotateDIDSecret(e.Ctx, actor, hooked.ID)
			authtest.Must(t, "RotateDIDSecret", err)
			if !strings.HasPrefix(d.WebhookSecret, "whsec_") || seen[d.WebhookSecret] {
				t.Errorf("rotated secret %q (earlier: %v)", d.WebhookSecret, seen)
			}
			seen[d.WebhookSecret] = true
			stored, err := st.GetDID(e.Ctx, model.PlatformScope(), hooked.ID)
			authtest.Must(t, "GetDID", err)
			if stored.WebhookSecret != d.WebhookSecret || stored.WebhookURL != "https://hooks.a.example/in" ||
				stored.UserID != e.W.UserA.ID {
				t.Errorf("stored after rotation = %+v", stored)
			}
		}
		n := 0
		for _, ev := range e.Events(t, model.ActionWebhookSecretRotated) {
			if ev.TargetID == hooked.ID && strings.Contains(ev.Detail, hooked.Number) {
				n++
			}
		}
		if n != 2 {
			t.Errorf("%d %s audit events for the DID, want 2", n, model.ActionWebhookSecretRotated)
		}
	})
}
