package tenancy_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"faxgate/internal/auth"
	"faxgate/internal/auth/authtest"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/tenancy"
)

const pw = authtest.Password

// want describes an expected outcome: nil, a sentinel (errors.Is) or a
// validation error on a field.
type want struct {
	is    error
	field string
}

var (
	ok        = want{}
	forbidden = want{is: model.ErrForbidden}
	notFound  = want{is: model.ErrNotFound}
)

func invalid(field string) want { return want{field: field} }

func (w want) check(t *testing.T, err error) {
	t.Helper()
	switch {
	case w.field != "":
		var ve *model.ValidationError
		if !errors.As(err, &ve) || ve.Fields[w.field] == "" {
			t.Fatalf("err = %v, want a validation error on %q", err, w.field)
		}
	case w.is == nil && err != nil:
		t.Fatalf("err = %v, want success", err)
	case w.is != nil && !errors.Is(err, w.is):
		t.Fatalf("err = %v, want %v", err, w.is)
	}
}

func (w want) fails() bool { return w != ok }

func ptr[T any](v T) *T { return &v }

type env struct {
	*authtest.Env
	w authtest.World
	t *testing.T
}

// userCase is one row of the permission matrix: an operation by an actor
// on the standard World, and its expected outcome. Failed operations must
// leave every user unchanged.
type userCase struct {
	name  string
	run   func(e env) error
	want  want
	check func(t *testing.T, e env)
	fresh bool // needs a store of its own (counts platform admins)
}

// runUserCases runs each case on its own World; Worlds share one store per
// engine (migrating a store per case is what would make this slow) except
// for cases marked fresh.
func runUserCases(t *testing.T, cases []userCase) {
	t.Helper()
	authtest.ForEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		shared := open(t)
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				st, sfx := shared, fmt.Sprint(i)
				if tc.fresh {
					st, sfx = open(t), ""
				}
				ae := authtest.NewEnv(t, st, nil)
				e := env{ae, ae.NewWorldSuffix(t, sfx), t}
				before := allUsers(t, e)
				err := tc.run(e)
				tc.want.check(t, err)
				if tc.want.fails() {
					if d := cmp.Diff(before, allUsers(t, e)); d != "" {
						t.Fatalf("refused operation changed users (-before +after):\n%s", d)
					}
				}
				if tc.check != nil {
					tc.check(t, e)
				}
			})
		}
	})
}

func allUsers(t *testing.T, e env) []model.User {
	t.Helper()
	us, _, err := e.St.ListUsers(e.Ctx, model.PlatformScope(), store.UserFilter{}, model.ListOptions{Limit: 500})
	authtest.Must(t, "list users", err)
	return us
}

func userIn(e env, a model.Actor, in tenancy.UserInput) error {
	if in.Password == "" {
		in.Password = pw
	}
	_, err := e.Tenancy.CreateUser(e.Ctx, a, in)
	return err
}

func TestCreateUserPermissions(t *testing.T) {
	runUserCases(t, []userCase{
		{"admin creates admin", func(e env) error {
			return userIn(e, e.w.AdminActor, tenancy.UserInput{Role: model.RoleAdmin, Email: "second.admin@example.com"})
		}, ok, nil, false},
		{"admin creates tenant admin in A", func(e env) error {
			return userIn(e, e.w.AdminActor, tenancy.UserInput{TenantID: e.w.A.ID, Role: model.RoleTenant, Email: "t2@a.example"})
		}, ok, nil, false},
		{"admin creates user in B", func(e env) error {
			return userIn(e, e.w.AdminActor, tenancy.UserInput{TenantID: e.w.B.ID, Email: "u2@b.example"})
		}, ok, nil, false},
		{"admin creates admin inside a tenant", func(e env) error {
			return userIn(e, e.w.AdminActor, tenancy.UserInput{TenantID: e.w.A.ID, Role: model.RoleAdmin, Email: "x@a.example"})
		}, invalid("tenant_id"), nil, false},
		{"admin creates user without tenant", func(e env) error {
			return userIn(e, e.w.AdminActor, tenancy.UserInput{Role: model.RoleUser, Email: "x@example.com"})
		}, invalid("tenant_id"), nil, false},
		{"admin creates user in unknown tenant", func(e env) error {
			return userIn(e, e.w.AdminActor, tenancy.UserInput{TenantID: model.NewID(model.PrefixTenant), Email: "x@example.com"})
		}, invalid("tenant_id"), nil, false},
		{"tenant creates user in own tenant (implicit)", func(e env) error {
			return userIn(e, e.w.TenantAActor, tenancy.UserInput{Email: "u3@a.example"})
		}, ok, func(t *testing.T, e env) {
			u, err := e.St.GetUserByLogin(e.Ctx, "u3@a.example")
			if err != nil || u.TenantID != e.w.A.ID || u.Role != model.RoleUser || u.Status != model.UserActive {
				t.Fatalf("created %+v %v", u, err)
			}
		}, false},
		{"tenant creates tenant admin", func(e env) error {
			return userIn(e, e.w.TenantAActor, tenancy.UserInput{TenantID: e.w.A.ID, Role: model.RoleTenant, Email: "t3@a.example"})
		}, ok, nil, false},
		{"tenant creates admin", func(e env) error {
			return userIn(e, e.w.TenantAActor, tenancy.UserInput{Role: model.RoleAdmin, Email: "evil@a.example"})
		}, forbidden, nil, false},
		{"tenant creates user in another tenant", func(e env) error {
			return userIn(e, e.w.TenantAActor, tenancy.UserInput{TenantID: e.w.B.ID, Email: "spy@b.example"})
		}, invalid("tenant_id"), nil, false},
		{"user creates user", func(e env) error {
			return userIn(e, e.w.UserAActor, tenancy.UserInput{Email: "friend@a.example"})
		}, forbidden, nil, false},
		{"duplicate email, other case", func(e env) error {
			return userIn(e, e.w.TenantAActor, tenancy.UserInput{Email: strings.ToUpper(e.w.UserB.Email)})
		}, want{is: model.ErrConflict}, nil, false},
		{"anonymous actor", func(e env) error {
			return userIn(e, model.Actor{}, tenancy.UserInput{Email: "x@a.example"})
		}, want{is: model.ErrUnauthenticated}, nil, false},
		{"weak password", func(e env) error {
			return userIn(e, e.w.TenantAActor, tenancy.UserInput{Email: "weak@a.example", Password: "123"})
		}, invalid("password"), nil, false},
	})
}

func update(e env, a model.Actor, id string, p tenancy.UserPatch) error {
	_, err := e.Tenancy.UpdateUser(e.Ctx, a, id, p)
	return err
}

func TestUpdateUserPermissions(t *testing.T) {
	runUserCases(t, []userCase{
		{"admin renames user of B", func(e env) error {
			return update(e, e.w.AdminActor, e.w.UserB.ID, tenancy.UserPatch{FirstName: ptr("Bea")})
		}, ok, nil, false},
		{"tenant changes own user's phone", func(e env) error {
			return update(e, e.w.TenantAActor, e.w.UserA.ID, tenancy.UserPatch{Phone: ptr("+1 (555) 010-2030")})
		}, ok, func(t *testing.T, e env) {
			if u, _ := e.St.GetUser(e.Ctx, model.PlatformScope(), e.w.UserA.ID); u.Phone != "+15550102030" {
				t.Fatalf("phone stored as %q", u.Phone)
			}
		}, false},
		{"tenant changes user of another tenant", func(e env) error {
			return update(e, e.w.TenantAActor, e.w.UserB.ID, tenancy.UserPatch{FirstName: ptr("x")})
		}, notFound, nil, false},
		{"tenant changes platform admin", func(e env) error {
			return update(e, e.w.TenantAActor, e.w.Admin.ID, tenancy.UserPatch{FirstName: ptr("x")})
		}, notFound, nil, false},
		{"tenant promotes user to tenant admin", func(e env) error {
			return update(e, e.w.TenantAActor, e.w.UserA.ID, tenancy.UserPatch{Role: ptr(model.RoleTenant)})
		}, ok, func(t *testing.T, e env) {
			if evs := e.Events(t, model.ActionUserRoleChanged, e.w.UserA.ID); len(evs) != 1 || evs[0].TenantID != e.w.A.ID {
				t.Fatalf("role change events %+v", evs)
			}
		}, false},
		{"tenant promotes user to admin", func(e env) error {
			return update(e, e.w.TenantAActor, e.w.UserA.ID, tenancy.UserPatch{Role: ptr(model.RoleAdmin)})
		}, forbidden, nil, false},
		{"tenant moves user to another tenant", func(e env) error {
			return update(e, e.w.TenantAActor, e.w.UserA.ID, tenancy.UserPatch{TenantID: ptr(e.w.B.ID)})
		}, forbidden, nil, false},
		{"tenant raises own role", func(e env) error {
			return update(e, e.w.TenantAActor, e.w.TenantA.ID, tenancy.UserPatch{Role: ptr(model.RoleAdmin)})
		}, forbidden, nil, false},
		{"tenant disables itself", func(e env) error {
			return update(e, e.w.TenantAActor, e.w.TenantA.ID, tenancy.UserPatch{Status: ptr(model.UserDisabled)})
		}, forbidden, nil, false},
		{"user renames itself", func(e env) error {
			return update(e, e.w.UserAActor, e.w.UserA.ID, tenancy.UserPatch{FirstName: ptr("Ann"), LastName: ptr("Lee"), Phone: ptr("")})
		}, ok, nil, false},
		{"user sends its unchanged email and role with the form", func(e env) error {
			return update(e, e.w.UserAActor, e.w.UserA.ID, tenancy.UserPatch{FirstName: ptr("Ann"), Email: ptr(e.w.UserA.Email), Role: ptr(model.RoleUser)})
		}, ok, nil, false},
		{"user raises own role", func(e env) error {
			return update(e, e.w.UserAActor, e.w.UserA.ID, tenancy.UserPatch{Role: ptr(model.RoleTenant)})
		}, forbidden, nil, false},
		{"user changes own email", func(e env) error {
			return update(e, e.w.UserAActor, e.w.UserA.ID, tenancy.UserPatch{Email: ptr("new@a.example")})
		}, forbidden, nil, false},
		{"user changes own status", func(e env) error {
			return update(e, e.w.UserAActor, e.w.UserA.ID, tenancy.UserPatch{Status: ptr(model.UserDisabled)})
		}, forbidden, nil, false},
		{"user changes own tenant admin", func(e env) error {
			return update(e, e.w.UserAActor, e.w.TenantA.ID, tenancy.UserPatch{FirstName: ptr("x")})
		}, notFound, nil, false},
		{"tenant demotes itself", func(e env) error {
			return update(e, e.w.TenantAActor, e.w.TenantA.ID, tenancy.UserPatch{Role: ptr(model.RoleUser)})
		}, forbidden, nil, false},
		{"admin demotes itself while other admins exist", func(e env) error {
			return update(e, e.w.AdminActor, e.w.Admin.ID, tenancy.UserPatch{Role: ptr(model.RoleUser), TenantID: ptr(e.w.A.ID)})
		}, forbidden, nil, false},
		{"system demotes the last active admin", func(e env) error {
			return update(e, model.SystemActor(), e.w.Admin.ID, tenancy.UserPatch{Status: ptr(model.UserDisabled)})
		}, forbidden, nil, true},
		{"admin demotes another admin", func(e env) error {
			a2, _ := e.User(e.t, "", model.RoleAdmin, "other.admin@example.com")
			return update(e, e.w.AdminActor, a2.ID, tenancy.UserPatch{Role: ptr(model.RoleTenant), TenantID: ptr(e.w.B.ID)})
		}, ok, nil, false},
		{"admin promotes user to admin (tenant cleared)", func(e env) error {
			return update(e, e.w.AdminActor, e.w.UserA.ID, tenancy.UserPatch{Role: ptr(model.RoleAdmin)})
		}, ok, func(t *testing.T, e env) {
			if u, _ := e.St.GetUser(e.Ctx, model.PlatformScope(), e.w.UserA.ID); u.TenantID != "" || u.Role != model.RoleAdmin {
				t.Fatalf("promoted user %+v", u)
			}
		}, false},
		{"admin makes tenant admin without tenant", func(e env) error {
			return update(e, e.w.AdminActor, e.w.UserA.ID, tenancy.UserPatch{TenantID: ptr("")})
		}, invalid("tenant_id"), nil, false},
		{"admin moves user to unknown tenant", func(e env) error {
			return update(e, e.w.AdminActor, e.w.UserA.ID, tenancy.UserPatch{TenantID: ptr(model.NewID(model.PrefixTenant))})
		}, invalid("tenant_id"), nil, false},
		{"email taken", func(e env) error {
			return update(e, e.w.AdminActor, e.w.UserA.ID, tenancy.UserPatch{Email: ptr(e.w.TenantB.Email)})
		}, want{is: model.ErrConflict}, nil, false},
		{"bad role", func(e env) error {
			return update(e, e.w.AdminActor, e.w.UserA.ID, tenancy.UserPatch{Role: ptr(model.Role("root"))})
		}, invalid("role"), nil, false},
	})
}

func TestDeleteUserPermissions(t *testing.T) {
	runUserCases(t, []userCase{
		{"admin deletes user of B", func(e env) error {
			return e.Tenancy.DeleteUser(e.Ctx, e.w.AdminActor, e.w.UserB.ID)
		}, ok, func(t *testing.T, e env) {
			if _, err := e.St.GetUser(e.Ctx, model.PlatformScope(), e.w.UserB.ID); !errors.Is(err, model.ErrNotFound) {
				t.Fatalf("deleted user still there: %v", err)
			}
			if evs := e.Events(t, model.ActionUserDeleted, e.w.UserB.ID); len(evs) != 1 || evs[0].TenantID != e.w.B.ID {
				t.Fatalf("delete events %+v", evs)
			}
		}, false},
		{"tenant deletes own user", func(e env) error {
			return e.Tenancy.DeleteUser(e.Ctx, e.w.TenantAActor, e.w.UserA.ID)
		}, ok, nil, false},
		{"tenant deletes user of B", func(e env) error {
			return e.Tenancy.DeleteUser(e.Ctx, e.w.TenantAActor, e.w.UserB.ID)
		}, notFound, nil, false},
		{"tenant deletes itself", func(e env) error {
			return e.Tenancy.DeleteUser(e.Ctx, e.w.TenantAActor, e.w.TenantA.ID)
		}, forbidden, nil, false},
		{"tenant deletes admin", func(e env) error {
			return e.Tenancy.DeleteUser(e.Ctx, e.w.TenantAActor, e.w.Admin.ID)
		}, notFound, nil, false},
		{"user deletes itself", func(e env) error {
			return e.Tenancy.DeleteUser(e.Ctx, e.w.UserAActor, e.w.UserA.ID)
		}, forbidden, nil, false},
		{"user deletes its tenant admin", func(e env) error {
			return e.Tenancy.DeleteUser(e.Ctx, e.w.UserAActor, e.w.TenantA.ID)
		}, notFound, nil, false},
		{"admin deletes itself", func(e env) error {
			return e.Tenancy.DeleteUser(e.Ctx, e.w.AdminActor, e.w.Admin.ID)
		}, forbidden, nil, false},
		{"system deletes the last active admin", func(e env) error {
			return e.Tenancy.DeleteUser(e.Ctx, model.SystemActor(), e.w.Admin.ID)
		}, forbidden, nil, true},
		{"system deletes an admin when another is active", func(e env) error {
			return e.Tenancy.DeleteUser(e.Ctx, model.SystemActor(), e.w.Admin.ID)
		}, ok, nil, false},
		{"unknown id", func(e env) error {
			return e.Tenancy.DeleteUser(e.Ctx, e.w.AdminActor, model.NewID(model.PrefixUser))
		}, notFound, nil, false},
	})
}

func TestResetPasswordPermissions(t *testing.T) {
	reset := func(a func(authtest.World) model.Actor, target func(authtest.World) model.User) func(e env) error {
		return func(e env) error {
			return e.Tenancy.ResetPassword(e.Ctx, a(e.w), target(e.w).ID, "a brand new password")
		}
	}
	admin := func(w authtest.World) model.Actor { return w.AdminActor }
	tenantA := func(w authtest.World) model.Actor { return w.TenantAActor }
	userA := func(w authtest.World) model.Actor { return w.UserAActor }
	runUserCases(t, []userCase{
		{"admin resets user of B", reset(admin, func(w authtest.World) model.User { return w.UserB }), ok, func(t *testing.T, e env) {
			if _, err := e.Auth.Login(e.Ctx, auth.LoginInput{Login: e.w.UserB.Email, Password: "a brand new password"}); err != nil {
				t.Fatalf("new password: %v", err)
			}
		}, false},
		{"tenant resets own user", reset(tenantA, func(w authtest.World) model.User { return w.UserA }), ok, nil, false},
		{"tenant resets user of B", reset(tenantA, func(w authtest.World) model.User { return w.UserB }), notFound, nil, false},
		{"tenant resets itself", reset(tenantA, func(w authtest.World) model.User { return w.TenantA }), forbidden, nil, false},
		{"user resets itself", reset(userA, func(w authtest.World) model.User { return w.UserA }), forbidden, nil, false},
		{"user resets its tenant admin", reset(userA, func(w authtest.World) model.User { return w.TenantA }), notFound, nil, false},
		{"weak password", func(e env) error {
			return e.Tenancy.ResetPassword(e.Ctx, e.w.AdminActor, e.w.UserA.ID, "short")
		}, invalid("password"), nil, false},
	})
}
