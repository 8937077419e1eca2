package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"faxgate/internal/mail/mailtest"
	"faxgate/internal/mail/msgauth/dnstest"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// TestEmail runs a real `faxgate serve` with email to fax on: swaks sends
// a PDF through STARTTLS (verifying the configured certificate) with AUTH,
// and a user of an SPF-protected domain sends without AUTH (the SPF record
// is served by a DNS server of the test, given with --smtp-dns); each
// message becomes a fax delivered on the test line, and the senders get
// their acceptance and success notices (with the transmission report) at
// an SMTP sink that is the platform's relay. A stranger is refused and
// gets nothing. In the portal, the tenant admin manages the email
// allowlist.
func TestEmail(t *testing.T) {
	if _, err := exec.LookPath("swaks"); err != nil {
		t.Skip("swaks is not installed (scripts/install-deps.sh test installs it)")
	}
	dns := dnstest.Start(t)
	dns.TXT("spf.e2e.test", "v=spf1 ip4:127.0.0.1 -all")
	dns.TXT("_dmarc.spf.e2e.test", "v=DMARC1; p=reject")
	sink := mailtest.Start(t)
	cert := mailtest.WriteCert(t, "mail.fax.e2e.test")
	n := startEmailNode(t, dns.Addr, sink, cert)

	const boss, clerk = "boss@spf.e2e.test", "clerk@spf.e2e.test"
	var tenant struct {
		ID string `json:"id"`
	}
	n.api(t, "POST", "/api/v1/tenants", adminEmail, adminPass, map[string]any{"name": "Email Co"}, &tenant, 201)
	n.api(t, "POST", "/api/v1/users", adminEmail, adminPass, map[string]any{"tenant_id": tenant.ID, "role": "tenant",
		"email": boss, "password": emailUserPass, "first_name": "Bea", "last_name": "Boss"}, nil, 201)
	n.api(t, "POST", "/api/v1/users", boss, emailUserPass, map[string]any{"role": "user", "email": clerk,
		"password": emailUserPass, "first_name": "Clara", "last_name": "Clerk"}, nil, 201)
	fast := "fast"
	n.api(t, "PATCH", "/api/v1/trunks/"+model.TestTrunkID, adminEmail, adminPass, map[string]any{"speed": &fast}, nil, 200)

	pdf := filepath.Join(t.TempDir(), "order.pdf")
	if b, err := exec.Command("gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite", "-sPAPERSIZE=a4",
		"-o", pdf, "-c", "/Helvetica findfont 24 scalefont setfont 72 700 moveto (Order by email) show showpage").CombinedOutput(); err != nil {
		t.Fatalf("gs: %v: %s", err, b)
	}
	port := fmt.Sprint(n.smtpPort)
	swaks := func(args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, "swaks", append([]string{"--server", "127.0.0.1", "--port", port,
			"--attach-type", "application/pdf", "--attach", "@" + pdf}, args...)...).CombinedOutput()
		return string(out), err
	}

	if !t.Run("swaks with STARTTLS and AUTH", func(t *testing.T) {
		out, err := swaks("--tls", "--tls-verify", "--tls-ca-path", cert.CAFile, "--auth", "PLAIN",
			"--auth-user", boss, "--auth-password", emailUserPass, "--from", boss, "--to", "12025550100@fax.e2e.test", // swaks reads a leading + as an option
			"--header", "Subject: Order by AUTH", "--header", "Message-Id: <auth-1@client.e2e.test>", "--body", "see attached")
		if err != nil || !strings.Contains(out, "<~  250 ") {
			t.Fatalf("swaks: %v\n%s", err, out)
		}
	}) {
		return
	}
	if !t.Run("SPF-authorised sender without AUTH", func(t *testing.T) {
		out, err := swaks("--from", clerk, "--to", "12025550100@fax.e2e.test", "--header", "Subject: Order by SPF",
			"--header", "Message-Id: <spf-1@client.e2e.test>", "--body", "see attached")
		if err != nil || !strings.Contains(out, "<-  250 ") {
			t.Fatalf("swaks: %v\n%s", err, out)
		}
	}) {
		return
	}
	if !t.Run("stranger refused", func(t *testing.T) {
		out, err := swaks("--from", "eve@nowhere.e2e.test", "--to", "12025550100@fax.e2e.test", "--header", "Subject: spam")
		if err == nil || !strings.Contains(out, "550 5.7.1") || !strings.Contains(out, "not authorised") {
			t.Fatalf("swaks: %v\n%s", err, out)
		}
	}) {
		return
	}

	faxes := emailFaxesDone(t, n, boss, 2)
	byTitle := map[string]emailFax{}
	for _, f := range faxes {
		byTitle[f.Title] = f
		if f.Status != "delivered" || f.Source != "email" || f.To != "+12025550100" {
			t.Errorf("fax %+v", f)
		}
	}
	if len(byTitle) != 2 || byTitle["Order by AUTH"].ID == "" || byTitle["Order by SPF"].ID == "" {
		t.Fatalf("faxes %+v", faxes)
	}

	for _, tt := range []struct{ to, msgID string }{{boss, "<auth-1@client.e2e.test>"}, {clerk, "<spf-1@client.e2e.test>"}} {
		for _, what := range []string{"[fax accepted]", "[fax delivered]"} {
			m, ok := sink.Wait(time.Minute, func(m mailtest.Message) bool {
				s, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
				return len(m.To) == 1 && m.To[0] == tt.to && strings.HasSuffix(s, what) && m.Header.Get("In-Reply-To") == tt.msgID
			})
			if !ok {
				t.Fatalf("no %s notice to %s; the sink has %d messages", what, tt.to, len(sink.Messages()))
			}
			if what == "[fax delivered]" && !strings.Contains(string(m.Raw), "application/pdf") {
				t.Errorf("success notice to %s without the transmission report", tt.to)
			}
		}
	}
	for _, m := range sink.Messages() {
		if m.To[0] == "eve@nowhere.e2e.test" {
			t.Errorf("the refused stranger got an email: %s", m.Header.Get("Subject"))
		}
	}

	emailAllowlistPortal(t, n.base, boss)
	emailTestButton(t, n.base, sink)
}

// emailTestButton: in Administration > Platform settings, the admin's
// "Send test email" refuses a wrong address (kept in its field), then
// sends through the saved relay, and the message reaches it.
func emailTestButton(t *testing.T, base string, sink *mailtest.Sink) {
	b := newBrowser(t, findChromium(t))
	b.step("Platform settings: send a test email through the relay", func() {
		b.login(base, adminEmail, adminPass)
		b.navigates(chromedp.Click(chromedp.CSS(`#sidenav a[href="/admin/platform"]`)))
		b.waitPath("/admin/platform")
		b.fill(map[string]string{"f-to": "not an address"})
		b.submit(`form[action="/admin/platform/test-email"]`)
		b.poll(`document.getElementById("f-to").getAttribute("aria-invalid") === "true"`)
		if v := b.value("f-to"); v != "not an address" {
			t.Errorf("test address after the refusal %q, want the input kept", v)
		}
		b.fill(map[string]string{"f-to": "ops@e2e.test"})
		b.submit(`form[action="/admin/platform/test-email"]`)
		b.waitText(".flash-success", "Test email sent to ops@e2e.test: the relay accepted it.")
		b.shot("email-02-test-email")
		if _, ok := sink.Wait(time.Minute, func(m mailtest.Message) bool {
			return len(m.To) == 1 && m.To[0] == "ops@e2e.test"
		}); !ok {
			t.Errorf("the test email did not reach the relay; it has %d messages", len(sink.Messages()))
		}
		b.do(chromedp.Navigate(base + "/reports/activities?action=settings.test_email"))
		b.waitText("#results tbody", "ops@e2e.test")
	})
	b.checkConsole()
}

const emailUserPass = "email e2e password 1"

// emailNode is one running `faxgate serve` with email to fax on.
type emailNode struct {
	base     string
	smtpPort int
	logPath  string
}

// startEmailNode runs `faxgate admin create`, points the platform's SMTP
// relay at sink, and runs `faxgate serve` with email to fax on, the given
// certificate and DNS server; it is stopped (SIGTERM) when the test ends.
func startEmailNode(t *testing.T, dnsAddr string, sink *mailtest.Sink, cert mailtest.Cert) *emailNode {
	t.Helper()
	bin, dir := buildFaxgate(t), t.TempDir()
	httpPort := freePort(t)
	n := &emailNode{base: fmt.Sprintf("http://127.0.0.1:%d", httpPort), smtpPort: freePort(t),
		logPath: filepath.Join(dir, "serve.log")}
	if out, err := exec.Command(bin, "admin", "create", "--email", adminEmail, "--password", adminPass,
		"--data", dir, "--smtp", "off", "--sip", "off").CombinedOutput(); err != nil {
		t.Fatalf("admin create: %v\n%s", err, out)
	}
	st, err := store.Open(t.Context(), "", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.GetPlatformSettings(t.Context(), model.PlatformScope())
	if err == nil {
		p.SMTP = model.SMTPRelay{Host: sink.Host, Port: sink.Port, Security: model.SMTPNone, FromAddress: "fax@fax.e2e.test"}
		err = st.PutPlatformSettings(t.Context(), model.PlatformScope(), &p)
	}
	st.Close()
	if err != nil {
		t.Fatalf("relay settings: %v", err)
	}
	logf, err := os.Create(n.logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "--data", dir, "--http", fmt.Sprintf("127.0.0.1:%d", httpPort),
		"--smtp", fmt.Sprintf("127.0.0.1:%d", n.smtpPort), "--email-domain", "fax.e2e.test", "--sip", "off",
		"--smtp-dns", dnsAddr, "--smtp-cert", cert.CertFile, "--smtp-key", cert.KeyFile)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(n.logPath)
			if len(b) > 6000 {
				b = b[len(b)-6000:]
			}
			t.Logf("--- serve log (end) ---\n%s", b)
		}
	})
	waitHealthy(t, n.base)
	return n
}

// api sends a JSON request as login/pass and decodes the answer into out;
// it fails the test unless the status is want.
func (n *emailNode) api(t *testing.T, method, path, login, pass string, body, out any, want int) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		j, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, n.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(login, pass)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Fatalf("%s %s: %s: %s", method, path, res.Status, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

type emailFax struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	To     string `json:"to"`
	Title  string `json:"title"`
	Source string `json:"source"`
}

// emailFaxesDone waits until want outbound faxes of login's tenant are
// final and returns them.
func emailFaxesDone(t *testing.T, n *emailNode, login string, want int) []emailFax {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		var list struct {
			Items []emailFax `json:"items"`
		}
		n.api(t, "GET", "/api/v1/faxes?direction=outbound", login, emailUserPass, nil, &list, 200)
		done := 0
		for _, f := range list.Items {
			if f.Status == "delivered" || f.Status == "failed" || f.Status == "canceled" {
				done++
			}
		}
		if done >= want {
			return list.Items
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d faxes final after 3 min: %+v", done, want, list.Items)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// emailAllowlistPortal: the tenant admin adds a network to the allowlist
// in the portal (a too-wide one is refused with the field's error), sees
// it listed, and removes it after confirming.
func emailAllowlistPortal(t *testing.T, base, boss string) {
	chromium := findChromium(t)
	b := newBrowser(t, chromium)
	b.step("email allowlist: empty, a refusal, then a network added", func() {
		b.login(base, boss, emailUserPass)
		b.navigates(chromedp.Click(chromedp.CSS(`#sidenav a[href="/settings/email-allowlist"]`)))
		b.waitText("main .empty", "No senders are allowlisted.")
		b.fill(map[string]string{"f-value": "10.0.0.0/8", "f-note": "Whole office"})
		b.submit("form.form-card")
		b.waitText(".error-summary", "too wide")
		if v := b.value("f-note"); v != "Whole office" {
			t.Errorf("note after the refusal %q, want the input kept", v)
		}
		b.fill(map[string]string{"f-value": "203.0.113.0/28", "f-note": "Reception scanner"})
		b.submit("form.form-card")
		b.waitText(".flash-success", "Added network 203.0.113.0/28")
		b.waitText("#results", "Reception scanner")
		b.shot("email-01-allowlist")
	})
	b.step("removes it after confirming", func() {
		b.do(chromedp.Click(chromedp.CSS(`#results a.danger-link`)))
		b.waitVisible("#confirm-box")
		b.submit("#confirm-box form")
		b.waitText(".flash-success", "Removed 203.0.113.0/28")
		b.waitText("main .empty", "No senders are allowlisted.")
	})
	b.checkConsole()
}
