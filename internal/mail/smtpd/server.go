package smtpd

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"
	"golang.org/x/time/rate"
)

// Server is the email-to-fax SMTP server.
type Server struct {
	deps   Deps
	cfg    Config
	log    *slog.Logger
	smtp   *smtp.Server
	ctx    context.Context
	cancel context.CancelFunc
	conns  *connLimiter
	ipRate *limiterMap
	tnRate *limiterMap
	now    func() time.Time

	inflight atomic.Int64 // messages between DATA and the reply

	mu     sync.Mutex
	closed bool
	lns    []net.Listener
}

// New builds a server; it loads (or generates) the TLS certificate.
func New(d Deps, c Config) (*Server, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	c = c.withDefaults()
	if c.Domain == "" {
		return nil, errors.New("smtpd: the platform email domain is required (--email-domain)")
	}
	cert, err := loadCertificate(c)
	if err != nil {
		return nil, err
	}
	logger := d.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{deps: d, cfg: c, log: logger.With("component", "smtpd"),
		conns:  newConnLimiter(c.MaxConns, c.MaxConnsPerIP),
		ipRate: newLimiterMap(c.MessagesPerMinuteIP),
		tnRate: newLimiterMap(c.MessagesPerMinuteTenant),
		now:    time.Now,
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = c.Hostname
	srv.MaxMessageBytes = c.MaxMessageBytes
	srv.MaxRecipients = 0 // checked (and audited) by the session
	srv.ReadTimeout, srv.WriteTimeout = c.ReadTimeout, c.WriteTimeout
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	srv.AllowInsecureAuth = false
	srv.ErrorLog = log.New(slogWriter{s.log}, "", 0)
	s.smtp = srv
	return s, nil
}

// Serve accepts connections on ln until Close or Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ln.Close()
		return nil
	}
	s.lns = append(s.lns, ln)
	s.mu.Unlock()
	err := s.smtp.Serve(&limitListener{Listener: ln, lim: s.conns})
	if errors.Is(err, smtp.ErrServerClosed) || (errors.Is(err, net.ErrClosed) && s.isClosed()) {
		return nil
	}
	return err
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// markClosed refuses further Serve calls and closes the listeners Serve
// was given (also those go-smtp has not registered yet).
func (s *Server) markClosed() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for _, ln := range s.lns {
		_ = ln.Close()
	}
}

// ListenAndServe listens on addr (":2525") and serves.
func (s *Server) ListenAndServe(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("smtpd: listen %s: %w", addr, err)
	}
	s.log.Info("SMTP listening", "addr", ln.Addr().String(), "domain", s.cfg.Domain)
	return s.Serve(ln)
}

// Shutdown stops accepting connections and new transactions, waits for
// the messages being received or converted to get their reply (or ctx),
// then closes every connection (idle clients reconnect later).
func (s *Server) Shutdown(ctx context.Context) error {
	s.markClosed()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for s.inflight.Load() > 0 {
		select {
		case <-ctx.Done():
			_ = s.Close()
			return ctx.Err()
		case <-tick.C:
		}
	}
	return s.Close()
}

// Close closes the listeners and every connection at once.
func (s *Server) Close() error {
	s.markClosed()
	s.cancel()
	err := s.smtp.Close()
	if errors.Is(err, smtp.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// slogWriter sends go-smtp's log lines to slog.
type slogWriter struct{ l *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	w.l.Warn("smtp", "msg", string(p))
	return len(p), nil
}

// --- connection limits -----------------------------------------------------

type connLimiter struct {
	mu         sync.Mutex
	total, max int
	perIP      map[string]int
	maxPerIP   int
}

func newConnLimiter(max, perIP int) *connLimiter {
	return &connLimiter{max: max, maxPerIP: perIP, perIP: map[string]int{}}
}

// acquire counts a connection from ip; "" when allowed, else the reason.
func (l *connLimiter) acquire(ip string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.total >= l.max {
		return "too many connections, try again later"
	}
	if l.perIP[ip] >= l.maxPerIP {
		return "too many connections from your address, try again later"
	}
	l.total++
	l.perIP[ip]++
	return ""
}

func (l *connLimiter) release(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.total--
	if l.perIP[ip]--; l.perIP[ip] <= 0 {
		delete(l.perIP, ip)
	}
}

// limitListener refuses connections over the limits with a 421 greeting.
type limitListener struct {
	net.Listener
	lim *connLimiter
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := remoteIP(c.RemoteAddr())
		if reason := l.lim.acquire(ip); reason != "" {
			go refuseConn(c, reason)
			continue
		}
		return &countedConn{Conn: c, release: func() { l.lim.release(ip) }}, nil
	}
}

func refuseConn(c net.Conn, reason string) {
	_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_, _ = io.WriteString(c, "421 4.7.0 "+reason+"\r\n")
	_ = c.Close()
}

type countedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *countedConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}

func remoteIP(a net.Addr) string {
	if a == nil {
		return ""
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}

// --- message rate limits ---------------------------------------------------

// limiterMap is a token bucket per key (IP or tenant), pruned when large.
type limiterMap struct {
	mu     sync.Mutex
	perMin float64
	m      map[string]*keyLimiter
}

type keyLimiter struct {
	lim  *rate.Limiter
	used time.Time
}

func newLimiterMap(perMinute float64) *limiterMap {
	return &limiterMap{perMin: perMinute, m: map[string]*keyLimiter{}}
}

func (m *limiterMap) allow(key string, now time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.m) > 10000 {
		for k, v := range m.m {
			if now.Sub(v.used) > 10*time.Minute {
				delete(m.m, k)
			}
		}
	}
	k := m.m[key]
	if k == nil {
		burst := max(1, int(m.perMin/3))
		k = &keyLimiter{lim: rate.NewLimiter(rate.Limit(m.perMin/60), burst)}
		m.m[key] = k
	}
	k.used = now
	return k.lim.AllowN(now, 1)
}
