package ui

import (
	"crypto/rand"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"faxgate/internal/audit"
	"faxgate/internal/auth"
	"faxgate/internal/documents"
	"faxgate/internal/tenancy"
)

// Deps are the services the portal needs. Auth, Tenancy and Audit are
// required; without Documents the Fax Documents pages are left out.
type Deps struct {
	Auth      *auth.Service
	Tenancy   *tenancy.Service
	Audit     *audit.Service
	Documents *documents.Service
	Logger    *slog.Logger
	Now       func() time.Time
	// FlashKey signs the flash-message cookie. Optional: when empty a random
	// key is made, so a flash set by one process is dropped (not shown) by
	// another; give every node the same key to keep flashes across nodes.
	FlashKey []byte
}

// Handler serves the portal pages and their static files.
type Handler struct {
	auth    *auth.Service
	ten     *tenancy.Service
	audit   *audit.Service
	docs    *documents.Service // nil: no Fax Documents pages
	log     *slog.Logger
	now     func() time.Time
	pages   map[string]*template.Template
	static  fs.FS
	assets  map[string]string // file name -> content hash, for cache busting
	flashes flashCodec
	menu    []navItem
}

// New parses the templates and prepares the static files.
func New(d Deps) (*Handler, error) {
	if d.Auth == nil || d.Tenancy == nil || d.Audit == nil {
		return nil, errors.New("ui: Auth, Tenancy and Audit are required")
	}
	h := &Handler{auth: d.Auth, ten: d.Tenancy, audit: d.Audit, docs: d.Documents, log: d.Logger, now: d.Now,
		menu: portalMenu()}
	if h.docs == nil {
		h.menu = withoutMenuItem(h.menu, "documents")
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.now == nil {
		h.now = time.Now
	}
	key := d.FlashKey
	if len(key) == 0 {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
	}
	h.flashes = flashCodec{key: key}
	var err error
	if h.static, h.assets, err = loadStatic(); err != nil {
		return nil, err
	}
	if h.pages, err = h.parseTemplates(); err != nil {
		return nil, err
	}
	return h, nil
}

// access says who may open a route.
type access int

const (
	public      access = iota // anyone, logged in or not
	anyUser                   // any logged-in user
	tenantAdmin               // role tenant (administers its own tenant)
	manager                   // role tenant or admin
	adminOnly                 // platform admins
)

// route is one portal endpoint.
type route struct {
	pattern string
	access  access
	handle  http.HandlerFunc
}

// Register adds every portal route to mux. The mux must sit behind the
// httpx middleware (actor, branding, CSRF protection).
func (h *Handler) Register(mux *http.ServeMux) {
	for _, rt := range h.routes() {
		mux.Handle(rt.pattern, h.guard(rt.access, rt.handle))
	}
	mux.Handle("GET /static/", h.staticHandler())
	mux.Handle("/", h.guard(public, h.notFoundPage))
}

func (h *Handler) routes() []route {
	return append([]route{
		{"GET /login", public, h.loginShow},
		{"POST /login", public, h.loginSubmit},
		{"GET /login/totp", public, h.totpLoginShow},
		{"POST /login/totp", public, h.totpLoginSubmit},
		{"POST /logout", public, h.logout},
		{"GET /branding/logo/{tenant_id}", public, h.logoServe},

		{"GET /{$}", anyUser, h.dashboardShow},
		{"GET /reports/activities", anyUser, h.activityList},

		{"GET /profile", anyUser, h.profileShow},
		{"POST /profile", anyUser, h.profileUpdate},
		{"POST /profile/password", anyUser, h.profilePassword},
		{"POST /profile/api-keys", anyUser, h.apiKeyCreate},
		{"POST /profile/api-keys/{id}/revoke", anyUser, h.apiKeyRevoke},
		{"POST /profile/totp", anyUser, h.totpBegin},
		{"POST /profile/totp/confirm", anyUser, h.totpConfirm},
		{"POST /profile/totp/disable", anyUser, h.totpDisable},

		{"GET /admin/branding", manager, h.brandingShow},
		{"POST /admin/branding", manager, h.brandingSubmit},
		{"POST /admin/branding/logo/remove", manager, h.brandingLogoRemove},

		{"GET /admin/users", tenantAdmin, h.userList},
		{"GET /admin/all-users", adminOnly, h.allUserList},
		{"GET /admin/users/new", manager, h.userNew},
		{"POST /admin/users", manager, h.userCreate},
		{"GET /admin/users/{id}/edit", manager, h.userEdit},
		{"POST /admin/users/{id}", manager, h.userUpdate},
		{"POST /admin/users/{id}/status", manager, h.userStatus},
		{"GET /admin/users/{id}/delete", manager, h.userDeleteConfirm},
		{"POST /admin/users/{id}/delete", manager, h.userDelete},
		{"GET /admin/users/{id}/password", manager, h.userPasswordShow},
		{"POST /admin/users/{id}/password", manager, h.userPasswordSubmit},
		{"POST /admin/users/{id}/totp/disable", manager, h.userTOTPDisable},

		{"GET /admin/tenants", adminOnly, h.tenantList},
		{"GET /admin/tenants/new", adminOnly, h.tenantNew},
		{"POST /admin/tenants", adminOnly, h.tenantCreate},
		{"GET /admin/tenants/{id}/edit", adminOnly, h.tenantEdit},
		{"POST /admin/tenants/{id}", adminOnly, h.tenantUpdate},
		{"POST /admin/tenants/{id}/status", adminOnly, h.tenantStatus},
	}, h.documentRoutes()...)
}
