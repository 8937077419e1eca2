package model

// Scope says whose data a store or service call may touch. The zero value is
// invalid on purpose: a call that forgot to say whose data it wants fails
// instead of seeing every tenant's rows.
type Scope struct {
	tenantID string
	platform bool
}

// TenantScope limits a call to one tenant's data.
func TenantScope(tenantID string) Scope { return Scope{tenantID: tenantID} }

// PlatformScope lets a call see every tenant's data. Only platform admins
// get it (see Actor.Scope).
func PlatformScope() Scope { return Scope{platform: true} }

// Valid reports whether the scope was made by TenantScope (with an id) or
// PlatformScope.
func (s Scope) Valid() bool { return s.platform || s.tenantID != "" }

// IsPlatform reports whether the scope covers every tenant.
func (s Scope) IsPlatform() bool { return s.platform }

// TenantID returns the tenant the scope is limited to, or "" for the
// platform scope.
func (s Scope) TenantID() string { return s.tenantID }

// Allows reports whether an object of tenantID is visible in the scope.
func (s Scope) Allows(tenantID string) bool {
	return s.platform || (s.tenantID != "" && s.tenantID == tenantID)
}
