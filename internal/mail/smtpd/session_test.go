package smtpd_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/mail/smtpd"
)

const textMsg = "From: user@a.example\nTo: 12025550100@fax.test\nSubject: hello\n\nplease fax this text\n"

func TestCertificateGeneratedOnceWithPrivateMode(t *testing.T) {
	e := newEnv(t, nil)
	dir := filepath.Join(e.cfg.DataDir, "smtp")
	for _, f := range []string{"cert.pem", "key.pem"} {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", f, fi.Mode().Perm())
		}
	}
	before, _ := os.ReadFile(filepath.Join(dir, "cert.pem"))
	// A second server on the same data folder reuses the certificate.
	if _, err := smtpd.New(smtpd.Deps{Store: e.St, Auth: e.Auth, Tenancy: e.Tenancy, Documents: e.docs,
		Submitter: e.sub, Audit: e.Audit}, e.cfg); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "cert.pem"))
	if !bytes.Equal(before, after) || len(before) == 0 {
		t.Error("certificate was regenerated")
	}
}

func TestExtensions(t *testing.T) {
	e := newEnv(t, func(c *smtpd.Config) { c.MaxMessageBytes = 1 << 20 })
	plain := e.dial(t, false)
	if ok, _ := plain.Extension("STARTTLS"); !ok {
		t.Error("STARTTLS not offered")
	}
	if ok, _ := plain.Extension("AUTH"); ok {
		t.Error("AUTH offered before TLS")
	}
	if ok, v := plain.Extension("SIZE"); !ok || v != "1048576" {
		t.Errorf("SIZE = %v %q, want 1048576", ok, v)
	}
	tlsc := e.dial(t, true)
	if ok, v := tlsc.Extension("AUTH"); !ok || !strings.Contains(v, "PLAIN") || !strings.Contains(v, "LOGIN") {
		t.Errorf("AUTH after TLS = %v %q", ok, v)
	}
}

func TestAuth(t *testing.T) {
	e := newEnv(t, nil)
	_, rawKey, err := e.Auth.CreateAPIKey(t.Context(), e.w.UserAActor, "mail")
	authtest.Must(t, "CreateAPIKey", err)
	tests := []struct {
		name string
		tls  bool
		mech sasl.Client
		want int // 0 = ok
	}{
		{"plain password", true, sasl.NewPlainClient("", "user@a.example", authtest.Password), 0},
		{"login password", true, sasl.NewLoginClient("USER@A.example", authtest.Password), 0},
		{"api key as password", true, sasl.NewPlainClient("", "user@a.example", rawKey), 0},
		{"api key of another user", true, sasl.NewPlainClient("", "user@b.example", rawKey), 535},
		{"wrong password", true, sasl.NewPlainClient("", "user@a.example", "wrong password!"), 535},
		{"unknown user", true, sasl.NewPlainClient("", "nobody@a.example", authtest.Password), 535},
		{"before TLS", false, sasl.NewPlainClient("", "user@a.example", authtest.Password), 523},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := e.dial(t, tt.tls)
			err := c.Auth(tt.mech)
			if got := code(err); got != tt.want || (tt.want != 0) != (err != nil) {
				t.Fatalf("AUTH = %v (code %d), want code %d", err, got, tt.want)
			}
		})
	}
	if n := len(e.Events(t, smtpd.ActionAuth)); n != 3 {
		t.Errorf("%d email.auth events, want 3", n)
	}
	if n := len(e.Events(t, smtpd.ActionAuthFailed)); n < 2 {
		t.Errorf("%d email.auth_failed events, want >= 2", n)
	}
}

func TestRefusals(t *testing.T) {
	e := newEnv(t, func(c *smtpd.Config) { c.MaxMessageBytes = 64 << 10; c.MessagesPerMinuteIP = 6000 })
	a := e.w.A
	a.EmailDomain = "faxes.a.example"
	authtest.Must(t, "UpdateTenant", e.St.UpdateTenant(t.Context(), e.w.AdminActor.Scope(), &a))

	t.Run("unauthenticated sender", func(t *testing.T) {
		c := e.dial(t, true)
		err := c.Mail("user@a.example", nil)
		if code(err) != 530 || !strings.Contains(err.Error(), "authentication required") {
			t.Fatalf("MAIL = %v, want 530 authentication required", err)
		}
	})
	rcpt := []struct {
		to, want string // want "" = accepted
	}{
		{"12025550100@fax.test", ""},
		{"+12025550100@FAX.test", ""},
		{"+442079460480@faxes.a.example", ""},
		{"12025550100@faxes.b.example", "unknown domain"},
		{"12025550100@example.org", "unknown domain"},
		{"555@fax.test", "not a valid phone number"},
		{"john@fax.test", "not a fax number"},
		{"12-025@fax.test", "not a fax number"},
	}
	for _, tt := range rcpt {
		t.Run("rcpt "+tt.to, func(t *testing.T) {
			c := e.login(t)
			authtest.Must(t, "MAIL", c.Mail("user@a.example", nil))
			err := c.Rcpt(tt.to, nil)
			if tt.want == "" && err != nil {
				t.Fatalf("RCPT = %v, want accepted", err)
			}
			if tt.want != "" && (code(err) != 550 || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("RCPT = %v, want 550 %q", err, tt.want)
			}
		})
	}
	t.Run("too many recipients", func(t *testing.T) {
		c := e.login(t)
		authtest.Must(t, "MAIL", c.Mail("user@a.example", nil))
		for i := range 50 {
			authtest.Must(t, "RCPT", c.Rcpt("+1202555"+pad4(i)+"@fax.test", nil))
		}
		if err := c.Rcpt("+12025559998@fax.test", nil); code(err) != 452 {
			t.Fatalf("51st RCPT = %v, want 452", err)
		}
	})
	t.Run("oversize announced", func(t *testing.T) {
		c := e.login(t)
		err := c.Mail("user@a.example", &smtp.MailOptions{Size: 1 << 20})
		if code(err) != 552 {
			t.Fatalf("MAIL SIZE=1MiB = %v, want 552", err)
		}
	})
	t.Run("oversize data", func(t *testing.T) {
		c := e.login(t)
		big := textMsg + strings.Repeat("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n", 2000)
		err := send(c, "user@a.example", []string{"12025550100@fax.test"}, big)
		if code(err) != 552 {
			t.Fatalf("DATA 128 KiB = %v, want 552", err)
		}
	})
	t.Run("no content", func(t *testing.T) {
		c := e.login(t)
		err := send(c, "user@a.example", []string{"12025550100@fax.test"}, "Subject: empty\n\n\n")
		if code(err) != 554 || !strings.Contains(err.Error(), "nothing to fax") {
			t.Fatalf("DATA = %v, want 554 nothing to fax", err)
		}
	})
	if n := len(e.Events(t, smtpd.ActionRefused)); n < 9 {
		for _, ev := range e.Events(t, smtpd.ActionRefused) {
			t.Log(ev.Detail)
		}
		t.Errorf("%d email.refused events, want >= 9", n)
	}
	if len(e.sub.requests()) != 0 || len(e.documents(t)) != 0 {
		t.Error("a refused message left a fax or a document")
	}
}

func pad4(i int) string {
	s := "000" + string(rune('0'+i/10)) + string(rune('0'+i%10))
	return s[len(s)-4:]
}

func TestRateLimitPerIP(t *testing.T) {
	e := newEnv(t, func(c *smtpd.Config) { c.MessagesPerMinuteIP = 6 }) // burst 2
	c := e.login(t)
	for i := range 2 {
		authtest.Must(t, "MAIL", c.Mail("user@a.example", nil))
		authtest.Must(t, "RSET", c.Reset())
		_ = i
	}
	if err := c.Mail("user@a.example", nil); code(err) != 450 {
		t.Fatalf("third MAIL = %v, want 450", err)
	}
}

func TestConnectionLimitPerIP(t *testing.T) {
	e := newEnv(t, func(c *smtpd.Config) { c.MaxConnsPerIP = 2 })
	e.dial(t, false)
	e.dial(t, true)
	conn, err := net.Dial("tcp", e.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 200)
	n, _ := conn.Read(buf)
	if !strings.HasPrefix(string(buf[:n]), "421 ") {
		t.Fatalf("third connection greeted %q, want 421", buf[:n])
	}
}

func TestConfiguredCertificate(t *testing.T) {
	dir := t.TempDir()
	// A certificate generated by one server serves as a configured one.
	e := newEnv(t, nil)
	src := filepath.Join(e.cfg.DataDir, "smtp")
	e2 := newEnv(t, func(c *smtpd.Config) {
		c.CertFile, c.KeyFile = filepath.Join(src, "cert.pem"), filepath.Join(src, "key.pem")
		c.DataDir = dir
	})
	c, err := smtp.DialStartTLS(e2.addr, &tls.Config{ServerName: "127.0.0.1", RootCAs: e.pool})
	if err != nil {
		t.Fatalf("STARTTLS with the configured certificate: %v", err)
	}
	c.Close()
	if _, err := os.Stat(filepath.Join(dir, "smtp")); !os.IsNotExist(err) {
		t.Errorf("a certificate was generated although one is configured: %v", err)
	}
}

func TestRateLimitPerTenant(t *testing.T) {
	e := newEnv(t, func(c *smtpd.Config) { c.MessagesPerMinuteTenant = 3; c.MessagesPerMinuteIP = 6000 }) // burst 1
	authtest.Must(t, "first MAIL", e.login(t).Mail("user@a.example", nil))
	// Another connection of the same tenant shares the budget.
	if err := e.login(t).Mail("user@a.example", nil); code(err) != 450 {
		t.Fatalf("second MAIL of the tenant = %v, want 450", err)
	}
	// Another tenant is not affected.
	c := e.dial(t, true)
	authtest.Must(t, "AUTH B", c.Auth(sasl.NewPlainClient("", e.w.UserB.Email, authtest.Password)))
	authtest.Must(t, "MAIL B", c.Mail("user@b.example", nil))
}

func TestShutdownClosesIdleSessions(t *testing.T) {
	e := newEnv(t, nil)
	c := e.login(t)
	authtest.Must(t, "MAIL", c.Mail("user@a.example", nil))
	start := time.Now()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := e.srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Shutdown took %v with an idle session", d)
	}
	if err := c.Rcpt("12025550100@fax.test", nil); err == nil {
		t.Error("the session still works after Shutdown")
	}
	if _, err := net.DialTimeout("tcp", e.addr, time.Second); err == nil {
		t.Error("still listening after Shutdown")
	}
}

func TestShutdownWaitsForMessageInFlight(t *testing.T) {
	e := newEnv(t, nil)
	e.sub.entered, e.sub.gate = make(chan struct{}, 1), make(chan struct{})
	c := e.login(t)
	sent := make(chan error, 1)
	go func() { sent <- send(c, "user@a.example", []string{"12025550100@fax.test"}, textMsg) }()
	select {
	case <-e.sub.entered:
	case err := <-sent:
		t.Fatalf("send ended early: %v", err)
	case <-time.After(90 * time.Second):
		t.Fatal("the message never reached the submitter")
	}
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		done <- e.srv.Shutdown(ctx)
	}()
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned (%v) while a message was in flight", err)
	case <-time.After(300 * time.Millisecond):
	}
	close(e.sub.gate)
	if err := <-sent; err != nil {
		t.Fatalf("in-flight message: %v, want accepted", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if n := len(e.sub.requests()); n != 1 {
		t.Errorf("%d faxes, want 1", n)
	}
}
