package storetest

import (
	"testing"
	"time"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

func testAudit(t *testing.T, s *store.Store) {
	c := ctx(t)
	f := newFixture(t, s)
	ev := model.AuditEvent{TenantID: f.a.ID, ActorID: f.aAdmin.ID, ActorEmail: f.aAdmin.Email, IP: "2001:db8::1",
		Action: model.ActionUserCreated, TargetType: "user", TargetID: f.aUser.ID, Detail: "created user@a.example"}
	noErr(t, "InsertAuditEvent", s.InsertAuditEvent(c, &ev))
	if !model.ValidID(model.PrefixAudit, ev.ID) || ev.At.IsZero() {
		t.Errorf("InsertAuditEvent set ID %q At %v", ev.ID, ev.At)
	}
	at := time.Date(2031, 5, 6, 7, 8, 9, 123456789, time.UTC)
	platform := model.AuditEvent{At: at, Action: model.ActionTenantCreated, TargetType: "tenant", TargetID: f.b.ID}
	noErr(t, "InsertAuditEvent(platform)", s.InsertAuditEvent(c, &platform))
	if !platform.At.Equal(at.Truncate(time.Microsecond)) {
		t.Errorf("At = %v, want the given time to the microsecond", platform.At)
	}
	got, next, err := s.ListAuditEvents(c, f.scopeA, store.AuditFilter{}, model.ListOptions{})
	noErr(t, "ListAuditEvents(A)", err)
	diff(t, "ListAuditEvents(A)", got, []model.AuditEvent{ev})
	if next != "" {
		t.Errorf("next cursor %q, want none", next)
	}
	got, _, err = s.ListAuditEvents(c, model.PlatformScope(), store.AuditFilter{}, model.ListOptions{})
	noErr(t, "ListAuditEvents(platform)", err)
	diff(t, "ListAuditEvents(platform)", got, []model.AuditEvent{platform, ev})
}

func testAuditFilters(t *testing.T, s *store.Store) {
	c := ctx(t)
	f := newFixture(t, s)
	base := time.Date(2030, 3, 1, 12, 0, 0, 0, time.UTC)
	add := func(tenant, actor, action string, hours int) string {
		e := model.AuditEvent{At: base.Add(time.Duration(hours) * time.Hour), TenantID: tenant, ActorID: actor, Action: action}
		noErr(t, "InsertAuditEvent", s.InsertAuditEvent(c, &e))
		return e.ID
	}
	e0 := add(f.a.ID, f.aUser.ID, model.ActionLoginSucceeded, 0)
	e1 := add(f.a.ID, f.aUser.ID, model.ActionLoginFailed, 1)
	e2 := add(f.a.ID, f.aAdmin.ID, model.ActionUserCreated, 2)
	e3 := add(f.b.ID, f.bUser.ID, model.ActionLoginSucceeded, 3)
	e4 := add(f.a.ID, f.aUser.ID, "authx.other", 4)
	e5 := add("", f.admin.ID, model.ActionTenantCreated, 5)
	plat := model.PlatformScope()
	tests := []struct {
		name  string
		scope model.Scope
		f     store.AuditFilter
		want  []string
	}{
		{"tenant A all", f.scopeA, store.AuditFilter{}, []string{e4, e2, e1, e0}},
		{"platform all", plat, store.AuditFilter{}, []string{e5, e4, e3, e2, e1, e0}},
		{"platform tenant B", plat, store.AuditFilter{TenantID: f.b.ID}, []string{e3}},
		{"tenant A asking for B", f.scopeA, store.AuditFilter{TenantID: f.b.ID}, []string{}},
		{"from inclusive", f.scopeA, store.AuditFilter{From: base.Add(2 * time.Hour)}, []string{e4, e2}},
		{"to exclusive", f.scopeA, store.AuditFilter{To: base.Add(2 * time.Hour)}, []string{e1, e0}},
		{"range", plat, store.AuditFilter{From: base.Add(time.Hour), To: base.Add(4 * time.Hour)}, []string{e3, e2, e1}},
		{"user", plat, store.AuditFilter{UserID: f.aUser.ID}, []string{e4, e1, e0}},
		{"action exact", plat, store.AuditFilter{Action: model.ActionLoginSucceeded}, []string{e3, e0}},
		{"action namespace", plat, store.AuditFilter{Action: "auth"}, []string{e3, e1, e0}},
		{"action star prefix", plat, store.AuditFilter{Action: "auth.login*"}, []string{e3, e1, e0}},
		{"action star broad", plat, store.AuditFilter{Action: "auth*"}, []string{e4, e3, e1, e0}},
		{"action underscore literal", plat, store.AuditFilter{Action: "auth.login_*"}, []string{e1}},
		{"combined", f.scopeA, store.AuditFilter{UserID: f.aUser.ID, Action: "auth", From: base.Add(time.Hour)},
			[]string{e1}},
	}
	for _, tc := range tests {
		got, _, err := s.ListAuditEvents(c, tc.scope, tc.f, model.ListOptions{})
		noErr(t, tc.name, err)
		diff(t, tc.name, ids(got, eventID), tc.want)
	}

	// Search: a case-insensitive substring of the detail, the actor's
	// email, the target or the address; LIKE characters are literal.
	e6 := model.AuditEvent{At: base.Add(6 * time.Hour), TenantID: f.a.ID, ActorID: f.aAdmin.ID, ActorEmail: "Boss@A.example",
		IP: "192.0.2.7", Action: "campaign.started", TargetType: "campaign", TargetID: "cmp_searchsearchsear",
		Detail: "Clinic Price List_2"}
	noErr(t, "InsertAuditEvent", s.InsertAuditEvent(c, &e6))
	e7 := model.AuditEvent{At: base.Add(7 * time.Hour), TenantID: f.b.ID, ActorID: f.bUser.ID, Action: "campaign.started",
		Detail: "clinic price list of B"}
	noErr(t, "InsertAuditEvent", s.InsertAuditEvent(c, &e7))
	for _, tc := range []struct {
		name  string
		scope model.Scope
		q     string
		want  []string
	}{
		{"search detail any case", f.scopeA, "PRICE list", []string{e6.ID}},
		{"search platform", plat, "price list", []string{e7.ID, e6.ID}},
		{"search actor email", plat, "boss@a.", []string{e6.ID}},
		{"search target", f.scopeA, "cmp_search", []string{e6.ID}},
		{"search address", f.scopeA, "192.0.2.7", []string{e6.ID}},
		{"search underscore literal", f.scopeA, "list_", []string{e6.ID}},
		{"search percent literal", f.scopeA, "%", []string{}},
		{"search tenant B's detail from A", f.scopeA, "of b", []string{}},
	} {
		got, _, err := s.ListAuditEvents(c, tc.scope, store.AuditFilter{Query: tc.q}, model.ListOptions{})
		noErr(t, tc.name, err)
		diff(t, tc.name, ids(got, eventID), tc.want)
	}
}
