package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"faxgate/internal/announce"
	"faxgate/internal/audit"
	"faxgate/internal/auth"
	"faxgate/internal/campaign"
	"faxgate/internal/documents"
	"faxgate/internal/faxin"
	"faxgate/internal/faxout"
	"faxgate/internal/health"
	"faxgate/internal/httpx"
	"faxgate/internal/mail/outbound"
	"faxgate/internal/mail/senders"
	"faxgate/internal/model"
	"faxgate/internal/notify"
	"faxgate/internal/reports"
	"faxgate/internal/tenancy"
)

// Prefix is the base path of the API.
const Prefix = "/api/v1"

// Deps are the services the API calls.
type Deps struct {
	Auth      *auth.Service
	Tenancy   *tenancy.Service
	Audit     *audit.Service
	Documents *documents.Service
	// Faxout and Faxin serve /faxes, /trunks and /cids; those routes exist only when both
	// are set.
	Faxout *faxout.Service
	Faxin  *faxin.Service
	// SIPRegistration, when set, adds the read-only registration state to
	// SIP trunks that register (the node's SIP listener runs them).
	SIPRegistration faxout.RegistrationSource
	// Webhooks serves /webhooks; without it those routes are left out.
	Webhooks *notify.Webhooks
	// Campaigns serves /contacts, /groups, /dnc and /campaigns; without it
	// those routes are left out.
	Campaigns *campaign.Service
	// Reports serves /reports and /dashboard; without it those routes are left out.
	Reports *reports.Service
	// Announcements serves /announcements; optional like Reports.
	Announcements *announce.Service
	// Mailer sends the admin's test email; without it that route is left out.
	Mailer *outbound.Mailer
	// Health serves /admin/health; optional.
	Health *health.Service

	// EmailSenders serves /email-allowlist; without it those routes are left out.
	EmailSenders *senders.Service

	Logger  *slog.Logger
	Version string // shown in the OpenAPI info
}

// API is the REST API v1.
type API struct {
	d       Deps
	routes  []Route
	doc     *Document
	docJSON []byte
}

// New builds the API, its route table and its OpenAPI document.
func New(d Deps) (*API, error) {
	if d.Auth == nil || d.Tenancy == nil || d.Audit == nil || d.Documents == nil {
		return nil, fmt.Errorf("api: Auth, Tenancy, Audit and Documents services are required")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Version == "" {
		d.Version = "1"
	}
	a := &API{d: d}
	a.routes = a.routeTable()
	doc, err := buildDocument(a.routes, d.Version)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("api: encode OpenAPI document: %w", err)
	}
	a.doc, a.docJSON = doc, buf.Bytes()
	return a, nil
}

// Routes returns the route table (a copy).
func (a *API) Routes() []Route { return slices.Clone(a.routes) }

// Document returns the OpenAPI document generated from the route table.
func (a *API) Document() *Document { return a.doc }

// Mux is what Register needs of an *http.ServeMux.
type Mux interface {
	Handle(pattern string, h http.Handler)
	Handler(r *http.Request) (h http.Handler, pattern string)
}

// FallbackPattern catches every other /api/ request so that unknown paths
// and methods answer JSON errors (404, or 405 with Allow) like the rest.
const FallbackPattern = "/api/"

// Register puts every route of the table, and the JSON fallback, on mux.
func (a *API) Register(mux Mux) {
	for _, rt := range a.routes {
		mux.Handle(rt.Pattern(), a.handler(rt))
	}
	mux.Handle(FallbackPattern, a.fallback(mux))
}

// handler wraps a route's function: authentication and role check, body
// limit, error mapping.
func (a *API) handler(rt Route) http.Handler {
	h := http.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor, ok := httpx.ActorFrom(r.Context())
		if !rt.Public {
			if err := allowed(rt, actor, ok, r); err != nil {
				httpx.WriteError(w, r, err)
				return
			}
		}
		if err := rt.handle(w, r, actor); err != nil {
			httpx.WriteError(w, r, err)
		}
	}))
	if rt.MaxBody > 0 {
		h = httpx.LimitBody(rt.MaxBody, h)
	}
	return h
}

func allowed(rt Route, actor model.Actor, ok bool, r *http.Request) error {
	if !ok {
		if err := httpx.AuthErrorFrom(r.Context()); err != nil {
			return err
		}
		return model.ErrUnauthenticated
	}
	if len(rt.Roles) > 0 && !slices.Contains(rt.Roles, actor.Role) {
		return fmt.Errorf("%w: this needs the role %s", model.ErrForbidden, rolesText(rt.Roles))
	}
	return nil
}

func rolesText(rs []model.Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, " or ")
}

var allMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}

func (a *API) fallback(mux Mux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range allMethods {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, p := mux.Handler(probe); p != "" && p != FallbackPattern {
				allow = append(allow, m)
			}
		}
		if len(allow) == 0 {
			httpx.WriteError(w, r, fmt.Errorf("%w: no endpoint %s", model.ErrNotFound, r.URL.Path))
			return
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		httpx.WriteError(w, r, fmt.Errorf("%w: %s %s; use %s", httpx.ErrMethodNotAllowed, r.Method, r.URL.Path,
			strings.Join(allow, ", ")))
	})
}

func (a *API) serveDocument(w http.ResponseWriter, _ *http.Request, _ model.Actor) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, err := w.Write(a.docJSON)
	return err
}
