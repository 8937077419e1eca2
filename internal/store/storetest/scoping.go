package storetest

import (
	"slices"
	"testing"
	"time"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// pageThrough lists every page of limit rows and returns the ids in order
// and the page sizes.
func pageThrough(t *testing.T, limit int, list func(o model.ListOptions) ([]string, string, error)) ([]string, []int) {
	t.Helper()
	var all []string
	var sizes []int
	cur := ""
	for range 100 {
		got, next, err := list(model.ListOptions{Limit: limit, Cursor: cur})
		noErr(t, "list page", err)
		all = append(all, got...)
		sizes = append(sizes, len(got))
		if next == "" {
			return all, sizes
		}
		cur = next
	}
	t.Fatal("pagination did not end")
	return nil, nil
}

func testPagination(t *testing.T, s *store.Store) {
	c := ctx(t)
	tn := mustTenant(t, s, "A")
	other := mustTenant(t, s, "B")
	var want []string
	for i := range 25 {
		u := mustUser(t, s, tn.ID, model.RoleUser, name("user", i)+"@a.example")
		want = append(want, u.ID)
		mustUser(t, s, other.ID, model.RoleUser, name("user", i)+"@b.example")
	}
	slices.Reverse(want)
	got, sizes := pageThrough(t, 10, func(o model.ListOptions) ([]string, string, error) {
		users, next, err := s.ListUsers(c, model.TenantScope(tn.ID), store.UserFilter{}, o)
		return ids(users, userID), next, err
	})
	diff(t, "users paged 10 at a time", got, want)
	diff(t, "page sizes", sizes, []int{10, 10, 5})

	// Exactly one full page has no next cursor.
	users, next, err := s.ListUsers(c, model.TenantScope(tn.ID), store.UserFilter{}, model.ListOptions{Limit: 25})
	noErr(t, "ListUsers(25)", err)
	if len(users) != 25 || next != "" {
		t.Errorf("ListUsers(limit 25) = %d rows, next %q; want 25 and no cursor", len(users), next)
	}
	// Limits are bounded.
	users, _, err = s.ListUsers(c, model.PlatformScope(), store.UserFilter{}, model.ListOptions{Limit: -1})
	noErr(t, "ListUsers(default limit)", err)
	if len(users) != 50 {
		t.Errorf("ListUsers(default limit) = %d rows, want %d", len(users), store.DefaultLimit)
	}

	var tenants []string
	for i := range 24 {
		tenants = append(tenants, mustTenant(t, s, name("T", i)).ID)
	}
	tenants = append([]string{tn.ID, other.ID}, tenants...)
	slices.Reverse(tenants)
	got, sizes = pageThrough(t, 10, func(o model.ListOptions) ([]string, string, error) {
		list, next, err := s.ListTenants(c, store.TenantFilter{}, o)
		return ids(list, tenantID), next, err
	})
	diff(t, "tenants paged", got, tenants)
	diff(t, "tenant page sizes", sizes, []int{10, 10, 6})
}

// testPaginationEqualTimes pages through events that share one timestamp:
// the id breaks ties, so no row is lost or repeated.
func testPaginationEqualTimes(t *testing.T, s *store.Store) {
	c := ctx(t)
	tn := mustTenant(t, s, "A")
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	var want []string
	for i := range 25 {
		e := model.AuditEvent{At: at, TenantID: tn.ID, Action: "test.event", Detail: name("e", i)}
		if i%5 == 0 {
			e.At = at.Add(time.Duration(i) * time.Microsecond)
		}
		noErr(t, "InsertAuditEvent", s.InsertAuditEvent(c, &e))
		want = append(want, e.ID)
	}
	slices.Sort(want)
	slices.Reverse(want)
	// Expected order: time DESC, then id DESC.
	all, _, err := s.ListAuditEvents(c, model.TenantScope(tn.ID), store.AuditFilter{}, model.ListOptions{Limit: 100})
	noErr(t, "ListAuditEvents(all)", err)
	if !slices.IsSortedFunc(all, func(a, b model.AuditEvent) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		return compareStrings(b.ID, a.ID)
	}) {
		t.Errorf("events not ordered by (at DESC, id DESC): %v", ids(all, eventID))
	}
	got, sizes := pageThrough(t, 10, func(o model.ListOptions) ([]string, string, error) {
		events, next, err := s.ListAuditEvents(c, model.TenantScope(tn.ID), store.AuditFilter{}, o)
		return ids(events, eventID), next, err
	})
	diff(t, "paged equals unpaged", got, ids(all, eventID))
	diff(t, "page sizes", sizes, []int{10, 10, 5})
	sorted := slices.Clone(got)
	slices.Sort(sorted)
	slices.Reverse(sorted)
	diff(t, "every event exactly once", sorted, want)
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func testBadCursor(t *testing.T, s *store.Store) {
	c := ctx(t)
	tn := mustTenant(t, s, "A")
	plat := model.PlatformScope()
	for _, cur := range []string{"!!!", "bm90LWEtY3Vyc29y", "MTIz", "LTEuYWJj", "YWJjLmRlZg"} {
		o := model.ListOptions{Cursor: cur}
		_, _, err := s.ListUsers(c, plat, store.UserFilter{}, o)
		wantInvalid(t, "ListUsers(cursor "+cur+")", err, "cursor")
		_, _, err = s.ListTenants(c, store.TenantFilter{}, o)
		wantInvalid(t, "ListTenants(cursor "+cur+")", err, "cursor")
		_, _, err = s.ListAuditEvents(c, model.TenantScope(tn.ID), store.AuditFilter{}, o)
		wantInvalid(t, "ListAuditEvents(cursor "+cur+")", err, "cursor")
	}
}

// testZeroScope calls every scoped method with the zero scope: each must
// fail with ErrInvalidScope and change nothing.
func testZeroScope(t *testing.T, s *store.Store) {
	c := ctx(t)
	f := newFixture(t, s)
	var zero model.Scope
	key := model.APIKey{UserID: f.aUser.ID, TenantID: f.a.ID, Name: "k", Prefix: "p", Hash: tokenHash("zero")}
	noErr(t, "CreateAPIKey", s.CreateAPIKey(c, &key))
	renamed := f.aUser
	renamed.FirstName = "Changed"
	tenant := f.a
	tenant.Name = "Changed"
	calls := map[string]func() error{
		"GetTenant":    func() error { _, err := s.GetTenant(c, zero, f.a.ID); return err },
		"UpdateTenant": func() error { return s.UpdateTenant(c, zero, &tenant) },
		"GetUser":      func() error { _, err := s.GetUser(c, zero, f.aUser.ID); return err },
		"UpdateUser":   func() error { return s.UpdateUser(c, zero, &renamed) },
		"SetUserPassword": func() error {
			return s.SetUserPassword(c, zero, f.aUser.ID, "changed")
		},
		"SetUserTOTP": func() error { return s.SetUserTOTP(c, zero, f.aUser.ID, "S", true) },
		"DeleteUser":  func() error { return s.DeleteUser(c, zero, f.aUser.ID) },
		"ListUsers": func() error {
			_, _, err := s.ListUsers(c, zero, store.UserFilter{}, model.ListOptions{})
			return err
		},
		"CountUsers":  func() error { _, err := s.CountUsers(c, zero); return err },
		"ListAPIKeys": func() error { _, err := s.ListAPIKeys(c, zero, f.aUser.ID); return err },
		"RevokeAPIKey": func() error {
			return s.RevokeAPIKey(c, zero, f.aUser.ID, key.ID, time.Now())
		},
		"ListAuditEvents": func() error {
			_, _, err := s.ListAuditEvents(c, zero, store.AuditFilter{}, model.ListOptions{})
			return err
		},
	}
	for name, call := range calls {
		wantErr(t, name+"(zero scope)", call(), store.ErrInvalidScope)
	}
	got, err := s.GetUser(c, model.PlatformScope(), f.aUser.ID)
	noErr(t, "GetUser", err)
	diff(t, "user after zero-scope calls", got, f.aUser)
	gt, err := s.GetTenant(c, model.PlatformScope(), f.a.ID)
	noErr(t, "GetTenant", err)
	diff(t, "tenant after zero-scope calls", gt, f.a)
	gk, err := s.GetAPIKeyByHash(c, key.Hash)
	noErr(t, "GetAPIKeyByHash", err)
	diff(t, "key after zero-scope calls", gk, key)
}

// testIsolation checks that tenant A's scope never sees, changes or deletes
// tenant B's tenant, users, API keys, audit events or branding.
func testIsolation(t *testing.T, s *store.Store) {
	c := ctx(t)
	f := newFixture(t, s)
	a := f.scopeA
	key := model.APIKey{UserID: f.bUser.ID, TenantID: f.b.ID, Name: "b", Prefix: "p", Hash: tokenHash("b")}
	noErr(t, "CreateAPIKey", s.CreateAPIKey(c, &key))
	ev := model.AuditEvent{TenantID: f.b.ID, ActorID: f.bUser.ID, Action: model.ActionLoginSucceeded}
	noErr(t, "InsertAuditEvent", s.InsertAuditEvent(c, &ev))
	brB := model.Branding{TenantID: f.b.ID, Domain: "b.example", Title: "B"}
	noErr(t, "UpsertBranding(B)", s.UpsertBranding(c, &brB))

	_, err := s.GetTenant(c, a, f.b.ID)
	wantErr(t, "GetTenant(B) as A", err, model.ErrNotFound)
	tb := f.b
	tb.Name = "Hijacked"
	wantErr(t, "UpdateTenant(B) as A", s.UpdateTenant(c, a, &tb), model.ErrNotFound)
	_, err = s.GetUser(c, a, f.bUser.ID)
	wantErr(t, "GetUser(B's) as A", err, model.ErrNotFound)
	ub := f.bUser
	ub.FirstName, ub.TenantID = "Hijacked", f.a.ID
	wantErr(t, "UpdateUser(B's) as A", s.UpdateUser(c, a, &ub), model.ErrNotFound)
	wantErr(t, "SetUserPassword(B's) as A", s.SetUserPassword(c, a, f.bUser.ID, "x"), model.ErrNotFound)
	wantErr(t, "SetUserTOTP(B's) as A", s.SetUserTOTP(c, a, f.bUser.ID, "x", true), model.ErrNotFound)
	wantErr(t, "DeleteUser(B's) as A", s.DeleteUser(c, a, f.bUser.ID), model.ErrNotFound)
	wantErr(t, "DeleteUser(admin) as A", s.DeleteUser(c, a, f.admin.ID), model.ErrNotFound)
	keys, err := s.ListAPIKeys(c, a, f.bUser.ID)
	noErr(t, "ListAPIKeys(B's user) as A", err)
	if len(keys) != 0 {
		t.Errorf("ListAPIKeys(B's user) as A = %d keys, want none", len(keys))
	}
	wantErr(t, "RevokeAPIKey(B's) as A", s.RevokeAPIKey(c, a, f.bUser.ID, key.ID, time.Now()), model.ErrNotFound)
	events, _, err := s.ListAuditEvents(c, a, store.AuditFilter{}, model.ListOptions{})
	noErr(t, "ListAuditEvents as A", err)
	if len(events) != 0 {
		t.Errorf("ListAuditEvents as A sees %d of B's events", len(events))
	}
	users, _, err := s.ListUsers(c, a, store.UserFilter{}, model.ListOptions{})
	noErr(t, "ListUsers as A", err)
	diff(t, "ListUsers as A", ids(users, userID), []string{f.aUser.ID, f.aAdmin.ID})
	brA := model.Branding{TenantID: f.a.ID, Domain: "a.example"}
	noErr(t, "UpsertBranding(A)", s.UpsertBranding(c, &brA))
	noErr(t, "SetBrandingLogo(A)", s.SetBrandingLogo(c, f.a.ID, "image/png", []byte("png")))

	// Nothing of B's changed.
	gt, err := s.GetTenant(c, f.scopeB, f.b.ID)
	noErr(t, "GetTenant(B)", err)
	diff(t, "tenant B", gt, f.b)
	for _, u := range []model.User{f.bUser, f.bAdmin, f.admin} {
		got, err := s.GetUser(c, model.PlatformScope(), u.ID)
		noErr(t, "GetUser", err)
		diff(t, "user "+u.Email, got, u)
	}
	gk, err := s.GetAPIKeyByHash(c, key.Hash)
	noErr(t, "GetAPIKeyByHash", err)
	diff(t, "B's key", gk, key)
	gb, err := s.GetBranding(c, f.b.ID)
	noErr(t, "GetBranding(B)", err)
	diff(t, "B's branding", gb, brB)
	_, _, err = s.GetBrandingLogo(c, f.b.ID)
	wantErr(t, "B's logo", err, model.ErrNotFound)
	events, _, err = s.ListAuditEvents(c, f.scopeB, store.AuditFilter{}, model.ListOptions{})
	noErr(t, "ListAuditEvents as B", err)
	diff(t, "B's events", ids(events, eventID), []string{ev.ID})
}
