package msgauth_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"

	"faxgate/internal/mail/msgauth"
	"faxgate/internal/mail/msgauth/dnstest"
)

// zone publishes: spf.test allows 127.0.0.1 by SPF; dkim.test has a DKIM
// key (selector s1) and an SPF record that allows nobody; strict.test has
// a strict DMARC record and a DKIM key; other.test signs with its own key.
func zone(t *testing.T) (*dnstest.Server, *rsa.PrivateKey) {
	t.Helper()
	dns := dnstest.Start(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	rec := "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(pub)
	dns.TXT("spf.test", "v=spf1 ip4:127.0.0.1 -all")
	dns.TXT("dkim.test", "v=spf1 -all")
	dns.TXT("s1._domainkey.dkim.test", rec)
	dns.TXT("s1._domainkey.mail.dkim.test", rec)
	dns.TXT("strict.test", "v=spf1 -all")
	dns.TXT("_dmarc.strict.test", "v=DMARC1; p=reject; adkim=s; aspf=s")
	dns.TXT("s1._domainkey.mail.strict.test", rec)
	dns.TXT("other.test", "v=spf1 -all")
	dns.TXT("s1._domainkey.other.test", rec)
	return dns, key
}

// sign DKIM-signs msg for domain with key.
func sign(t *testing.T, key *rsa.PrivateKey, domain, msg string) []byte {
	t.Helper()
	var out bytes.Buffer
	err := dkim.Sign(&out, strings.NewReader(strings.ReplaceAll(msg, "\n", "\r\n")), &dkim.SignOptions{
		Domain: domain, Selector: "s1", Signer: key, HeaderKeys: []string{"From", "Subject", "To"}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestCheck(t *testing.T) {
	dns, key := zone(t)
	c := msgauth.New(dns.Resolver(), 0)
	msg := func(from string) string {
		return "From: " + from + "\nTo: 12025550100@fax.test\nSubject: order\n\nfax this\n"
	}
	plain := func(from string) []byte { return []byte(strings.ReplaceAll(msg(from), "\n", "\r\n")) }
	lo, other := net.ParseIP("127.0.0.1"), net.ParseIP("192.0.2.9")
	tests := []struct {
		name     string
		in       msgauth.Input
		pass     bool
		via, spf string
	}{
		{"SPF pass, aligned", msgauth.Input{IP: lo, Helo: "mx.spf.test", MailFrom: "ann@spf.test", From: "ann@spf.test",
			Message: plain("ann@spf.test")}, true, "spf", "pass"},
		{"SPF pass for a subdomain, relaxed", msgauth.Input{IP: lo, Helo: "h", MailFrom: "ann@spf.test",
			From: "ann@eu.spf.test", Message: plain("ann@eu.spf.test")}, true, "spf", "pass"},
		{"SPF from another address", msgauth.Input{IP: other, Helo: "h", MailFrom: "ann@spf.test", From: "ann@spf.test",
			Message: plain("ann@spf.test")}, false, "", "fail"},
		{"SPF pass, From of another domain", msgauth.Input{IP: lo, Helo: "h", MailFrom: "x@spf.test",
			From: "ann@dkim.test", Message: plain("ann@dkim.test")}, false, "", "pass"},
		{"DKIM pass, aligned", msgauth.Input{IP: other, Helo: "h", MailFrom: "bob@dkim.test", From: "bob@dkim.test",
			Message: sign(t, key, "dkim.test", msg("bob@dkim.test"))}, true, "dkim", "fail"},
		{"DKIM of a subdomain, relaxed", msgauth.Input{IP: other, Helo: "h", MailFrom: "bob@dkim.test",
			From: "bob@dkim.test", Message: sign(t, key, "mail.dkim.test", msg("bob@dkim.test"))}, true, "dkim", "fail"},
		{"DKIM of a subdomain, strict DMARC", msgauth.Input{IP: other, Helo: "h", MailFrom: "c@strict.test",
			From: "c@strict.test", Message: sign(t, key, "mail.strict.test", msg("c@strict.test"))}, false, "", "fail"},
		{"DKIM of another domain", msgauth.Input{IP: other, Helo: "h", MailFrom: "bob@dkim.test", From: "bob@dkim.test",
			Message: sign(t, key, "other.test", msg("bob@dkim.test"))}, false, "", "fail"},
		{"DKIM signature broken by a changed body", msgauth.Input{IP: other, Helo: "h", MailFrom: "bob@dkim.test",
			From: "bob@dkim.test", Message: bytes.Replace(sign(t, key, "dkim.test", msg("bob@dkim.test")),
				[]byte("fax this"), []byte("fax that"), 1)}, false, "", "fail"},
		{"unknown domain", msgauth.Input{IP: lo, Helo: "h", MailFrom: "eve@nowhere.test", From: "eve@nowhere.test",
			Message: plain("eve@nowhere.test")}, false, "", "none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.Check(t.Context(), tt.in)
			if r.Pass != tt.pass || r.Via != tt.via || r.SPF != tt.spf || r.Temporary {
				t.Fatalf("got %+v (%s), want pass=%v via=%q spf=%s", r, r.Summary(), tt.pass, tt.via, tt.spf)
			}
		})
	}
	if !dns.Queried("s1._domainkey.dkim.test") || !dns.Queried("_dmarc.strict.test") {
		t.Error("the DKIM key and DMARC record were not looked up in DNS")
	}
}

// TestCheckDNSDown reports a temporary failure when the DNS server does
// not answer, so that the sender retries instead of being refused.
func TestCheckDNSDown(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0") // never answers
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	silent := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", pc.LocalAddr().String())
	}}
	r := msgauth.New(silent, time.Second).Check(t.Context(), msgauth.Input{IP: net.ParseIP("127.0.0.1"), Helo: "h",
		MailFrom: "ann@spf.test", From: "ann@spf.test", Message: []byte("From: ann@spf.test\r\n\r\nx\r\n")})
	if r.Pass || !r.Temporary {
		t.Fatalf("got %+v, want a temporary failure", r)
	}
}
