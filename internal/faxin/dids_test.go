package faxin_test

import (
	"errors"
	"strings"
	"testing"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/faxin"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
)

func forEachEngine(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) { fn(t, e.Open(t)) })
	}
}

func ptr[T any](v T) *T { return &v }

func wantIs(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: error = %v, want %v", what, err, target)
	}
}

func wantField(t *testing.T, what string, err error, field string) {
	t.Helper()
	var ve *model.ValidationError
	if !errors.As(err, &ve) || ve.Fields[field] == "" {
		t.Errorf("%s: error = %v, want a validation error on %q", what, err, field)
	}
}

func TestDIDPool(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, false)
		admin := e.W.AdminActor
		d, err := e.Svc.AddDID(e.Ctx, admin, faxin.DIDInput{Number: "(202) 555-0100", Label: "main"})
		authtest.Must(t, "AddDID", err)
		if d.Number != "+12025550100" || d.Assigned() || d.Action != model.DIDInbox {
			t.Errorf("added DID = %+v", d)
		}
		_, err = e.Svc.AddDID(e.Ctx, admin, faxin.DIDInput{Number: "+1 202 555 0100"})
		var ce *model.ConflictError
		if !errors.As(err, &ce) || ce.Field != "number" {
			t.Errorf("duplicate number: %v", err)
		}
		for _, tc := range []struct {
			name  string
			actor model.Actor
			in    faxin.DIDInput
			check func(error)
		}{
			{"tenant admin", e.W.TenantAActor, faxin.DIDInput{Number: "+12025550101"}, func(err error) { wantIs(t, "tenant adds", err, model.ErrForbidden) }},
			{"user", e.W.UserAActor, faxin.DIDInput{Number: "+12025550101"}, func(err error) { wantIs(t, "user adds", err, model.ErrForbidden) }},
			{"garbage", admin, faxin.DIDInput{Number: "555"}, func(err error) { wantField(t, "555", err, "number") }},
			{"letters", admin, faxin.DIDInput{Number: "+1 202 FAX ME"}, func(err error) { wantField(t, "letters", err, "number") }},
			{"unknown tenant", admin, faxin.DIDInput{Number: "+12025550101", TenantID: "ten_aaaaaaaaaaaaaaaa"}, func(err error) { wantField(t, "tenant", err, "tenant_id") }},
			{"long label", admin, faxin.DIDInput{Number: "+12025550101", Label: strings.Repeat("x", 101)}, func(err error) { wantField(t, "label", err, "label") }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.Svc.AddDID(e.Ctx, tc.actor, tc.in)
				tc.check(err)
			})
		}

		// A range: 0100 exists, the rest is added.
		res, err := e.Svc.AddDIDRange(e.Ctx, admin, "+12025550100", "+12025550119", e.W.A.ID, "")
		authtest.Must(t, "AddDIDRange", err)
		if len(res.Created) != 19 || len(res.Existing) != 1 || res.Existing[0] != "+12025550100" || len(res.Invalid) != 0 {
			t.Fatalf("range result: %d created, existing %v, invalid %v", len(res.Created), res.Existing, res.Invalid)
		}
		if res.Created[0].TenantID != e.W.A.ID {
			t.Errorf("range DID tenant = %q", res.Created[0].TenantID)
		}
		// The largest range: 10,000 numbers in one call.
		res, err = e.Svc.AddDIDRange(e.Ctx, admin, "+1 202 556 0000", "+1 202 556 9999", "", "bulk")
		authtest.Must(t, "AddDIDRange 10000", err)
		if len(res.Created) != faxin.DefaultMaxRange || res.Created[9999].Number != "+12025569999" {
			t.Errorf("max range: %d created", len(res.Created))
		}
		for _, tc := range []struct{ name, from, to, field string }{
			{"reversed", "+12025550200", "+12025550100", "to"},
			{"too many", "+12025570000", "+12025580000", "to"},
			{"lengths", "+12025550100", "+4420794600000", "to"},
			{"bad from", "12", "+12025550100", "from"},
		} {
			_, err := e.Svc.AddDIDRange(e.Ctx, admin, tc.from, tc.to, "", "")
			wantField(t, "range "+tc.name, err, tc.field)
		}
		// CSV: header, labels, a bad line, a duplicate.
		csv := "number,label\n+44 20 7946 0000,London\n+442079460001\nnot a number\n+12025550105,dup\n"
		res, err = e.Svc.ImportDIDs(e.Ctx, admin, strings.NewReader(csv), "")
		authtest.Must(t, "ImportDIDs", err)
		if len(res.Created) != 2 || res.Created[0].Label != "London" || len(res.Existing) != 1 ||
			len(res.Invalid) != 1 || !strings.HasPrefix(res.Invalid[0], "line 4:") {
			t.Errorf("CSV result: %+v", res)
		}
		_, err = e.Svc.ImportDIDs(e.Ctx, e.W.TenantAActor, strings.NewReader(csv), "")
		wantIs(t, "tenant imports", err, model.ErrForbidden)
		if n := len(e.Events(t, model.ActionDIDCreated)); n != 4 {
			t.Errorf("did.created events = %d, want 4 (one DID, two ranges, one import)", n)
		}
	})
}

func TestDIDAssignRouteRelease(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, false)
		admin, boss, user := e.W.AdminActor, e.W.TenantAActor, e.W.UserAActor
		d := e.did(t, "+12025550150", "")
		other := e.did(t, "+12025550151", e.W.B.ID)

		_, err := e.Svc.AssignDID(e.Ctx, boss, d.ID, e.W.A.ID)
		wantIs(t, "tenant assigns", err, model.ErrForbidden)
		_, err = e.Svc.AssignDID(e.Ctx, admin, d.ID, "ten_aaaaaaaaaaaaaaaa")
		wantField(t, "unknown tenant", err, "tenant_id")
		d, err = e.Svc.AssignDID(e.Ctx, admin, d.ID, e.W.A.ID)
		authtest.Must(t, "AssignDID", err)
		if d.TenantID != e.W.A.ID || d.AssignedAt.IsZero() {
			t.Fatalf("assigned = %+v", d)
		}

		// Routing validation, table-driven.
		for _, tc := range []struct {
			name  string
			in    faxin.RoutingInput
			field string
		}{
			{"email without addresses", faxin.RoutingInput{Action: ptr(model.DIDEmail)}, "forward_emails"},
			{"bad address", faxin.RoutingInput{ForwardEmails: &[]string{"not-an-address"}}, "forward_emails"},
			{"display name", faxin.RoutingInput{ForwardEmails: &[]string{"Bob <bob@a.example>"}}, "forward_emails"},
			{"eleven addresses", faxin.RoutingInput{ForwardEmails: ptr(strings.Split(strings.Repeat("a@b.example,", 11)[:11*12-1], ","))}, "forward_emails"},
			{"bad action", faxin.RoutingInput{Action: ptr(model.DIDAction("forward"))}, "action"},
			{"user of B", faxin.RoutingInput{UserID: &e.W.UserB.ID}, "user_id"},
			{"station too long", faxin.RoutingInput{StationID: ptr(strings.Repeat("1", 21))}, "station_id"},
			{"station not ASCII", faxin.RoutingInput{StationID: ptr("Fax ☎")}, "station_id"},
			{"webhook not a URL", faxin.RoutingInput{WebhookURL: ptr("ftp://x")}, "webhook_url"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.Svc.UpdateRouting(e.Ctx, boss, d.ID, tc.in)
				wantField(t, tc.name, err, tc.field)
			})
		}
		in := faxin.RoutingInput{Action: ptr(model.DIDEmail), ForwardEmails: &[]string{"x@a.example", " y@a.example", "X@a.example"},
			UserID: &e.W.UserA.ID, WebhookURL: ptr("https://hooks.a.example/in"), StationID: ptr("+1 202 555 0150")}
		d, err = e.Svc.UpdateRouting(e.Ctx, boss, d.ID, in)
		authtest.Must(t, "UpdateRouting", err)
		if d.Action != model.DIDEmail || len(d.ForwardEmails) != 2 || d.UserID != e.W.UserA.ID ||
			!strings.HasPrefix(d.WebhookSecret, "whsec_") || d.StationID != "+1 202 555 0150" {
			t.Errorf("routed = %+v", d)
		}
		_, err = e.Svc.UpdateRouting(e.Ctx, user, d.ID, faxin.RoutingInput{Action: ptr(model.DIDInbox)})
		wantIs(t, "user routes", err, model.ErrForbidden)
		_, err = e.Svc.UpdateRouting(e.Ctx, e.W.TenantBActor, d.ID, faxin.RoutingInput{Action: ptr(model.DIDInbox)})
		wantIs(t, "other tenant routes", err, model.ErrNotFound)

		// Visibility.
		got, err := e.Svc.GetDID(e.Ctx, user, d.ID)
		authtest.Must(t, "user GetDID", err)
		if got.WebhookSecret != "" {
			t.Error("a user sees the DID's webhook secret")
		}
		_, err = e.Svc.GetDID(e.Ctx, boss, other.ID)
		wantIs(t, "A sees B's DID", err, model.ErrNotFound)
		_, err = e.Svc.GetDID(e.Ctx, e.W.UserBActor, d.ID)
		wantIs(t, "B's user sees A's DID", err, model.ErrNotFound)
		list := func(a model.Actor, f store.DIDFilter) []string {
			t.Helper()
			items, _, err := e.Svc.ListDIDs(e.Ctx, a, f, model.ListOptions{})
			authtest.Must(t, "ListDIDs", err)
			var out []string
			for _, it := range items {
				out = append(out, it.Number)
			}
			return out
		}
		if got := list(boss, store.DIDFilter{TenantID: e.W.B.ID}); len(got) != 1 || got[0] != d.Number {
			t.Errorf("tenant A list = %v", got)
		}
		if got := list(e.W.UserBActor, store.DIDFilter{}); len(got) != 0 {
			t.Errorf("user B list = %v (no DID routed to them)", got)
		}
		if got := list(admin, store.DIDFilter{}); len(got) != 2 {
			t.Errorf("admin list = %v", got)
		}

		// Release clears everything; the DID is back in the pool.
		_, err = e.Svc.ReleaseDID(e.Ctx, boss, d.ID)
		wantIs(t, "tenant releases", err, model.ErrForbidden)
		d, err = e.Svc.ReleaseDID(e.Ctx, admin, d.ID)
		authtest.Must(t, "ReleaseDID", err)
		want := model.DID{ID: d.ID, Number: d.Number, Action: model.DIDInbox, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
		stored, err := st.GetDID(e.Ctx, model.PlatformScope(), d.ID)
		authtest.Must(t, "GetDID", err)
		if stored.TenantID != "" || stored.UserID != "" || stored.ForwardEmails != nil || stored.WebhookURL != "" ||
			stored.WebhookSecret != "" || stored.StationID != "" || stored.Action != want.Action || !stored.AssignedAt.IsZero() {
			t.Errorf("released DID = %+v", stored)
		}
		_, err = e.Svc.GetDID(e.Ctx, boss, d.ID)
		wantIs(t, "tenant sees released DID", err, model.ErrNotFound)
		// Re-assigning starts with empty routing.
		d, err = e.Svc.AssignDID(e.Ctx, admin, d.ID, e.W.B.ID)
		authtest.Must(t, "re-assign", err)
		if d.UserID != "" || len(d.ForwardEmails) != 0 {
			t.Errorf("re-assigned DID kept routing: %+v", d)
		}
		authtest.Must(t, "DeleteDID", e.Svc.DeleteDID(e.Ctx, admin, d.ID))
		for _, action := range []string{model.ActionDIDAssigned, model.ActionDIDRouted, model.ActionDIDReleased, model.ActionDIDDeleted} {
			if len(e.Events(t, action)) == 0 {
				t.Errorf("no %s audit event", action)
			}
		}
	})
}
