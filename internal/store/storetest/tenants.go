package storetest

import (
	"testing"
	"time"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

func testTenants(t *testing.T, s *store.Store) {
	c := ctx(t)
	before := time.Now().Add(-time.Second)
	tn := model.Tenant{Name: "Acme Fax", Status: model.TenantActive, DailyPageLimit: 100,
		MonthlyPageLimit: 2000, RetentionDays: 90, EmailDomain: "Fax.Acme.Example"}
	noErr(t, "CreateTenant", s.CreateTenant(c, &tn))
	if !model.ValidID(model.PrefixTenant, tn.ID) {
		t.Errorf("CreateTenant set ID %q, want a %s_ id", tn.ID, model.PrefixTenant)
	}
	if tn.CreatedAt.Before(before) || !tn.UpdatedAt.Equal(tn.CreatedAt) || tn.CreatedAt.Location() != time.UTC {
		t.Errorf("CreateTenant times = %v / %v, want now, equal, UTC", tn.CreatedAt, tn.UpdatedAt)
	}
	if tn.EmailDomain != "fax.acme.example" {
		t.Errorf("EmailDomain = %q, want lower case", tn.EmailDomain)
	}
	for _, scope := range []model.Scope{model.PlatformScope(), model.TenantScope(tn.ID)} {
		got, err := s.GetTenant(c, scope, tn.ID)
		noErr(t, "GetTenant", err)
		diff(t, "GetTenant", got, tn)
	}
	_, err := s.GetTenant(c, model.PlatformScope(), model.NewID(model.PrefixTenant))
	wantErr(t, "GetTenant(unknown)", err, model.ErrNotFound)

	upd := tn
	upd.Name, upd.Status, upd.DailyPageLimit, upd.MonthlyPageLimit = "Acme Fax Ltd", model.TenantSuspended, 0, 0
	upd.RetentionDays, upd.EmailDomain = 7, ""
	time.Sleep(2 * time.Millisecond)
	noErr(t, "UpdateTenant", s.UpdateTenant(c, model.PlatformScope(), &upd))
	if !upd.UpdatedAt.After(tn.UpdatedAt) {
		t.Errorf("UpdateTenant UpdatedAt = %v, want after %v", upd.UpdatedAt, tn.UpdatedAt)
	}
	got, err := s.GetTenant(c, model.PlatformScope(), tn.ID)
	noErr(t, "GetTenant after update", err)
	diff(t, "GetTenant after update", got, upd)

	missing := model.Tenant{ID: model.NewID(model.PrefixTenant), Name: "Ghost", Status: model.TenantActive}
	wantErr(t, "UpdateTenant(unknown)", s.UpdateTenant(c, model.PlatformScope(), &missing), model.ErrNotFound)

	n, err := s.CountTenants(c)
	noErr(t, "CountTenants", err)
	if n != 1 {
		t.Errorf("CountTenants = %d, want 1", n)
	}
}

func testTenantConflicts(t *testing.T, s *store.Store) {
	c := ctx(t)
	a := model.Tenant{Name: "Acme", Status: model.TenantActive, EmailDomain: "acme.example"}
	noErr(t, "CreateTenant", s.CreateTenant(c, &a))
	dup := model.Tenant{Name: "ACME", Status: model.TenantActive}
	wantConflict(t, "CreateTenant(same name, other case)", s.CreateTenant(c, &dup), "name")
	if dup.ID != "" {
		t.Errorf("failed CreateTenant set ID %q", dup.ID)
	}
	dom := model.Tenant{Name: "Other", Status: model.TenantActive, EmailDomain: "ACME.example"}
	wantConflict(t, "CreateTenant(same email domain)", s.CreateTenant(c, &dom), "email_domain")

	// Tenants without an email domain do not clash with each other.
	x := model.Tenant{Name: "X", Status: model.TenantActive}
	y := model.Tenant{Name: "Y", Status: model.TenantActive}
	noErr(t, "CreateTenant(X)", s.CreateTenant(c, &x))
	noErr(t, "CreateTenant(Y)", s.CreateTenant(c, &y))
	y.Name = "x"
	wantConflict(t, "UpdateTenant(name of X)", s.UpdateTenant(c, model.PlatformScope(), &y), "name")
	got, err := s.GetTenant(c, model.PlatformScope(), y.ID)
	noErr(t, "GetTenant", err)
	if got.Name != "Y" {
		t.Errorf("failed update changed name to %q", got.Name)
	}
}

func testTenantFilters(t *testing.T, s *store.Store) {
	c := ctx(t)
	alpha := mustTenant(t, s, "Alpha Logistics")
	beta := mustTenant(t, s, "Beta 100%_Fax")
	gamma := mustTenant(t, s, "Gamma Logistics")
	gamma.Status = model.TenantSuspended
	noErr(t, "UpdateTenant", s.UpdateTenant(c, model.PlatformScope(), &gamma))

	tests := []struct {
		name string
		f    store.TenantFilter
		want []string
	}{
		{"all", store.TenantFilter{}, []string{gamma.ID, beta.ID, alpha.ID}},
		{"query case-insensitive", store.TenantFilter{Query: "LOGISTICS"}, []string{gamma.ID, alpha.ID}},
		{"query with LIKE metacharacters", store.TenantFilter{Query: "100%_"}, []string{beta.ID}},
		{"percent is literal", store.TenantFilter{Query: "%"}, []string{beta.ID}},
		{"status", store.TenantFilter{Status: model.TenantSuspended}, []string{gamma.ID}},
		{"query and status", store.TenantFilter{Query: "alpha", Status: model.TenantSuspended}, []string{}},
	}
	for _, tc := range tests {
		got, next, err := s.ListTenants(c, tc.f, model.ListOptions{})
		noErr(t, tc.name, err)
		diff(t, tc.name, ids(got, tenantID), tc.want)
		if next != "" {
			t.Errorf("%s: next cursor %q, want none", tc.name, next)
		}
	}
}
