package model

import "time"

// Role is what a user may do: admin runs the platform, tenant administers
// one tenant, user sends and receives faxes with the tenant's resources.
type Role string

const (
	RoleAdmin  Role = "admin"
	RoleTenant Role = "tenant"
	RoleUser   Role = "user"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleTenant || r == RoleUser }

// Rank orders roles by power: user < tenant < admin.
func (r Role) Rank() int {
	switch r {
	case RoleAdmin:
		return 3
	case RoleTenant:
		return 2
	case RoleUser:
		return 1
	}
	return 0
}

// UserStatus is active or disabled. Disabled users cannot log in or use the API.
type UserStatus string

const (
	UserActive   UserStatus = "active"
	UserDisabled UserStatus = "disabled"
)

// Valid reports whether s is a known status.
func (s UserStatus) Valid() bool { return s == UserActive || s == UserDisabled }

// User is a person or system that logs in to the portal or the API. Platform
// admins have no tenant (TenantID == "").
type User struct {
	ID           string
	TenantID     string
	Role         Role
	Email        string // lower case, unique across the platform
	APIUsername  string // optional, unique across the platform
	PasswordHash string // argon2id PHC string; never leaves the server
	FirstName    string
	LastName     string
	Phone        string
	Status       UserStatus
	TOTPSecret   string // base32; set while enrolling or enabled
	TOTPEnabled  bool
	LastLoginAt  time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Name is the user's display name, falling back to the email.
func (u User) Name() string {
	switch {
	case u.FirstName != "" && u.LastName != "":
		return u.FirstName + " " + u.LastName
	case u.FirstName != "":
		return u.FirstName
	case u.LastName != "":
		return u.LastName
	}
	return u.Email
}

// Session is a portal login. The browser holds a random token; the database
// holds only its SHA-256 (ID), so a database leak gives no live sessions.
type Session struct {
	ID         string // hex SHA-256 of the cookie token
	UserID     string
	TenantID   string
	MFAPending bool // password accepted, TOTP code still due
	IP         string
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute expiry; idle expiry is LastSeenAt + idle timeout
}

// APIKey is a bearer credential for the REST API. The secret is shown once at
// creation; the database keeps only its SHA-256 (Hash).
type APIKey struct {
	ID         string
	UserID     string
	TenantID   string
	Name       string
	Prefix     string // first characters of the key, shown to recognise it
	Hash       string
	CreatedAt  time.Time
	LastUsedAt time.Time
	RevokedAt  time.Time
}

// Revoked reports whether the key was revoked.
func (k APIKey) Revoked() bool { return !k.RevokedAt.IsZero() }

// LoginThrottle counts failed logins for one key ("acct:<login>" or
// "ip:<address>") within a window, and a lock time after too many.
type LoginThrottle struct {
	Key         string
	Failures    int
	WindowStart time.Time
	LockedUntil time.Time
}
