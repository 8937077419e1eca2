package e2e

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"
)

const (
	initechBoss = "boss@initech.test"
	initechUser = "peter@initech.test"
	initechPass = "initech password 1"
	hooliUser   = "gavin@hooli.test"
	hooliPass   = "hooli password 12"
)

// TestSending drives Send Single Fax, My CIDs and the trunk and caller-ID
// administration in headless Chromium against the real application: the
// admin adds a fast test trunk (and disables the real-time built-in one)
// and a caller ID for the tenant; a tenant user uploads a file with a new
// fax, follows it to delivered on its page, sends the document again and
// watches the list turn delivered without a reload, sends to a busy test
// number and reads why it failed; a user of another tenant gets 404 for
// the fax. Screenshots go to FAXGATE_E2E_ARTIFACTS.
func TestSending(t *testing.T) {
	chromium := findChromium(t)
	base := startApp(t)
	tenantID := sendingSetup(t, base)
	b := newBrowser(t, chromium)
	png := writePage(t)

	b.step("admin adds a fast test trunk and disables the built-in line", func() {
		b.login(base, adminEmail, adminPass)
		b.navigates(chromedp.Click(chromedp.CSS(`#sidenav a[href="/admin/trunks"]`)))
		b.waitText("#results tbody", "Test line")
		b.navigates(chromedp.Click(chromedp.CSS(`.page-actions a[href="/admin/trunks/new"]`)))
		b.do(chromedp.SetValue(chromedp.ID("f-kind"), "test"))
		b.do(chromedp.SetValue(chromedp.ID("f-speed"), "fast"))
		b.fill(map[string]string{"f-name": "Fast line", "f-priority": "0", "f-max_channels": "4", "f-host": ""})
		b.shot("send-01-trunk-form")
		b.submit("form.trunk-form")
		b.waitPath("/admin/trunks")
		b.waitText(".flash-success", "Trunk Fast line added.")
		b.navigates(chromedp.Click(chromedp.CSS(`#results button[aria-label="Disable Test line"]`)))
		b.waitText(".flash-success", "Trunk Test line disabled")
		b.waitText("#results tbody tr:first-child", "Fast line")
		b.shot("send-02-trunks")
	})
	b.step("admin adds a caller ID and assigns it to the tenant", func() {
		b.navigates(chromedp.Click(chromedp.CSS(`#sidenav a[href="/admin/cids"]`)))
		b.fill(map[string]string{"f-number": "+1 202 555 0111", "f-label": "Head office"})
		b.do(chromedp.SetValue(chromedp.ID("f-tenant_id"), tenantID))
		b.submit("form.cid-add")
		b.waitText(".flash-success", "Caller ID +12025550111 added to the pool.")
		b.poll(`document.querySelector('#results tbody select[name="tenant_id"]').selectedOptions[0].text === "Initech"`)
		b.shot("send-03-cid-pool")
		b.logout()
	})
	b.step("the user sees the caller ID under My CIDs", func() {
		b.login(base, initechUser, initechPass)
		b.navigates(chromedp.Click(chromedp.CSS(`#sidenav a[href="/cids"]`)))
		b.waitText("#results tbody", "+12025550111")
		b.shot("send-04-my-cids")
	})
	b.step("empty outbound list", func() {
		b.navigates(chromedp.Click(chromedp.CSS(`#sidenav a[href="/outbound"]`)))
		b.waitText("main .empty", "No faxes sent yet.")
	})
	b.step("a wrong number is refused in plain words and the form keeps the input", func() {
		b.navigates(chromedp.Click(chromedp.CSS(`.page-actions a[href="/outbound/new"]`)))
		b.fill(map[string]string{"f-title": "Quarterly report", "f-to": "12"})
		b.submit("form.fax-form")
		b.waitText(".error-summary", "To: ")
		b.waitText(".error-summary", "Document id: choose a document or upload files")
		if v := b.value("f-title"); v != "Quarterly report" {
			t.Errorf("title after the error: %q", v)
		}
		b.shot("send-05-form-errors")
	})
	var faxURL string
	b.step("upload a file with the fax and follow it to delivered", func() {
		b.fill(map[string]string{"f-to": "+1 202 555 0100"})
		b.do(chromedp.SetValue(chromedp.ID("f-caller_id"), "+12025550111"))
		b.do(chromedp.SetUploadFiles(chromedp.ID("f-file"), []string{png}))
		b.submit("form.fax-form")
		// The preparing page (while the file converts) moves on by itself.
		b.poll(`/^\/outbound\/fax_[a-z2-7]{16}$/.test(location.pathname)`)
		b.waitText("#fax-state", "+12025550111")
		b.shot("send-06-fax-queued")
		b.poll(`document.querySelector("#fax-state").dataset.live === "off"`)
		b.waitText("#fax-state .fax-status-cell", "Delivered")
		b.waitText("#fax-state table.attempts", "Fast line")
		b.waitText("#fax-state table.attempts", "Completed")
		b.waitText("#fax-state .fax-timeline", "delivered")
		faxURL = faxPageURL(b)
		b.shot("send-07-fax-delivered")
	})
	b.step("the sent pages and the transmission report download as PDF", func() {
		b.do(chromedp.Evaluate[chromedp.Void](`window.__pdf = null;
			fetch(document.querySelector('#fax-state a[href$="/file?format=pdf"]').href)
				.then(r => r.arrayBuffer()).then(b => { window.__pdf = String.fromCharCode(...new Uint8Array(b.slice(0, 5))) })`))
		b.poll(`window.__pdf === "%PDF-"`)
		b.do(chromedp.Evaluate[chromedp.Void](`window.__rep = null;
			fetch(document.querySelector('#fax-state a[href$="/report"]').href)
				.then(r => r.arrayBuffer()).then(b => { window.__rep = String.fromCharCode(...new Uint8Array(b.slice(0, 5))) })`))
		b.poll(`window.__rep === "%PDF-"`)
	})
	b.step("send the document again and watch the list turn delivered without a reload", func() {
		b.do(chromedp.Navigate(base + "/outbound/new"))
		b.fill(map[string]string{"f-title": "Again", "f-to": "+12025550100"})
		b.do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById("f-document_id"); s.selectedIndex = 1 })()`))
		b.submit("form.fax-form")
		b.poll(`/^\/outbound\/fax_[a-z2-7]{16}$/.test(location.pathname)`)
		b.do(chromedp.Navigate(base + "/outbound"))
		b.poll(`document.readyState === "complete"`)
		b.do(chromedp.Evaluate[chromedp.Void](`window.__sameList = true`))
		b.poll(`document.querySelectorAll('#results tr[data-status="delivered"]').length === 2 && window.__sameList === true`)
		b.poll(`document.getElementById("results").dataset.live === "off"`)
		b.shot("send-08-list-delivered")
	})
	b.step("a busy number fails in plain words", func() {
		b.do(chromedp.Navigate(base + "/outbound/new"))
		b.fill(map[string]string{"f-title": "Busy", "f-to": "+12025550486"})
		b.do(chromedp.SetValue(chromedp.ID("f-retries"), "0"))
		b.do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById("f-document_id"); s.selectedIndex = 1 })()`))
		b.submit("form.fax-form")
		b.poll(`/^\/outbound\/fax_[a-z2-7]{16}$/.test(location.pathname)`)
		b.waitText("#fax-state .fax-status-cell", "Failed")
		b.waitText("#fax-state .fax-status-cell", "The line was busy.")
		b.shot("send-09-busy")
		b.do(chromedp.Navigate(base + "/outbound?status=failed"))
		b.waitText("#results tbody", "The line was busy.")
	})
	b.step("phone width", func() {
		b.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
		b.do(chromedp.Navigate(base + "/outbound"))
		b.waitText("#results tbody", "The line was busy.")
		b.shot("send-10-phone-list")
		b.do(chromedp.Navigate(faxURL))
		b.waitText("#fax-state table.attempts", "Fast line")
		b.shot("send-11-phone-fax")
		b.do(chromedp.EmulateViewport(1280, 900))
		b.logout()
	})
	b.step("a user of another tenant gets 404 for the fax", func() {
		b.login(base, hooliUser, hooliPass)
		b.do(chromedp.Navigate(faxURL))
		b.waitText("main", "Page not found")
		b.do(chromedp.Navigate(base + "/outbound"))
		b.waitText("main .empty", "No faxes sent yet.")
		b.shot("send-12-other-tenant")
	})
	b.checkConsole()
}

// sendingSetup creates the tenants Initech (a tenant admin and a user)
// and Hooli (a user) through the REST API and returns Initech's id.
func sendingSetup(t *testing.T, base string) string {
	t.Helper()
	var initech, hooli struct {
		ID string `json:"id"`
	}
	apiPost(t, base+"/api/v1/tenants", map[string]any{"name": "Initech"}, &initech)
	apiPost(t, base+"/api/v1/tenants", map[string]any{"name": "Hooli"}, &hooli)
	for _, u := range []struct{ tenant, role, email, pass string }{
		{initech.ID, "tenant", initechBoss, initechPass}, {initech.ID, "user", initechUser, initechPass},
		{hooli.ID, "user", hooliUser, hooliPass},
	} {
		apiPost(t, base+"/api/v1/users", map[string]any{"tenant_id": u.tenant, "role": u.role, "email": u.email,
			"password": u.pass, "first_name": "E2E", "last_name": "Sender"}, nil)
	}
	return initech.ID
}

// faxPageURL is the URL of the fax page the browser shows.
func faxPageURL(b *browser) string {
	b.t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.fail(err)
	}
	if !regexp.MustCompile(`/outbound/fax_`).MatchString(loc) {
		b.fail(fmt.Errorf("not a fax page: %s", loc))
	}
	return loc
}
