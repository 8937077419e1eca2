package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// Validate checks every setting and reports all problems, one per line,
// each naming the flag, what it wants and what it got.
func (c Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.envErr != nil {
		errs = append(errs, c.envErr)
	}
	if c.DataDir == "" {
		add("--data: want a folder, got an empty value")
	}
	if err := validDB(c.DB); err != nil {
		add("--db: %v", err)
	}
	if !validListen(c.HTTPAddr) {
		add("--http: want HOST:PORT or :PORT, got %q", c.HTTPAddr)
	}
	for _, l := range []struct{ flag, addr string }{{"--smtp", c.SMTPAddr}, {"--sip", c.SIPAddr}} {
		if l.addr != Off && !validListen(l.addr) {
			add("%s: want HOST:PORT, :PORT or off, got %q", l.flag, l.addr)
		}
	}
	if !(MinRTPPort <= c.RTPPortLo && c.RTPPortLo < c.RTPPortHi && c.RTPPortHi <= MaxRTPPort) {
		add("--rtp-ports: want LO-HI with %d <= LO < HI <= %d, got %d-%d", MinRTPPort, MaxRTPPort, c.RTPPortLo, c.RTPPortHi)
	}
	if c.FaxWorkers < 0 || c.FaxWorkers > MaxFaxWorkers {
		add("--fax-workers: want 0 (from the trunks' channels) to %d, got %d", MaxFaxWorkers, c.FaxWorkers)
	}
	if c.PublicIP != "" {
		if a, err := netip.ParseAddr(c.PublicIP); err != nil || a.Zone() != "" || a.IsUnspecified() {
			add("--public-ip: want an IP address such as 203.0.113.7, got %q", c.PublicIP)
		}
	}
	if c.EmailDomain != "" && !ValidHostname(c.EmailDomain) {
		add("--email-domain: want a domain name such as fax.example.com, got %q", c.EmailDomain)
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
			u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			add("--public-url: want the portal's address such as https://fax.example.com, got %q", c.PublicURL)
		}
	}
	if c.SIPTLSAddr != "" && c.SIPTLSAddr != Off {
		if !validListen(c.SIPTLSAddr) {
			add("--sip-tls: want HOST:PORT, :PORT or off, got %q", c.SIPTLSAddr)
		}
		if c.SIPTLSCert == "" || c.SIPTLSKey == "" {
			add("--sip-tls needs --sip-tls-cert and --sip-tls-key (the certificate SIP peers verify)")
		}
	} else if c.SIPTLSCert != "" || c.SIPTLSKey != "" {
		add("--sip-tls-cert and --sip-tls-key: set with --sip-tls")
	}
	if (c.SMTPCert == "") != (c.SMTPKey == "") {
		add("--smtp-cert and --smtp-key: set both, or neither for a generated self-signed certificate")
	}
	if c.SMTPDNS != "" {
		if _, _, err := net.SplitHostPort(c.SMTPDNS); err != nil {
			add("--smtp-dns: want HOST:PORT such as 127.0.0.1:53, got %q", c.SMTPDNS)
		}
	}
	if c.SessionIdle <= 0 {
		add("--session-idle: want a positive duration, got %s", c.SessionIdle)
	}
	if c.SessionAbsolute < c.SessionIdle {
		add("--session-absolute: want at least --session-idle (%s), got %s", c.SessionIdle, c.SessionAbsolute)
	}
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		add("--log-level: want debug, info, warn or error, got %q", c.LogLevel)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		add("--log-format: want text or json, got %q", c.LogFormat)
	}
	return errors.Join(errs...)
}

// validDB accepts what store.Open accepts: "", postgres:// or postgresql://
// URLs, sqlite:/file: paths and plain paths.
func validDB(dsn string) error {
	switch {
	case dsn == "":
		return nil
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		if len(dsn) == len("postgres://") || strings.HasSuffix(dsn, "://") {
			return fmt.Errorf("want postgres://USER@HOST:PORT/DB, got %q", dsn)
		}
		return nil
	case strings.Contains(dsn, "://") && !strings.HasPrefix(dsn, "sqlite://"):
		scheme, _, _ := strings.Cut(dsn, "://")
		return fmt.Errorf("want postgres://... or a SQLite file path, got scheme %q", scheme)
	case strings.ContainsAny(dsn, "?#"):
		return fmt.Errorf("want a SQLite file path without ? or #, got %q", dsn)
	}
	for _, p := range []string{"sqlite://", "sqlite:", "file:"} {
		if dsn == p {
			return fmt.Errorf("want %sPATH, got no path", p)
		}
	}
	return nil
}

// ValidHostname reports whether s is a DNS host name: dot-separated labels
// of letters, digits and inner hyphens, 1..63 characters each, 253 in all,
// not all-numeric at the top level.
func ValidHostname(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	labels := strings.Split(s, ".")
	for _, l := range labels {
		if !validLabel(l) {
			return false
		}
	}
	return strings.ContainsFunc(labels[len(labels)-1], func(r rune) bool { return r < '0' || r > '9' })
}

func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for _, r := range l {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}
