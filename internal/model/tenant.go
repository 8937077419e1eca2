package model

import "time"

// TenantStatus is active or suspended. Users of a suspended tenant cannot
// log in or use the API.
type TenantStatus string

const (
	TenantActive    TenantStatus = "active"
	TenantSuspended TenantStatus = "suspended"
)

// Valid reports whether s is a known status.
func (s TenantStatus) Valid() bool { return s == TenantActive || s == TenantSuspended }

// Tenant is a customer organisation. Page limits of 0 mean unlimited.
type Tenant struct {
	ID               string
	Name             string
	Status           TenantStatus
	DailyPageLimit   int
	MonthlyPageLimit int
	RetentionDays    int
	EmailDomain      string // optional own domain for <number>@domain email-to-fax
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Branding is a tenant's white label: the portal shows it on the login page
// of Domain and to the tenant's users after login.
type Branding struct {
	TenantID      string
	Domain        string // host name, lower case, no port; "" = none
	CompanyName   string
	Title         string
	Footer        string
	LogoType      string    // MIME type of the logo, "" when there is none
	LogoUpdatedAt time.Time // cache buster for the logo URL
	UpdatedAt     time.Time
}

// HasLogo reports whether the tenant uploaded a logo.
func (b Branding) HasLogo() bool { return b.LogoType != "" }

// DefaultBranding is what the portal shows when no tenant branding applies.
func DefaultBranding() Branding {
	return Branding{CompanyName: "faxgate", Title: "faxgate", Footer: "faxgate: open-source fax platform"}
}
