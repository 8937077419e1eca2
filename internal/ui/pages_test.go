package ui

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestPageHygiene opens every page as each role and checks the rules every
// portal page keeps: CSP header, language, skip link, no inline script,
// style or event handler, no third-party URL, every control labelled.
func TestPageHygiene(t *testing.T) {
	p := newPortal(t)
	pages := map[string][]string{
		"":               {"/login", "/nope"},
		"user@a.example": {"/", "/profile", "/reports/activities"},
		"boss@a.example": {"/", "/admin/users", "/admin/users/new", "/admin/users/" + p.W.UserA.ID + "/edit",
			"/admin/users/" + p.W.UserA.ID + "/delete", "/admin/users/" + p.W.UserA.ID + "/password",
			"/admin/branding", "/reports/activities", "/profile"},
		"admin@example.com": {"/", "/admin/tenants", "/admin/tenants/new", "/admin/tenants/" + p.W.A.ID + "/edit",
			"/admin/all-users", "/admin/branding?tenant_id=" + p.W.A.ID, "/reports/activities", "/profile"},
	}
	for who, paths := range pages {
		b := p.browser(t)
		if who != "" {
			b.login(who)
		}
		for _, path := range paths {
			r := b.get(path)
			if r.Status != http.StatusOK && r.Status != http.StatusNotFound {
				t.Errorf("%s %s: status %d", who, path, r.Status)
				continue
			}
			checkHygiene(t, who+" "+path, r)
		}
	}
	// Pages rendered by a POST: the TOTP set-up and a new API key.
	b := p.browser(t)
	b.login("user@a.example")
	checkHygiene(t, "totp set-up", b.post("/profile/totp", nil))
	checkHygiene(t, "new api key", b.post("/profile/api-keys", url.Values{"name": {"k"}}))
}

var (
	inlineScript = regexp.MustCompile(`<script(?:\s[^>]*)?>`)
	eventAttr    = regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
	styleAttr    = regexp.MustCompile(`(?i)\sstyle\s*=`)
	externalURL  = regexp.MustCompile(`(?i)(src|href|action)="(https?:)?//`)
	controlTag   = regexp.MustCompile(`<(input|select|textarea)\s[^>]*>`)
	idAttr       = regexp.MustCompile(`\sid="([^"]+)"`)
)

func checkHygiene(t *testing.T, name string, r response) {
	t.Helper()
	if got := r.Header.Get("Content-Security-Policy"); got != contentSecurityPolicy {
		t.Errorf("%s: CSP %q", name, got)
	}
	if !strings.Contains(got(r), "script-src 'self'") || strings.Contains(got(r), "unsafe-inline") {
		t.Errorf("%s: CSP allows inline script", name)
	}
	for _, want := range []string{`<html lang="en"`, `<a class="skip-link" href="#main">`, `<main id="main"`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("%s: lacks %s", name, want)
		}
	}
	for _, tag := range inlineScript.FindAllString(r.Body, -1) {
		if !strings.Contains(tag, ` src="/static/`) {
			t.Errorf("%s: inline or foreign script %s", name, tag)
		}
	}
	if m := eventAttr.FindString(stripText(r.Body)); m != "" {
		t.Errorf("%s: inline event handler %q", name, m)
	}
	if m := styleAttr.FindString(stripText(r.Body)); m != "" {
		t.Errorf("%s: inline style %q", name, m)
	}
	if m := externalURL.FindString(r.Body); m != "" {
		t.Errorf("%s: third-party URL %q", name, m)
	}
	checkLabels(t, name, r.Body)
}

func got(r response) string { return r.Header.Get("Content-Security-Policy") }

// stripText keeps only the tags, so prose mentioning "on" is no match.
func stripText(body string) string {
	return strings.Join(regexp.MustCompile(`<[^>]+>`).FindAllString(body, -1), "")
}

// checkLabels requires a <label for> (or aria-label) for every visible
// form control.
func checkLabels(t *testing.T, name, body string) {
	t.Helper()
	for _, tag := range controlTag.FindAllString(body, -1) {
		if strings.Contains(tag, `type="hidden"`) || strings.Contains(tag, ` hidden`) || strings.Contains(tag, "aria-label=") {
			continue
		}
		m := idAttr.FindStringSubmatch(tag)
		if m == nil || !strings.Contains(body, `<label for="`+m[1]+`"`) {
			t.Errorf("%s: control without label: %s", name, tag)
		}
	}
}

func TestNavigation(t *testing.T) {
	p := newPortal(t)
	tests := []struct {
		who, path, current string
		has, hasNot        []string
	}{
		{"boss@a.example", "/admin/users", "User Management",
			[]string{"Dashboard", "Branding", "User Management", "System Activities", "Profile"},
			[]string{"Tenants", "Users (all tenants)", "Send Single Fax", "Send Bulk Fax", "Receive Fax", "My DIDs", "CDR Reports"}},
		{"user@a.example", "/", "Dashboard",
			[]string{"Dashboard", "System Activities", "Profile"},
			[]string{"Branding", "User Management", "Tenants"}},
		{"admin@example.com", "/admin/tenants", "Tenants",
			[]string{"Tenants", "Users (all tenants)", "System Activities"},
			[]string{"User Management", "Send Single Fax"}},
	}
	nav := regexp.MustCompile(`(?s)<nav id="sidenav".*?</nav>`)
	for _, tc := range tests {
		b := p.browser(t)
		b.login(tc.who)
		r := b.get(tc.path)
		menu := nav.FindString(r.Body)
		for _, s := range tc.has {
			if !strings.Contains(menu, ">"+s+"<") {
				t.Errorf("%s: menu lacks %q", tc.who, s)
			}
		}
		for _, s := range tc.hasNot {
			if strings.Contains(menu, ">"+s+"<") {
				t.Errorf("%s: menu has %q", tc.who, s)
			}
		}
		if n := strings.Count(menu, `aria-current="page"`); n != 1 || !strings.Contains(menu, `aria-current="page">`+tc.current+"<") {
			t.Errorf("%s %s: aria-current on the wrong entry (%d)", tc.who, tc.path, n)
		}
	}
}

func TestStaticFiles(t *testing.T) {
	p := newPortal(t)
	h, err := New(Deps{Auth: p.Auth, Tenancy: p.Tenancy, Audit: p.Audit})
	if err != nil {
		t.Fatal(err)
	}
	b := p.browser(t)
	for _, name := range []string{"app.css", "app.js", "vendor/htmx.min.js", "vendor/pico.min.css", "favicon.svg"} {
		u := h.assetURL(name)
		r := b.get(u)
		wantStatus(t, r, http.StatusOK)
		if r.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("%s: Cache-Control %q", u, r.Header.Get("Cache-Control"))
		}
		if len(r.Body) < 100 {
			t.Errorf("%s: %d bytes", u, len(r.Body))
		}
	}
	if r := b.get("/static/app.css?v=old"); r.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("stale version cached: %q", r.Header.Get("Cache-Control"))
	}
	wantStatus(t, b.get("/static/nope.js"), http.StatusNotFound)
	if r := b.get("/static/../handler.go"); r.Status == http.StatusOK || strings.Contains(r.Body, "package ui") {
		t.Errorf("path traversal: %d", r.Status)
	}
}

func TestSafeNext(t *testing.T) {
	tests := map[string]string{
		"/":                    "/",
		"/admin/users?q=a&b=c": "/admin/users?q=a&b=c",
		"/profile#totp":        "/profile#totp",
		"//evil.example":       "/",
		"///evil.example":      "/",
		`/\evil.example`:       "/",
		"http://evil.example":  "/",
		"evil.example":         "/",
		"/login?next=/x":       "/",
		"/logout":              "/",
		"/a\r\nSet-Cookie: x":  "/",
		"":                     "/",
	}
	for in, want := range tests {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFlashCookieIsSigned(t *testing.T) {
	a := flashCodec{key: []byte("key one")}
	b := flashCodec{key: []byte("key two")}
	v := a.encode([]flash{{Kind: "success", Text: "saved"}})
	if got := a.decode(v); len(got) != 1 || got[0].Text != "saved" {
		t.Fatalf("round trip: %+v", got)
	}
	for _, bad := range []string{b.encode([]flash{{Kind: "error", Text: "call +1 555"}}), v + "x", "garbage", ""} {
		if got := a.decode(bad); got != nil {
			t.Errorf("decode(%q) = %+v, want nothing", bad, got)
		}
	}
}

// TestListOrder: order=asc lists oldest first, the default newest first,
// and the Order filter shows the choice; users and System Activities.
func TestListOrder(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	b.login("boss@a.example")
	before := func(body, a, z string) bool {
		_, body, _ = strings.Cut(body, `id="results"`) // the account menu names the viewer
		i, j := strings.Index(body, a), strings.Index(body, z)
		return i >= 0 && j >= 0 && i < j
	}
	first, second := p.W.TenantA.Email, p.W.UserA.Email // created in this order
	r := b.get("/admin/users")
	wantStatus(t, r, http.StatusOK)
	if !before(r.Body, second, first) {
		t.Errorf("users, default order: %s should come before %s", second, first)
	}
	r = b.get("/admin/users?order=asc")
	wantStatus(t, r, http.StatusOK)
	wantHTML(t, r, `<option value="asc" selected>Oldest first</option>`)
	if !before(r.Body, first, second) {
		t.Errorf("users, order=asc: %s should come before %s", first, second)
	}
	r = b.get("/reports/activities?order=asc")
	wantStatus(t, r, http.StatusOK)
	wantHTML(t, r, `<option value="asc" selected>Oldest first</option>`)
}
