package ui

import (
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"faxgate/internal/announce"
	"faxgate/internal/audit"
	"faxgate/internal/auth"
	"faxgate/internal/campaign"
	"faxgate/internal/documents"
	"faxgate/internal/faxin"
	"faxgate/internal/faxout"
	"faxgate/internal/health"
	"faxgate/internal/mail/outbound"
	"faxgate/internal/mail/senders"
	"faxgate/internal/notify"
	"faxgate/internal/reports"
	"faxgate/internal/tenancy"
)

// Deps are the services the portal needs. Auth, Tenancy and Audit are
// required; without Documents the Fax Documents pages are left out.
type Deps struct {
	Auth      *auth.Service
	Tenancy   *tenancy.Service
	Audit     *audit.Service
	Documents *documents.Service
	// Faxout and Faxin serve Send Single Fax, Receive Fax, My CIDs, My DIDs
	// and the trunk, CID and DID pools; without both those pages are left out.
	Faxout *faxout.Service
	Faxin  *faxin.Service
	// Webhooks serves the webhook pages; Campaigns the contacts, groups,
	// do-not-contact and campaign pages. Each is optional.
	Webhooks  *notify.Webhooks
	Campaigns *campaign.Service
	// Reports serves Reports > CDR Reports; optional.
	Reports *reports.Service
	// Announcements serves the announcement pages and banners; optional.
	Announcements *announce.Service
	// Mailer sends the admin's test email; optional.
	Mailer *outbound.Mailer
	// Health serves Administration > Platform health; optional.
	Health *health.Service
	Logger *slog.Logger
	Now    func() time.Time
	// FlashKey signs the flash-message cookie. Optional: when empty a random
	// key is made, so a flash set by one process is dropped (not shown) by
	// another; give every node the same key to keep flashes across nodes.
	FlashKey []byte
	// FlashKeySource loads the flash key on first use when FlashKey is empty.
	FlashKeySource FlashKeySource

	// EmailSenders serves Configuration > Email to Fax; optional.
	EmailSenders *senders.Service
}

// Handler serves the portal pages and their static files.
type Handler struct {
	auth     *auth.Service
	ten      *tenancy.Service
	audit    *audit.Service
	docs     *documents.Service // nil: no Fax Documents pages
	fax      *faxout.Service    // nil (or inbox nil): no fax pages
	inbox    *faxin.Service
	hooks    *notify.Webhooks  // nil: no webhook pages
	camp     *campaign.Service // nil: no contact or campaign pages
	reports  *reports.Service  // nil: no CDR report pages
	announce *announce.Service // nil: no announcements
	mailer   *outbound.Mailer  // nil: no test email button
	health   *health.Service   // nil: no platform health page
	senders  *senders.Service  // nil: no Email to Fax page
	log      *slog.Logger
	now      func() time.Time
	pages    map[string]*template.Template
	static   fs.FS
	assets   map[string]string // file name -> content hash, for cache busting
	flashes  flashCodec
	menu     []navItem
}

// New parses the templates and prepares the static files.
func New(d Deps) (*Handler, error) {
	if d.Auth == nil || d.Tenancy == nil || d.Audit == nil {
		return nil, errors.New("ui: Auth, Tenancy and Audit are required")
	}
	h := &Handler{auth: d.Auth, ten: d.Tenancy, audit: d.Audit, docs: d.Documents, log: d.Logger, now: d.Now,
		fax: d.Faxout, inbox: d.Faxin, hooks: d.Webhooks, camp: d.Campaigns, reports: d.Reports,
		announce: d.Announcements, mailer: d.Mailer, health: d.Health, senders: d.EmailSenders}
	h.menu = h.availableMenu()
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.now == nil {
		h.now = time.Now
	}
	var err error
	if h.flashes, err = newFlashCodec(d.FlashKey, d.FlashKeySource, h.log); err != nil {
		return nil, err
	}
	if h.static, h.assets, err = loadStatic(); err != nil {
		return nil, err
	}
	if h.pages, err = h.parseTemplates(); err != nil {
		return nil, err
	}
	return h, nil
}

// availableMenu is the portal menu without the entries of absent
// services (their routes are left out too, see optionalRoutes).
func (h *Handler) availableMenu() []navItem {
	faxing := h.fax != nil && h.inbox != nil
	missing := []struct {
		absent bool
		keys   []string
	}{
		{h.docs == nil, []string{"documents"}},
		{h.reports == nil, []string{"cdr"}},
		{h.hooks == nil, []string{"webhooks"}},
		{h.announce == nil, []string{"announcements"}},
		{h.health == nil, []string{"health"}},
		{h.senders == nil, []string{"email-allowlist"}},
		{h.camp == nil || h.fax == nil || h.docs == nil, []string{"campaigns"}},
		{h.camp == nil, []string{"groups", "contacts", "dnc", "global-dnc"}},
		{!faxing, outboundMenuKeys},
		{!faxing, inboundMenuKeys},
	}
	menu := portalMenu()
	for _, m := range missing {
		if m.absent {
			for _, k := range m.keys {
				menu = withoutMenuItem(menu, k)
			}
		}
	}
	return menu
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
		{"GET /profile/api-keys/{id}/revoke", anyUser, h.apiKeyRevokeConfirm},
		{"POST /profile/api-keys/{id}/revoke", anyUser, h.apiKeyRevoke},
		{"POST /profile/totp", anyUser, h.totpBegin},
		{"POST /profile/totp/confirm", anyUser, h.totpConfirm},
		{"POST /profile/totp/disable", anyUser, h.totpDisable},

		{"GET /admin/branding", manager, h.brandingShow},
		{"POST /admin/branding", manager, h.brandingSubmit},
		{"GET /admin/branding/logo/remove", manager, h.brandingLogoRemoveConfirm},
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
		{"GET /admin/users/{id}/totp/disable", manager, h.userTOTPDisableConfirm},
		{"POST /admin/users/{id}/totp/disable", manager, h.userTOTPDisable},

		{"GET /admin/tenants", adminOnly, h.tenantList},
		{"GET /admin/tenants/new", adminOnly, h.tenantNew},
		{"POST /admin/tenants", adminOnly, h.tenantCreate},
		{"GET /admin/tenants/{id}/edit", adminOnly, h.tenantEdit},
		{"POST /admin/tenants/{id}", adminOnly, h.tenantUpdate},
		{"POST /admin/tenants/{id}/status", adminOnly, h.tenantStatus},
	}, h.optionalRoutes()...)
}

// optionalRoutes are the pages of the services that may be absent.
func (h *Handler) optionalRoutes() []route {
	rs := append(h.documentRoutes(), h.settingsRoutes()...)
	rs = append(rs, h.platformRoutes()...)
	if h.health != nil {
		rs = append(rs, h.healthRoutes()...)
	}
	rs = append(rs, h.emailRoutes()...)
	if h.reports != nil {
		rs = append(rs, h.reportRoutes()...)
	}
	if h.announce != nil {
		rs = append(rs, h.announcementRoutes()...)
	}
	if h.fax != nil && h.inbox != nil {
		rs = append(rs, h.outboundRoutes()...)
		rs = append(rs, h.inboundRoutes()...)
	}
	if h.hooks != nil {
		rs = append(rs, h.webhookRoutes()...)
	}
	if h.camp != nil {
		rs = append(rs, h.contactRoutes()...)
		rs = append(rs, h.campaignRoutes()...)
	}
	return rs
}
