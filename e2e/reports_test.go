package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

const (
	rpBoss = "boss@initech.test"
	rpPass = "initech-pass-2026"
)

// TestReportsPortal sends a real fax over the fast test line, then walks
// the dashboard (counts and chart), Reports > CDR Reports (the call, the
// CSV export), Configuration > Announcement and the login page banner in
// Chromium.
func TestReportsPortal(t *testing.T) {
	chromium := findChromium(t)
	base := startApp(t)
	faxID := rpSendFax(t, base)
	b := newBrowser(t, chromium)

	b.step("the dashboard counts the fax and draws it", func() {
		b.login(base, rpBoss, rpPass)
		b.do(chromedp.Navigate(base + "/"))
		b.waitText(`[aria-describedby="stat-sent"]`, "1")
		b.waitText(`[aria-describedby="stat-rate"]`, "100 %")
		b.poll(`document.querySelectorAll("svg.pages-chart rect.bar-sent").length === 1`)
		b.poll(`!!document.querySelector('#recent-faxes a[href="/outbound/` + faxID + `"]')`)
		b.shot("rp-01-dashboard")
	})
	b.step("CDR Reports lists the call and exports it", func() {
		b.navigates(chromedp.Click(chromedp.CSS(`#sidenav a[href="/reports/cdr"]`)))
		b.waitPath("/reports/cdr")
		b.waitText(`#cdr-table td[data-label="To"]`, "+12025550100")
		b.waitText(`#cdr-table td[data-label="Result"]`, "OK")
		b.fill(map[string]string{"f-number": "0486"})
		b.submit("form.filters")
		b.waitText("main .empty", "No calls match these filters.")
		b.poll(`document.getElementById("cdr-export").getAttribute("href") === "/reports/cdr/export?number=0486"`)
		csv := b.fetch(`/reports/cdr/export`)
		if lines := strings.Split(strings.TrimSpace(csv), "\n"); len(lines) != 2 || !strings.Contains(lines[1], "+12025550100") {
			t.Fatalf("CDR export:\n%s", csv)
		}
		b.shot("rp-02-cdr")
	})
	b.step("an announcement reaches the dashboard", func() {
		b.navigates(chromedp.Click(chromedp.CSS(`#sidenav a[href="/settings/announcements"]`)))
		b.waitPath("/settings/announcements")
		b.do(chromedp.SendKeys(chromedp.ID("f-message"), "Fax line maintenance tonight at 22:00"))
		b.submit(`form[action="/settings/announcements"]`)
		b.waitText(".flash-success", "Announcement posted.")
		b.waitText(`#announcements td[data-label="State"]`, "Showing")
		b.do(chromedp.Navigate(base + "/"))
		b.waitText(".announcements .announcement", "Fax line maintenance tonight at 22:00")
		b.shot("rp-03-announcement")
	})
	b.step("a platform-wide announcement shows on the login page", func() {
		apiCall(t, http.MethodPost, base+"/api/v1/announcements", adminEmail, adminPass,
			map[string]any{"message": "Platform upgrade on Sunday", "level": "warning"}, http.StatusCreated, nil)
		b.logout()
		b.do(chromedp.Navigate(base + "/login"))
		b.waitText(".announcements .announcement-warning", "Platform upgrade on Sunday")
		b.shot("rp-04-login-announcement")
	})
	b.checkConsole()
}

// fetch reads a same-origin URL with the browser's session and returns
// the body.
func (b *browser) fetch(path string) string {
	b.t.Helper()
	body, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`fetch(`+jsString(path)+`).then(r => r.text())`,
		func(p *runtime.EvaluateParams) { yes := true; p.AwaitPromise = &yes }))
	if err != nil {
		b.fail(err)
	}
	return body
}

func jsString(s string) string {
	j, _ := json.Marshal(s)
	return string(j)
}

// rpSendFax makes a tenant with a boss, a fast test trunk and a document,
// sends the document to a test number and waits until it is delivered.
func rpSendFax(t *testing.T, base string) string {
	t.Helper()
	var tenant, doc, fax struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	apiCall(t, http.MethodPost, base+"/api/v1/tenants", adminEmail, adminPass, map[string]any{"name": "Initech"}, 201, &tenant)
	apiCall(t, http.MethodPost, base+"/api/v1/users", adminEmail, adminPass, map[string]any{"tenant_id": tenant.ID,
		"role": "tenant", "email": rpBoss, "password": rpPass, "first_name": "Bill", "last_name": "Lumbergh"}, 201, nil)
	apiCall(t, http.MethodPost, base+"/api/v1/trunks", adminEmail, adminPass, map[string]any{"name": "Fast test",
		"kind": "test", "speed": "fast", "priority": 1, "max_channels": 4}, 201, nil)

	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("name", "TPS report")
	fw, _ := mw.CreateFormFile("file", "tps.txt")
	_, _ = io.WriteString(fw, "TPS report\n\nDid you get the memo about the new cover sheets?\n")
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/documents", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	rpDo(t, req, rpBoss, rpPass, http.StatusCreated, &doc)
	for deadline := time.Now().Add(60 * time.Second); doc.Status != "ready"; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("document still %s", doc.Status)
		}
		apiCall(t, http.MethodGet, base+"/api/v1/documents/"+doc.ID, rpBoss, rpPass, nil, 200, &doc)
	}
	apiCall(t, http.MethodPost, base+"/api/v1/faxes", rpBoss, rpPass, map[string]any{"to": "+12025550100",
		"document_id": doc.ID, "title": "TPS report"}, 201, &fax)
	for deadline := time.Now().Add(90 * time.Second); fax.Status != "delivered"; time.Sleep(250 * time.Millisecond) {
		if time.Now().After(deadline) || fax.Status == "failed" {
			t.Fatalf("fax %s", fax.Status)
		}
		apiCall(t, http.MethodGet, base+"/api/v1/faxes/"+fax.ID, rpBoss, rpPass, nil, 200, &fax)
	}
	return fax.ID
}

func rpDo(t *testing.T, req *http.Request, user, pass string, want int, out any) {
	t.Helper()
	req.SetBasicAuth(user, pass)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d: %s", req.Method, req.URL.Path, res.StatusCode, want, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatal(err)
		}
	}
}
