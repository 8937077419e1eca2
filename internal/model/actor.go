package model

// Actor is who performs an action: an authenticated user, with how they
// authenticated and from where. Domain services take an Actor and decide
// what it may do; they never look at HTTP.
type Actor struct {
	UserID   string
	TenantID string // "" for platform admins
	Role     Role
	Email    string
	Via      string // "session", "api_key", "basic", "smtp", "cli", "system"
	IP       string
	// SessionID is the hex id of the portal session the actor came with
	// (Via == "session"), so that a password change can keep the current
	// session and revoke the others. Empty otherwise.
	SessionID string
}

// Scope is the widest data scope the actor may ever use: every tenant for
// admins, the own tenant for everyone else.
func (a Actor) Scope() Scope {
	if a.Role == RoleAdmin {
		return PlatformScope()
	}
	return TenantScope(a.TenantID)
}

// IsAdmin reports whether the actor is a platform admin.
func (a Actor) IsAdmin() bool { return a.Role == RoleAdmin }

// SystemActor is used for work done by faxgate itself (jobs, CLI set-up).
func SystemActor() Actor { return Actor{Role: RoleAdmin, Email: "system", Via: "system"} }
