// Package config holds faxgate's typed configuration: defaults, overridden
// by FAXGATE_* environment variables, overridden by command-line flags, then
// validated with messages that name the flag and say what is wanted. It has
// no package-level state: callers pass the flag set and the environment.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Off disables a listener (--smtp off, --sip off).
const Off = "off"

// RTP port range bounds (below 1024 needs privileges).
const (
	MinRTPPort = 1024
	MaxRTPPort = 65535
)

// MaxFaxWorkers bounds --fax-workers (River's limit per queue is 10,000;
// each worker is one call with its media sockets).
const MaxFaxWorkers = 5000

// Config is the configuration of one faxgate process.
type Config struct {
	DataDir   string // --data: folder for the SQLite database and files
	DB        string // --db: "" = SQLite in DataDir; postgres://... for PostgreSQL
	HTTPAddr  string // --http: portal, API, /healthz, /metrics
	SMTPAddr  string // --smtp: email-to-fax listener, "off" disables
	SIPAddr   string // --sip: SIP listener, "off" disables
	RTPPortLo int    // --rtp-ports LO-HI: media ports
	RTPPortHi int
	PublicIP  string // --public-ip: address announced in SDP/SIP ("" = detect)
	// FaxWorkers is the fax queue's size (--fax-workers): how many outbound
	// calls, and jobs waiting for a channel, run at once on this node;
	// 0 = derived at start from the trunks' channels (see app).
	FaxWorkers  int
	EmailDomain string // --email-domain: <number>@DOMAIN email-to-fax
	// PublicURL is the portal's address as users reach it
	// ("https://fax.example.com", --public-url): links in emails point
	// there; empty = emails carry no link.
	PublicURL string
	// SIPTLSAddr is the SIP-over-TLS listener (--sip-tls, "" or "off" =
	// none), serving SIPTLSCert/SIPTLSKey (--sip-tls-cert, --sip-tls-key,
	// PEM). SIPTLSCA (--sip-tls-ca) is a PEM bundle of CAs trusted for the
	// servers we connect to, on top of the system's roots.
	SIPTLSAddr, SIPTLSCert, SIPTLSKey, SIPTLSCA string
	// SMTPCert and SMTPKey are a PEM certificate and key for STARTTLS
	// (--smtp-cert, --smtp-key); empty = a self-signed one generated on
	// first run. SMTPDNS is the DNS server (HOST:PORT) for the SPF, DKIM
	// and DMARC checks of senders without AUTH (--smtp-dns); empty = the
	// system resolver.
	SMTPCert, SMTPKey, SMTPDNS string
	// TrustedProxies are the proxies whose X-Forwarded-For is believed
	// (--trusted-proxies CIDR,...); empty = use the peer address only.
	TrustedProxies  []netip.Prefix
	SessionIdle     time.Duration // --session-idle: portal session idle timeout
	SessionAbsolute time.Duration // --session-absolute: portal session lifetime
	// SecretKeyFile holds the key that encrypts secrets stored in the
	// database (--secret-key-file; "" = <DataDir>/secret.key, created on
	// first start). Every node on one database needs the same file.
	SecretKeyFile string
	LogLevel      string // --log-level: debug|info|warn|error
	LogFormat     string // --log-format: text|json

	envErr error // FAXGATE_* values that did not parse, reported by Validate
}

// Default returns the documented defaults (DESIGN.md §7).
func Default() Config {
	return Config{
		DataDir:         "./data",
		HTTPAddr:        ":8080",
		SMTPAddr:        ":2525",
		SIPAddr:         ":5060",
		RTPPortLo:       20000,
		RTPPortHi:       29999,
		SessionIdle:     2 * time.Hour,
		SessionAbsolute: 24 * time.Hour,
		LogLevel:        "info",
		LogFormat:       "text",
	}
}

// setting is one configuration item: its flag, its environment variable and
// how to bind it to a Config.
type setting struct {
	flag, env, usage string
	value            func(c *Config) flag.Value
}

func settings() []setting {
	return []setting{
		{"data", "FAXGATE_DATA", "data `folder` (SQLite database, documents, faxes)", strVal(func(c *Config) *string { return &c.DataDir })},
		{"db", "FAXGATE_DB", "database `DSN`: empty = SQLite file in the data folder, postgres://... = PostgreSQL", strVal(func(c *Config) *string { return &c.DB })},
		{"http", "FAXGATE_HTTP", "HTTP listen `address` (portal, API, /healthz, /metrics)", strVal(func(c *Config) *string { return &c.HTTPAddr })},
		{"smtp", "FAXGATE_SMTP", "SMTP listen `address` for email-to-fax, or off", strVal(func(c *Config) *string { return &c.SMTPAddr })},
		{"sip", "FAXGATE_SIP", "SIP listen `address`, or off", strVal(func(c *Config) *string { return &c.SIPAddr })},
		{"sip-tls", "FAXGATE_SIP_TLS", "SIP-over-TLS listen `address` (e.g. :5061), or off; needs --sip-tls-cert and --sip-tls-key", strVal(func(c *Config) *string { return &c.SIPTLSAddr })},
		{"sip-tls-cert", "FAXGATE_SIP_TLS_CERT", "PEM certificate (chain) `file` of the SIP TLS listener", strVal(func(c *Config) *string { return &c.SIPTLSCert })},
		{"sip-tls-key", "FAXGATE_SIP_TLS_KEY", "PEM private key `file` of --sip-tls-cert", strVal(func(c *Config) *string { return &c.SIPTLSKey })},
		{"sip-tls-ca", "FAXGATE_SIP_TLS_CA", "PEM `file` of CA certificates trusted for SIP TLS peers, besides the system's roots", strVal(func(c *Config) *string { return &c.SIPTLSCA })},
		{"rtp-ports", "FAXGATE_RTP_PORTS", "media port `range` LO-HI", func(c *Config) flag.Value { return (*portRange)(c) }},
		{"fax-workers", "FAXGATE_FAX_WORKERS", "outbound calls this node runs at once (fax queue `workers`); 0 = the trunks' channels in total plus headroom, within 40-1000", intVal(func(c *Config) *int { return &c.FaxWorkers })},
		{"public-ip", "FAXGATE_PUBLIC_IP", "public `IP` announced in SIP/SDP (default: detected)", strVal(func(c *Config) *string { return &c.PublicIP })},
		{"email-domain", "FAXGATE_EMAIL_DOMAIN", "`domain` for <number>@domain email-to-fax", strVal(func(c *Config) *string { return &c.EmailDomain })},
		{"public-url", "FAXGATE_PUBLIC_URL", "portal `URL` as users reach it, for links in emails (https://fax.example.com)", strVal(func(c *Config) *string { return &c.PublicURL })},
		{"smtp-cert", "FAXGATE_SMTP_CERT", "PEM certificate `file` for SMTP STARTTLS (default: self-signed, generated)", strVal(func(c *Config) *string { return &c.SMTPCert })},
		{"smtp-key", "FAXGATE_SMTP_KEY", "PEM private key `file` of --smtp-cert", strVal(func(c *Config) *string { return &c.SMTPKey })},
		{"smtp-dns", "FAXGATE_SMTP_DNS", "DNS server `HOST:PORT` for the SPF/DKIM/DMARC checks of email senders (default: system resolver)", strVal(func(c *Config) *string { return &c.SMTPDNS })},
		{"trusted-proxies", "FAXGATE_TRUSTED_PROXIES", "comma-separated `CIDRs` of reverse proxies whose X-Forwarded-For is trusted", func(c *Config) flag.Value { return (*prefixList)(&c.TrustedProxies) }},
		{"session-idle", "FAXGATE_SESSION_IDLE", "portal session idle `timeout`", durVal(func(c *Config) *time.Duration { return &c.SessionIdle })},
		{"session-absolute", "FAXGATE_SESSION_ABSOLUTE", "portal session maximum `lifetime`", durVal(func(c *Config) *time.Duration { return &c.SessionAbsolute })},
		{"secret-key-file", "FAXGATE_SECRET_KEY_FILE", "`file` with the key encrypting the secrets kept in the database (default <data>/secret.key, created on first start; copy the same file to every node of one database)", strVal(func(c *Config) *string { return &c.SecretKeyFile })},
		{"log-level", "FAXGATE_LOG_LEVEL", "log `level`: debug, info, warn or error", strVal(func(c *Config) *string { return &c.LogLevel })},
		{"log-format", "FAXGATE_LOG_FORMAT", "log `format`: text or json", strVal(func(c *Config) *string { return &c.LogFormat })},
	}
}

// RegisterFlags defines every configuration flag on fs, bound to c; the
// flags' defaults are c's current values.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	for _, s := range settings() {
		fs.Var(s.value(c), s.flag, s.usage+" (env "+s.env+")")
	}
}

// ApplyEnv overrides c with the FAXGATE_* variables that are set (non-empty).
// Values that do not parse are kept aside and reported by Validate.
func (c *Config) ApplyEnv(getenv func(string) string) {
	var errs []error
	for _, s := range settings() {
		v := getenv(s.env)
		if v == "" {
			continue
		}
		if err := s.value(c).Set(v); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", s.env, err))
		}
	}
	c.envErr = errors.Join(errs...)
}

// Load builds the configuration: defaults, then the environment, then the
// flags in args (parsed with fs, which may carry the caller's own flags),
// then Validate.
func Load(fs *flag.FlagSet, args []string, getenv func(string) string) (Config, error) {
	c := Default()
	c.ApplyEnv(getenv)
	c.RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	return c, c.Validate()
}

// SMTPEnabled reports whether the SMTP listener should run.
func (c Config) SMTPEnabled() bool { return c.SMTPAddr != Off }

// SIPEnabled reports whether the SIP listener should run.
func (c Config) SIPEnabled() bool { return c.SIPAddr != Off }

// SIPTLSEnabled reports whether the SIP TLS listener should run (with SIP).
func (c Config) SIPTLSEnabled() bool {
	return c.SIPEnabled() && c.SIPTLSAddr != "" && c.SIPTLSAddr != Off
}

// SecretKeyPath is the secret key file to use: SecretKeyFile, or
// secret.key in the data folder.
func (c Config) SecretKeyPath() string {
	if c.SecretKeyFile != "" {
		return c.SecretKeyFile
	}
	return filepath.Join(c.DataDir, "secret.key")
}

// SlogLevel returns LogLevel as a slog.Level (info when invalid).
func (c Config) SlogLevel() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return slog.LevelInfo
	}
	return l
}

// NewLogger returns the process logger writing to w in LogFormat at
// LogLevel.
func (c Config) NewLogger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.SlogLevel()}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// strVal binds a string field.
func strVal(field func(*Config) *string) func(*Config) flag.Value {
	return func(c *Config) flag.Value { return (*stringValue)(field(c)) }
}

type stringValue string

func (s *stringValue) Set(v string) error { *s = stringValue(strings.TrimSpace(v)); return nil }
func (s *stringValue) String() string     { return string(*s) }

// intVal binds a whole-number field.
func intVal(field func(*Config) *int) func(*Config) flag.Value {
	return func(c *Config) flag.Value { return (*intValue)(field(c)) }
}

type intValue int

func (n *intValue) Set(v string) error {
	x, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return fmt.Errorf("want a whole number, got %q", v)
	}
	*n = intValue(x)
	return nil
}

func (n *intValue) String() string { return strconv.Itoa(int(*n)) }

// durVal binds a duration field.
func durVal(field func(*Config) *time.Duration) func(*Config) flag.Value {
	return func(c *Config) flag.Value { return (*durationValue)(field(c)) }
}

type durationValue time.Duration

func (d *durationValue) Set(v string) error {
	x, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil {
		return fmt.Errorf("want a duration such as 30m or 2h, got %q", v)
	}
	*d = durationValue(x)
	return nil
}

func (d *durationValue) String() string { return time.Duration(*d).String() }

// portRange is the LO-HI view of Config's RTP ports.
type portRange Config

func (p *portRange) Set(v string) error {
	lo, hi, ok := strings.Cut(strings.TrimSpace(v), "-")
	l, errL := strconv.Atoi(strings.TrimSpace(lo))
	h, errH := strconv.Atoi(strings.TrimSpace(hi))
	if !ok || errL != nil || errH != nil {
		return fmt.Errorf("want LO-HI such as 20000-29999, got %q", v)
	}
	p.RTPPortLo, p.RTPPortHi = l, h
	return nil
}

func (p *portRange) String() string {
	if p == nil {
		return ""
	}
	return fmt.Sprintf("%d-%d", p.RTPPortLo, p.RTPPortHi)
}

// prefixList is a comma-separated list of CIDRs (a bare IP is a /32 or /128).
type prefixList []netip.Prefix

func (l *prefixList) Set(v string) error {
	var out []netip.Prefix
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		p, err := parsePrefix(part)
		if err != nil {
			return err
		}
		out = append(out, p)
	}
	*l = out
	return nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("want CIDRs such as 10.0.0.0/8,192.0.2.1, got %q", s)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func (l *prefixList) String() string {
	if l == nil {
		return ""
	}
	parts := make([]string, len(*l))
	for i, p := range *l {
		parts[i] = p.String()
	}
	return strings.Join(parts, ",")
}

// validListen checks HOST:PORT (host optional).
func validListen(addr string) bool {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host != "" && strings.ContainsAny(host, " /") {
		return false
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 0 && n <= 65535
}

// LogValue implements slog.LogValuer: the configuration as log attributes,
// with any password in the database DSN hidden.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("data", c.DataDir), slog.String("db", RedactDSN(c.DB)),
		slog.String("http", c.HTTPAddr), slog.String("smtp", c.SMTPAddr), slog.String("sip", c.SIPAddr),
		slog.String("rtp_ports", fmt.Sprintf("%d-%d", c.RTPPortLo, c.RTPPortHi)),
		slog.Int("fax_workers", c.FaxWorkers), slog.String("public_ip", c.PublicIP), slog.String("email_domain", c.EmailDomain), slog.String("public_url", c.PublicURL),
		slog.String("trusted_proxies", (*prefixList)(&c.TrustedProxies).String()),
		slog.Duration("session_idle", c.SessionIdle), slog.Duration("session_absolute", c.SessionAbsolute),
		slog.String("log_level", c.LogLevel), slog.String("log_format", c.LogFormat),
	)
}

// RedactDSN hides the password of a URL-style DSN ("postgres://u:pw@h/db"
// becomes "postgres://u:xxxxx@h/db"); other strings are returned unchanged.
func RedactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); !ok {
		return dsn
	}
	return u.Redacted()
}
