package api

import (
	"fmt"
	"time"

	"faxgate/internal/documents"
	"faxgate/internal/model"
)

// The JSON data transfer objects of the API. Field names follow DESIGN.md
// §7 (snake_case). They never carry password hashes, TOTP secrets or key
// hashes. Tags feed the OpenAPI schemas: doc (description), enum, api
// (required, readonly, writeonly, min=, max=).

// User is a user as the API shows it.
type User struct {
	ID          string     `json:"id" api:"required,readonly"`
	TenantID    string     `json:"tenant_id" api:"required" doc:"Tenant of the user; empty for platform admins."`
	Role        string     `json:"role" api:"required" enum:"admin,tenant,user"`
	Email       string     `json:"email" api:"required"`
	APIUsername string     `json:"api_username" api:"required" doc:"Login for HTTP Basic; may be empty."`
	FirstName   string     `json:"first_name" api:"required"`
	LastName    string     `json:"last_name" api:"required"`
	Phone       string     `json:"phone" api:"required"`
	Status      string     `json:"status" api:"required" enum:"active,disabled"`
	TOTPEnabled bool       `json:"totp_enabled" api:"required,readonly" doc:"Two-factor login is on."`
	LastLoginAt *time.Time `json:"last_login_at" api:"required,readonly" doc:"null until the first login."`
	CreatedAt   time.Time  `json:"created_at" api:"required,readonly"`
	UpdatedAt   time.Time  `json:"updated_at" api:"required,readonly"`
}

// UserCreate is the body of POST /api/v1/users.
type UserCreate struct {
	TenantID    string `json:"tenant_id,omitempty" doc:"Admins: the tenant (empty with role admin creates a platform admin). Tenants: omit or own tenant."`
	Role        string `json:"role" api:"required" enum:"admin,tenant,user"`
	Email       string `json:"email" api:"required"`
	APIUsername string `json:"api_username,omitempty" doc:"3-64 of a-z 0-9 . _ -"`
	Password    string `json:"password" api:"required,writeonly" doc:"10 to 256 characters."`
	FirstName   string `json:"first_name,omitempty"`
	LastName    string `json:"last_name,omitempty"`
	Phone       string `json:"phone,omitempty"`
	Status      string `json:"status,omitempty" enum:"active,disabled" doc:"Default active."`
}

// UserPatch is the body of PATCH /api/v1/users/{id} and PATCH /api/v1/me:
// only the fields present change.
type UserPatch struct {
	TenantID    *string `json:"tenant_id,omitempty" doc:"Admins only: move the user to another tenant."`
	Role        *string `json:"role,omitempty" enum:"admin,tenant,user"`
	Email       *string `json:"email,omitempty"`
	APIUsername *string `json:"api_username,omitempty"`
	FirstName   *string `json:"first_name,omitempty"`
	LastName    *string `json:"last_name,omitempty"`
	Phone       *string `json:"phone,omitempty"`
	Status      *string `json:"status,omitempty" enum:"active,disabled"`
}

// PasswordChange is the body of POST /api/v1/me/password.
type PasswordChange struct {
	CurrentPassword string `json:"current_password" api:"required,writeonly"`
	NewPassword     string `json:"new_password" api:"required,writeonly" doc:"10 to 256 characters. Other sessions are signed out."`
}

// PasswordReset is the body of POST /api/v1/users/{id}/password.
type PasswordReset struct {
	Password string `json:"password" api:"required,writeonly" doc:"10 to 256 characters."`
}

// UserList is one page of users.
type UserList struct {
	Items      []User `json:"items" api:"required"`
	NextCursor string `json:"next_cursor" api:"required" doc:"Pass as ?cursor= for the next page; empty on the last page."`
}

// Tenant is a customer organisation.
type Tenant struct {
	ID               string    `json:"id" api:"required,readonly"`
	Name             string    `json:"name" api:"required"`
	Status           string    `json:"status" api:"required" enum:"active,suspended"`
	DailyPageLimit   int       `json:"daily_page_limit" api:"required" doc:"0 = unlimited."`
	MonthlyPageLimit int       `json:"monthly_page_limit" api:"required" doc:"0 = unlimited."`
	RetentionDays    int       `json:"retention_days" api:"required"`
	EmailDomain      string    `json:"email_domain" api:"required" doc:"Own domain for <number>@domain email-to-fax; may be empty."`
	CreatedAt        time.Time `json:"created_at" api:"required,readonly"`
	UpdatedAt        time.Time `json:"updated_at" api:"required,readonly"`
}

// TenantInput is the body of POST and PATCH /api/v1/tenants: on PATCH only
// the fields present change.
type TenantInput struct {
	Name             string  `json:"name,omitempty" doc:"2 to 100 characters, unique. Required on create."`
	Status           string  `json:"status,omitempty" enum:"active,suspended"`
	DailyPageLimit   *int    `json:"daily_page_limit,omitempty" api:"min=0"`
	MonthlyPageLimit *int    `json:"monthly_page_limit,omitempty" api:"min=0"`
	RetentionDays    *int    `json:"retention_days,omitempty" api:"min=1,max=3650"`
	EmailDomain      *string `json:"email_domain,omitempty"`
}

// TenantList is one page of tenants.
type TenantList struct {
	Items      []Tenant `json:"items" api:"required"`
	NextCursor string   `json:"next_cursor" api:"required"`
}

// APIKey is an API key without its secret.
type APIKey struct {
	ID         string     `json:"id" api:"required,readonly"`
	UserID     string     `json:"user_id" api:"required,readonly"`
	Name       string     `json:"name" api:"required"`
	Prefix     string     `json:"prefix" api:"required,readonly" doc:"First characters of the key, to recognise it."`
	CreatedAt  time.Time  `json:"created_at" api:"required,readonly"`
	LastUsedAt *time.Time `json:"last_used_at" api:"required,readonly"`
	RevokedAt  *time.Time `json:"revoked_at" api:"required,readonly"`
}

// APIKeyCreate is the body of POST /api/v1/api-keys.
type APIKeyCreate struct {
	Name string `json:"name" api:"required"`
}

// APIKeyCreated is a new key with its secret, shown this once.
type APIKeyCreated struct {
	ID        string    `json:"id" api:"required,readonly"`
	UserID    string    `json:"user_id" api:"required,readonly"`
	Name      string    `json:"name" api:"required"`
	Prefix    string    `json:"prefix" api:"required,readonly"`
	CreatedAt time.Time `json:"created_at" api:"required,readonly"`
	Key       string    `json:"key" api:"required,readonly" doc:"The secret: send it as Authorization: Bearer <key>. Shown only now."`
}

// APIKeyList lists the caller's keys (revoked ones included).
type APIKeyList struct {
	Items      []APIKey `json:"items" api:"required"`
	NextCursor string   `json:"next_cursor" api:"required" doc:"Always empty: every key is on one page."`
}

// Branding is a tenant's white label.
type Branding struct {
	TenantID    string     `json:"tenant_id" api:"required,readonly"`
	Domain      string     `json:"domain" api:"required" doc:"Host name whose login page shows this branding."`
	CompanyName string     `json:"company_name" api:"required"`
	Title       string     `json:"title" api:"required"`
	Footer      string     `json:"footer" api:"required"`
	LogoURL     *string    `json:"logo_url" api:"required,readonly" doc:"null when there is no logo."`
	UpdatedAt   *time.Time `json:"updated_at" api:"required,readonly" doc:"null while the tenant uses the defaults."`
}

// BrandingInput is the body of PUT /api/v1/branding: the fields present are
// set, the others keep their value.
type BrandingInput struct {
	Domain      *string `json:"domain,omitempty" doc:"Host name (fax.example.com); empty string removes it."`
	CompanyName *string `json:"company_name,omitempty"`
	Title       *string `json:"title,omitempty"`
	Footer      *string `json:"footer,omitempty"`
}

// Activity is one System Activities (audit log) entry.
type Activity struct {
	ID         string    `json:"id" api:"required,readonly"`
	At         time.Time `json:"at" api:"required,readonly"`
	TenantID   string    `json:"tenant_id" api:"required" doc:"Empty for platform-level actions."`
	UserID     string    `json:"user_id" api:"required" doc:"The actor; empty for anonymous (failed logins) and system."`
	UserEmail  string    `json:"user_email" api:"required"`
	IP         string    `json:"ip" api:"required"`
	Action     string    `json:"action" api:"required" doc:"Dotted verb such as auth.login or user.created."`
	TargetType string    `json:"target_type" api:"required"`
	TargetID   string    `json:"target_id" api:"required"`
	Detail     string    `json:"detail" api:"required"`
}

// ActivityList is one page of activities, newest first.
type ActivityList struct {
	Items      []Activity `json:"items" api:"required"`
	NextCursor string     `json:"next_cursor" api:"required"`
}

// Binary is a file part of a multipart request (documented as a binary
// string); handlers stream such parts and never hold them in a value.
type Binary []byte

// FaxDocument is a fax document: one or more uploaded files converted, in
// order, into fax pages at its quality.
type FaxDocument struct {
	ID           string              `json:"id" api:"required,readonly"`
	TenantID     string              `json:"tenant_id" api:"required,readonly"`
	UserID       string              `json:"user_id" api:"required,readonly" doc:"Who uploaded it; empty once that user is deleted."`
	Name         string              `json:"name" api:"required"`
	Description  string              `json:"description" api:"required"`
	Quality      string              `json:"quality" api:"required" enum:"standard,fine,superfine" doc:"Fax resolution: standard 204x98, fine 204x196, superfine 204x391 dpi."`
	Status       string              `json:"status" api:"required,readonly" enum:"processing,ready,failed" doc:"processing while converting (poll until it changes); ready to send; failed (see error)."`
	Pages        int                 `json:"pages" api:"required,readonly" doc:"Fax pages; 0 until ready."`
	SizeBytes    int64               `json:"size_bytes" api:"required,readonly" doc:"Size of the fax pages (TIFF-F) when ready."`
	Error        string              `json:"error" api:"required,readonly" doc:"Why the conversion failed, naming the file; empty unless failed."`
	ErrorCode    string              `json:"error_code" api:"required,readonly" doc:"Machine-readable reason when failed: corrupt, encrypted, unsupported_type, no_pages, too_many_pages, image_too_large, too_large, timeout, needs_libreoffice, needs_ghostscript, source_missing or internal; empty unless failed."`
	Progress     FaxDocumentProgress `json:"progress" api:"required"`
	Files        []FaxDocumentFile   `json:"files" api:"required" doc:"The uploaded files, in order."`
	ThumbnailURL *string             `json:"thumbnail_url" api:"required,readonly" doc:"PNG thumbnail of the first page; null until ready."`
	CreatedAt    time.Time           `json:"created_at" api:"required,readonly"`
	UpdatedAt    time.Time           `json:"updated_at" api:"required,readonly"`
}

// FaxDocumentProgress is how far the conversion is.
type FaxDocumentProgress struct {
	PagesDone  int `json:"pages_done" api:"required,readonly" doc:"Fax pages converted so far."`
	PagesTotal int `json:"pages_total" api:"required,readonly" doc:"Fax pages expected; 0 while not yet known."`
}

// FaxDocumentFile is one uploaded file of a document.
type FaxDocumentFile struct {
	Position    int    `json:"position" api:"required,readonly" doc:"1, 2, ... in upload order."`
	Filename    string `json:"filename" api:"required,readonly"`
	ContentType string `json:"content_type" api:"required,readonly" doc:"As declared by the uploader; the content decides the type."`
	SizeBytes   int64  `json:"size_bytes" api:"required,readonly"`
}

// FaxDocumentUpload is the multipart/form-data body of POST /api/v1/documents.
type FaxDocumentUpload struct {
	TenantID    string   `json:"tenant_id,omitempty" doc:"Admins: the tenant the document is for (required for them; also accepted as ?tenant_id=). It must come before the files."`
	Name        string   `json:"name" api:"required" doc:"1 to 200 characters."`
	Description string   `json:"description,omitempty" doc:"At most 2000 characters."`
	Quality     string   `json:"quality,omitempty" enum:"standard,fine,superfine" doc:"Default fine."`
	File        []Binary `json:"file" api:"required" doc:"One or more file parts, appended in this order: PDF, TIFF, PNG, JPEG, GIF, BMP, WebP, plain text; office files when LibreOffice is installed. The content decides the type, not the name."`
}

// FaxDocumentPatch is the body of PATCH /api/v1/documents/{id}: only the
// fields present change.
type FaxDocumentPatch struct {
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
	Quality     *string `json:"quality,omitempty" enum:"standard,fine,superfine" doc:"A different quality converts the document again (status processing); the current quality retries a failed document."`
}

// FaxDocumentList is one page of documents, newest first.
type FaxDocumentList struct {
	Items      []FaxDocument `json:"items" api:"required"`
	NextCursor string        `json:"next_cursor" api:"required"`
}

// FaxDocumentPages lists the pages of a ready document.
type FaxDocumentPages struct {
	DocumentID string            `json:"document_id" api:"required,readonly"`
	Pages      int               `json:"pages" api:"required,readonly" doc:"Number of fax pages."`
	Items      []FaxDocumentPage `json:"items" api:"required"`
}

// FaxDocumentPage is one fax page with the addresses of its images.
type FaxDocumentPage struct {
	Number       int    `json:"number" api:"required,readonly" doc:"1-based."`
	ThumbnailURL string `json:"thumbnail_url" api:"required,readonly" doc:"Small grey PNG of the page."`
	PreviewURL   string `json:"preview_url" api:"required,readonly" doc:"The page as the recipient gets it, as a PNG (1728 pixels wide, rows at the quality's true aspect)."`
}

// --- conversions ------------------------------------------------------------

func utc(t time.Time) time.Time { return t.UTC() }

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func userDTO(u model.User) User {
	return User{ID: u.ID, TenantID: u.TenantID, Role: string(u.Role), Email: u.Email,
		APIUsername: u.APIUsername, FirstName: u.FirstName, LastName: u.LastName, Phone: u.Phone,
		Status: string(u.Status), TOTPEnabled: u.TOTPEnabled, LastLoginAt: optTime(u.LastLoginAt),
		CreatedAt: utc(u.CreatedAt), UpdatedAt: utc(u.UpdatedAt)}
}

func tenantDTO(t model.Tenant) Tenant {
	return Tenant{ID: t.ID, Name: t.Name, Status: string(t.Status), DailyPageLimit: t.DailyPageLimit,
		MonthlyPageLimit: t.MonthlyPageLimit, RetentionDays: t.RetentionDays, EmailDomain: t.EmailDomain,
		CreatedAt: utc(t.CreatedAt), UpdatedAt: utc(t.UpdatedAt)}
}

func apiKeyDTO(k model.APIKey) APIKey {
	return APIKey{ID: k.ID, UserID: k.UserID, Name: k.Name, Prefix: k.Prefix, CreatedAt: utc(k.CreatedAt),
		LastUsedAt: optTime(k.LastUsedAt), RevokedAt: optTime(k.RevokedAt)}
}

func brandingDTO(b model.Branding) Branding {
	d := Branding{TenantID: b.TenantID, Domain: b.Domain, CompanyName: b.CompanyName, Title: b.Title,
		Footer: b.Footer, UpdatedAt: optTime(b.UpdatedAt)}
	if b.HasLogo() {
		u := LogoURL(b)
		d.LogoURL = &u
	}
	return d
}

// LogoURL is the public address of a tenant's logo (served by the portal,
// also shown on the login page), with a cache buster.
func LogoURL(b model.Branding) string {
	return fmt.Sprintf("/branding/logo/%s?v=%d", b.TenantID, b.LogoUpdatedAt.Unix())
}

func activityDTO(e model.AuditEvent) Activity {
	return Activity{ID: e.ID, At: utc(e.At), TenantID: e.TenantID, UserID: e.ActorID, UserEmail: e.ActorEmail,
		IP: e.IP, Action: e.Action, TargetType: e.TargetType, TargetID: e.TargetID, Detail: e.Detail}
}

func documentDTO(d model.Document) FaxDocument {
	out := FaxDocument{ID: d.ID, TenantID: d.TenantID, UserID: d.UserID, Name: d.Name, Description: d.Description,
		Quality: string(d.Quality), Status: string(d.Status), Pages: d.Pages, SizeBytes: d.SizeBytes,
		Error: d.Error, ErrorCode: d.ErrorCode, Files: mapSlice(d.Sources, documentFileDTO),
		Progress:  FaxDocumentProgress{PagesDone: d.PagesDone, PagesTotal: d.PagesTotal},
		CreatedAt: utc(d.CreatedAt), UpdatedAt: utc(d.UpdatedAt)}
	if d.Ready() {
		out.Progress = FaxDocumentProgress{PagesDone: d.Pages, PagesTotal: d.Pages}
		u := DocumentImageURL(d, 1, documents.Thumbnail)
		out.ThumbnailURL = &u
	}
	return out
}

func documentFileDTO(s model.DocumentSource) FaxDocumentFile {
	return FaxDocumentFile{Position: s.Position, Filename: s.Filename, ContentType: s.ContentType, SizeBytes: s.SizeBytes}
}

func mapSlice[T, U any](in []T, f func(T) U) []U {
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}
