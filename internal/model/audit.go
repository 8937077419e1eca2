package model

import "time"

// AuditEvent is one line of "System Activities": who did what, when, from where.
type AuditEvent struct {
	ID         string
	At         time.Time
	TenantID   string // tenant the action concerns; "" for platform-level actions
	ActorID    string // user id; "" for anonymous (failed logins) and system
	ActorEmail string // kept as text so the line survives the user's deletion
	IP         string
	Action     string // dotted verb, see the Action* constants
	TargetType string // "user", "tenant", "api_key", "branding", ...
	TargetID   string
	Detail     string // short human-readable detail
}

// Audit actions recorded by the foundation. Later capabilities add theirs.
const (
	ActionLoginSucceeded  = "auth.login"
	ActionLoginFailed     = "auth.login_failed"
	ActionLogout          = "auth.logout"
	ActionTOTPEnabled     = "auth.totp_enabled"
	ActionTOTPDisabled    = "auth.totp_disabled"
	ActionPasswordChanged = "auth.password_changed"
	ActionUserCreated     = "user.created"
	ActionUserUpdated     = "user.updated"
	ActionUserDeleted     = "user.deleted"
	ActionUserRoleChanged = "user.role_changed"
	ActionUserPasswordSet = "user.password_reset"
	ActionAPIKeyCreated   = "api_key.created"
	ActionAPIKeyRevoked   = "api_key.revoked"
	ActionBrandingUpdated = "branding.updated"
	ActionSettingsUpdated = "settings.updated"
	ActionTenantCreated   = "tenant.created"
	ActionTenantUpdated   = "tenant.updated"
)
