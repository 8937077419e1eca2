package tenancy

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"faxgate/internal/auth"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// UserInput creates a user. An empty Role means user, an empty Status
// active; a tenant admin's empty TenantID means its own tenant. Platform
// admins (Role admin) have no tenant.
type UserInput struct {
	TenantID    string
	Role        model.Role
	Email       string
	APIUsername string
	Password    string
	FirstName   string
	LastName    string
	Phone       string
	Status      model.UserStatus
}

// UserPatch changes a user; nil fields keep their value.
type UserPatch struct {
	Role                                           *model.Role
	Email, APIUsername, FirstName, LastName, Phone *string
	Status                                         *model.UserStatus
	TenantID                                       *string
}

// CreateUser creates a user. Admins create anyone (admins with no tenant,
// tenant admins and users in any tenant); tenant admins create tenant admins
// and users in their own tenant; users create nobody.
func (s *Service) CreateUser(ctx context.Context, actor model.Actor, in UserInput) (model.User, error) {
	if err := checkActor(actor); err != nil {
		return model.User{}, err
	}
	u, err := placeNewUser(actor, in)
	if err != nil {
		return model.User{}, err
	}
	v := &model.ValidationError{}
	u.Email = normEmail(v, in.Email)
	u.APIUsername = normAPIUsername(v, in.APIUsername)
	u.FirstName = normText(v, "first_name", in.FirstName, maxNameLen)
	u.LastName = normText(v, "last_name", in.LastName, maxNameLen)
	u.Phone = normPhone(v, in.Phone)
	if u.Status = in.Status; u.Status == "" {
		u.Status = model.UserActive
	} else if !u.Status.Valid() {
		v.Add("status", "must be active or disabled")
	}
	if err := auth.ValidatePassword(in.Password); err != nil {
		v.Add("password", fieldReason(err, "password"))
	}
	if err := v.OrNil(); err != nil {
		return model.User{}, err
	}
	if u.PasswordHash, err = s.hasher.Hash(ctx, in.Password); err != nil {
		return model.User{}, err
	}
	if err := s.st.CreateUser(ctx, &u); err != nil {
		return model.User{}, err
	}
	s.au.Record(ctx, actor, model.ActionUserCreated, "user", u.ID, fmt.Sprintf("%s (%s)", u.Email, u.Role), u.TenantID)
	return u, nil
}

// placeNewUser decides the role and tenant of a new user, or refuses.
func placeNewUser(actor model.Actor, in UserInput) (model.User, error) {
	u := model.User{Role: in.Role, TenantID: strings.TrimSpace(in.TenantID)}
	if u.Role == "" {
		u.Role = model.RoleUser
	}
	if !u.Role.Valid() {
		return u, model.Invalid("role", "must be admin, tenant or user")
	}
	switch actor.Role {
	case model.RoleUser:
		return u, fmt.Errorf("%w: users cannot create users", model.ErrForbidden)
	case model.RoleTenant:
		if u.Role == model.RoleAdmin {
			return u, fmt.Errorf("%w: a tenant cannot create platform admins", model.ErrForbidden)
		}
		if u.TenantID == "" {
			u.TenantID = actor.TenantID
		}
		if u.TenantID != actor.TenantID {
			return u, model.Invalid("tenant_id", "no such tenant")
		}
	}
	switch {
	case u.Role == model.RoleAdmin && u.TenantID != "":
		return u, model.Invalid("tenant_id", "platform admins belong to no tenant")
	case u.Role != model.RoleAdmin && u.TenantID == "":
		return u, model.Invalid("tenant_id", "is required for the tenant and user roles")
	}
	return u, nil
}

// fieldReason extracts the reason of field from a validation error.
func fieldReason(err error, field string) string {
	var ve *model.ValidationError
	if errors.As(err, &ve) && ve.Fields[field] != "" {
		return ve.Fields[field]
	}
	return err.Error()
}

// visibleUser loads id if the actor may see it: admins any user, tenant
// admins their tenant's users, users themselves. Otherwise model.ErrNotFound.
func (s *Service) visibleUser(ctx context.Context, actor model.Actor, id string) (model.User, error) {
	if err := checkActor(actor); err != nil {
		return model.User{}, err
	}
	if actor.Role == model.RoleUser && id != actor.UserID {
		return model.User{}, model.ErrNotFound
	}
	return s.st.GetUser(ctx, actor.Scope(), id)
}

// GetUser returns a user the actor may see (see visibleUser).
func (s *Service) GetUser(ctx context.Context, actor model.Actor, id string) (model.User, error) {
	return s.visibleUser(ctx, actor, id)
}

// UpdateUser changes a user. Users may change only their own name and phone;
// nobody changes their own role, status or tenant (so nobody raises their
// own role or locks themselves out); tenant admins never make admins nor
// move users to another tenant; the last active admin stays an active admin.
// Making a user an admin takes them out of their tenant. Disabling a user or
// moving them to another tenant ends their sessions; a move also revokes
// their API keys (they were issued for the old tenant).
func (s *Service) UpdateUser(ctx context.Context, actor model.Actor, id string, p UserPatch) (model.User, error) {
	old, err := s.visibleUser(ctx, actor, id)
	if err != nil {
		return model.User{}, err
	}
	u, err := applyPatch(old, p)
	if err != nil {
		return model.User{}, err
	}
	if err := s.mayChange(ctx, actor, old, u); err != nil {
		return model.User{}, err
	}
	changes := userChanges(old, u)
	if len(changes) == 0 && old.Role == u.Role {
		return old, nil
	}
	if err := s.st.UpdateUser(ctx, userScope(old), &u); err != nil {
		return model.User{}, err
	}
	s.afterUpdate(ctx, old, u)
	if old.Role != u.Role {
		s.au.Record(ctx, actor, model.ActionUserRoleChanged, "user", u.ID, fmt.Sprintf("%s: %s → %s", u.Email, old.Role, u.Role), u.TenantID)
	}
	if len(changes) > 0 {
		s.au.Record(ctx, actor, model.ActionUserUpdated, "user", u.ID, u.Email+": "+strings.Join(changes, ", "), u.TenantID)
	}
	return u, nil
}

// applyPatch validates p and returns old with p applied.
func applyPatch(old model.User, p UserPatch) (model.User, error) {
	u := old
	v := &model.ValidationError{}
	if p.Email != nil {
		u.Email = normEmail(v, *p.Email)
	}
	if p.APIUsername != nil {
		u.APIUsername = normAPIUsername(v, *p.APIUsername)
	}
	if p.FirstName != nil {
		u.FirstName = normText(v, "first_name", *p.FirstName, maxNameLen)
	}
	if p.LastName != nil {
		u.LastName = normText(v, "last_name", *p.LastName, maxNameLen)
	}
	if p.Phone != nil {
		u.Phone = normPhone(v, *p.Phone)
	}
	if p.Role != nil {
		if u.Role = *p.Role; !u.Role.Valid() {
			v.Add("role", "must be admin, tenant or user")
		}
		if u.Role == model.RoleAdmin && p.TenantID == nil {
			u.TenantID = ""
		}
	}
	if p.Status != nil {
		if u.Status = *p.Status; !u.Status.Valid() {
			v.Add("status", "must be active or disabled")
		}
	}
	if p.TenantID != nil {
		u.TenantID = strings.TrimSpace(*p.TenantID)
	}
	return u, v.OrNil()
}

// mayChange checks the permission rules for turning old into u.
func (s *Service) mayChange(ctx context.Context, actor model.Actor, old, u model.User) error {
	self := old.ID == actor.UserID
	accessChanged := old.Role != u.Role || old.Status != u.Status || old.TenantID != u.TenantID
	switch {
	case actor.Role == model.RoleUser && (accessChanged || old.Email != u.Email || old.APIUsername != u.APIUsername):
		return fmt.Errorf("%w: you may change only your name and phone", model.ErrForbidden)
	case self && accessChanged:
		return fmt.Errorf("%w: you cannot change your own role, status or tenant", model.ErrForbidden)
	case actor.Role == model.RoleTenant && u.Role == model.RoleAdmin:
		return fmt.Errorf("%w: a tenant cannot make platform admins", model.ErrForbidden)
	case actor.Role == model.RoleTenant && u.TenantID != actor.TenantID:
		return fmt.Errorf("%w: users cannot be moved to another tenant", model.ErrForbidden)
	case u.Role == model.RoleAdmin && u.TenantID != "":
		return model.Invalid("tenant_id", "platform admins belong to no tenant")
	case u.Role != model.RoleAdmin && u.TenantID == "":
		return model.Invalid("tenant_id", "is required for the tenant and user roles")
	}
	if isActiveAdmin(old) && !isActiveAdmin(u) {
		return s.notLastAdmin(ctx, "demoted or disabled")
	}
	return nil
}

func isActiveAdmin(u model.User) bool {
	return u.Role == model.RoleAdmin && u.Status == model.UserActive
}

// notLastAdmin refuses when there is only one active admin left.
func (s *Service) notLastAdmin(ctx context.Context, what string) error {
	n, err := s.st.CountAdmins(ctx)
	if err != nil {
		return err
	}
	if n <= 1 {
		return fmt.Errorf("%w: the last active platform admin cannot be %s", model.ErrForbidden, what)
	}
	return nil
}

// afterUpdate ends sessions (and for a tenant move, API keys) that must not
// survive the change. Failures are logged: the change itself is saved.
func (s *Service) afterUpdate(ctx context.Context, old, u model.User) {
	moved := old.TenantID != u.TenantID
	if moved || (old.Status == model.UserActive && u.Status != model.UserActive) {
		if _, err := s.st.DeleteUserSessions(ctx, u.ID, ""); err != nil {
			s.warn(ctx, "end sessions of changed user", "user", u.ID, "err", err)
		}
	}
	if !moved {
		return
	}
	keys, err := s.st.ListAPIKeys(ctx, model.PlatformScope(), u.ID)
	if err != nil {
		s.warn(ctx, "list api keys of moved user", "user", u.ID, "err", err)
		return
	}
	for _, k := range keys {
		if k.Revoked() {
			continue
		}
		if err := s.st.RevokeAPIKey(ctx, model.PlatformScope(), u.ID, k.ID, s.now().UTC()); err != nil {
			s.warn(ctx, "revoke api key of moved user", "key", k.ID, "err", err)
		}
	}
}

// userChanges describes the profile changes between two versions of a user
// (role changes are audited on their own).
func userChanges(a, b model.User) []string {
	var c []string
	diff := func(name, x, y string) {
		if x != y {
			c = append(c, fmt.Sprintf("%s %q → %q", name, x, y))
		}
	}
	diff("email", a.Email, b.Email)
	diff("api_username", a.APIUsername, b.APIUsername)
	diff("first_name", a.FirstName, b.FirstName)
	diff("last_name", a.LastName, b.LastName)
	diff("phone", a.Phone, b.Phone)
	diff("status", string(a.Status), string(b.Status))
	diff("tenant_id", a.TenantID, b.TenantID)
	return c
}

// DeleteUser deletes a user (their sessions and API keys go with them).
// Users delete nobody; nobody deletes themselves or the last active admin.
func (s *Service) DeleteUser(ctx context.Context, actor model.Actor, id string) error {
	u, err := s.visibleUser(ctx, actor, id)
	if err != nil {
		return err
	}
	switch {
	case u.ID == actor.UserID:
		return fmt.Errorf("%w: you cannot delete your own account", model.ErrForbidden)
	case actor.Role == model.RoleUser:
		return fmt.Errorf("%w: users cannot delete users", model.ErrForbidden)
	}
	if isActiveAdmin(u) {
		if err := s.notLastAdmin(ctx, "deleted"); err != nil {
			return err
		}
	}
	if err := s.st.DeleteUser(ctx, userScope(u), u.ID); err != nil {
		return err
	}
	s.au.Record(ctx, actor, model.ActionUserDeleted, "user", u.ID, fmt.Sprintf("%s (%s)", u.Email, u.Role), u.TenantID)
	return nil
}

// ResetPassword sets another user's password (admins: anyone; tenant
// admins: their tenant's users) and ends all that user's sessions. For your
// own password use auth.ChangePassword, which asks for the current one.
func (s *Service) ResetPassword(ctx context.Context, actor model.Actor, id, password string) error {
	u, err := s.visibleUser(ctx, actor, id)
	if err != nil {
		return err
	}
	if u.ID == actor.UserID || actor.Role == model.RoleUser {
		return fmt.Errorf("%w: change your own password in your profile (it asks for the current one)", model.ErrForbidden)
	}
	if err := auth.ValidatePassword(password); err != nil {
		return err
	}
	h, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	if err := s.st.SetUserPassword(ctx, userScope(u), u.ID, h); err != nil {
		return err
	}
	n, err := s.st.DeleteUserSessions(ctx, u.ID, "")
	if err != nil {
		s.warn(ctx, "end sessions after password reset", "user", u.ID, "err", err)
	}
	s.au.Record(ctx, actor, model.ActionUserPasswordSet, "user", u.ID,
		fmt.Sprintf("password of %s reset; %d sessions ended", u.Email, n), u.TenantID)
	return nil
}

// ListUsers lists the users the actor may see, newest first: admins all
// (f.TenantID filters), tenant admins their tenant's, users only themselves.
func (s *Service) ListUsers(ctx context.Context, actor model.Actor, f store.UserFilter, o model.ListOptions) ([]model.User, string, error) {
	if err := checkActor(actor); err != nil {
		return nil, "", err
	}
	v := &model.ValidationError{}
	if f.Role != "" && !f.Role.Valid() {
		v.Add("role", "must be admin, tenant or user")
	}
	if f.Status != "" && !f.Status.Valid() {
		v.Add("status", "must be active or disabled")
	}
	if err := v.OrNil(); err != nil {
		return nil, "", err
	}
	f.Query = strings.TrimSpace(f.Query)
	switch actor.Role {
	case model.RoleUser:
		u, err := s.st.GetUser(ctx, actor.Scope(), actor.UserID)
		if err != nil {
			return nil, "", err
		}
		return []model.User{u}, "", nil
	case model.RoleTenant:
		if f.TenantID != "" && f.TenantID != actor.TenantID {
			return nil, "", nil
		}
		f.TenantID = ""
	}
	return s.st.ListUsers(ctx, actor.Scope(), f, o.Normalize(50, 500))
}

// CountUsers counts the users of the actor's scope: all for admins, the
// tenant's for everyone else.
func (s *Service) CountUsers(ctx context.Context, actor model.Actor) (int, error) {
	if err := checkActor(actor); err != nil {
		return 0, err
	}
	return s.st.CountUsers(ctx, actor.Scope())
}
