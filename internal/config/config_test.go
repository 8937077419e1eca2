package config

import (
	"bytes"
	"flag"
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func newFS() *flag.FlagSet {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

var cmpConfig = cmp.Options{cmpopts.IgnoreUnexported(Config{}), cmpopts.EquateComparable(netip.Prefix{})}

func TestLoad(t *testing.T) {
	def := Default()
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want func(c *Config)
	}{
		{"defaults", nil, nil, func(c *Config) {}},
		{"env", map[string]string{
			"FAXGATE_DATA": "/var/lib/faxgate", "FAXGATE_DB": "postgres://fax@db/fax", "FAXGATE_HTTP": "127.0.0.1:9090",
			"FAXGATE_SMTP": "off", "FAXGATE_SIP": "0.0.0.0:5070", "FAXGATE_RTP_PORTS": "40000-40999",
			"FAXGATE_PUBLIC_IP": "203.0.113.7", "FAXGATE_EMAIL_DOMAIN": "fax.example.com",
			"FAXGATE_LOG_LEVEL": "debug", "FAXGATE_LOG_FORMAT": "json", "FAXGATE_SESSION_IDLE": "30m",
			"FAXGATE_SESSION_ABSOLUTE": "12h", "FAXGATE_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.1",
			"FAXGATE_FAX_WORKERS": "600",
		}, nil, func(c *Config) {
			c.FaxWorkers = 600
			c.DataDir, c.DB, c.HTTPAddr = "/var/lib/faxgate", "postgres://fax@db/fax", "127.0.0.1:9090"
			c.SMTPAddr, c.SIPAddr, c.RTPPortLo, c.RTPPortHi = "off", "0.0.0.0:5070", 40000, 40999
			c.PublicIP, c.EmailDomain, c.LogLevel, c.LogFormat = "203.0.113.7", "fax.example.com", "debug", "json"
			c.SessionIdle, c.SessionAbsolute = 30*time.Minute, 12*time.Hour
			c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.1/32")}
		}},
		{"flags", nil, []string{"--data", "d", "--db=sqlite:/tmp/x.db", "--http", ":80", "--smtp", ":25",
			"--sip", "off", "--rtp-ports", "10000-10100", "--public-ip", "2001:db8::1", "--email-domain", "f.example",
			"--log-level", "warn", "--log-format", "text", "--session-idle", "1h", "--session-absolute", "1h",
			"--trusted-proxies", "2001:db8::/32", "--fax-workers", "120"},
			func(c *Config) {
				c.FaxWorkers = 120
				c.DataDir, c.DB, c.HTTPAddr, c.SMTPAddr, c.SIPAddr = "d", "sqlite:/tmp/x.db", ":80", ":25", "off"
				c.RTPPortLo, c.RTPPortHi, c.PublicIP, c.EmailDomain = 10000, 10100, "2001:db8::1", "f.example"
				c.LogLevel, c.LogFormat, c.SessionIdle, c.SessionAbsolute = "warn", "text", time.Hour, time.Hour
				c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("2001:db8::/32")}
			}},
		{"flags override env", map[string]string{"FAXGATE_HTTP": ":1111", "FAXGATE_DATA": "envdata"},
			[]string{"-http", ":2222"}, func(c *Config) { c.HTTPAddr, c.DataDir = ":2222", "envdata" }},
		{"empty env is unset", map[string]string{"FAXGATE_HTTP": ""}, nil, func(c *Config) {}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Load(newFS(), tc.args, env(tc.env))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			want := def
			tc.want(&want)
			if d := cmp.Diff(want, got, cmpConfig); d != "" {
				t.Errorf("Load mismatch (-want +got):\n%s", d)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want []string // each must appear in the error
	}{
		{"rtp reversed", nil, []string{"--rtp-ports", "30000-20000"},
			[]string{"--rtp-ports: want LO-HI with 1024 <= LO < HI <= 65535, got 30000-20000"}},
		{"rtp privileged", nil, []string{"--rtp-ports", "80-2000"},
			[]string{"--rtp-ports: want LO-HI with 1024 <= LO < HI <= 65535, got 80-2000"}},
		{"rtp too high", nil, []string{"--rtp-ports", "60000-70000"}, []string{"got 60000-70000"}},
		{"rtp equal", nil, []string{"--rtp-ports", "20000-20000"}, []string{"got 20000-20000"}},
		{"rtp syntax flag", nil, []string{"--rtp-ports", "20000"},
			[]string{`invalid value "20000" for flag -rtp-ports: want LO-HI such as 20000-29999, got "20000"`}},
		{"rtp syntax env", map[string]string{"FAXGATE_RTP_PORTS": "a-b"}, nil,
			[]string{`FAXGATE_RTP_PORTS: want LO-HI such as 20000-29999, got "a-b"`}},
		{"bad duration env", map[string]string{"FAXGATE_SESSION_IDLE": "2 hours"}, nil,
			[]string{`FAXGATE_SESSION_IDLE: want a duration such as 30m or 2h, got "2 hours"`}},
		{"bad proxies env", map[string]string{"FAXGATE_TRUSTED_PROXIES": "10.0.0.0/8,nope"}, nil,
			[]string{`FAXGATE_TRUSTED_PROXIES: want CIDRs such as 10.0.0.0/8,192.0.2.1, got "nope"`}},
		{"fax workers env", map[string]string{"FAXGATE_FAX_WORKERS": "many"}, nil,
			[]string{`FAXGATE_FAX_WORKERS: want a whole number, got "many"`}},
		{"fax workers negative", nil, []string{"--fax-workers", "-1"},
			[]string{"--fax-workers: want 0 (from the trunks' channels) to 5000, got -1"}},
		{"fax workers too many", nil, []string{"--fax-workers", "5001"}, []string{"--fax-workers: want 0"}},
		{"http", nil, []string{"--http", "8080"}, []string{`--http: want HOST:PORT or :PORT, got "8080"`}},
		{"http port", nil, []string{"--http", ":99999"}, []string{`--http: want HOST:PORT or :PORT, got ":99999"`}},
		{"smtp", nil, []string{"--smtp", "no"}, []string{`--smtp: want HOST:PORT, :PORT or off, got "no"`}},
		{"sip", map[string]string{"FAXGATE_SIP": "5060"}, nil, []string{`--sip: want HOST:PORT, :PORT or off, got "5060"`}},
		{"sip tls without cert", nil, []string{"--sip-tls", ":5061"},
			[]string{"--sip-tls needs --sip-tls-cert and --sip-tls-key"}},
		{"sip tls address", map[string]string{"FAXGATE_SIP_TLS": "5061", "FAXGATE_SIP_TLS_CERT": "c.pem",
			"FAXGATE_SIP_TLS_KEY": "k.pem"}, nil, []string{`--sip-tls: want HOST:PORT, :PORT or off, got "5061"`}},
		{"sip tls cert alone", nil, []string{"--sip-tls-cert", "c.pem", "--sip-tls-key", "k.pem"},
			[]string{"--sip-tls-cert and --sip-tls-key: set with --sip-tls"}},
		{"data", nil, []string{"--data", ""}, []string{"--data: want a folder, got an empty value"}},
		{"db scheme", nil, []string{"--db", "mysql://x/y"}, []string{`--db: want postgres://... or a SQLite file path, got scheme "mysql"`}},
		{"db empty path", nil, []string{"--db", "sqlite:"}, []string{"--db: want sqlite:PATH, got no path"}},
		{"db query", nil, []string{"--db", "x.db?mode=ro"}, []string{"--db: want a SQLite file path without ? or #"}},
		{"public ip", nil, []string{"--public-ip", "fax.example.com"},
			[]string{`--public-ip: want an IP address such as 203.0.113.7, got "fax.example.com"`}},
		{"public ip unspecified", nil, []string{"--public-ip", "0.0.0.0"}, []string{`--public-ip`}},
		{"public url scheme", nil, []string{"--public-url", "ftp://fax.example.com"}, []string{`--public-url: want the portal's address`}},
		{"public url host", nil, []string{"--public-url", "https://"}, []string{`--public-url`}},
		{"public url query", nil, []string{"--public-url", "https://fax.example.com/?a=b"}, []string{`--public-url`}},
		{"email domain", nil, []string{"--email-domain", "bad_domain!"},
			[]string{`--email-domain: want a domain name such as fax.example.com, got "bad_domain!"`}},
		{"session idle", nil, []string{"--session-idle", "0s"}, []string{"--session-idle: want a positive duration, got 0s"}},
		{"session absolute", nil, []string{"--session-idle", "3h", "--session-absolute", "1h"},
			[]string{"--session-absolute: want at least --session-idle (3h0m0s), got 1h0m0s"}},
		{"log level", nil, []string{"--log-level", "verbose"}, []string{`--log-level: want debug, info, warn or error, got "verbose"`}},
		{"log format", nil, []string{"--log-format", "xml"}, []string{`--log-format: want text or json, got "xml"`}},
		{"unknown flag", nil, []string{"--nope"}, []string{"flag provided but not defined: -nope"}},
		{"several at once", nil, []string{"--http", "x", "--log-format", "xml"}, []string{"--http:", "--log-format:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(newFS(), tc.args, env(tc.env))
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

// TestRegisterFlagsKeepsCallerFlags checks that Load parses a flag set that
// also holds the caller's own flags, and that help shows env names.
func TestRegisterFlagsKeepsCallerFlags(t *testing.T) {
	fs := newFS()
	admin := fs.String("admin-email", "", "first admin")
	c, err := Load(fs, []string{"--admin-email", "a@b.example", "--http", ":1", "rest"}, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if *admin != "a@b.example" || c.HTTPAddr != ":1" || fs.Arg(0) != "rest" {
		t.Errorf("admin %q http %q args %v", *admin, c.HTTPAddr, fs.Args())
	}
	var help bytes.Buffer
	fs.SetOutput(&help)
	fs.PrintDefaults()
	for _, want := range []string{"-rtp-ports range", "FAXGATE_RTP_PORTS", `(default 20000-29999)`, "-public-ip IP"} {
		if !strings.Contains(help.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, help.String())
		}
	}
}

func TestValidateDefaults(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Errorf("Default().Validate() = %v", err)
	}
	var zero Config
	if err := zero.Validate(); err == nil {
		t.Error("zero Config validated")
	}
}

func TestListenersAndLogger(t *testing.T) {
	c := Default()
	if !c.SMTPEnabled() || !c.SIPEnabled() {
		t.Error("default listeners disabled")
	}
	c.SMTPAddr, c.SIPAddr = Off, Off
	if c.SMTPEnabled() || c.SIPEnabled() {
		t.Error("off listeners enabled")
	}
	tests := []struct {
		level, format string
		want          slog.Level
		wantJSON      bool
	}{
		{"debug", "json", slog.LevelDebug, true},
		{"warn", "text", slog.LevelWarn, false},
		{"ERROR", "text", slog.LevelError, false},
		{"bogus", "text", slog.LevelInfo, false},
	}
	for _, tc := range tests {
		c.LogLevel, c.LogFormat = tc.level, tc.format
		if got := c.SlogLevel(); got != tc.want {
			t.Errorf("SlogLevel(%q) = %v, want %v", tc.level, got, tc.want)
		}
		var buf bytes.Buffer
		c.NewLogger(&buf).Log(t.Context(), tc.want, "hello")
		if isJSON := strings.HasPrefix(buf.String(), "{"); isJSON != tc.wantJSON {
			t.Errorf("format %q wrote %q", tc.format, buf.String())
		}
	}
}

func TestValidHostname(t *testing.T) {
	tests := map[string]bool{
		"fax.example.com": true, "localhost": true, "a-b.example": true, "example.com.": true,
		"": false, "-a.example": false, "a-.example": false, "a..b": false, "a_b.example": false,
		"1.2.3.4": false, strings.Repeat("a", 64) + ".com": false, "xn--bcher-kva.example": true,
		"fax.example.com:8080": false,
	}
	for host, want := range tests {
		if got := ValidHostname(host); got != want {
			t.Errorf("ValidHostname(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestLogValueHidesPassword(t *testing.T) {
	c := Default()
	c.DB = "postgres://fax:s3cret@db.example:5432/fax?sslmode=require"
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("config", "config", c)
	out := buf.String()
	if strings.Contains(out, "s3cret") || !strings.Contains(out, `config.db="postgres://fax:xxxxx@db.example:5432/fax`) {
		t.Errorf("logged config = %s", out)
	}
	for dsn, want := range map[string]string{
		"":                          "",
		"postgres://u@h/db":         "postgres://u@h/db",
		"postgresql://u:p@h/db?x=1": "postgresql://u:xxxxx@h/db?x=1",
		"sqlite:/var/lib/f.db":      "sqlite:/var/lib/f.db",
	} {
		if got := RedactDSN(dsn); got != want {
			t.Errorf("RedactDSN(%q) = %q, want %q", dsn, got, want)
		}
	}
}
