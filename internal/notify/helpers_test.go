package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/jobs"
	"faxgate/internal/model"
	"faxgate/internal/notify"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
)

// forEachEngine runs fn on a fresh store of every available engine.
func forEachEngine(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) { fn(t, e.Open(t)) })
	}
}

// env is a store with the domain services, a World, the webhook service and
// (when started) real River workers delivering webhooks.
type env struct {
	*authtest.Env
	W    authtest.World
	WH   *notify.Webhooks
	Jobs *jobs.Jobs
	Cfg  notify.WebhookConfig
}

// testConfig is a fast configuration: http allowed, private targets
// allowed (httptest listens on 127.0.0.1), short retry delays.
func testConfig() notify.WebhookConfig {
	return notify.WebhookConfig{
		AllowPrivateTargets: true,
		AllowInsecureHTTP:   true,
		Timeout:             5 * time.Second,
		Schedule:            []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond},
	}
}

// newEnv wires everything on st; cfg.Now defaults to the Env clock. The
// workers run only after start().
func newEnv(t *testing.T, st *store.Store, cfg notify.WebhookConfig) *env {
	t.Helper()
	e := &env{Env: authtest.NewEnv(t, st, nil)}
	e.W = e.NewWorld(t)
	if cfg.Now == nil {
		cfg.Now = e.Clock.Now
	}
	e.Cfg = cfg
	workers := river.NewWorkers()
	cleanup, err := notify.AddWebhookWorkers(workers, st, e.Audit, cfg)
	authtest.Must(t, "AddWebhookWorkers", err)
	e.Jobs, err = jobs.New(st, nil, workers, map[string]river.QueueConfig{notify.WebhookQueue: {MaxWorkers: 4}},
		jobs.WithFetchPollInterval(50*time.Millisecond), jobs.WithPeriodicJobs(cleanup))
	authtest.Must(t, "jobs.New", err)
	e.WH, err = notify.NewWebhooks(st, e.Jobs, e.Audit, cfg)
	authtest.Must(t, "NewWebhooks", err)
	return e
}

// start starts the River workers until the test ends.
func (e *env) start(t *testing.T) {
	t.Helper()
	authtest.Must(t, "jobs.Start", e.Jobs.Start(t.Context()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := e.Jobs.Stop(ctx); err != nil {
			t.Errorf("jobs.Stop: %v", err)
		}
	})
}

// endpoint registers an endpoint for the tenant admin actor.
func (e *env) endpoint(t *testing.T, actor model.Actor, url string, events ...string) model.WebhookEndpoint {
	t.Helper()
	ep, err := e.WH.Create(e.Ctx, actor, notify.WebhookInput{URL: url, Events: events})
	authtest.Must(t, "Create endpoint "+url, err)
	return ep
}

// waitFinal polls delivery id until it is final and returns it with its
// attempt log.
func (e *env) waitFinal(t *testing.T, id string) model.WebhookDelivery {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		d, err := e.St.GetWebhookDelivery(e.Ctx, model.PlatformScope(), id)
		authtest.Must(t, "GetWebhookDelivery", err)
		if d.Status.Final() {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery %s not final after 30 s: %+v", id, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// received is one request a receiver got.
type received struct {
	Path   string
	Header http.Header
	Body   []byte
	At     time.Time
}

// receiver is a real HTTP server recording webhook requests. respond
// decides the answer to the n-th request (1-based) of a path; nil = 200.
type receiver struct {
	srv     *httptest.Server
	mu      sync.Mutex
	reqs    []received
	respond func(n int, w http.ResponseWriter, r *http.Request)
}

func newReceiver(t *testing.T, respond func(n int, w http.ResponseWriter, r *http.Request)) *receiver {
	rc := &receiver{respond: respond}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.reqs = append(rc.reqs, received{Path: r.URL.Path, Header: r.Header.Clone(), Body: body, At: time.Now()})
	n := 0
	for _, q := range rc.reqs {
		if q.Path == r.URL.Path {
			n++
		}
	}
	respond := rc.respond
	rc.mu.Unlock()
	if respond == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	respond(n, w, r)
}

// url returns the server's URL for path.
func (rc *receiver) url(path string) string { return rc.srv.URL + path }

// got returns the requests received on path (all paths when "").
func (rc *receiver) got(path string) []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []received
	for _, q := range rc.reqs {
		if path == "" || q.Path == path {
			out = append(out, q)
		}
	}
	return out
}

// verifySignature checks a request the way a receiver following the
// Standard Webhooks specification does, written independently of the
// package's signer: HMAC-SHA256 keyed with the base64-decoded secret (after
// "whsec_") over "id.timestamp.body", base64, "v1," prefix; the header may
// hold several space-separated signatures, one must match.
func verifySignature(secret string, h http.Header, body []byte) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return err
	}
	id, ts := h.Get("webhook-id"), h.Get("webhook-timestamp")
	if id == "" || ts == "" {
		return errors.New("webhook-id or webhook-timestamp missing")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "." + string(body)))
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, sig := range strings.Fields(h.Get("webhook-signature")) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return nil
		}
	}
	return errors.New("no matching signature in " + h.Get("webhook-signature"))
}

// dnsServer is a small authoritative DNS server on 127.0.0.1 (UDP) with
// records the test sets, so that host names really resolve, through Go's
// own resolver, to the addresses a test needs (private ones included) and
// can be re-pointed mid-test (DNS rebinding).
type dnsServer struct {
	conn    net.PacketConn
	mu      sync.Mutex
	records map[string][]netip.Addr
}

func startDNS(t *testing.T) *dnsServer {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	authtest.Must(t, "listen DNS", err)
	d := &dnsServer{conn: conn, records: map[string][]netip.Addr{}}
	t.Cleanup(func() { _ = conn.Close() })
	go d.serve()
	return d
}

// set points name at addrs (none = NXDOMAIN).
func (d *dnsServer) set(name string, addrs ...string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var list []netip.Addr
	for _, a := range addrs {
		list = append(list, netip.MustParseAddr(a))
	}
	d.records[strings.ToLower(name)] = list
}

// resolver returns a Go resolver that asks only this server.
func (d *dnsServer) resolver() *net.Resolver {
	addr := d.conn.LocalAddr().String()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var dl net.Dialer
		return dl.DialContext(ctx, "udp", addr)
	}}
}

func (d *dnsServer) serve() {
	buf := make([]byte, 1500)
	for {
		n, from, err := d.conn.ReadFrom(buf)
		if err != nil {
			return
		}
		if resp := d.answer(buf[:n]); resp != nil {
			_, _ = d.conn.WriteTo(resp, from)
		}
	}
}

// answer builds the response to one query (RFC 1035 wire format): the
// question echoed, A or AAAA records with TTL 0, NXDOMAIN for unknown names.
func (d *dnsServer) answer(q []byte) []byte {
	if len(q) < 12 {
		return nil
	}
	var labels []string
	i := 12
	for i < len(q) && q[i] != 0 {
		l := int(q[i])
		if i+1+l > len(q) {
			return nil
		}
		labels = append(labels, string(q[i+1:i+1+l]))
		i += 1 + l
	}
	if i+5 > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[i+1:])
	question := q[12 : i+5]
	d.mu.Lock()
	addrs, known := d.records[strings.ToLower(strings.Join(labels, "."))]
	d.mu.Unlock()
	var answers [][]byte
	for _, a := range addrs {
		switch {
		case qtype == 1 && a.Is4():
			b := a.As4()
			answers = append(answers, rr(1, b[:]))
		case qtype == 28 && a.Is6():
			b := a.As16()
			answers = append(answers, rr(28, b[:]))
		}
	}
	flags := uint16(0x8180) // response, recursion desired and available
	if !known {
		flags |= 3 // NXDOMAIN
	}
	resp := binary.BigEndian.AppendUint16(nil, binary.BigEndian.Uint16(q))
	resp = binary.BigEndian.AppendUint16(resp, flags)
	resp = binary.BigEndian.AppendUint16(resp, 1)
	resp = binary.BigEndian.AppendUint16(resp, uint16(len(answers)))
	resp = append(resp, 0, 0, 0, 0)
	resp = append(resp, question...)
	for _, a := range answers {
		resp = append(resp, a...)
	}
	return resp
}

// rr is one answer record pointing back at the question's name.
func rr(typ uint16, data []byte) []byte {
	b := []byte{0xC0, 12}
	b = binary.BigEndian.AppendUint16(b, typ)
	b = binary.BigEndian.AppendUint16(b, 1) // IN
	b = binary.BigEndian.AppendUint32(b, 0) // TTL 0: every lookup asks again
	b = binary.BigEndian.AppendUint16(b, uint16(len(data)))
	return append(b, data...)
}
