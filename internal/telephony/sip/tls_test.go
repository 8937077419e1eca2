package sip

import (
	"context"
	"crypto/tls"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"faxgate/internal/telephony/sip/media"
	"faxgate/internal/telephony/sip/siptest"
)

// TestFaxOverTLS: A faxes B over SIP on TLS, each with a certificate for
// 127.0.0.1 from a CA made for the test and trusting only that CA: the
// INVITE goes to B's TLS port, B's T.38 re-INVITE to A's (each verifies
// the other's certificate), the media is T.38 over UDPTL as usual. Then a
// UA that trusts only the system's roots refuses B's certificate: the call
// fails before any INVITE reaches B.
func TestFaxOverTLS(t *testing.T) {
	realTime(t)
	ca, err := siptest.NewCA("faxgate test CA")
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg := func() Config {
		srv, err := ca.ServerConfig("127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		return Config{TLSListenAddr: "127.0.0.1:0", TLSServer: srv, TLSClient: &tls.Config{RootCAs: ca.Pool()}}
	}
	var invites handlerCount
	b := &receiver{dir: t.TempDir(), results: make(chan CallResult, 4)}
	bcfg := tlsCfg()
	bcfg.Handler = func(ctx context.Context, ic IncomingCall) Decision {
		invites.add(ic.Transport)
		file := filepath.Join(b.dir, "rx.tif")
		b.files.Store(ic.CallID, file)
		return Accept(Receive{RxFile: file, StationID: "+1 555 0001", Policy: policy(T38Request)},
			func(res CallResult) { b.results <- res })
	}
	b.ua = startUA(t, "B", bcfg)
	a := startUA(t, "A", tlsCfg())
	if b.ua.TLSPort() == 0 || b.ua.TLSPort() == b.ua.Port() {
		t.Fatalf("B's TLS port %d (SIP port %d)", b.ua.TLSPort(), b.ua.Port())
	}
	file := testDocument(t)
	d := dialB(b.ua, file, policy(T38Accept)) // B asks for T.38: its re-INVITE goes to A's TLS port
	d.Target = "127.0.0.1:" + itoa(b.ua.TLSPort())
	d.Transport = TLS
	ra, err := a.SendFax(context.Background(), d)
	if err != nil {
		t.Fatalf("SendFax: %v", err)
	}
	rb := b.result(t)
	t.Logf("A: %s", describe(ra))
	t.Logf("B: %s", describe(rb))
	if !ra.OK() || !rb.OK() || ra.CallID != rb.CallID || ra.Transport != media.T38 || rb.Transport != media.T38 {
		t.Fatalf("fax over TLS: A %s; B %s; want both OK over T.38", describe(ra), describe(rb))
	}
	samePages(t, file, b.file(rb.CallID))
	if rb.ReinvitesSent < 1 || ra.ReinvitesReceived < 1 {
		t.Errorf("B sent %d re-INVITEs, A got %d; want B's T.38 request over TLS to A", rb.ReinvitesSent,
			ra.ReinvitesReceived)
	}
	if got := invites.get(); len(got) != 1 || got[0] != TLS {
		t.Errorf("B's handler saw transports %v, want [tls]", got)
	}

	t.Run("untrusted certificate", func(t *testing.T) {
		srv, err := ca.ServerConfig("127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		// Trusts the system's roots only (the default): B's CA is not one.
		c := startUA(t, "C", Config{TLSListenAddr: "127.0.0.1:0", TLSServer: srv})
		d := dialB(b.ua, file, policy(T38Request))
		d.Target = "127.0.0.1:" + itoa(b.ua.TLSPort())
		d.Transport = TLS
		d.Timeout = 5 * time.Second
		r, err := c.SendFax(context.Background(), d)
		if err != nil {
			t.Fatalf("SendFax: %v", err)
		}
		t.Logf("C: %s", describe(r))
		if r.Answered || r.Cause != CauseUnreachable || !strings.Contains(strings.ToLower(r.CauseText), "certificate") {
			t.Errorf("call to an untrusted certificate: %s; want unreachable, a certificate error", describe(r))
		}
		if got := invites.get(); len(got) != 1 {
			t.Errorf("B's handler ran %d times; the refused handshake must keep the INVITE from B", len(got))
		}
	})
	t.Run("REGISTER over TLS", func(t *testing.T) {
		got := make(chan Binding, 4)
		rcfg := tlsCfg()
		rcfg.OnRegister = func(bd Binding) {
			select {
			case got <- bd:
			default:
			}
		}
		registrar := startUA(t, "registrar", rcfg)
		ctx, cancel := context.WithCancel(context.Background())
		states := make(chan RegState, 4)
		done := make(chan error, 1)
		go func() {
			done <- a.Register(ctx, Registration{Registrar: "127.0.0.1:" + itoa(registrar.TLSPort()), User: "alice",
				Transport: TLS, Expires: time.Hour, OnState: func(s RegState) {
					select {
					case states <- s:
					default:
					}
				}})
		}()
		select {
		case s := <-states:
			if !s.Registered || s.Status != 200 {
				t.Errorf("registration over TLS: %+v", s)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no registration outcome within 10 s")
		}
		cancel()
		<-done
		b := <-got
		if b.Transport != TLS || !strings.Contains(b.Contact, "transport=tls") ||
			!strings.Contains(b.Contact, ":"+itoa(a.TLSPort())) {
			t.Errorf("binding %+v; want transport tls, a Contact on A's TLS port %d", b, a.TLSPort())
		}
	})
	t.Run("no TLS listener", func(t *testing.T) {
		c := startUA(t, "D", Config{})
		d := dialB(b.ua, file, policy(T38Request))
		d.Transport = TLS
		r, _ := c.SendFax(context.Background(), d)
		if r.Cause != CauseInternal || !strings.Contains(r.CauseText, "TLS listener") {
			t.Errorf("TLS call without a TLS listener: %s; want internal, naming the listener", describe(r))
		}
	})
}

type handlerCount struct {
	mu sync.Mutex
	ts []Transport
}

func (h *handlerCount) add(t Transport) {
	h.mu.Lock()
	h.ts = append(h.ts, t)
	h.mu.Unlock()
}

func (h *handlerCount) get() []Transport {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Transport(nil), h.ts...)
}

func itoa(n int) string { return strconv.Itoa(n) }
