package ui

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"faxgate/internal/httpx"
	"faxgate/internal/model"
)

//go:embed templates
var templateFS embed.FS

// view is what every page template gets.
type view struct {
	Title    string // page heading and <title>
	Active   string // nav key of the current page
	Public   bool   // the login layout (no navigation)
	Actor    model.Actor
	LoggedIn bool
	Brand    model.Branding
	LogoURL  string
	Nav      []navSection
	Flashes  []flash
	Zone     string // IANA zone times are shown in (data-tz on <html>)
	Order    string // list order asked for: "asc" (oldest first) or ""
	Form     *form
	Data     any // page specific
}

// parseTemplates parses every page file together with the shared layout
// and partials, one template set per page.
func (h *Handler) parseTemplates() (map[string]*template.Template, error) {
	base, err := template.New("base").Funcs(h.funcs()).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("ui: parse layout: %w", err)
	}
	files, err := fs.Glob(templateFS, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	pages := make(map[string]*template.Template, len(files))
	for _, file := range files {
		t, err := template.Must(base.Clone()).ParseFS(templateFS, file)
		if err != nil {
			return nil, fmt.Errorf("ui: parse %s: %w", file, err)
		}
		pages[strings.TrimSuffix(path.Base(file), ".html")] = t
	}
	return pages, nil
}

func (h *Handler) funcs() template.FuncMap {
	return template.FuncMap{
		"asset":     h.assetURL,
		"input":     inputField,
		"choice":    selectField,
		"when":      whenHTML,
		"day":       formatDay,
		"logoURL":   logoURL,
		"roleLabel": roleLabel,
		"statusOK":  func(s any) bool { return fmt.Sprint(s) == "active" },
		"fieldName": fieldName,
		"sortTH": func(heads map[string]sortHead, key, label string) sortTHData {
			return sortTHData{Head: heads[key], Label: label}
		},
	}
}

// sortTHData is what the sort-th partial gets.
type sortTHData struct {
	Head  sortHead
	Label string
}

// newView starts a page's data: actor, branding, navigation and flashes.
func (h *Handler) newView(w http.ResponseWriter, r *http.Request, title, active string) *view {
	actor, ok := httpx.ActorFrom(r.Context())
	v := &view{Title: title, Active: active, Actor: actor, LoggedIn: ok, Form: newForm()}
	v.Brand = httpx.BrandingFrom(r.Context())
	v.LogoURL = logoURL(v.Brand)
	if ok {
		v.Nav = buildNav(h.menu, actor.Role, active)
		v.Zone = h.zone(r).String()
	}
	v.Flashes = h.takeFlashes(w, r)
	v.Order = listOrder(r)
	return v
}

// render executes a page into a buffer first, so that a template error
// becomes a clean 500 instead of half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, page string, v *view) {
	t, ok := h.pages[page]
	if !ok {
		h.serverError(w, r, fmt.Errorf("ui: no template %q", page))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "root", v); err != nil {
		h.serverError(w, r, fmt.Errorf("ui: render %s: %w", page, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// logoURL is the tenant logo's address with a cache buster, "" when the
// branding has no logo.
func logoURL(b model.Branding) string {
	if !b.HasLogo() || b.TenantID == "" {
		return ""
	}
	return "/branding/logo/" + b.TenantID + "?v=" + strconv.FormatInt(b.LogoUpdatedAt.UnixMilli(), 10)
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// whenHTML is a time for the templates: a <time> element in UTC that the
// portal script rewrites into the account's time zone.
func whenHTML(t time.Time) template.HTML {
	if t.IsZero() {
		return "—"
	}
	return template.HTML(`<time datetime="` + t.UTC().Format(time.RFC3339) + `" data-local>` +
		formatTime(t) + `</time>`)
}

func formatDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}

func roleLabel(r model.Role) string {
	switch r {
	case model.RoleAdmin:
		return "Platform admin"
	case model.RoleTenant:
		return "Tenant admin"
	case model.RoleUser:
		return "User"
	}
	return string(r)
}

// Company is the branded company name ("faxgate" by default).
func (v *view) Company() string {
	if v.Brand.CompanyName != "" {
		return v.Brand.CompanyName
	}
	return model.DefaultBranding().CompanyName
}

// SiteTitle is the branded title used in <title>.
func (v *view) SiteTitle() string {
	if v.Brand.Title != "" {
		return v.Brand.Title
	}
	return v.Company()
}

// Footer is the branded footer text; a tenant may leave it empty.
func (v *view) Footer() string {
	if v.Brand.Footer == "" && v.Brand.TenantID == "" {
		return model.DefaultBranding().Footer
	}
	return v.Brand.Footer
}

// fieldName turns a form field name into the words of the error summary
// ("daily_page_limit" -> "Daily page limit"); a few get their label.
func fieldName(name string) string {
	switch name {
	case "api_username":
		return "API username"
	case "email":
		return "Login email"
	case "password_confirm":
		return "Confirm password"
	}
	s := strings.ReplaceAll(name, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
