package smtpd_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-smtp"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/mail/msgauth"
	"faxgate/internal/mail/msgauth/dnstest"
	"faxgate/internal/mail/senders"
	"faxgate/internal/mail/smtpd"
	"faxgate/internal/model"
)

// senderEnv is a server that lets senders in without AUTH, checking them
// against a DNS server of the test: a.example's SPF allows 127.0.0.1,
// dkim.example signs with a key published under s1._domainkey, b.example
// allows no one.
type senderEnv struct {
	*env
	dns     *dnstest.Server
	senders *senders.Service
	key     *rsa.PrivateKey
}

func newSenderEnv(t *testing.T) *senderEnv {
	t.Helper()
	se := &senderEnv{dns: dnstest.Start(t)}
	se.env = newEnvWith(t, func(c *smtpd.Config) { c.MessagesPerMinuteIP = 6000 }, func(e *env, d *smtpd.Deps) {
		se.senders = senders.New(e.St, e.Audit)
		d.Senders, d.Checker = se.senders, msgauth.New(se.dns.Resolver(), 5*time.Second)
	})
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	authtest.Must(t, "key", err)
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	authtest.Must(t, "public key", err)
	se.key = key
	se.dns.TXT("a.example", "v=spf1 ip4:127.0.0.1 -all")
	se.dns.TXT("dkim.example", "v=spf1 ip4:192.0.2.0/24 -all")
	se.dns.TXT("s1._domainkey.dkim.example", "v=DKIM1; k=rsa; p="+base64.StdEncoding.EncodeToString(pub))
	se.dns.TXT("b.example", "v=spf1 -all")
	se.dns.TXT("_dmarc.b.example", "v=DMARC1; p=reject")
	return se
}

// mailFrom is a one-text-page message from addr.
func mailFrom(addr string) string {
	return "From: " + addr + "\r\nTo: 12025550100@fax.test\r\nSubject: by email\r\nMessage-ID: <m1@client.test>\r\n\r\nplease fax this\r\n"
}

// sendRaw runs a transaction without AUTH and sends msg as it is.
func (se *senderEnv) sendRaw(t *testing.T, envFrom string, msg []byte) error {
	t.Helper()
	c := se.dial(t, true)
	if err := c.Mail(envFrom, nil); err != nil {
		return err
	}
	if err := c.Rcpt("12025550100@fax.test", nil); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	return w.Close()
}

func (se *senderEnv) signed(t *testing.T, domain, msg string) []byte {
	t.Helper()
	var out bytes.Buffer
	authtest.Must(t, "dkim.Sign", dkim.Sign(&out, strings.NewReader(msg), &dkim.SignOptions{
		Domain: domain, Selector: "s1", Signer: se.key, HeaderKeys: []string{"From", "To", "Subject", "Message-ID"}}))
	return out.Bytes()
}

func TestUnauthenticatedSenders(t *testing.T) {
	se := newSenderEnv(t)
	dk, _ := se.User(t, se.w.A.ID, model.RoleUser, "dk@dkim.example")
	_, err := se.senders.Add(t.Context(), se.w.TenantAActor, "", senders.Input{Value: "scanner@office.example"})
	authtest.Must(t, "allowlist address", err)

	tests := []struct {
		name     string
		envFrom  string
		msg      []byte
		wantCode int    // 0 = accepted
		wantText string // in the refusal
		asUser   string // accepted: the fax's user
	}{
		{"SPF pass", "user@a.example", []byte(mailFrom("user@a.example")), 0, "", se.w.UserA.ID},
		{"DKIM pass", "dk@dkim.example", se.signed(t, "dkim.example", mailFrom("dk@dkim.example")), 0, "", dk.ID},
		{"DKIM signature of a changed message", "dk@dkim.example",
			bytes.Replace(se.signed(t, "dkim.example", mailFrom("dk@dkim.example")), []byte("please"), []byte("Please"), 1),
			550, "failed the SPF and DKIM checks", ""},
		{"spoofed From failing SPF and DKIM", "user@b.example", []byte(mailFrom("user@b.example")),
			550, "failed the SPF and DKIM checks (spf=fail, dkim=none)", ""},
		{"From of another tenant's user", "user@a.example", []byte(mailFrom("user@b.example")), 550, "not authorised", ""},
		{"allowlisted address", "scanner@office.example", []byte(mailFrom("scanner@office.example")), 0, "", se.w.TenantA.ID},
		{"unknown sender", "nobody@nowhere.example", []byte(mailFrom("nobody@nowhere.example")), 550, "not authorised", ""},
		{"null sender", "", []byte(mailFrom("x@nowhere.example")), 550, "empty sender", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(se.sub.requests())
			err := se.sendRaw(t, tt.envFrom, tt.msg)
			if tt.wantCode == 0 {
				authtest.Must(t, "send", err)
				acts := se.sub.actors()
				if len(acts) != before+1 || acts[before].UserID != tt.asUser || acts[before].Via != "smtp" {
					t.Fatalf("faxes sent as %+v, want one more as %s", acts, tt.asUser)
				}
				return
			}
			if code(err) != tt.wantCode || !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("got %v, want %d %q", err, tt.wantCode, tt.wantText)
			}
			if n := len(se.sub.requests()); n != before {
				t.Fatalf("%d faxes after a refusal, want %d", n, before)
			}
		})
	}
	if n := len(se.Events(t, smtpd.ActionSender)); n != 3 {
		t.Errorf("%d %s events, want 3 (SPF, DKIM, allowlist)", n, smtpd.ActionSender)
	}
	if n := len(se.Events(t, smtpd.ActionRefused)); n < 5 {
		t.Errorf("%d %s events, want >= 5", n, smtpd.ActionRefused)
	}
}

// TestAllowlistedNetwork lets anyone in from an allowlisted network, as
// the entry's user, and no longer once the entry is removed.
func TestAllowlistedNetwork(t *testing.T) {
	se := newSenderEnv(t)
	e, err := se.senders.Add(t.Context(), se.w.TenantBActor, "", senders.Input{Value: "127.0.0.0/24", UserID: se.w.UserB.ID})
	authtest.Must(t, "allowlist network", err)
	if e.Kind != senders.KindNetwork || e.Value != "127.0.0.0/24" {
		t.Fatalf("entry %+v", e)
	}
	authtest.Must(t, "send", se.sendRaw(t, "copier@random.example", []byte(mailFrom("copier@random.example"))))
	if acts := se.sub.actors(); len(acts) != 1 || acts[0].UserID != se.w.UserB.ID || acts[0].TenantID != se.w.B.ID {
		t.Fatalf("faxes sent as %+v, want user@b.example", acts)
	}
	authtest.Must(t, "remove", se.senders.Remove(t.Context(), se.w.TenantBActor, "", e.ID))
	err = se.sendRaw(t, "copier@random.example", []byte(mailFrom("copier@random.example")))
	if se, ok := err.(*smtp.SMTPError); !ok || se.Code != 550 {
		t.Fatalf("after removal: %v, want 550", err)
	}
}

// TestRefusedSendersRateLimited: refused senders count against the per-IP
// limit too, so a client cannot make the server look up senders without
// bound.
func TestRefusedSendersRateLimited(t *testing.T) {
	e := newEnvWith(t, func(c *smtpd.Config) { c.MessagesPerMinuteIP = 3 }, func(e *env, d *smtpd.Deps) { // burst 1
		d.Senders = senders.New(e.St, e.Audit)
	})
	c := e.dial(t, true)
	if err := c.Mail("nobody@nowhere.example", nil); code(err) != 550 {
		t.Fatalf("first MAIL = %v, want 550", err)
	}
	if err := c.Mail("nobody@nowhere.example", nil); code(err) != 450 {
		t.Fatalf("second MAIL = %v, want 450 (rate limited)", err)
	}
}
