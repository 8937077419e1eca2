package outbound

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gomsgmail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// A real SMTP server for the tests (github.com/emersion/go-smtp): it
// records every message it accepts, with its envelope, the authenticated
// user and whether the session was encrypted.

type received struct {
	From string
	To   []string
	Data []byte
	User string
	TLS  bool
}

type serverOpts struct {
	TLS        *tls.Config       // offered with STARTTLS, or used from the first byte with Implicit
	Implicit   bool              // implicit TLS (port 465 style)
	Users      map[string]string // AUTH users; nil = no AUTH offered
	Mechs      []string          // AUTH mechanisms (default PLAIN and LOGIN)
	RejectRcpt string            // this recipient gets 550
	Addr       string            // listen address (default 127.0.0.1:0)
}

type testServer struct {
	t    *testing.T
	srv  *smtp.Server
	ln   net.Listener
	Host string
	Port int

	mu    sync.Mutex
	msgs  []received
	mails int      // MAIL FROM commands seen (accepted or not)
	auths []string // "user:ok" / "user:fail"
}

func startServer(t *testing.T, o serverOpts) *testServer {
	t.Helper()
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if o.Mechs == nil {
		o.Mechs = []string{sasl.Plain, sasl.Login}
	}
	ts := &testServer{t: t}
	be := smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		s := &session{ts: ts, conn: c, opts: o}
		if o.Users != nil {
			return &authSession{session: s}, nil
		}
		return s, nil
	})
	ts.srv = smtp.NewServer(be)
	ts.srv.Domain = "localhost"
	ts.srv.ErrorLog = log.New(io.Discard, "", 0) // clients that hang up (plain text to a TLS port) are expected
	ts.srv.ReadTimeout, ts.srv.WriteTimeout = 10*time.Second, 10*time.Second
	ts.srv.MaxMessageBytes = 50 << 20
	var err error
	if o.Implicit {
		ts.ln, err = tls.Listen("tcp", o.Addr, o.TLS)
	} else {
		ts.srv.TLSConfig = o.TLS
		ts.ln, err = net.Listen("tcp", o.Addr)
	}
	if err != nil {
		t.Fatalf("test SMTP server: listen: %v", err)
	}
	host, port, _ := net.SplitHostPort(ts.ln.Addr().String())
	ts.Host = host
	ts.Port, _ = strconv.Atoi(port)
	go func() { _ = ts.srv.Serve(ts.ln) }()
	t.Cleanup(ts.Close)
	return ts
}

// Close stops the server (twice is fine).
func (ts *testServer) Close() { _ = ts.srv.Close() }

func (ts *testServer) messages() []received {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]received(nil), ts.msgs...)
}

func (ts *testServer) mailCommands() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.mails
}

func (ts *testServer) authAttempts() []string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]string(nil), ts.auths...)
}

type session struct {
	ts   *testServer
	conn *smtp.Conn
	opts serverOpts
	user string
	from string
	to   []string
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.ts.mu.Lock()
	s.ts.mails++
	s.ts.mu.Unlock()
	if s.opts.Users != nil && s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.EqualFold(to, s.opts.RejectRcpt) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user here"}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.ts.mu.Lock()
	s.ts.msgs = append(s.ts.msgs, received{From: s.from, To: s.to, Data: b, User: s.user, TLS: isTLS})
	s.ts.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

type authSession struct{ *session }

func (s *authSession) AuthMechanisms() []string { return s.opts.Mechs }

func (s *authSession) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		ok := s.opts.Users[user] == pass && pass != ""
		s.ts.mu.Lock()
		s.ts.auths = append(s.ts.auths, user+":"+map[bool]string{true: "ok", false: "fail"}[ok])
		s.ts.mu.Unlock()
		if !ok {
			return errors.New("invalid credentials")
		}
		s.user = user
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

// loginServer is the server side of SASL LOGIN (go-sasl has only the
// client): "Username:" and "Password:" challenges.
type loginServer struct {
	check      func(user, pass string) error
	step       int
	user, pass string
}

func (l *loginServer) Next(resp []byte) ([]byte, bool, error) {
	l.step++
	switch l.step {
	case 1:
		if len(resp) > 0 { // initial response carries the user name
			l.user, l.step = string(resp), 2
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 2:
		l.user = string(resp)
		return []byte("Password:"), false, nil
	case 3:
		l.pass = string(resp)
		return nil, true, l.check(l.user, l.pass)
	}
	return nil, false, errors.New("unexpected LOGIN step")
}

// testCert is a self-signed certificate for 127.0.0.1 and localhost and a
// pool that trusts it.
type testCert struct {
	Server *tls.Config
	Pool   *x509.CertPool
}

func newTestCert(t *testing.T) testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "faxgate test relay"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return testCert{
		Server: &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}},
			MinVersion: tls.VersionTLS12},
		Pool: pool,
	}
}

// freePort returns a loopback port nothing listens on (for "relay down").
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	return port
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// parsedMail is a received message read back with go-message.
type parsedMail struct {
	Header      gomsgmail.Header
	Text, HTML  string
	Attachments []parsedAttachment
}

type parsedAttachment struct {
	Name, ContentType string
	Data              []byte
}

func parseMail(t *testing.T, data []byte) parsedMail {
	t.Helper()
	mr, err := gomsgmail.CreateReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("parse message: %v\n%s", err, data)
	}
	out := parsedMail{Header: mr.Header}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("parse message part: %v", err)
		}
		body, err := io.ReadAll(p.Body)
		if err != nil {
			t.Fatalf("read message part: %v", err)
		}
		switch h := p.Header.(type) {
		case *gomsgmail.InlineHeader:
			ct, _, _ := h.ContentType()
			if ct == "text/html" {
				out.HTML = string(body)
			} else {
				out.Text = string(body)
			}
		case *gomsgmail.AttachmentHeader:
			name, _ := h.Filename()
			ct, _, _ := h.ContentType()
			out.Attachments = append(out.Attachments, parsedAttachment{Name: name, ContentType: ct, Data: body})
		}
	}
	return out
}
