package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const (
	guideDID  = "+12025550171"
	guideCID  = "+12025550161"
	guideUser = "una@globex.test"
	guidePass = "una password 12"
)

// TestGuideWalk does, in Chromium, what each menu of the product guide
// (../shared/reference/portal-guide.txt) describes, as the platform admin,
// a tenant admin and a user, in one suite: the admin sets up the line, a
// DID and a caller ID and posts an announcement; the tenant admin adds a
// document, contacts, a group from a CSV file, do-not-contact numbers (one
// by one and imported), sends a single fax to its own DID and receives
// it, forwards the DID to email, runs a campaign, brands the portal, adds
// a user, saves fax settings, previews the cover page, posts an
// announcement, filters and exports the CDR and filters System
// Activities; the new user sends a fax and reads the reports. Each step
// checks its result on the page and saves a screenshot (guide-walk-*.png,
// where TestGuideMenus saves its own). Every page visited passes the
// accessibility audit (guide_a11y_test.go: labels, alt, names, contrast,
// unique ids, keyboard order and focus, skip link), and key pages are
// checked at phone width for horizontal overflow and a keyboard-usable
// menu.
func TestGuideWalk(t *testing.T) {
	chromium := findChromium(t)
	base := startApp(t)
	tenantID := apiSetup(t, base)
	page := writePage(t)
	dir := t.TempDir()
	groupCSV := filepath.Join(dir, "clinics.csv")
	dncCSV := filepath.Join(dir, "dnc.csv")
	for path, body := range map[string]string{
		groupCSV: "first_name,last_name,fax,email\nClinic,One,+12024001000,one@clinic.test\nClinic,Two,+12024001001,\n",
		dncCSV:   "number,note\n+12025550901,asked by phone\n+12025550902,\nnot a number,\n",
	} {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	shot := 0
	// visit names a step's page: a screenshot and the accessibility audit.
	visit := func(b *browser, role, name string) {
		b.t.Helper()
		shot++
		b.shot(fmt.Sprintf("guide-walk-%s-%02d-%s", role, shot, slug(name)))
		b.audit(role + " " + name)
	}
	menu := func(b *browser, href string) {
		b.t.Helper()
		b.navigates(chromedp.Click(chromedp.CSS(`#sidenav a[href="` + href + `"]`)))
		b.waitPath(href)
		b.poll(`!!document.querySelector('#sidenav a[href="` + href + `"][aria-current="page"]')`)
	}

	t.Run("admin", func(t *testing.T) {
		b := newBrowser(t, chromium)
		b.step("the login page", func() {
			b.do(chromedp.Navigate(base + "/login"))
			b.auditSelfTest()
			visit(b, "admin", "login")
			b.login(base, adminEmail, adminPass)
		})
		b.step("Dashboard", func() {
			b.waitText(".stats", "Tenants")
			visit(b, "admin", "dashboard")
		})
		b.step("Trunks: add the fast test line, disable the real-time one", func() {
			menu(b, "/admin/trunks")
			visit(b, "admin", "trunks")
			b.navigates(chromedp.Click(chromedp.CSS(`.page-actions a[href="/admin/trunks/new"]`)))
			b.do(chromedp.SetValue(chromedp.ID("f-kind"), "test"), chromedp.SetValue(chromedp.ID("f-speed"), "fast"))
			b.fill(map[string]string{"f-name": "Fast line", "f-priority": "0", "f-max_channels": "4", "f-host": ""})
			visit(b, "admin", "trunk form")
			b.submit("form.trunk-form")
			b.waitText(".flash-success", "Trunk Fast line added.")
			b.navigates(chromedp.Click(chromedp.CSS(`#results button[aria-label="Disable Test line"]`)))
			b.waitText(".flash-success", "Trunk Test line disabled")
			// Live status: channels in use of every node (none yet).
			b.waitText("#results thead", "Channels in use")
			b.poll(`[...document.querySelectorAll("#results tbody tr")].some(tr => tr.innerText.includes("Fast line") &&
				tr.querySelector('td[data-label="Channels in use"]').innerText.trim() === "0 of 4")`)
			visit(b, "admin", "trunks saved")
		})
		b.step("DID Pool: add a DID and assign it to the tenant", func() {
			menu(b, "/admin/dids")
			b.do(chromedp.Click(chromedp.CSS(`details:first-of-type summary`)))
			b.fill(map[string]string{"f-add-number": guideDID, "f-add-label": "Globex fax"})
			visit(b, "admin", "did pool add")
			b.submit(`form[action="/admin/dids"]`)
			b.waitText(".flash-success", "DID "+guideDID+" added to the pool.")
			b.do(chromedp.SetValue(chromedp.CSS(`#results select[name="tenant_id"]`), tenantID))
			b.navigates(chromedp.Click(chromedp.CSS(`#results button[aria-label="Assign ` + guideDID + `"]`)))
			b.waitText(`#results td[data-label="Tenant"]`, "Globex")
			visit(b, "admin", "did pool")
		})
		b.step("DID Pool: releasing a DID asks first", func() {
			b.do(chromedp.Click(chromedp.CSS(`details:first-of-type summary`)))
			b.fill(map[string]string{"f-add-number": "+12025550172"})
			b.submit(`form[action="/admin/dids"]`)
			b.do(chromedp.Navigate(base + "/admin/dids?q=2025550172"))
			b.poll(`document.querySelectorAll("#results tbody tr").length === 1`)
			b.do(chromedp.SetValue(chromedp.CSS(`#results select[name="tenant_id"]`), tenantID))
			b.navigates(chromedp.Click(chromedp.CSS(`#results button[aria-label="Assign +12025550172"]`)))
			b.do(chromedp.Click(chromedp.CSS(`#results a[aria-label="Release +12025550172"]`)))
			b.waitText("#confirm-area", "Release +12025550172?")
			visit(b, "admin", "did release confirm")
			b.submit("#confirm-box form")
			b.waitText(".flash-success", "DID +12025550172 released to the pool")
		})
		b.step("Caller IDs: add one for the tenant", func() {
			menu(b, "/admin/cids")
			b.fill(map[string]string{"f-number": guideCID, "f-label": "Globex office"})
			b.do(chromedp.SetValue(chromedp.ID("f-tenant_id"), tenantID))
			b.submit("form.cid-add")
			b.waitText(".flash-success", "Caller ID "+guideCID+" added to the pool.")
			visit(b, "admin", "caller ids")
		})
		b.step("Tenants: usage against limits, search", func() {
			menu(b, "/admin/tenants")
			b.waitText("#results tbody", "Globex")
			b.waitText(`#results td[data-label="Pages today"]`, "0 pages")
			b.waitText(`#results td[data-label="Pages this month"]`, "0 pages")
			b.do(chromedp.Navigate(base + "/admin/tenants?q=nothing-like-this"))
			b.waitText("main .empty", "")
			visit(b, "admin", "tenants empty search")
		})
		b.step("Users (all tenants)", func() {
			menu(b, "/admin/all-users")
			b.waitText("#results tbody", globexBoss)
			visit(b, "admin", "all users")
		})
		b.step("Announcements: a platform-wide one", func() {
			menu(b, "/settings/announcements")
			b.do(chromedp.SendKeys(chromedp.ID("f-message"), "Platform maintenance on Sunday 02:00 UTC"))
			b.submit(`form[action="/settings/announcements"]`)
			b.waitText(".flash-success", "Announcement posted.")
			b.waitText("#announcements", "Platform maintenance on Sunday")
			visit(b, "admin", "announcements")
		})
		b.step("Platform settings: save", func() {
			menu(b, "/admin/platform")
			b.fill(map[string]string{"f-retention_default_days": "60"})
			b.submit(`form[action="/admin/platform"]`)
			b.waitText(".flash-success", "Platform settings saved.")
			if v := b.value("f-retention_default_days"); v != "60" {
				t.Errorf("retention of new tenants after saving: %q", v)
			}
			visit(b, "admin", "platform settings")
		})
		b.step("Platform health", func() {
			menu(b, "/admin/health")
			b.waitText("main", "Fast line")
			visit(b, "admin", "platform health")
		})
		b.step("CDR Reports and System Activities", func() {
			menu(b, "/reports/cdr")
			b.waitText("main .empty", "No calls yet")
			visit(b, "admin", "cdr")
			menu(b, "/reports/activities")
			b.do(chromedp.SetValue(chromedp.ID("f-action"), "trunk"))
			b.submit("form.filters")
			b.waitText("#results tbody", "Fast line")
			visit(b, "admin", "activities")
		})
		b.step("phone width: every menu page", func() {
			for i, l := range b.menuLinks() {
				b.phoneCheck(base+l.Path, fmt.Sprintf("guide-walk-admin-phone-%02d-%s", i+1, slug(l.Label)))
			}
		})
		b.checkConsole()
	})

	var faxURL string
	tenantOK := t.Run("tenant", func(t *testing.T) {
		b := newBrowser(t, chromium)
		b.step("Dashboard: the platform announcement shows", func() {
			b.login(base, globexBoss, globexPass)
			b.waitText(".announcements", "Platform maintenance on Sunday")
			visit(b, "tenant", "dashboard")
		})
		b.step("Fax Documents: add a document", func() {
			menu(b, "/documents")
			b.waitText("main .empty", "No fax documents yet.")
			b.navigates(chromedp.Click(chromedp.CSS(`.page-actions a[href="/documents/new"]`)))
			b.fill(map[string]string{"f-name": "Price list"})
			b.do(chromedp.SetValue(chromedp.ID("f-quality"), "superfine"))
			b.do(chromedp.SetUploadFiles(chromedp.ID("f-files"), []string{page}))
			visit(b, "tenant", "document form")
			b.submit("form.form-card")
			b.waitText(".flash-success", "Document “Price list” added.")
			b.poll(`!!document.querySelector("#results tbody tr .badge-ready")`)
			b.waitText(`#results td[data-label="Quality"]`, "Super")
			visit(b, "tenant", "documents")
		})
		b.step("Contacts: add a contact", func() {
			menu(b, "/contacts")
			b.navigates(chromedp.Click(chromedp.CSS(`.page-actions a[href="/contacts/new"]`)))
			b.fill(map[string]string{"f-first_name": "Ada", "f-last_name": "Lovelace", "f-fax": "+1 202 555 0101",
				"f-email": "ada@engines.test", "f-custom1": "VIP"})
			visit(b, "tenant", "contact form")
			b.submit("form.form-card")
			b.waitText(".flash-success", "Contact Ada Lovelace (+12025550101) added.")
			b.waitText("#results", "VIP")
			visit(b, "tenant", "contacts")
		})
		b.step("Groups: add a group from a CSV file", func() {
			menu(b, "/groups")
			b.navigates(chromedp.Click(chromedp.CSS(`.page-actions a[href="/groups/new"]`)))
			b.fill(map[string]string{"f-name": "Clinics"})
			b.do(chromedp.SendKeys(chromedp.ID("f-description"), "Every clinic we serve"))
			b.do(chromedp.SetUploadFiles(chromedp.ID("f-file"), []string{groupCSV}))
			visit(b, "tenant", "group form")
			b.submit("form.form-card")
			// The columns are recognised; the mapping page asks to confirm them.
			b.poll(`!!document.querySelector("form.mapping")`)
			if v := b.value("f-col2"); v != "fax" {
				t.Errorf("the fax column detected as %q", v)
			}
			visit(b, "tenant", "group mapping")
			b.submit("form.mapping")
			b.poll(`!!document.getElementById("import-report")`)
			b.waitText("#count-imported", "2")
			visit(b, "tenant", "group import")
			b.navigates(chromedp.Click(chromedp.CSS(`#import-report a[href^="/groups/grp_"]:not([download])`)))
			b.waitText("#member-count", "2")
			visit(b, "tenant", "group")
		})
		b.step("Contact DNC: add a number and import a file", func() {
			menu(b, "/dnc")
			b.waitText("main .empty", "The list is empty.")
			b.fill(map[string]string{"f-number": "+1 202 555 0900", "f-note": "asked us to stop"})
			b.submit(`form[action="/dnc"]`)
			b.waitText(".flash-success", "+12025550900 is on the do-not-contact list")
			b.do(chromedp.SetUploadFiles(chromedp.ID("f-dnc-file"), []string{dncCSV}))
			b.submit(`form[action="/dnc/import"]`)
			b.waitText("#report-heading", "2 numbers added")
			visit(b, "tenant", "dnc import")
			menu(b, "/dnc")
			b.waitText("#results", "+12025550902")
			visit(b, "tenant", "dnc")
		})
		b.step("My CIDs: the caller ID is there", func() {
			menu(b, "/cids")
			b.waitText("#results tbody", guideCID)
			visit(b, "tenant", "my cids")
		})
		b.step("My DIDs: forward the DID to email", func() {
			menu(b, "/dids")
			b.waitText(`#results td[data-label="Number"]`, guideDID)
			visit(b, "tenant", "my dids")
			b.navigates(chromedp.Click(chromedp.CSS(`#results a.forward-arrow`)))
			b.do(chromedp.SetValue(chromedp.ID("f-action"), "email"))
			b.do(chromedp.SendKeys(chromedp.ID("f-forward_emails"), "faxes@globex.test"))
			visit(b, "tenant", "forward did")
			b.submit("form.narrow-form")
			b.waitPath("/dids")
			b.waitText(".flash-success", "DID "+guideDID+": fax to email saved.")
			b.waitText("#results", "faxes@globex.test")
		})
		b.step("Send Single Fax: to our own DID, with the caller ID and retries", func() {
			menu(b, "/outbound")
			b.waitText("main .empty", "No faxes sent yet.")
			b.navigates(chromedp.Click(chromedp.CSS(`.page-actions a[href="/outbound/new"]`)))
			b.fill(map[string]string{"f-title": "Price list for the branch", "f-to": guideDID})
			b.do(chromedp.SetValue(chromedp.ID("f-caller_id"), guideCID))
			b.do(chromedp.SetValue(chromedp.ID("f-retries"), "1"))
			b.do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById("f-document_id"); s.selectedIndex = 1 })()`))
			visit(b, "tenant", "send fax form")
			b.submit("form.fax-form")
			b.poll(`/^\/outbound\/fax_[a-z2-7]{16}$/.test(location.pathname)`)
			b.waitText("#fax-state .fax-status-cell", "Delivered")
			b.waitText("#fax-state", guideCID)
			faxURL = b.url()
			visit(b, "tenant", "fax delivered")
		})
		b.step("Receive Fax: the fax arrived on the DID and downloads as PDF", func() {
			menu(b, "/inbox")
			b.waitText(`#results td[data-label="To (DID)"]`, guideDID)
			b.do(chromedp.Evaluate[chromedp.Void](`window.__pdf = null;
				fetch(document.querySelector('#results a[download]').href).then(r => r.arrayBuffer())
					.then(b => { window.__pdf = String.fromCharCode(...new Uint8Array(b.slice(0, 5))) })`))
			b.poll(`window.__pdf === "%PDF-"`)
			visit(b, "tenant", "inbox")
			b.do(chromedp.SendKeys(chromedp.ID("f-q"), "5550999"))
			b.waitText("#results .empty", "No received faxes match.")
			b.do(chromedp.Evaluate[chromedp.Void](`document.getElementById("f-q").value = ""`), chromedp.SendKeys(chromedp.ID("f-q"), "5550171"))
			b.waitText(`#results td[data-label="To (DID)"]`, guideDID)
			visit(b, "tenant", "inbox search")
		})
		b.step("Send Bulk Fax: a campaign to the group, started and completed", func() {
			menu(b, "/campaigns")
			b.navigates(chromedp.Click(chromedp.CSS(`.page-actions a[href="/campaigns/new"]`)))
			b.fill(map[string]string{"f-title": "Clinic price list", "f-calls_per_minute": "60"})
			b.do(chromedp.SetValue(chromedp.ID("f-retries"), "1"))
			b.do(chromedp.Evaluate[chromedp.Void](`(() => { for (const id of ["f-document_id", "f-group_id"]) {
				const s = document.getElementById(id); s.value = s.options[1].value } })()`))
			visit(b, "tenant", "campaign form")
			b.submit("form.form-card")
			b.waitText("#campaign-status", "Draft")
			b.navigates(chromedp.Click(chromedp.ID("campaign-start")))
			b.poll(`document.getElementById("campaign-status").textContent.trim() === "Completed"`)
			b.waitText("#stat-delivered", "2")
			visit(b, "tenant", "campaign completed")
			menu(b, "/campaigns")
			b.do(chromedp.SendKeys(chromedp.ID("f-q"), "no such campaign"))
			b.waitText("#results .empty", "No campaigns match.")
			b.do(chromedp.Evaluate[chromedp.Void](`document.getElementById("f-q").value = ""`), chromedp.SendKeys(chromedp.ID("f-q"), "CLINIC"))
			b.waitText(`#results td[data-label="Title"]`, "Clinic price list")
			visit(b, "tenant", "campaign search")
		})
		b.step("Branding: company name and title", func() {
			menu(b, "/admin/branding")
			b.fill(map[string]string{"f-domain": "fax.globex.test", "f-company_name": "Globex Fax",
				"f-title": "Globex Fax Portal", "f-footer": "Globex · 1 Example Street"})
			b.do(chromedp.SetUploadFiles(chromedp.ID("f-logo"), []string{writeLogo(t)}))
			b.submit("form.form-card")
			b.waitText(".flash-success", "Branding saved.")
			b.waitText(".brand-name", "Globex Fax")
			if v := b.value("f-domain"); v != "fax.globex.test" {
				t.Errorf("branding domain after saving: %q", v)
			}
			visit(b, "tenant", "branding")
			// Removing the logo asks first; cancelled, it stays.
			b.do(chromedp.Click(chromedp.CSS(`a[href="/admin/branding/logo/remove"]`)))
			b.waitText("#confirm-area", "Remove the logo?")
			visit(b, "tenant", "logo remove confirm")
			b.do(chromedp.Click(chromedp.CSS(`#confirm-area [data-dismiss]`)))
			b.poll(`document.getElementById("confirm-area").children.length === 0 && !!document.querySelector("img.brand-logo")`)
		})
		b.step("User Management: add a user", func() {
			menu(b, "/admin/users")
			b.navigates(chromedp.Click(chromedp.CSS(`.page-actions a[href="/admin/users/new"]`)))
			b.fill(map[string]string{"f-email": guideUser, "f-api_username": "una.user", "f-password": guidePass,
				"f-password_confirm": guidePass, "f-first_name": "Una", "f-last_name": "User", "f-phone": "+15550199"})
			visit(b, "tenant", "user form")
			b.submit("form.form-card")
			b.waitText(".flash-success", "User "+guideUser+" added.")
			b.waitText("#results tbody", "Una User")
			visit(b, "tenant", "users")
		})
		b.step("Profile: an API key, revoked after the confirmation", func() {
			b.do(chromedp.Navigate(base + "/profile"))
			b.fill(map[string]string{"f-name": "billing"})
			b.submit("#api-keys form.inline-create")
			b.poll(`document.getElementById("new-key-value").value.startsWith("fgk_")`)
			visit(b, "tenant", "profile new key")
			b.do(chromedp.Click(chromedp.CSS(`#api-keys a[aria-label="Revoke key billing"]`)))
			b.waitText("#confirm-area", "Revoke the key “billing”?")
			visit(b, "tenant", "revoke confirm")
			b.submit("#confirm-box form")
			b.waitText(".flash-success", "API key revoked")
			b.waitText("#api-keys", "revoked")
		})
		b.step("a form with errors keeps the input and names the fields", func() {
			b.do(chromedp.Navigate(base + "/contacts/new"))
			b.fill(map[string]string{"f-first_name": "Eve", "f-fax": "12"})
			b.submit("form.form-card")
			b.waitText(".error-summary", "Fax:")
			if v := b.value("f-first_name"); v != "Eve" {
				t.Errorf("first name after the error: %q", v)
			}
			visit(b, "tenant", "form errors")
			b.do(chromedp.Navigate(base + "/contacts/con_aaaaaaaaaaaaaaaa/edit"))
			b.waitText("main", "Page not found")
			visit(b, "tenant", "not found")
		})
		b.step("Fax Settings: retention and quality", func() {
			menu(b, "/settings/fax")
			b.fill(map[string]string{"f-retention_days": "45", "f-station_id": "GLOBEX"})
			b.do(chromedp.SetValue(chromedp.ID("f-default_quality"), "fine"))
			b.submit("form.form-card")
			b.waitText(".flash-success", "Fax settings saved.")
			if v := b.value("f-retention_days"); v != "45" {
				t.Errorf("retention after saving: %q", v)
			}
			visit(b, "tenant", "fax settings")
		})
		b.step("Cover Page: enable, sender details, live preview", func() {
			menu(b, "/settings/cover-page")
			b.do(chromedp.SendKeys(chromedp.ID("f-sender_name"), "Gina Globex"))
			b.poll(`(() => { const i = document.querySelector("#cover-preview img");
				return !!i && i.src.includes("sender_name=Gina+Globex") && i.complete && i.naturalWidth === 1728 })()`)
			b.do(chromedp.Click(chromedp.ID("f-enabled")))
			b.submit("form.form-card")
			b.waitText(".flash-success", "Cover page saved.")
			b.poll(`document.getElementById("f-enabled").checked`)
			visit(b, "tenant", "cover page")
		})
		b.step("Announcement: post one for the users", func() {
			menu(b, "/settings/announcements")
			b.do(chromedp.SendKeys(chromedp.ID("f-message"), "New price list is out"))
			b.submit(`form[action="/settings/announcements"]`)
			b.waitText(".flash-success", "Announcement posted.")
			b.waitText(`#announcements td[data-label="State"]`, "Showing")
			visit(b, "tenant", "announcement")
			b.do(chromedp.SendKeys(chromedp.ID("f-q"), "no such words"))
			b.waitText("#announcement-list .empty", "No announcements match")
			visit(b, "tenant", "announcement search")
		})
		b.step("CDR Reports: filter, sort and export", func() {
			menu(b, "/reports/cdr")
			// The single fax: sent and received; the campaign: two calls.
			b.poll(`document.querySelectorAll("#cdr-table tbody tr").length === 4`)
			b.do(chromedp.SetValue(chromedp.ID("f-direction"), "inbound"))
			b.submit("form.filters")
			b.poll(`document.querySelectorAll("#cdr-table tbody tr").length === 1`)
			b.waitText(`#cdr-table td[data-label="To"]`, guideDID)
			// The reception's answer and end times of day are shown.
			b.poll(`['Answered', 'Ended'].every(l => /\d\d:\d\d:\d\d$/.test(document.querySelector('#cdr-table td[data-label="' + l + '"]').innerText.trim()))`)
			visit(b, "tenant", "cdr inbound")
			b.do(chromedp.Navigate(base + "/reports/cdr"))
			b.navigates(chromedp.Click(chromedp.CSS(`#cdr-table th a[href*="sort=to"]`)))
			b.poll(`document.querySelector('#cdr-table th[aria-sort="descending"]').innerText.startsWith("To")`)
			b.poll(`[...document.querySelectorAll('#cdr-table td[data-label="To"]')].map(e => e.innerText.trim()).join() ===
				[...document.querySelectorAll('#cdr-table td[data-label="To"]')].map(e => e.innerText.trim()).sort().reverse().join()`)
			visit(b, "tenant", "cdr sorted by to")
			href, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.getElementById("cdr-export").getAttribute("href")`))
			if err != nil || href != "/reports/cdr/export?sort=to" {
				t.Errorf("export link %q (%v)", href, err)
			}
			csv := b.fetch(href)
			lines := strings.Split(strings.TrimSpace(csv), "\n")
			if len(lines) != 5 || !strings.HasPrefix(lines[0], "started_at,") || !strings.Contains(lines[1], guideDID) {
				t.Errorf("CDR export sorted by to:\n%s", csv)
			}
			// The guide: filter by date range and user, then export.
			day := func(d int) string { return time.Now().UTC().AddDate(0, 0, d).Format(time.DateOnly) }
			b.do(chromedp.Navigate(base + "/reports/cdr"))
			b.do(chromedp.SetValue(chromedp.ID("f-from"), day(-1)), chromedp.SetValue(chromedp.ID("f-to"), day(1)))
			b.do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById("f-user_id");
				s.value = [...s.options].find(o => o.text.includes(` + jsString(globexBoss) + `)).value })()`))
			b.submit("form.filters")
			b.poll(`(() => { const cells = [...document.querySelectorAll('#cdr-table td[data-label="User"]')];
				return cells.length > 0 && cells.every(c => c.innerText.includes(` + jsString(globexBoss) + `)) })()`)
			visit(b, "tenant", "cdr by date and user")
			href, err = chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.getElementById("cdr-export").getAttribute("href")`))
			if err != nil || !strings.Contains(href, "from="+day(-1)) || !strings.Contains(href, "user_id=usr_") {
				t.Errorf("export link of the filtered view %q (%v)", href, err)
			}
			rows, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll("#cdr-table tbody tr").length`))
			if err != nil {
				b.fail(err)
			}
			if lines := strings.Split(strings.TrimSpace(b.fetch(href)), "\n"); len(lines) != rows+1 {
				t.Errorf("filtered export: %d lines for %d rows on the page", len(lines), rows)
			}
			b.do(chromedp.SetValue(chromedp.ID("f-from"), day(1)), chromedp.SetValue(chromedp.ID("f-to"), day(2)))
			b.submit("form.filters")
			b.waitText("main .empty", "No calls match these filters.")
		})
		b.step("System Activities: filter", func() {
			menu(b, "/reports/activities")
			b.do(chromedp.SetValue(chromedp.ID("f-action"), "user"))
			b.submit("form.filters")
			b.waitText("#results tbody", guideUser)
			visit(b, "tenant", "activities")
			// By date and user, and a single action of another capability.
			today := time.Now().UTC().Format(time.DateOnly)
			b.do(chromedp.Navigate(base + "/reports/activities"))
			b.do(chromedp.SetValue(chromedp.ID("f-from"), today), chromedp.SetValue(chromedp.ID("f-to"), today))
			b.do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById("f-user_id");
				s.value = [...s.options].find(o => o.text.includes(` + jsString(globexBoss) + `)).value })()`))
			b.do(chromedp.SetValue(chromedp.ID("f-action"), "campaign.started"))
			b.submit("form.filters")
			b.poll(`document.querySelectorAll("#results tbody tr").length === 1`)
			b.waitText("#results tbody", "Clinic price list")
			visit(b, "tenant", "activities by date user action")
		})
		b.step("phone width: every menu page and the forms", func() {
			pages := []string{"/outbound/new", "/contacts/new", "/campaigns/new", "/documents/new", "/admin/users/new", faxURL}
			for _, l := range b.menuLinks() {
				pages = append(pages, l.Path)
			}
			for i, p := range pages {
				b.phoneCheck(base+strings.TrimPrefix(p, base), fmt.Sprintf("guide-walk-tenant-phone-%02d-%s", i+1, slug(strings.TrimPrefix(p, base)+" page")))
			}
		})
		b.checkConsole()
	})

	if !tenantOK {
		t.Skip("the tenant walk failed; the user it adds does not exist")
	}
	t.Run("user", func(t *testing.T) {
		b := newBrowser(t, chromium)
		b.step("Dashboard: the tenant's announcement shows", func() {
			b.login(base, guideUser, guidePass)
			b.waitText(".announcements", "New price list is out")
			visit(b, "user", "dashboard")
		})
		b.step("Send Single Fax", func() {
			menu(b, "/outbound")
			b.waitText("main .empty", "No faxes sent yet.")
			b.navigates(chromedp.Click(chromedp.CSS(`.page-actions a[href="/outbound/new"]`)))
			b.fill(map[string]string{"f-title": "From Una", "f-to": "+12025550100"})
			b.do(chromedp.SetUploadFiles(chromedp.ID("f-file"), []string{page}))
			visit(b, "user", "send fax form")
			b.submit("form.fax-form")
			b.poll(`/^\/outbound\/fax_[a-z2-7]{16}$/.test(location.pathname)`)
			b.waitText("#fax-state .fax-status-cell", "Delivered")
			visit(b, "user", "fax delivered")
		})
		b.step("the tenant's fax is not the user's", func() {
			b.do(chromedp.Navigate(faxURL))
			b.waitText("main", "Page not found")
		})
		b.step("Receive Fax", func() {
			menu(b, "/inbox")
			visit(b, "user", "inbox")
		})
		b.step("Contacts: add a contact", func() {
			menu(b, "/contacts")
			b.navigates(chromedp.Click(chromedp.CSS(`.page-actions a[href="/contacts/new"]`)))
			b.fill(map[string]string{"f-first_name": "Bob", "f-last_name": "Babbage", "f-fax": "+12025550102"})
			b.submit("form.form-card")
			b.waitText("#results", "+12025550102")
			visit(b, "user", "contacts")
		})
		b.step("Fax Documents, My DIDs, My CIDs", func() {
			menu(b, "/documents")
			visit(b, "user", "documents")
			menu(b, "/dids")
			visit(b, "user", "my dids")
			menu(b, "/cids")
			b.waitText("#results tbody", guideCID)
			visit(b, "user", "my cids")
		})
		b.step("CDR Reports: only the user's call; export", func() {
			menu(b, "/reports/cdr")
			b.poll(`document.querySelectorAll("#cdr-table tbody tr").length === 1`)
			b.do(chromedp.SetValue(chromedp.ID("f-sort"), "pages"))
			b.submit("form.filters")
			b.waitText(`#cdr-table td[data-label="To"]`, "+12025550100")
			visit(b, "user", "cdr")
			csv := b.fetch(`/reports/cdr/export?sort=pages`)
			if lines := strings.Split(strings.TrimSpace(csv), "\n"); len(lines) != 2 {
				t.Errorf("user's CDR export:\n%s", csv)
			}
		})
		b.step("System Activities", func() {
			menu(b, "/reports/activities")
			b.waitText("#results tbody", "fax")
			visit(b, "user", "activities")
		})
		b.step("phone width", func() {
			b.phoneCheck(base+"/", "guide-walk-user-phone-dashboard")
			b.phoneCheck(base+"/reports/activities", "guide-walk-user-phone-activities")
			b.logout()
			b.phoneCheck(base+"/login", "guide-walk-phone-login")
		})
		b.checkConsole()
	})
	_ = http.MethodGet
}
