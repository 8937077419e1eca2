package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// guideMenus are the menus of the product guide (../shared/reference/
// portal-guide.txt) each role must find in the portal, by link text.
var guideMenus = map[string][]string{
	"tenant": {"Dashboard", "Send Bulk Fax", "Send Single Fax", "Receive Fax", "Groups", "Contacts", "Contact DNC",
		"Fax Documents", "My DIDs", "My CIDs", "Branding", "User Management", "Fax Settings", "Cover Page",
		"Announcement", "CDR Reports", "System Activities"},
	"user": {"Dashboard", "Send Bulk Fax", "Send Single Fax", "Receive Fax", "Contacts", "Fax Documents", "My DIDs",
		"My CIDs", "CDR Reports", "System Activities"},
	"admin": {"Dashboard", "Tenants", "Users (all tenants)", "Trunks", "Caller IDs", "DID Pool", "Announcements",
		"Platform settings", "Platform health", "CDR Reports", "System Activities"},
}

// TestGuideMenus logs in as a tenant admin, a user and a platform admin
// and opens every entry of the menu: each guide menu is there, every page
// answers with its heading (no error page), passes the accessibility audit
// (guide_a11y_test.go), the browser logs no error, and each page is saved
// as a screenshot (guide-<role>-NN-<page>.png). TestGuideWalk does each
// menu's steps.
func TestGuideMenus(t *testing.T) {
	chromium := findChromium(t)
	base := startApp(t)
	var tenant struct {
		ID string `json:"id"`
	}
	apiCall(t, http.MethodPost, base+"/api/v1/tenants", adminEmail, adminPass, map[string]any{"name": "Guide Co"}, 201, &tenant)
	for _, u := range []struct{ role, email string }{{"tenant", "boss@guide.test"}, {"user", "user@guide.test"}} {
		apiCall(t, http.MethodPost, base+"/api/v1/users", adminEmail, adminPass, map[string]any{"tenant_id": tenant.ID,
			"role": u.role, "email": u.email, "password": rpPass, "first_name": "Gui", "last_name": "De"}, 201, nil)
	}
	logins := []struct{ role, email, pass string }{
		{"tenant", "boss@guide.test", rpPass}, {"user", "user@guide.test", rpPass}, {"admin", adminEmail, adminPass}}
	for _, l := range logins {
		t.Run(l.role, func(t *testing.T) {
			b := newBrowser(t, chromium)
			b.login(base, l.email, l.pass)
			links := b.menuLinks()
			labels := map[string]bool{}
			for _, ln := range links {
				labels[ln.Label] = true
			}
			for _, want := range guideMenus[l.role] {
				if !labels[want] {
					t.Errorf("%s menu lacks %q (has %v)", l.role, want, links)
				}
			}
			for i, ln := range links {
				b.step(ln.Label, func() {
					b.do(chromedp.Navigate(base + ln.Path))
					b.poll(`document.readyState === "complete" && !!document.querySelector("main h1")`)
					h1, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector("main h1").innerText`))
					if err != nil {
						b.fail(err)
					}
					if strings.Contains(h1, "not found") || strings.Contains(h1, "went wrong") || strings.Contains(h1, "not allowed") {
						t.Errorf("%s %s: %q", l.role, ln.Path, h1)
					}
					b.shot(fmt.Sprintf("guide-%s-%02d-%s", l.role, i+1, slug(ln.Label)))
					b.audit(l.role + " " + ln.Label)
				})
			}
			b.checkConsole()
		})
	}
}

type menuLink struct{ Label, Path string }

// menuLinks reads the links of the side menu.
func (b *browser) menuLinks() []menuLink {
	b.t.Helper()
	raw, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`JSON.stringify(Array.from(
		document.querySelectorAll("#sidenav a[href^='/']")).map(a => ({Label: a.innerText.trim(), Path: a.getAttribute("href")})))`))
	if err != nil {
		b.fail(err)
	}
	var links []menuLink
	if err := json.Unmarshal([]byte(raw), &links); err != nil {
		b.fail(err)
	}
	return links
}

func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
