package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"faxgate/internal/model"
)

// UserFilter narrows ListUsers. Zero fields do not filter.
type UserFilter struct {
	Query    string // case-insensitive substring of email, api username, names or phone
	Role     model.Role
	Status   model.UserStatus
	TenantID string // only meaningful in the platform scope; a tenant scope already fixes it
}

const userCols = `id, tenant_id, role, email, api_username, password_hash, first_name, last_name, phone,
	status, totp_secret, totp_enabled, last_login_at, created_at, updated_at`

func (s *Store) scanUser(r rowScanner) (model.User, error) {
	var u model.User
	err := r.Scan(&u.ID, scanStr(&u.TenantID), &u.Role, &u.Email, &u.APIUsername, &u.PasswordHash,
		&u.FirstName, &u.LastName, &u.Phone, &u.Status, s.sealed(colTOTPSecret, &u.TOTPSecret), &u.TOTPEnabled,
		scanTime(&u.LastLoginAt), scanTime(&u.CreatedAt), scanTime(&u.UpdatedAt))
	return u, err
}

// userErr maps a user write error: an unknown tenant is a validation error
// on tenant_id.
func (s *Store) userErr(err error) error {
	err = s.mapErr(err)
	if errors.Is(err, errForeignKey) {
		return model.Invalid("tenant_id", "no such tenant")
	}
	return err
}

// CreateUser inserts u, setting its ID, CreatedAt and UpdatedAt. Email and
// api username are unique case-insensitively: a clash is a
// *model.ConflictError for "email" or "api_username". Platform admins have no
// tenant; every other role must have one.
func (s *Store) CreateUser(ctx context.Context, u *model.User) error {
	n := *u
	n.ID = model.NewID(model.PrefixUser)
	n.CreatedAt = now()
	n.UpdatedAt = n.CreatedAt
	n.LastLoginAt = norm(n.LastLoginAt)
	totp, err := s.sealStr(colTOTPSecret, n.TOTPSecret)
	if err != nil {
		return err
	}
	_, err = s.wdb.ExecContext(ctx, `INSERT INTO users (id, tenant_id, role, email, email_lc, api_username,
		api_username_lc, password_hash, first_name, last_name, phone, status, totp_secret, totp_enabled,
		last_login_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
		n.ID, nullStr(n.TenantID), n.Role, n.Email, strings.ToLower(n.Email), n.APIUsername,
		nullStr(strings.ToLower(n.APIUsername)), n.PasswordHash, n.FirstName, n.LastName, n.Phone, n.Status,
		totp, n.TOTPEnabled, s.tv(n.LastLoginAt), s.tv(n.CreatedAt), s.tv(n.UpdatedAt))
	if err != nil {
		return s.userErr(err)
	}
	*u = n
	return nil
}

// GetUser returns the user id within the scope, else ErrNotFound.
func (s *Store) GetUser(ctx context.Context, scope model.Scope, id string) (model.User, error) {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return model.User{}, err
	}
	w.add("id = ?", id)
	row := s.rdb.QueryRowContext(ctx, `SELECT `+userCols+` FROM users`+w.sql(), w.args...)
	u, err := s.scanUser(row)
	return u, s.mapErr(err)
}

// GetUserByLogin finds a user by email or api username, case-insensitively,
// across all tenants. Only authentication uses it.
func (s *Store) GetUserByLogin(ctx context.Context, login string) (model.User, error) {
	login = strings.ToLower(strings.TrimSpace(login))
	if login == "" {
		return model.User{}, model.ErrNotFound
	}
	row := s.rdb.QueryRowContext(ctx, `SELECT `+userCols+` FROM users
		WHERE email_lc = $1 OR api_username_lc = $1
		ORDER BY CASE WHEN email_lc = $1 THEN 0 ELSE 1 END LIMIT 1`, login)
	u, err := s.scanUser(row)
	return u, s.mapErr(err)
}

// UpdateUser saves u's profile: tenant, role, email, api username, names,
// phone and status (not the password, TOTP or last login, which have their
// own methods), and sets UpdatedAt. The user must be in the scope, else
// ErrNotFound.
func (s *Store) UpdateUser(ctx context.Context, scope model.Scope, u *model.User) error {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return err
	}
	w.add("id = ?", u.ID)
	cond := w.sql()
	updated := now()
	set := ` SET tenant_id = ` + w.arg(nullStr(u.TenantID)) + `, role = ` + w.arg(u.Role) +
		`, email = ` + w.arg(u.Email) + `, email_lc = ` + w.arg(strings.ToLower(u.Email)) +
		`, api_username = ` + w.arg(u.APIUsername) +
		`, api_username_lc = ` + w.arg(nullStr(strings.ToLower(u.APIUsername))) +
		`, first_name = ` + w.arg(u.FirstName) + `, last_name = ` + w.arg(u.LastName) +
		`, phone = ` + w.arg(u.Phone) + `, status = ` + w.arg(u.Status) + `, updated_at = ` + w.arg(s.tv(updated))
	if err := s.userErr(s.execOne(ctx, `UPDATE users`+set+cond, w.args...)); err != nil {
		return err
	}
	u.UpdatedAt = updated
	return nil
}

// updateUserFields runs "UPDATE users SET <set>" for one user in the scope;
// set uses ? placeholders for args.
func (s *Store) updateUserFields(ctx context.Context, scope model.Scope, id, set string, args ...any) error {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return err
	}
	w.add("id = ?", id)
	cond := w.sql()
	for _, a := range args {
		set = strings.Replace(set, "?", w.arg(a), 1)
	}
	return s.execOne(ctx, `UPDATE users SET `+set+cond, w.args...)
}

// SetUserPassword replaces the user's password hash.
func (s *Store) SetUserPassword(ctx context.Context, scope model.Scope, id, hash string) error {
	return s.updateUserFields(ctx, scope, id, "password_hash = ?, updated_at = ?", hash, s.tv(now()))
}

// SetUserTOTP stores the TOTP secret ("" clears it) and whether it is
// enabled.
func (s *Store) SetUserTOTP(ctx context.Context, scope model.Scope, id, secret string, enabled bool) error {
	secret, err := s.sealStr(colTOTPSecret, secret)
	if err != nil {
		return err
	}
	return s.updateUserFields(ctx, scope, id, "totp_secret = ?, totp_enabled = ?, updated_at = ?",
		secret, enabled, s.tv(now()))
}

// SetUserLastLogin records a successful login time.
func (s *Store) SetUserLastLogin(ctx context.Context, id string, at time.Time) error {
	return s.execOne(ctx, `UPDATE users SET last_login_at = $1 WHERE id = $2`, s.tv(at), id)
}

// DeleteUser deletes the user in the scope (ErrNotFound otherwise); its
// sessions and API keys go with it.
func (s *Store) DeleteUser(ctx context.Context, scope model.Scope, id string) error {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return err
	}
	w.add("id = ?", id)
	return s.execOne(ctx, `DELETE FROM users`+w.sql(), w.args...)
}

// ListUsers lists the scope's users newest first.
func (s *Store) ListUsers(ctx context.Context, scope model.Scope, f UserFilter, o model.ListOptions) ([]model.User, string, error) {
	p := page[model.User]{
		base:    `SELECT ` + userCols + ` FROM users`,
		timeCol: "created_at", idCol: "id",
		scan: s.scanUser,
		key:  func(u model.User) cursor { return cursor{u.CreatedAt, u.ID} },
	}
	if err := p.w.scoped(scope, "tenant_id"); err != nil {
		return nil, "", err
	}
	if f.TenantID != "" {
		p.w.add("tenant_id = ?", f.TenantID)
	}
	if f.Query != "" {
		pat := likePattern(f.Query)
		p.w.add(`email_lc LIKE ? ESCAPE '\' OR api_username_lc LIKE ? ESCAPE '\'
			OR lower(first_name) LIKE ? ESCAPE '\' OR lower(last_name) LIKE ? ESCAPE '\'
			OR phone LIKE ? ESCAPE '\'`, pat, pat, pat, pat, pat)
	}
	if f.Role != "" {
		p.w.add("role = ?", f.Role)
	}
	if f.Status != "" {
		p.w.add("status = ?", f.Status)
	}
	return p.run(ctx, s, o)
}

// CountUsers counts the scope's users.
func (s *Store) CountUsers(ctx context.Context, scope model.Scope) (int, error) {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return 0, err
	}
	var n int
	err := s.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`+w.sql(), w.args...).Scan(&n)
	return n, s.mapErr(err)
}

// CountAdmins counts active platform admins (so nobody removes the last).
func (s *Store) CountAdmins(ctx context.Context) (int, error) {
	var n int
	err := s.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE role = 'admin' AND status = 'active'`).Scan(&n)
	return n, s.mapErr(err)
}
