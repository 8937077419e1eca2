package smtpd_test

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/mail/mailtest"
	"faxgate/internal/mail/smtpd"
)

// TestCASignedCertificate serves STARTTLS with the certificate given by
// --smtp-cert/--smtp-key, verified by a client that trusts only its CA,
// and generates no self-signed one.
func TestCASignedCertificate(t *testing.T) {
	cert := mailtest.WriteCert(t, "mail.fax.test")
	ca := cert.CA
	e := newEnv(t, func(c *smtpd.Config) { c.CertFile, c.KeyFile = cert.CertFile, cert.KeyFile })
	c, err := smtp.DialStartTLS(e.addr, &tls.Config{ServerName: "mail.fax.test", RootCAs: ca})
	authtest.Must(t, "STARTTLS with the configured certificate", err)
	defer c.Close()
	authtest.Must(t, "AUTH", c.Auth(sasl.NewPlainClient("", e.w.UserA.Email, authtest.Password)))
	authtest.Must(t, "send", send(c, "user@a.example", []string{"12025550100@fax.test"}, textMsg))
	if _, err := os.Stat(filepath.Join(e.cfg.DataDir, "smtp", "cert.pem")); !os.IsNotExist(err) {
		t.Errorf("a self-signed certificate was generated although one is configured: %v", err)
	}
	// The generated certificate of the default is not trusted by this CA.
	d := newEnv(t, nil)
	c2, err := smtp.DialStartTLS(d.addr, &tls.Config{ServerName: "127.0.0.1", RootCAs: ca})
	if err == nil {
		err = c2.Noop()
		c2.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("the self-signed default against the test CA: %v, want a certificate error", err)
	}
}

func TestCertificateConfigErrors(t *testing.T) {
	cert := mailtest.WriteCert(t, "mail.fax.test")
	certFile, keyFile := cert.CertFile, cert.KeyFile
	e := newEnv(t, nil)
	tests := []struct {
		name       string
		cert, key  string
		wantSubstr string
	}{
		{"certificate without key", certFile, "", "both"},
		{"key without certificate", "", keyFile, "both"},
		{"missing file", filepath.Join(t.TempDir(), "nope.pem"), keyFile, "load TLS certificate"},
		{"key of another certificate", keyFile, certFile, "load TLS certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := e.cfg
			cfg.CertFile, cfg.KeyFile = tt.cert, tt.key
			_, err := smtpd.New(smtpd.Deps{Store: e.St, Auth: e.Auth, Tenancy: e.Tenancy, Documents: e.docs,
				Submitter: e.sub, Audit: e.Audit}, cfg)
			if err == nil || !strings.Contains(err.Error(), tt.wantSubstr) {
				t.Fatalf("New = %v, want an error with %q", err, tt.wantSubstr)
			}
		})
	}
}
