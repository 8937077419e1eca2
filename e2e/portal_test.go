// Package e2e holds faxgate's end-to-end tests: real processes and servers
// on 127.0.0.1, a real browser, no mocks.
package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"faxgate/internal/app"
	"faxgate/internal/auth"
	"faxgate/internal/config"
)

// chromiumPath is where Debian's chromium package puts the browser.
const chromiumPath = "/usr/bin/chromium"

// brandDomain is the tenant's branding domain; Chromium resolves it to
// 127.0.0.1 with a host resolver rule.
const brandDomain = "acme.test"

const (
	adminEmail = "admin@e2e.test"
	adminPass  = "admin password 1"
	bossEmail  = "boss@acme.test"
	bossPass   = "boss password 12"
	clerkEmail = "clerk@acme.test"
)

// TestPortal drives the portal in headless Chromium: the admin creates a
// tenant and its tenant admin; the tenant admin adds a user and brands the
// portal; the branded login page shows on the tenant's domain; System
// Activities lists what happened. Screenshots go to FAXGATE_E2E_ARTIFACTS.
func TestPortal(t *testing.T) {
	chromium := findChromium(t)
	base := startApp(t)
	port := mustURL(t, base).Port()
	b := newBrowser(t, chromium)

	b.step("admin logs in", func() {
		b.login(base, adminEmail, adminPass)
		b.waitText(".stats", "Tenants")
		b.shot("01-admin-dashboard")
	})
	b.step("admin creates a tenant", func() {
		b.do(chromedp.Navigate(base + "/admin/tenants"))
		b.do(chromedp.Click(chromedp.CSS(`a[href="/admin/tenants/new"]`)))
		b.waitPath("/admin/tenants/new")
		b.fill(map[string]string{"f-name": "Acme Corp", "f-daily_page_limit": "500", "f-retention_days": "90"})
		b.submit("form.form-card")
		b.waitPath("/admin/users/new")
		b.waitText(".flash-success", "Tenant Acme Corp created")
		if role := b.value("f-role"); role != "tenant" {
			t.Errorf("role preselected %q, want tenant", role)
		}
		b.shot("02-tenant-created")
	})
	b.step("admin adds the tenant admin", func() {
		b.fill(map[string]string{"f-email": bossEmail, "f-api_username": "acme.boss", "f-password": bossPass,
			"f-password_confirm": bossPass, "f-first_name": "Beatrice", "f-last_name": "Boss"})
		b.submit("form.form-card")
		b.waitPath("/admin/all-users")
		b.waitText(".flash-success", "User "+bossEmail+" added.")
		b.waitText("#results tbody", "Acme Corp")
		b.shot("03-admin-all-users")
		b.do(chromedp.Navigate(base + "/admin/tenants"))
		b.waitText("#results tbody", "Acme Corp")
		b.shot("03b-admin-tenants")
		b.navigates(chromedp.Click(chromedp.CSS(`#results a[aria-label="Edit Acme Corp"]`)))
		if v := b.value("f-daily_page_limit"); v != "500" {
			t.Errorf("daily page limit on the edit page: %q", v)
		}
		b.shot("03c-tenant-edit")
		b.logout()
	})
	b.step("tenant admin logs in and adds a user", func() {
		b.login(base, bossEmail, bossPass)
		b.do(chromedp.Navigate(base + "/admin/users"))
		b.do(chromedp.Click(chromedp.CSS(`.page-actions a[href="/admin/users/new"]`)))
		b.waitPath("/admin/users/new")
		b.fill(map[string]string{"f-email": clerkEmail, "f-password": "clerk password 1",
			"f-password_confirm": "clerk password 1", "f-first_name": "Carl", "f-last_name": "Clerk", "f-phone": "+15550123"})
		b.submit("form.form-card")
		b.waitPath("/admin/users")
		b.waitText(".flash-success", "User "+clerkEmail+" added.")
		b.waitText("#results tbody", "Carl Clerk")
		b.shot("04-user-management")
	})
	b.step("htmx search filters the user list in place", func() {
		b.do(chromedp.SendKeys(chromedp.ID("f-q"), "carl"))
		b.poll(`document.querySelectorAll("#results tbody tr").length === 1 && location.search.includes("q=carl")`)
		b.waitText("#results tbody", clerkEmail)
	})
	b.step("a form with errors keeps the input", func() {
		b.do(chromedp.Navigate(base + "/admin/users/new"))
		b.fill(map[string]string{"f-email": "not-an-email", "f-first_name": "Dora", "f-password": "long enough 1",
			"f-password_confirm": "something else"})
		b.submit("form.form-card")
		b.waitText(".error-summary", "Confirm password: does not match the password")
		if v := b.value("f-first_name"); v != "Dora" {
			t.Errorf("first name after the error: %q", v)
		}
		b.shot("04b-form-errors")
	})
	b.step("delete asks for confirmation in place", func() {
		b.do(chromedp.Navigate(base + "/admin/users"))
		b.do(chromedp.Click(chromedp.CSS(`a.danger-link[aria-label="Delete ` + clerkEmail + `"]`)))
		b.waitText("#confirm-area", "Delete Carl Clerk?")
		b.poll(`document.activeElement && document.activeElement.id === "confirm-heading"`)
		b.shot("04c-delete-confirm")
		b.do(chromedp.Click(chromedp.CSS(`#confirm-area [data-dismiss]`)))
		b.poll(`document.getElementById("confirm-area").children.length === 0 && location.pathname === "/admin/users"`)
		b.navigates(chromedp.Click(chromedp.CSS(`#results a[aria-label="Edit ` + clerkEmail + `"]`)))
		if v := b.value("f-phone"); v != "+15550123" {
			t.Errorf("phone on the edit page: %q", v)
		}
		b.shot("04e-user-edit")
	})
	b.step("profile: API key shown once", func() {
		b.do(chromedp.Navigate(base + "/profile"))
		b.fill(map[string]string{"f-name": "billing system"})
		b.submit("#api-keys form.inline-create")
		b.poll(`document.getElementById("new-key-value").value.startsWith("fgk_")`)
		b.shot("04d-profile-new-key")
	})
	b.step("tenant admin brands the portal", func() {
		logo := writeLogo(t)
		b.do(chromedp.Navigate(base + "/admin/branding"))
		b.fill(map[string]string{"f-domain": brandDomain, "f-company_name": "Acme Fax Ltd",
			"f-title": "Acme Fax Portal", "f-footer": "Acme Fax Ltd · 1 Example Street"})
		b.do(chromedp.SetUploadFiles(chromedp.ID("f-logo"), []string{logo}))
		b.poll(`document.getElementById("logo-preview").src.startsWith("blob:")`)
		b.shot("05-branding-preview")
		b.submit("form.form-card")
		b.waitText(".flash-success", "Branding saved.")
		b.waitText(".brand-name", "Acme Fax Ltd")
		b.poll(`(() => { const i = document.querySelector(".brand-logo"); return i && i.complete && i.naturalWidth === 160 })()`)
		b.shot("06-branding-saved")
		b.logout()
	})
	branded := "http://" + brandDomain + ":" + port
	b.step("the branding domain shows the tenant's login page", func() {
		b.do(chromedp.Navigate(branded + "/login"))
		b.waitText(".auth-company", "Acme Fax Ltd")
		b.poll(`(() => { const i = document.querySelector("img.auth-logo"); return i && i.complete && i.naturalWidth === 160 })()`)
		if title := b.title(); title != "Log in · Acme Fax Portal" {
			t.Errorf("title %q", title)
		}
		b.waitText(".site-footer", "1 Example Street")
		b.shot("07-branded-login")
	})
	b.step("System Activities lists the user creation and the branding change", func() {
		b.login(branded, bossEmail, bossPass)
		b.do(chromedp.Navigate(branded + "/reports/activities"))
		b.do(chromedp.SetValue(chromedp.ID("f-action"), "user.created"))
		b.submit("form.filters")
		b.waitText("#results tbody", clerkEmail)
		b.waitText("#results tbody", "user.created")
		b.shot("08-activities-user-created")
		b.do(chromedp.Navigate(branded + "/reports/activities?action=branding"))
		b.waitText("#results tbody", "branding.updated")
		b.do(chromedp.Navigate(branded + "/reports/activities"))
		b.waitText("#results tbody", "auth.login")
		b.shot("09-activities")
	})
	b.step("two-factor login", func() {
		b.do(chromedp.Navigate(branded + "/profile"))
		b.navigates(chromedp.Click(chromedp.CSS(`form[action="/profile/totp"] button`)))
		b.poll(`document.querySelector("img.qr").naturalWidth > 0`)
		b.shot("09b-totp-setup")
		secret, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS("code.secret")))
		if err != nil {
			b.fail(err)
		}
		now := time.Now()
		b.fill(map[string]string{"f-code": totpCode(t, secret, now)})
		b.submit(`form[action="/profile/totp/confirm"]`)
		b.waitText(".flash-success", "Two-factor login is on")
		b.logout()
		b.do(chromedp.Navigate(branded + "/login"))
		b.fill(map[string]string{"f-login": bossEmail, "f-password": bossPass})
		b.submit("form.auth-form")
		b.waitPath("/login/totp")
		b.shot("09c-totp-login")
		// The code of the next 30 s step: the confirmation used this one.
		b.fill(map[string]string{"f-code": totpCode(t, secret, now.Add(30*time.Second))})
		b.submit("form.auth-form")
		b.waitPath("/")
		b.waitText(".brand-name", "Acme Fax Ltd")
	})
	b.step("another tenant's object is a 404 page", func() {
		b.do(chromedp.Navigate(branded + "/admin/users/usr_aaaaaaaaaaaaaaaa/edit"))
		b.waitText("main", "Page not found")
		b.shot("09d-not-found")
	})
	b.step("phone width", func() {
		b.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
		b.do(chromedp.Navigate(branded + "/"))
		b.waitVisible(".nav-toggle")
		b.notVisible("#sidenav")
		b.shot("10-phone-dashboard")
		b.do(chromedp.Click(chromedp.CSS(".nav-toggle")))
		b.waitVisible("#sidenav")
		b.shot("11-phone-menu-open")
		b.do(chromedp.Navigate(branded + "/admin/users"))
		b.shot("12-phone-users")
		b.do(chromedp.Navigate(branded + "/profile"))
		b.shot("13-phone-profile")
		b.logout()
		b.do(chromedp.Navigate(branded + "/login"))
		b.shot("14-phone-login")
	})
	b.checkConsole()
	t.Run("cross-origin form post is refused", func(t *testing.T) {
		crossOriginRefused(t, base)
	})
}

// crossOriginRefused posts the login form and a logout as a foreign site
// would; the CSRF protection answers 403 before any handler runs.
func crossOriginRefused(t *testing.T, base string) {
	for _, path := range []string{"/login", "/logout", "/admin/users", "/profile/api-keys"} {
		req, err := http.NewRequest(http.MethodPost, base+path,
			strings.NewReader(url.Values{"login": {adminEmail}, "password": {adminPass}}.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "http://evil.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("cross-origin POST %s: %d, want 403", path, res.StatusCode)
		}
		if len(res.Cookies()) > 0 {
			t.Errorf("cross-origin POST %s set cookies", path)
		}
	}
}

func totpCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// findChromium returns the browser's path, or skips when it is missing.
func findChromium(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err == nil {
		return chromiumPath
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	t.Skip("chromium is not installed (apt-get install -y chromium); CI installs it")
	return ""
}

// startApp runs the real application on 127.0.0.1 with a fresh SQLite data
// folder and creates the platform admin the way `faxgate admin create` does;
// opts adjust the application (e.g. webhooks to the test's receivers).
func startApp(t *testing.T, opts ...app.Option) string {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.SMTPAddr, cfg.SIPAddr = config.Off, config.Off
	a, err := app.New(cfg, append([]app.Option{app.WithShutdownTimeout(5 * time.Second), app.WithAuthConfig(func(c *auth.Config) {
		c.Argon2 = auth.Argon2Params{Memory: 8 << 10, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	})}, opts...)...)
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := a.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if _, err := a.CreateAdmin(ctx, app.AdminInput{Email: adminEmail, Password: adminPass, FirstName: "Ada"}); err != nil {
		t.Fatalf("create admin: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		a.Close()
	})
	base := "http://" + ln.Addr().String()
	waitHealthy(t, base)
	return base
}

func waitHealthy(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("the app did not become healthy")
}

// writeLogo writes a 160×64 PNG logo to a temporary file.
func writeLogo(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 160, 64))
	for x := range 160 {
		for y := range 64 {
			c := color.RGBA{R: 0xd9, G: 0x48, B: 0x1c, A: 255}
			if (x/16+y/16)%2 == 0 {
				c = color.RGBA{R: 0x1c, G: 0x3f, B: 0x94, A: 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "acme-logo.png")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// browser is one headless Chromium tab with test helpers.
type browser struct {
	t         *testing.T
	ctx       context.Context
	artifacts string
	mu        sync.Mutex
	console   []chromedp.ConsoleMessage
	stepName  string
}

func newBrowser(t *testing.T, chromium string) *browser {
	t.Helper()
	artifacts := os.Getenv("FAXGATE_E2E_ARTIFACTS")
	if artifacts == "" {
		artifacts = t.TempDir()
	}
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "HttpsUpgrades,Translate"),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("host-resolver-rules", "MAP "+brandDomain+" 127.0.0.1"),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	b := &browser{t: t, ctx: ctx, artifacts: artifacts}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	go b.collectConsole()
	t.Logf("screenshots in %s", artifacts)
	return b
}

func (b *browser) collectConsole() {
	for m, err := range chromedp.Console(b.ctx) {
		if err != nil {
			return
		}
		b.mu.Lock()
		b.console = append(b.console, m)
		b.mu.Unlock()
	}
}

// checkConsole fails on errors the pages logged: script exceptions,
// Content-Security-Policy violations, failed loads.
func (b *browser) checkConsole() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range b.console {
		if m.Source == "network" && expectedFailure(m) {
			continue
		}
		if m.Type == chromedp.ConsoleError || m.IsException() {
			b.t.Errorf("browser console: %s (%s)", m.String(), m.URL)
		}
	}
}

// expectedFailure tells the pages the scenario loads with an error status on
// purpose (a form with errors: 422, a foreign object: 404) from real
// failures: any 5xx, or a static file or logo that does not load.
func expectedFailure(m chromedp.ConsoleMessage) bool {
	if strings.Contains(m.URL, "/static/") || strings.Contains(m.URL, "/branding/logo/") {
		return false
	}
	return strings.Contains(m.Text, "status of 422") || strings.Contains(m.Text, "status of 404")
}

// step names a phase of the scenario for failure messages and a screenshot.
func (b *browser) step(name string, fn func()) {
	b.t.Helper()
	b.stepName = name
	fn()
}

func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.fail(err)
	}
}

func (b *browser) fail(err error) {
	b.t.Helper()
	loc, _ := chromedp.Run(b.ctx, chromedp.Location())
	b.shot("FAILED")
	b.t.Fatalf("step %q at %s: %v", b.stepName, loc, err)
}

// fill types into inputs by id, after clearing them.
func (b *browser) fill(values map[string]string) {
	b.t.Helper()
	for id, v := range values {
		b.do(chromedp.Clear(chromedp.ID(id)), chromedp.SendKeys(chromedp.ID(id), v))
	}
}

// submit clicks the submit button of the form and waits for the answer.
func (b *browser) submit(form string) {
	b.t.Helper()
	b.navigates(chromedp.Click(chromedp.CSS(form + ` button[type="submit"]`)))
}

// navigates runs an action that loads a new page and waits until the new
// page has loaded (a marker on the old page's window is gone), so that the
// next check cannot pass on the old page.
func (b *browser) navigates(action chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`window.__fgOldPage = true`)); err != nil {
		b.fail(err)
	}
	b.do(action)
	b.poll(`window.__fgOldPage === undefined && document.readyState === "complete"`)
}

func (b *browser) login(base, email, password string) {
	b.t.Helper()
	b.do(chromedp.Navigate(base + "/login"))
	b.fill(map[string]string{"f-login": email, "f-password": password})
	b.submit("form.auth-form")
	b.waitPath("/")
	b.waitVisible(".topbar")
}

// logout clicks "Log out": in the header, or on a phone in the menu.
func (b *browser) logout() {
	b.t.Helper()
	phone, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`getComputedStyle(document.querySelector(".account")).display === "none"`))
	if err != nil {
		b.fail(err)
	}
	if phone {
		if open, _ := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.getElementById("sidenav").classList.contains("open")`)); !open {
			b.do(chromedp.Click(chromedp.CSS(".nav-toggle")))
		}
		b.navigates(chromedp.Click(chromedp.CSS(`.nav-account button`)))
	} else {
		b.navigates(chromedp.Click(chromedp.CSS(`.account button`)))
	}
	b.waitPath("/login")
	b.waitText(".flash-success", "You have been logged out.")
}

// poll waits until the JavaScript expression is true. It evaluates the
// expression again and again, so a navigation in between (a form post and
// its redirect) does not break the wait.
func (b *browser) poll(expr string) {
	b.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			return
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	b.fail(fmt.Errorf("waiting for %s: %v", expr, last))
}

func (b *browser) waitPath(path string) {
	b.t.Helper()
	b.poll(fmt.Sprintf(`location.pathname === %q && document.readyState === "complete"`, path))
}

func (b *browser) waitVisible(sel string) {
	b.t.Helper()
	b.do(chromedp.WaitVisible(chromedp.CSS(sel)))
}

func (b *browser) notVisible(sel string) {
	b.t.Helper()
	b.poll(fmt.Sprintf(`getComputedStyle(document.querySelector(%q)).display === "none"`, sel))
}

// waitText waits until the element's text contains want.
func (b *browser) waitText(sel, want string) {
	b.t.Helper()
	b.poll(fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && e.innerText.includes(%q) })()`, sel, want))
}

func (b *browser) value(id string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.ID(id)))
	if err != nil {
		b.fail(err)
	}
	return v
}

func (b *browser) title() string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Title())
	if err != nil {
		b.fail(err)
	}
	return v
}

// shot saves a full-page PNG screenshot under the artifacts folder.
func (b *browser) shot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	img, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			b.t.Errorf("screenshot %s: %v", name, err)
		}
		return
	}
	path := filepath.Join(b.artifacts, name+".png")
	if err := os.WriteFile(path, img, 0o644); err != nil {
		b.t.Errorf("save screenshot: %v", err)
	}
}
