package storetest

import (
	"testing"
	"time"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

func testUsers(t *testing.T, s *store.Store) {
	c := ctx(t)
	tn := mustTenant(t, s, "A")
	scope := model.TenantScope(tn.ID)
	u := model.User{TenantID: tn.ID, Role: model.RoleTenant, Email: "Jane@A.example", APIUsername: "jane.api",
		PasswordHash: "$argon2id$v=19$x", FirstName: "Jane", LastName: "Doe", Phone: "+4930123",
		Status: model.UserActive}
	noErr(t, "CreateUser", s.CreateUser(c, &u))
	if !model.ValidID(model.PrefixUser, u.ID) || u.CreatedAt.IsZero() || !u.UpdatedAt.Equal(u.CreatedAt) {
		t.Errorf("CreateUser set ID %q CreatedAt %v UpdatedAt %v", u.ID, u.CreatedAt, u.UpdatedAt)
	}
	for _, sc := range []model.Scope{scope, model.PlatformScope()} {
		got, err := s.GetUser(c, sc, u.ID)
		noErr(t, "GetUser", err)
		diff(t, "GetUser", got, u)
	}
	_, err := s.GetUser(c, scope, model.NewID(model.PrefixUser))
	wantErr(t, "GetUser(unknown)", err, model.ErrNotFound)

	upd := u
	upd.Role, upd.Email, upd.APIUsername = model.RoleUser, "jane.doe@a.example", ""
	upd.FirstName, upd.LastName, upd.Phone, upd.Status = "J", "D", "", model.UserDisabled
	upd.PasswordHash, upd.TOTPSecret, upd.TOTPEnabled = "ignored", "ignored", true // not UpdateUser's business
	time.Sleep(2 * time.Millisecond)
	noErr(t, "UpdateUser", s.UpdateUser(c, scope, &upd))
	if !upd.UpdatedAt.After(u.UpdatedAt) {
		t.Errorf("UpdateUser UpdatedAt %v not after %v", upd.UpdatedAt, u.UpdatedAt)
	}
	want := upd
	want.PasswordHash, want.TOTPSecret, want.TOTPEnabled = u.PasswordHash, "", false
	got, err := s.GetUser(c, scope, u.ID)
	noErr(t, "GetUser after update", err)
	diff(t, "GetUser after update", got, want)

	noErr(t, "SetUserPassword", s.SetUserPassword(c, scope, u.ID, "$argon2id$new"))
	noErr(t, "SetUserTOTP", s.SetUserTOTP(c, scope, u.ID, "JBSWY3DPEHPK3PXP", true))
	login := time.Date(2030, 1, 2, 3, 4, 5, 6789, time.FixedZone("X", 3600))
	noErr(t, "SetUserLastLogin", s.SetUserLastLogin(c, u.ID, login))
	got, err = s.GetUser(c, scope, u.ID)
	noErr(t, "GetUser after setters", err)
	if got.PasswordHash != "$argon2id$new" || got.TOTPSecret != "JBSWY3DPEHPK3PXP" || !got.TOTPEnabled {
		t.Errorf("after setters: hash %q secret %q enabled %v", got.PasswordHash, got.TOTPSecret, got.TOTPEnabled)
	}
	if !got.LastLoginAt.Equal(login.Truncate(time.Microsecond)) || got.LastLoginAt.Location() != time.UTC {
		t.Errorf("LastLoginAt = %v, want %v in UTC", got.LastLoginAt, login)
	}
	noErr(t, "SetUserTOTP(clear)", s.SetUserTOTP(c, scope, u.ID, "", false))
	got, _ = s.GetUser(c, scope, u.ID)
	if got.TOTPSecret != "" || got.TOTPEnabled {
		t.Errorf("after TOTP clear: secret %q enabled %v", got.TOTPSecret, got.TOTPEnabled)
	}
	ghost := model.NewID(model.PrefixUser)
	wantErr(t, "SetUserPassword(unknown)", s.SetUserPassword(c, scope, ghost, "x"), model.ErrNotFound)
	wantErr(t, "SetUserLastLogin(unknown)", s.SetUserLastLogin(c, ghost, login), model.ErrNotFound)

	// Admins have no tenant; unknown tenants are refused.
	admin := mustUser(t, s, "", model.RoleAdmin, "root@example.org")
	got, err = s.GetUser(c, model.PlatformScope(), admin.ID)
	noErr(t, "GetUser(admin)", err)
	if got.TenantID != "" {
		t.Errorf("admin TenantID = %q, want empty", got.TenantID)
	}
	_, err = s.GetUser(c, scope, admin.ID)
	wantErr(t, "GetUser(admin) in tenant scope", err, model.ErrNotFound)
	orphan := model.User{TenantID: model.NewID(model.PrefixTenant), Role: model.RoleUser, Email: "o@x.example",
		Status: model.UserActive}
	wantInvalid(t, "CreateUser(unknown tenant)", s.CreateUser(c, &orphan), "tenant_id")

	noErr(t, "DeleteUser", s.DeleteUser(c, scope, u.ID))
	_, err = s.GetUser(c, model.PlatformScope(), u.ID)
	wantErr(t, "GetUser after delete", err, model.ErrNotFound)
	wantErr(t, "DeleteUser again", s.DeleteUser(c, scope, u.ID), model.ErrNotFound)
}

func testUserConflicts(t *testing.T, s *store.Store) {
	c := ctx(t)
	a, b := mustTenant(t, s, "A"), mustTenant(t, s, "B")
	u := model.User{TenantID: a.ID, Role: model.RoleUser, Email: "x@example.com", APIUsername: "xapi",
		Status: model.UserActive}
	noErr(t, "CreateUser", s.CreateUser(c, &u))
	tests := []struct {
		name  string
		user  model.User
		field string
	}{
		{"same email other tenant", model.User{TenantID: b.ID, Email: "x@example.com"}, "email"},
		{"email other case", model.User{TenantID: a.ID, Email: "X@Example.COM"}, "email"},
		{"api username other case", model.User{TenantID: b.ID, Email: "y@example.com", APIUsername: "XAPI"}, "api_username"},
	}
	for _, tc := range tests {
		tc.user.Role, tc.user.Status = model.RoleUser, model.UserActive
		wantConflict(t, "CreateUser("+tc.name+")", s.CreateUser(c, &tc.user), tc.field)
	}
	// Users without an api username never clash on it.
	v := mustUser(t, s, a.ID, model.RoleUser, "v@example.com")
	w := mustUser(t, s, b.ID, model.RoleUser, "w@example.com")

	w.Email = "V@EXAMPLE.COM"
	wantConflict(t, "UpdateUser(email of v)", s.UpdateUser(c, model.PlatformScope(), &w), "email")
	w.Email, w.APIUsername = "w@example.com", "XApi"
	wantConflict(t, "UpdateUser(api username of u)", s.UpdateUser(c, model.PlatformScope(), &w), "api_username")
	got, err := s.GetUser(c, model.PlatformScope(), w.ID)
	noErr(t, "GetUser", err)
	if got.Email != "w@example.com" || got.APIUsername != "" {
		t.Errorf("failed updates changed the row: %+v", got)
	}
	v.TenantID = model.NewID(model.PrefixTenant)
	wantInvalid(t, "UpdateUser(unknown tenant)", s.UpdateUser(c, model.PlatformScope(), &v), "tenant_id")
}

func testUserLogin(t *testing.T, s *store.Store) {
	c := ctx(t)
	a := mustTenant(t, s, "A")
	u := model.User{TenantID: a.ID, Role: model.RoleUser, Email: "Mixed.Case@Example.com", APIUsername: "Fax_Bot",
		Status: model.UserActive}
	noErr(t, "CreateUser", s.CreateUser(c, &u))
	for _, login := range []string{"mixed.case@example.com", "MIXED.CASE@EXAMPLE.COM", " Mixed.Case@Example.com ",
		"fax_bot", "FAX_BOT"} {
		got, err := s.GetUserByLogin(c, login)
		noErr(t, "GetUserByLogin("+login+")", err)
		if got.ID != u.ID {
			t.Errorf("GetUserByLogin(%q) = %s, want %s", login, got.ID, u.ID)
		}
	}
	for _, login := range []string{"", "fax", "fax%", "fax_bo_", "mixed.case@example"} {
		_, err := s.GetUserByLogin(c, login)
		wantErr(t, "GetUserByLogin("+login+")", err, model.ErrNotFound)
	}
}

func testUserFilters(t *testing.T, s *store.Store) {
	c := ctx(t)
	f := newFixture(t, s)
	f.bUser.Status, f.bUser.Phone = model.UserDisabled, "+1555000"
	noErr(t, "UpdateUser", s.UpdateUser(c, model.PlatformScope(), &f.bUser))
	all := []string{f.admin.ID, f.bUser.ID, f.bAdmin.ID, f.aUser.ID, f.aAdmin.ID}
	tests := []struct {
		name  string
		scope model.Scope
		f     store.UserFilter
		want  []string
	}{
		{"platform all", model.PlatformScope(), store.UserFilter{}, all},
		{"tenant A", f.scopeA, store.UserFilter{}, []string{f.aUser.ID, f.aAdmin.ID}},
		{"platform tenant filter", model.PlatformScope(), store.UserFilter{TenantID: f.b.ID}, []string{f.bUser.ID, f.bAdmin.ID}},
		{"tenant A asking for B", f.scopeA, store.UserFilter{TenantID: f.b.ID}, []string{}},
		{"role", model.PlatformScope(), store.UserFilter{Role: model.RoleTenant}, []string{f.bAdmin.ID, f.aAdmin.ID}},
		{"admins", model.PlatformScope(), store.UserFilter{Role: model.RoleAdmin}, []string{f.admin.ID}},
		{"status", model.PlatformScope(), store.UserFilter{Status: model.UserDisabled}, []string{f.bUser.ID}},
		{"query email", model.PlatformScope(), store.UserFilter{Query: "ADMIN@"}, []string{f.bAdmin.ID, f.aAdmin.ID}},
		{"query phone", model.PlatformScope(), store.UserFilter{Query: "555"}, []string{f.bUser.ID}},
		{"query name in tenant", f.scopeB, store.UserFilter{Query: "first"}, []string{f.bUser.ID, f.bAdmin.ID}},
		{"query no match", model.PlatformScope(), store.UserFilter{Query: "zzz"}, []string{}},
		{"combined", f.scopeA, store.UserFilter{Query: "a.example", Role: model.RoleUser, Status: model.UserActive},
			[]string{f.aUser.ID}},
	}
	for _, tc := range tests {
		got, _, err := s.ListUsers(c, tc.scope, tc.f, model.ListOptions{})
		noErr(t, tc.name, err)
		diff(t, tc.name, ids(got, userID), tc.want)
	}
}

func testUserCounts(t *testing.T, s *store.Store) {
	c := ctx(t)
	f := newFixture(t, s)
	second := mustUser(t, s, "", model.RoleAdmin, "root2@platform.example")
	counts := []struct {
		scope model.Scope
		want  int
	}{{model.PlatformScope(), 6}, {f.scopeA, 2}, {model.TenantScope(model.NewID(model.PrefixTenant)), 0}}
	for _, tc := range counts {
		n, err := s.CountUsers(c, tc.scope)
		noErr(t, "CountUsers", err)
		if n != tc.want {
			t.Errorf("CountUsers(%v) = %d, want %d", tc.scope, n, tc.want)
		}
	}
	n, err := s.CountAdmins(c)
	noErr(t, "CountAdmins", err)
	if n != 2 {
		t.Errorf("CountAdmins = %d, want 2", n)
	}
	second.Status = model.UserDisabled
	noErr(t, "UpdateUser", s.UpdateUser(c, model.PlatformScope(), &second))
	if n, _ = s.CountAdmins(c); n != 1 {
		t.Errorf("CountAdmins with one disabled = %d, want 1 (active only)", n)
	}
}

// testChecks writes values the services must refuse; the database refuses
// them too, as validation errors naming the field.
func testChecks(t *testing.T, s *store.Store) {
	c := ctx(t)
	tn := mustTenant(t, s, "A")
	tenants := []struct {
		name  string
		mod   func(*model.Tenant)
		field string
	}{
		{"status", func(x *model.Tenant) { x.Status = "paused" }, "status"},
		{"daily limit", func(x *model.Tenant) { x.DailyPageLimit = -1 }, "daily_page_limit"},
		{"monthly limit", func(x *model.Tenant) { x.MonthlyPageLimit = -1 }, "monthly_page_limit"},
		{"retention", func(x *model.Tenant) { x.RetentionDays = -1 }, "retention_days"},
	}
	for _, tc := range tenants {
		x := model.Tenant{Name: "T " + tc.name, Status: model.TenantActive}
		tc.mod(&x)
		wantInvalid(t, "CreateTenant("+tc.name+")", s.CreateTenant(c, &x), tc.field)
		y := tn
		tc.mod(&y)
		wantInvalid(t, "UpdateTenant("+tc.name+")", s.UpdateTenant(c, model.PlatformScope(), &y), tc.field)
	}
	users := []struct {
		name  string
		user  model.User
		field string
	}{
		{"role", model.User{TenantID: tn.ID, Role: "root", Status: model.UserActive}, "role"},
		{"status", model.User{TenantID: tn.ID, Role: model.RoleUser, Status: "gone"}, "status"},
		{"admin with tenant", model.User{TenantID: tn.ID, Role: model.RoleAdmin, Status: model.UserActive}, "tenant_id"},
		{"user without tenant", model.User{Role: model.RoleUser, Status: model.UserActive}, "tenant_id"},
	}
	for i, tc := range users {
		tc.user.Email = name("check", i) + "@x.example"
		wantInvalid(t, "CreateUser("+tc.name+")", s.CreateUser(c, &tc.user), tc.field)
	}
	u := mustUser(t, s, tn.ID, model.RoleUser, "ok@x.example")
	u.Role = model.RoleAdmin
	wantInvalid(t, "UpdateUser(promote to admin keeping tenant)", s.UpdateUser(c, model.PlatformScope(), &u), "tenant_id")
}
