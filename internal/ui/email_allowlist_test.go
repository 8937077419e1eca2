package ui

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/mail/senders"
)

// TestEmailAllowlistPages: the tenant admin's Email to Fax page lists,
// adds (keeping the input on errors) and removes after confirming; users
// may not open it; another tenant's entry is 404 on every page.
func TestEmailAllowlistPages(t *testing.T) {
	p := newPortal(t, func(env *authtest.Env, d *Deps) { d.EmailSenders = senders.New(env.St, env.Audit) })
	a, other, user := p.browser(t), p.browser(t), p.browser(t)
	a.login(p.W.TenantA.Email)
	other.login(p.W.TenantB.Email)
	user.login(p.W.UserA.Email)

	r := a.get("/settings/email-allowlist")
	wantStatus(t, r, 200)
	wantText(t, r, "No senders are allowlisted.")
	wantHTML(t, r, `href="/settings/email-allowlist"`) // the menu entry
	wantStatus(t, user.get("/settings/email-allowlist"), http.StatusForbidden)

	r = a.post("/settings/email-allowlist", url.Values{"value": {"10.0.0.0/8"}, "user_id": {p.W.UserA.ID}, "note": {"Office"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantText(t, r, "too wide")
	wantHTML(t, r, `value="10.0.0.0/8"`, `value="Office"`)

	r = a.post("/settings/email-allowlist", url.Values{"value": {"scanner@office.example"}, "user_id": {p.W.UserA.ID}, "note": {"Scanner"}})
	wantRedirect(t, r, "/settings/email-allowlist")
	r = a.get("/settings/email-allowlist")
	wantText(t, r, "Added address scanner@office.example", "scanner@office.example", p.W.UserA.Email, "Scanner")
	id := regexp.MustCompile(`/settings/email-allowlist/(eal_[a-z2-7]{16})/delete`).FindStringSubmatch(r.Body)[1]
	// Search: the sender, the note or the user (any case).
	r = a.post("/settings/email-allowlist", url.Values{"value": {"198.51.100.0/28"}, "user_id": {p.W.UserA.ID}, "note": {"Reception"}})
	wantRedirect(t, r, "/settings/email-allowlist")
	wantText(t, a.get("/settings/email-allowlist"), "Added network 198.51.100.0/28") // the flash, shown once
	r = a.get("/settings/email-allowlist?q=SCANNER")
	wantText(t, r, "scanner@office.example", "2 of at most")
	wantHTML(t, r, `name="q" type="search" value="SCANNER"`)
	if strings.Contains(r.Body, "198.51.100.0/28") {
		t.Error("the search does not filter")
	}
	wantText(t, a.get("/settings/email-allowlist?q=recep"), "198.51.100.0/28")
	wantText(t, a.get("/settings/email-allowlist?q=nothing-like-this"), "No senders match.")
	r = a.get("/settings/email-allowlist?q=198.51.100")
	rid := regexp.MustCompile(`/settings/email-allowlist/(eal_[a-z2-7]{16})/delete`).FindStringSubmatch(r.Body)[1]
	wantRedirect(t, a.post("/settings/email-allowlist/"+rid+"/delete", nil), "/settings/email-allowlist")
	base := "/settings/email-allowlist/" + id + "/delete"
	wantStatus(t, other.get(base), http.StatusNotFound)
	wantStatus(t, other.post(base, nil), http.StatusNotFound)
	wantText(t, other.get("/settings/email-allowlist"), "No senders are allowlisted.")

	wantText(t, a.get(base), "Remove scanner@office.example from the email allowlist?")
	wantRedirect(t, a.post(base, nil), "/settings/email-allowlist")
	wantText(t, a.get("/settings/email-allowlist"), "Removed scanner@office.example", "No senders are allowlisted.")
	wantStatus(t, a.get(base), http.StatusNotFound)
}
