package tenancy_test

import (
	"errors"
	"strings"
	"testing"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
	"faxgate/internal/tenancy"
)

func TestTenantAdministration(t *testing.T) {
	authtest.ForEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := authtest.NewEnv(t, open(t), nil)
		w := e.NewWorld(t)

		tn, err := e.Tenancy.CreateTenant(e.Ctx, w.AdminActor, tenancy.TenantInput{Name: "  Acme Fax  ", DailyPageLimit: ptr(100), EmailDomain: ptr("Fax.Acme.example.")})
		authtest.Must(t, "create", err)
		if tn.Name != "Acme Fax" || tn.Status != model.TenantActive || tn.DailyPageLimit != 100 || tn.MonthlyPageLimit != 0 || tn.RetentionDays != model.DefaultRetentionDays || tn.EmailDomain != "fax.acme.example" {
			t.Fatalf("created %+v", tn)
		}
		if _, err := e.Tenancy.CreateTenant(e.Ctx, w.AdminActor, tenancy.TenantInput{Name: "ACME FAX"}); !errors.Is(err, model.ErrConflict) {
			t.Fatalf("duplicate name = %v", err)
		}
		up, err := e.Tenancy.UpdateTenant(e.Ctx, w.AdminActor, tn.ID, tenancy.TenantInput{Status: model.TenantSuspended, RetentionDays: ptr(365)})
		authtest.Must(t, "update", err)
		if up.Name != "Acme Fax" || up.Status != model.TenantSuspended || up.RetentionDays != 365 || up.DailyPageLimit != 100 {
			t.Fatalf("updated %+v (unset fields must stay)", up)
		}
		if evs := e.Events(t, model.ActionTenantUpdated, tn.ID); len(evs) != 1 || !strings.Contains(evs[0].Detail, "status active → suspended") || evs[0].TenantID != tn.ID {
			t.Fatalf("update events %+v", evs)
		}
		if evs := e.Events(t, model.ActionTenantCreated, tn.ID); len(evs) != 1 {
			t.Fatalf("create events %+v", evs)
		}
		if _, err := e.Tenancy.UpdateTenant(e.Ctx, w.AdminActor, tn.ID, tenancy.TenantInput{}); err != nil {
			t.Fatalf("empty update: %v", err)
		}
		if evs := e.Events(t, model.ActionTenantUpdated, tn.ID); len(evs) != 1 {
			t.Fatal("a no-op update was audited")
		}

		for _, a := range []model.Actor{w.TenantAActor, w.UserAActor} {
			if _, err := e.Tenancy.CreateTenant(e.Ctx, a, tenancy.TenantInput{Name: "Mine"}); !errors.Is(err, model.ErrForbidden) {
				t.Fatalf("%s creates tenant = %v", a.Email, err)
			}
			if _, err := e.Tenancy.UpdateTenant(e.Ctx, a, a.TenantID, tenancy.TenantInput{DailyPageLimit: ptr(0)}); !errors.Is(err, model.ErrForbidden) {
				t.Fatalf("%s raises own limits = %v", a.Email, err)
			}
			if _, err := e.Tenancy.GetTenant(e.Ctx, a, w.B.ID); !errors.Is(err, model.ErrNotFound) {
				t.Fatalf("%s reads tenant B = %v", a.Email, err)
			}
			if got, err := e.Tenancy.GetTenant(e.Ctx, a, w.A.ID); err != nil || got.ID != w.A.ID {
				t.Fatalf("%s reads own tenant = %v", a.Email, err)
			}
			ts, _, err := e.Tenancy.ListTenants(e.Ctx, a, store.TenantFilter{}, model.ListOptions{})
			if err != nil || len(ts) != 1 || ts[0].ID != w.A.ID {
				t.Fatalf("%s lists tenants = %v %v", a.Email, ts, err)
			}
		}
		ts, _, err := e.Tenancy.ListTenants(e.Ctx, w.AdminActor, store.TenantFilter{Status: model.TenantSuspended}, model.ListOptions{})
		if err != nil || len(ts) != 1 || ts[0].ID != tn.ID {
			t.Fatalf("admin lists suspended = %v %v", ts, err)
		}
		if n, err := e.Tenancy.CountTenants(e.Ctx, w.AdminActor); err != nil || n != 3 {
			t.Fatalf("CountTenants = %d %v", n, err)
		}
		if _, err := e.Tenancy.UpdateTenant(e.Ctx, w.AdminActor, model.NewID(model.PrefixTenant), tenancy.TenantInput{Name: "Ghost"}); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("update unknown tenant = %v", err)
		}
	})
}

func TestTenantValidation(t *testing.T) {
	e := authtest.NewEnv(t, storetest.OpenSQLite(t), nil)
	w := e.NewWorld(t)
	tests := []struct {
		name  string
		in    tenancy.TenantInput
		field string
	}{
		{"missing name", tenancy.TenantInput{}, "name"},
		{"short name", tenancy.TenantInput{Name: "X"}, "name"},
		{"long name", tenancy.TenantInput{Name: strings.Repeat("n", 101)}, "name"},
		{"control character", tenancy.TenantInput{Name: "Bad\x00Name"}, "name"},
		{"bad status", tenancy.TenantInput{Name: "Okay", Status: "closed"}, "status"},
		{"negative daily", tenancy.TenantInput{Name: "Okay", DailyPageLimit: ptr(-1)}, "daily_page_limit"},
		{"negative monthly", tenancy.TenantInput{Name: "Okay", MonthlyPageLimit: ptr(-5)}, "monthly_page_limit"},
		{"retention zero", tenancy.TenantInput{Name: "Okay", RetentionDays: ptr(0)}, "retention_days"},
		{"retention over the platform maximum", tenancy.TenantInput{Name: "Okay", RetentionDays: ptr(366)}, "retention_days"},
		{"email domain with @", tenancy.TenantInput{Name: "Okay", EmailDomain: ptr("fax@acme.example")}, "email_domain"},
		{"email domain IP", tenancy.TenantInput{Name: "Okay", EmailDomain: ptr("192.0.2.1")}, "email_domain"},
	}
	for _, tc := range tests {
		_, err := e.Tenancy.CreateTenant(e.Ctx, w.AdminActor, tc.in)
		invalid(tc.field).check(t, err)
	}
	for _, good := range []tenancy.TenantInput{
		{Name: "Ok"}, {Name: strings.Repeat("n", 100)}, {Name: "Limits", DailyPageLimit: ptr(0), RetentionDays: ptr(1)},
		{Name: "Long retention", RetentionDays: ptr(365), EmailDomain: ptr("")},
	} {
		if _, err := e.Tenancy.CreateTenant(e.Ctx, w.AdminActor, good); err != nil {
			t.Fatalf("valid input %+v: %v", good, err)
		}
	}
}

func TestUserValidation(t *testing.T) {
	e := authtest.NewEnv(t, storetest.OpenSQLite(t), nil)
	w := e.NewWorld(t)
	base := func(mod func(*tenancy.UserInput)) tenancy.UserInput {
		in := tenancy.UserInput{Email: "new@a.example", Password: pw}
		mod(&in)
		return in
	}
	tests := []struct {
		name  string
		in    tenancy.UserInput
		field string
	}{
		{"no email", base(func(in *tenancy.UserInput) { in.Email = "" }), "email"},
		{"not an email", base(func(in *tenancy.UserInput) { in.Email = "new.a.example" }), "email"},
		{"display name", base(func(in *tenancy.UserInput) { in.Email = "Bob <bob@a.example>" }), "email"},
		{"two addresses", base(func(in *tenancy.UserInput) { in.Email = "a@a.example, b@a.example" }), "email"},
		{"email too long", base(func(in *tenancy.UserInput) { in.Email = strings.Repeat("a", 250) + "@a.example" }), "email"},
		{"email bad domain", base(func(in *tenancy.UserInput) { in.Email = "bob@-a.example" }), "email"},
		{"long first name", base(func(in *tenancy.UserInput) { in.FirstName = strings.Repeat("f", 101) }), "first_name"},
		{"long last name", base(func(in *tenancy.UserInput) { in.LastName = strings.Repeat("l", 101) }), "last_name"},
		{"newline in name", base(func(in *tenancy.UserInput) { in.LastName = "Smith\nInjected" }), "last_name"},
		{"phone letters", base(func(in *tenancy.UserInput) { in.Phone = "555-CALL-NOW" }), "phone"},
		{"phone plus inside", base(func(in *tenancy.UserInput) { in.Phone = "555+123" }), "phone"},
		{"phone too long", base(func(in *tenancy.UserInput) { in.Phone = strings.Repeat("1", 33) }), "phone"},
		{"api username short", base(func(in *tenancy.UserInput) { in.APIUsername = "ab" }), "api_username"},
		{"api username @", base(func(in *tenancy.UserInput) { in.APIUsername = "bob@a" }), "api_username"},
		{"api username long", base(func(in *tenancy.UserInput) { in.APIUsername = strings.Repeat("a", 65) }), "api_username"},
		{"api username space", base(func(in *tenancy.UserInput) { in.APIUsername = "bob smith" }), "api_username"},
		{"bad status", base(func(in *tenancy.UserInput) { in.Status = "sleeping" }), "status"},
		{"bad role", base(func(in *tenancy.UserInput) { in.Role = "owner" }), "role"},
		{"no password", base(func(in *tenancy.UserInput) { in.Password = "" }), "password"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.Tenancy.CreateUser(e.Ctx, w.TenantAActor, tc.in)
			invalid(tc.field).check(t, err)
		})
	}
	u, err := e.Tenancy.CreateUser(e.Ctx, w.TenantAActor, tenancy.UserInput{
		Email: " New.Person@A.Example ", APIUsername: "New.Person_1", Password: pw, FirstName: " Ann ", Phone: "+44 20 7946 0000",
	})
	authtest.Must(t, "valid user", err)
	if u.Email != "new.person@a.example" || u.APIUsername != "new.person_1" || u.FirstName != "Ann" || u.Phone != "+442079460000" {
		t.Fatalf("normalised user %+v", u)
	}
	if u.PasswordHash == pw || !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
		t.Fatalf("password stored as %q", u.PasswordHash)
	}
	if evs := e.Events(t, model.ActionUserCreated, u.ID); len(evs) != 1 || evs[0].ActorID != w.TenantA.ID || evs[0].TenantID != w.A.ID {
		t.Fatalf("create events %+v", evs)
	}
}
