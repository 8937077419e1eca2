package e2e

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"faxgate/internal/app"
	"faxgate/internal/notify"
)

// hookSink is a real HTTP receiver of webhook posts.
type hookSink struct {
	mu   sync.Mutex
	reqs []*http.Request
	body [][]byte
}

func (s *hookSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.reqs, s.body = append(s.reqs, r), append(s.body, b)
	s.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (s *hookSink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

// signedWith checks request i as a Standard Webhooks receiver does.
func (s *hookSink) signedWith(i int, secret string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || i >= len(s.reqs) {
		return false
	}
	h := s.reqs[i].Header
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(h.Get("webhook-id") + "." + h.Get("webhook-timestamp") + "." + string(s.body[i])))
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	return strings.Contains(" "+h.Get("webhook-signature")+" ", " "+want+" ")
}

// TestWebhooks drives Configuration > Webhooks in headless Chromium: a
// tenant admin is told what is wrong with a bad URL, adds an endpoint and
// copies its secret (shown once), sends a test event that a real receiver
// verifies with that secret, follows it in the live delivery log,
// redelivers it, reads its attempts, disables the endpoint and deletes it
// after confirming. Screenshots go to FAXGATE_E2E_ARTIFACTS.
func TestWebhooks(t *testing.T) {
	chromium := findChromium(t)
	sink := &hookSink{}
	recv := httptest.NewServer(sink)
	t.Cleanup(recv.Close)
	// The receiver is plain http on 127.0.0.1: allowed for this test only.
	base := startApp(t, app.WithWebhookConfig(func(c *notify.WebhookConfig) {
		c.AllowInsecureHTTP, c.AllowPrivateTargets = true, true
	}))
	sendingSetup(t, base)
	b := newBrowser(t, chromium)
	var secret string

	b.step("tenant admin opens Webhooks", func() {
		b.login(base, initechBoss, initechPass)
		b.navigates(chromedp.Click(chromedp.CSS(`#sidenav a[href="/settings/webhooks"]`)))
		b.waitText(".empty", "No webhooks")
		b.shot("hook-01-empty")
	})
	b.step("a bad URL is refused with the reason", func() {
		b.navigates(chromedp.Click(chromedp.CSS(`.page-actions a[href="/settings/webhooks/new"]`)))
		b.fill(map[string]string{"f-url": "hooks.example.com/fax"})
		b.submit("form.webhook-form")
		b.waitText("#f-url-err", "absolute URL")
		b.shot("hook-02-invalid")
	})
	b.step("adds an endpoint and sees its secret once", func() {
		b.fill(map[string]string{"f-url": recv.URL + "/hooks/fax", "f-description": "ERP"})
		b.submit("form.webhook-form")
		b.waitText("#secret-heading", "Webhook added")
		secret = b.value("webhook-secret")
		if !strings.HasPrefix(secret, "whsec_") {
			t.Fatalf("secret %q", secret)
		}
		b.shot("hook-03-secret")
	})
	b.step("sends a test event and follows it live", func() {
		b.navigates(chromedp.Click(chromedp.CSS(`article form[action$="/test"] button`)))
		b.waitText(".flash-success", "Test event sent")
		b.waitText("#results tbody", "webhook.test")
		b.waitText(`#results td[data-label="Status"]`, "succeeded") // htmx refreshes the table
		b.waitText(`#results td[data-label="Response"]`, "200")
		if sink.count() != 1 || !sink.signedWith(0, secret) {
			t.Fatalf("receiver got %d requests; signed with the secret: %t", sink.count(), sink.signedWith(0, secret))
		}
		b.shot("hook-04-deliveries")
	})
	b.step("redelivers and reads the attempts", func() {
		b.navigates(chromedp.Click(chromedp.CSS(`#results button[aria-label="Redeliver webhook.test"]`)))
		b.waitText(".flash-success", "being delivered again")
		b.waitText(`#results td[data-label="Attempts"]`, "2")
		b.navigates(chromedp.Click(chromedp.CSS(`#results a[aria-label="Details of webhook.test"]`)))
		b.waitText("table.attempts tbody", "200")
		b.waitText("pre.payload", `"type":"webhook.test"`)
		if sink.count() != 2 || !sink.signedWith(1, secret) {
			t.Fatalf("receiver got %d requests", sink.count())
		}
		b.shot("hook-05-delivery")
	})
	b.step("the secret is never shown again", func() {
		b.do(chromedp.Navigate(base + "/settings/webhooks"))
		b.waitText("#results tbody", recv.URL+"/hooks/fax")
		html, err := chromedp.Run(b.ctx, chromedp.OuterHTML("html"))
		if err != nil {
			b.fail(err)
		}
		if strings.Contains(html, secret) {
			t.Error("the list shows the secret")
		}
	})
	b.step("disables it: no test event then", func() {
		b.navigates(chromedp.Click(chromedp.CSS(`#results a[aria-label="Edit ` + recv.URL + `/hooks/fax"]`)))
		b.do(chromedp.Click(chromedp.ID("f-enabled")))
		b.submit("form.webhook-form")
		b.waitText(".flash-success", "saved")
		b.waitText(`#results td[data-label="State"]`, "Disabled")
		b.navigates(chromedp.Click(chromedp.CSS(`#results form[action$="/test"] button`)))
		b.waitText(".flash-error", "disabled")
		b.shot("hook-06-disabled")
	})
	b.step("deletes it after confirming", func() {
		b.do(chromedp.Click(chromedp.CSS(`#results a.danger-link`)))
		b.waitVisible("#confirm-box")
		b.shot("hook-07-confirm")
		b.submit("#confirm-box form")
		b.waitText(".flash-success", "deleted")
		b.waitText(".empty", "No webhooks")
		b.logout()
	})
	b.step("users have no webhook page", func() {
		b.login(base, initechUser, initechPass)
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`!document.querySelector('#sidenav a[href="/settings/webhooks"]')`))
		if err != nil || !ok {
			t.Errorf("a user sees the Webhooks menu entry (%v)", err)
		}
	})
	b.checkConsole()
}
