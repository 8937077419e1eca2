package e2e

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"faxgate/internal/faxtiff"
	"faxgate/internal/telephony/sip/siptest"
)

// TestSIP runs two real `faxgate serve` processes on 127.0.0.1 (separate
// data folders, SQLite): node A sends over a SIP trunk to a DID of node B,
// in T.38 and in G.711, directly and through Kamailio as a stateful proxy,
// with a loopback capture of one T.38 call decoded by tshark. Every call
// runs in real time (about 30-40 s per one-page fax).

const (
	sipDID       = "+12025550123"
	sipUserPass  = "sip e2e password 1"
	sipSenderLog = "sender@a.e2e.test"
	sipRecvLog   = "receiver@b.e2e.test"
)

// sipNode is one running `faxgate serve`.
type sipNode struct {
	name      string
	dir       string
	base      string // http://127.0.0.1:port
	sipPort   int
	tlsPort   int // SIP over TLS (0: none)
	rtpLo     int
	rtpHi     int
	logPath   string
	adminUser string
}

// sipStartNode runs `faxgate admin create` then `faxgate serve` with its own
// data folder, HTTP, SIP and RTP ports, and a SIP TLS listener with a
// certificate for 127.0.0.1 from ca (trusting ca for its own TLS calls);
// it is stopped (SIGTERM) when the test ends.
func sipStartNode(t *testing.T, name string, rtpLo int, ca *siptest.CA) *sipNode {
	t.Helper()
	bin := buildFaxgate(t)
	n := &sipNode{name: name, dir: t.TempDir(), sipPort: freePort(t), tlsPort: freePort(t), rtpLo: rtpLo,
		rtpHi: rtpLo + 39}
	certPEM, keyPEM, err := ca.Issue("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	tlsFiles := map[string][]byte{"sip.crt": certPEM, "sip.key": keyPEM, "ca.pem": ca.PEM}
	for f, b := range tlsFiles {
		if err := os.WriteFile(filepath.Join(n.dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	httpPort := freePort(t)
	n.base = fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	n.logPath = filepath.Join(n.dir, "serve.log")
	common := []string{"--data", n.dir, "--smtp", "off"}
	out, err := exec.Command(bin, append([]string{"admin", "create", "--email", adminEmail, "--password", adminPass,
		"--sip", "off"}, common...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: admin create: %v\n%s", name, err, out)
	}
	logf, err := os.Create(n.logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append([]string{"serve", "--http", fmt.Sprintf("127.0.0.1:%d", httpPort),
		"--sip", fmt.Sprintf("127.0.0.1:%d", n.sipPort), "--rtp-ports", fmt.Sprintf("%d-%d", n.rtpLo, n.rtpHi),
		"--sip-tls", fmt.Sprintf("127.0.0.1:%d", n.tlsPort), "--sip-tls-cert", filepath.Join(n.dir, "sip.crt"),
		"--sip-tls-key", filepath.Join(n.dir, "sip.key"), "--sip-tls-ca", filepath.Join(n.dir, "ca.pem"),
		"--public-ip", "127.0.0.1"}, common...)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		logf.Close()
		if t.Failed() || os.Getenv("FAXGATE_E2E_LOGS") != "" {
			t.Logf("--- node %s log (requests and job counts left out) ---\n%s", name, sipTail(sipLog(n.logPath), 12000))
		}
	})
	waitHealthy(t, n.base)
	return n
}

// sipUntrustedTLS listens for TLS on 127.0.0.1 with a certificate for
// 127.0.0.1 from a CA nobody trusts, and returns its port: a SIP server
// whose certificate A must refuse (nothing SIP is ever read).
func sipUntrustedTLS(t *testing.T) int {
	t.Helper()
	other, err := siptest.NewCA("untrusted CA")
	if err != nil {
		t.Fatal(err)
	}
	conf, err := other.ServerConfig("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	l, err := tls.Listen("tcp", "127.0.0.1:0", conf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				_, _ = io.Copy(io.Discard, c) // the handshake fails on the caller's side
			}()
		}
	}()
	return l.Addr().(*net.TCPAddr).Port
}

// sipLog reads a node's log without the HTTP request and River job count
// lines.
func sipLog(path string) []byte {
	b, _ := os.ReadFile(path)
	var out []byte
	for _, l := range bytes.SplitAfter(b, []byte("\n")) {
		if !bytes.Contains(l, []byte(`msg="http request"`)) && !bytes.Contains(l, []byte("Producer job counts")) {
			out = append(out, l...)
		}
	}
	return out
}

func sipTail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// api sends a JSON request as login/pass and decodes the answer into out;
// it fails the test unless the status is want.
func (n *sipNode) api(t *testing.T, method, path, login, pass string, body, out any, want int) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		j, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, n.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	n.do(t, req, login, pass, out, want)
}

func (n *sipNode) do(t *testing.T, req *http.Request, login, pass string, out any, want int) {
	t.Helper()
	req.SetBasicAuth(login, pass)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Fatalf("node %s: %s %s: %s: %s", n.name, req.Method, req.URL.Path, res.Status, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("node %s: %s %s: %v", n.name, req.Method, req.URL.Path, err)
		}
	}
}

// sipTenantWithUser creates a tenant and its tenant admin; it returns the
// tenant id.
func (n *sipNode) sipTenantWithUser(t *testing.T, name, login string) string {
	t.Helper()
	var tenant struct {
		ID string `json:"id"`
	}
	n.api(t, "POST", "/api/v1/tenants", adminEmail, adminPass, map[string]any{"name": name}, &tenant, 201)
	n.api(t, "POST", "/api/v1/users", adminEmail, adminPass, map[string]any{"tenant_id": tenant.ID, "role": "tenant",
		"email": login, "password": sipUserPass, "first_name": "E2E", "last_name": name}, nil, 201)
	return tenant.ID
}

// sipUploadDocument uploads a one-page text document as login and waits until it is
// ready; it returns the document id.
func (n *sipNode) sipUploadDocument(t *testing.T, login string) string {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("name", "SIP test page")
	_ = mw.WriteField("quality", "standard") // a text page at standard resolution: about 35 s on the line
	fw, err := mw.CreateFormFile("file", "page.txt")
	if err != nil {
		t.Fatal(err)
	}
	txt, err := os.ReadFile(writeText(t))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(txt)
	mw.Close()
	req, err := http.NewRequest("POST", n.base+"/api/v1/documents", &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	var doc struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Pages  int    `json:"pages"`
		Error  string `json:"error"`
	}
	n.do(t, req, login, sipUserPass, &doc, 201)
	deadline := time.Now().Add(2 * time.Minute)
	for doc.Status != "ready" {
		if doc.Status == "failed" || time.Now().After(deadline) {
			t.Fatalf("document %s: %s %s", doc.ID, doc.Status, doc.Error)
		}
		time.Sleep(200 * time.Millisecond)
		n.api(t, "GET", "/api/v1/documents/"+doc.ID, login, sipUserPass, nil, &doc, 200)
	}
	return doc.ID
}

type sipFax struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	Pages      int    `json:"pages"`
	To         string `json:"to"`
	Cause      string `json:"cause"`
	ResultText string `json:"result_text"`
	Attempts   []struct {
		Transport  string     `json:"transport"`
		Cause      string     `json:"cause"`
		ResultText string     `json:"result_text"`
		Pages      int        `json:"pages"`
		TrunkName  string     `json:"trunk_name"`
		BitRate    int        `json:"bit_rate"`
		ECM        bool       `json:"ecm"`
		StartedAt  time.Time  `json:"started_at"`
		AnsweredAt *time.Time `json:"answered_at"`
		EndedAt    *time.Time `json:"ended_at"`
	} `json:"attempts"`
	CreatedAt time.Time `json:"created_at"`
}

// sendFax sends the document to the DID and waits for the outcome.
func (n *sipNode) sendFax(t *testing.T, login, docID, to string) sipFax {
	t.Helper()
	var f sipFax
	n.api(t, "POST", "/api/v1/faxes", login, sipUserPass, map[string]any{"to": to, "document_id": docID,
		"retries": 0}, &f, 201)
	deadline := time.Now().Add(4 * time.Minute)
	for f.Status != "delivered" && f.Status != "failed" && f.Status != "canceled" {
		if time.Now().After(deadline) {
			t.Fatalf("fax %s still %s after 4 min", f.ID, f.Status)
		}
		time.Sleep(500 * time.Millisecond)
		n.api(t, "GET", "/api/v1/faxes/"+f.ID, login, sipUserPass, nil, &f, 200)
	}
	return f
}

// received waits until the tenant's inbox on n holds want received faxes
// and returns them.
func (n *sipNode) received(t *testing.T, login string, want int) []sipFax {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		var list struct {
			Items []sipFax `json:"items"`
		}
		n.api(t, "GET", "/api/v1/faxes?direction=inbound", login, sipUserPass, nil, &list, 200)
		done := 0
		for _, f := range list.Items {
			if f.Status != "receiving" {
				done++
			}
		}
		if done >= want {
			return list.Items
		}
		if time.Now().After(deadline) {
			t.Fatalf("node %s: %d of %d inbound faxes finished after 1 min: %+v", n.name, done, want, list.Items)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func TestSIP(t *testing.T) {
	ca, err := siptest.NewCA("faxgate e2e SIP CA")
	if err != nil {
		t.Fatal(err)
	}
	a, b := sipStartNode(t, "A", 46000, ca), sipStartNode(t, "B", 46100, ca)
	recvTenant := b.sipTenantWithUser(t, "Receiver Inc", sipRecvLog)
	b.api(t, "POST", "/api/v1/dids", adminEmail, adminPass, map[string]any{"number": sipDID, "tenant_id": recvTenant},
		nil, 201)
	a.sipTenantWithUser(t, "Sender Ltd", sipSenderLog)
	a.api(t, "PATCH", "/api/v1/trunks/trk_testlinedefault2", adminEmail, adminPass, map[string]any{"enabled": false},
		nil, 200)
	var direct struct {
		ID string `json:"id"`
	}
	a.api(t, "POST", "/api/v1/trunks", adminEmail, adminPass, map[string]any{"name": "Direct to B", "kind": "sip",
		"host": "127.0.0.1", "port": b.sipPort, "t38": "request", "max_channels": 4}, &direct, 201)
	doc := a.sipUploadDocument(t, sipSenderLog)

	sent := 0
	send := func(t *testing.T, wantTransport string) {
		t.Helper()
		f := a.sendFax(t, sipSenderLog, doc, sipDID)
		sent++
		for _, at := range f.Attempts {
			t.Logf("fax created %s; attempt on %q: started %s, answered %v, ended %v; %s, %d bit/s, ECM %v: %s",
				f.CreatedAt.Format(time.TimeOnly), at.TrunkName, at.StartedAt.Format(time.TimeOnly), at.AnsweredAt,
				at.EndedAt, at.Transport, at.BitRate, at.ECM, at.ResultText)
		}
		if f.Status != "delivered" || len(f.Attempts) != 1 || f.Attempts[0].Transport != wantTransport {
			t.Fatalf("fax on A: %s (%s), attempts %+v; want delivered over %s", f.Status, f.ResultText, f.Attempts,
				wantTransport)
		}
		in := b.received(t, sipRecvLog, sent)
		if got := in[0]; got.Status != "received" || got.Pages != 1 || got.To != sipDID {
			t.Fatalf("newest inbound fax on B: %+v; want received, 1 page, to %s", got, sipDID)
		}
		sipSamePages(t, a.download(t, "/api/v1/faxes/"+f.ID+"/file?format=tiff", sipSenderLog),
			b.download(t, "/api/v1/faxes/"+in[0].ID+"/file?format=tiff", sipRecvLog))
		sipSameCDR(t, a, b, f.ID, in[0].ID, wantTransport)
	}
	refused := func(t *testing.T, to, wantCause, wantText string) {
		t.Helper()
		f := a.sendFax(t, sipSenderLog, doc, to)
		if f.Status != "failed" || f.Cause != wantCause || len(f.Attempts) != 1 ||
			!strings.Contains(f.Attempts[0].ResultText, wantText) {
			t.Fatalf("fax to %s: %s, cause %q, attempts %+v; want failed, %s, %q", to, f.Status, f.Cause, f.Attempts,
				wantCause, wantText)
		}
	}
	t.Run("t38 request", func(t *testing.T) { send(t, "t38") })
	t.Run("t38 off: G.711", func(t *testing.T) {
		a.api(t, "PATCH", "/api/v1/trunks/"+direct.ID, adminEmail, adminPass, map[string]any{"t38": "off"}, nil, 200)
		send(t, "g711")
	})
	t.Run("unknown DID: 404", func(t *testing.T) { refused(t, "+12025550999", "unreachable", "404") })
	t.Run("over TLS", func(t *testing.T) {
		// A's trunk to B's TLS port; both trust the test CA (--sip-tls-ca).
		a.api(t, "PATCH", "/api/v1/trunks/"+direct.ID, adminEmail, adminPass, map[string]any{"t38": "request",
			"transport": "tls", "port": b.tlsPort}, nil, 200)
		send(t, "t38")
		t.Run("untrusted certificate refused", func(t *testing.T) {
			port := sipUntrustedTLS(t)
			a.api(t, "PATCH", "/api/v1/trunks/"+direct.ID, adminEmail, adminPass, map[string]any{"port": port},
				nil, 200)
			// No SIP response at all: faxout's cause network (next trunk,
			// then retry), the x509 error in the result text.
			refused(t, sipDID, "network", "certificate")
		})
		a.api(t, "PATCH", "/api/v1/trunks/"+direct.ID, adminEmail, adminPass, map[string]any{"transport": "udp",
			"port": b.sipPort}, nil, 200)
	})

	// B gets a SIP trunk of its own (a carrier at 127.0.0.2 it registers
	// to): from then on only that host may call B.
	var bTrunk sipTrunk
	b.api(t, "PATCH", "/api/v1/trunks/trk_testlinedefault2", adminEmail, adminPass, map[string]any{"enabled": false},
		nil, 200)
	b.api(t, "POST", "/api/v1/trunks", adminEmail, adminPass, map[string]any{"name": "Carrier", "kind": "sip",
		"host": "127.0.0.2", "port": 5999, "username": "nodeb", "password": sipKamBPass, "register": true,
		"max_channels": 4}, &bTrunk, 201)
	t.Run("source not a trunk: 403", func(t *testing.T) {
		b.waitRegistration(t, bTrunk.ID, "", time.Time{}) // B has loaded the trunk
		refused(t, sipDID, "rejected", "403")
	})
	t.Run("through Kamailio: digest, REGISTER via outbound proxy, capture", func(t *testing.T) {
		kport := sipStartKamailio(t)
		patchB := func(t *testing.T, fields map[string]any) {
			since := time.Now()
			b.api(t, "PATCH", "/api/v1/trunks/"+bTrunk.ID, adminEmail, adminPass, fields, nil, 200)
			b.waitRegistration(t, bTrunk.ID, "registered", since)
		}
		// B reaches its carrier through an outbound proxy (Kamailio): the
		// carrier's own name does not resolve, so B registers only if its
		// REGISTERs go to the proxy; calls come from the proxy's address.
		patchB(t, map[string]any{"host": "carrier.invalid", "port": 5060,
			"outbound_proxy": fmt.Sprintf("127.0.0.1:%d", kport), "allowed_sources": []string{"127.0.0.1"}})
		a.api(t, "PATCH", "/api/v1/trunks/"+direct.ID, adminEmail, adminPass, map[string]any{"enabled": false}, nil, 200)
		var viaK sipTrunk
		a.api(t, "POST", "/api/v1/trunks", adminEmail, adminPass, map[string]any{"name": "Via Kamailio", "kind": "sip",
			"host": "127.0.0.1", "port": kport, "username": "nodea", "password": sipKamAPass, "t38": "request",
			"max_channels": 4}, &viaK, 201)
		capture := sipStartCapture(t)
		send(t, "t38")
		sipCheckT38Capture(t, capture.stop(t), a.sipPort, b.sipPort, kport)

		// B answers calls from its carrier with its trunk's policy.
		patchB(t, map[string]any{"t38": "off"})
		t.Run("A request, B off: fallback to G.711", func(t *testing.T) { send(t, "g711") })
		t.Run("A require, B off: clean failure", func(t *testing.T) {
			a.api(t, "PATCH", "/api/v1/trunks/"+viaK.ID, adminEmail, adminPass, map[string]any{"t38": "require"}, nil,
				200)
			refused(t, sipDID, "fax_negotiation", "T.38")
			sent++ // B answered, so it recorded a failed reception
			if in := b.received(t, sipRecvLog, sent); in[0].Status != "failed" {
				t.Errorf("newest inbound fax on B: %+v; want failed", in[0])
			}
		})
	})
}

type sipTrunk struct {
	ID           string `json:"id"`
	Registration *struct {
		State  string    `json:"state"`
		Status int       `json:"status"`
		Error  string    `json:"error"`
		At     time.Time `json:"at"`
	} `json:"registration"`
}

// waitRegistration waits until the trunk shows a registration state (any
// when want is "") that came after since: the node has loaded the trunk
// (as changed at since).
func (n *sipNode) waitRegistration(t *testing.T, id, want string, since time.Time) {
	t.Helper()
	var tr sipTrunk
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		n.api(t, "GET", "/api/v1/trunks/"+id, adminEmail, adminPass, nil, &tr, 200)
		if r := tr.Registration; r != nil && (want == "" || r.State == want && r.At.After(since)) {
			t.Logf("trunk %s registration: %+v", id, *r)
			return
		}
	}
	t.Fatalf("trunk %s registration %+v after 1 min; want %q", id, tr.Registration, want)
}

// sipStartKamailio runs Kamailio as the carrier: a registrar with digest
// authentication and a stateful, record-routing proxy (see sipKamailioCfg);
// it returns its port. It skips the test when kamailio is not installed.
func sipStartKamailio(t *testing.T) int {
	t.Helper()
	bin, err := exec.LookPath("kamailio")
	if err != nil {
		for _, p := range []string{"/usr/sbin/kamailio", "/usr/local/sbin/kamailio"} {
			if _, err := os.Stat(p); err == nil {
				bin = p
			}
		}
	}
	if bin == "" {
		t.Skip("kamailio is not installed (apt-get install kamailio); CI installs it")
	}
	dir := t.TempDir()
	port := freePort(t)
	cfg := fmt.Sprintf(sipKamailioCfg, port, sipKamailioModules(), sipKamBPass, sipKamAPass, sipDID)
	cfgPath := filepath.Join(dir, "kamailio.cfg")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, "kamailio.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-f", cfgPath, "-DD", "-E", "-Y", dir, "-m", "64", "-M", "8", "-w", dir)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pgid := cmd.Process.Pid // kamailio's own process group (Setpgid): it and its children only
	if pgid <= 1 {
		t.Fatalf("kamailio started with pid %d", pgid)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-done
		}
		logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("--- kamailio log ---\n%s", sipTail(b, 6000))
		}
	})
	sipWaitOptions(t, port)
	return port
}

// sipKamailioModules is the module folder of the installed Kamailio.
func sipKamailioModules() string {
	for _, p := range []string{"/usr/lib/x86_64-linux-gnu/kamailio/modules", "/usr/lib/aarch64-linux-gnu/kamailio/modules",
		"/usr/lib/kamailio/modules", "/usr/local/lib64/kamailio/modules"} {
		if _, err := os.Stat(filepath.Join(p, "tm.so")); err == nil {
			return p
		}
	}
	return "/usr/lib/x86_64-linux-gnu/kamailio/modules"
}

// Digest secrets of the two nodes at Kamailio.
const (
	sipKamAPass = "a-secret-at-kamailio"
	sipKamBPass = "b-secret-at-kamailio"
)

// sipKamailioCfg is the carrier: REGISTER needs digest (B's secret) and
// saves the binding; a new INVITE needs proxy digest (A's secret), is
// record-routed, and a call to the DID goes to the contact registered as
// "nodeb" (the DID stays in To); in-dialog requests follow the Record-Route.
const sipKamailioCfg = `#!KAMAILIO
debug=2
log_stderror=yes
children=2
disable_tcp=yes
auto_aliases=no
listen=udp:127.0.0.1:%d
mpath="%s"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "siputils.so"
loadmodule "textops.so"
loadmodule "xlog.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "auth.so"

request_route {
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	if (is_method("OPTIONS") && uri == myself && $rU == $null) {
		sl_send_reply("200", "OK");
		exit;
	}
	if (has_totag()) {
		if (loose_route()) {
			t_relay();
			exit;
		}
		if (is_method("ACK") && t_check_trans()) {
			t_relay();
		}
		exit;
	}
	if (is_method("CANCEL")) {
		if (t_check_trans()) {
			t_relay();
		}
		exit;
	}
	if (is_method("REGISTER")) {
		if (!pv_www_authenticate("$td", "%s", "0")) {
			www_challenge("$td", "0");
			exit;
		}
		save("location");
		exit;
	}
	if (!pv_proxy_authenticate("$fd", "%s", "0")) {
		proxy_challenge("$fd", "0");
		exit;
	}
	consume_credentials();
	if (is_method("INVITE")) {
		record_route();
	}
	if ($rU == "%s") {
		$rU = "nodeb";
	}
	if (!lookup("location")) {
		sl_send_reply("404", "Not Found");
		exit;
	}
	xlog("L_INFO", "relaying $rm to $ru\n");
	if (!t_relay()) {
		sl_reply_error();
	}
	exit;
}
`

// sipWaitOptions waits until a SIP server answers OPTIONS on port.
func sipWaitOptions(t *testing.T, port int) {
	t.Helper()
	conn, err := net.Dial("udp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	local := conn.LocalAddr().(*net.UDPAddr)
	req := fmt.Sprintf("OPTIONS sip:127.0.0.1:%d SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%d\r\n"+
		"From: <sip:probe@127.0.0.1>;tag=1\r\nTo: <sip:127.0.0.1:%d>\r\nCall-ID: probe-%d@127.0.0.1\r\n"+
		"CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n", port, local.Port, time.Now().UnixNano(),
		port, time.Now().UnixNano())
	buf := make([]byte, 4096)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); {
		_, _ = conn.Write([]byte(req))
		_ = conn.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		if n, err := conn.Read(buf); err == nil && strings.HasPrefix(string(buf[:n]), "SIP/2.0 200") {
			return
		}
	}
	t.Fatalf("no 200 to OPTIONS on port %d", port)
}

// sipCapture is a running dumpcap on the loopback interface.
type sipCapture struct {
	cmd    *exec.Cmd
	path   string
	exited chan struct{} // closed when dumpcap has exited (Wait returned)
}

// sipStartCapture captures UDP on loopback, or skips the calling subtest's
// capture check (returning nil) when capturing is not permitted.
func sipStartCapture(t *testing.T) *sipCapture {
	t.Helper()
	bin, err := exec.LookPath("dumpcap")
	if err != nil {
		t.Log("dumpcap is not installed: the T.38 capture check is skipped")
		return nil
	}
	c := &sipCapture{path: filepath.Join(t.TempDir(), "t38.pcapng")}
	c.cmd = exec.Command(bin, "-q", "-i", "lo", "-f", "udp", "-w", c.path)
	var stderr bytes.Buffer
	c.cmd.Stderr = &stderr
	if err := c.cmd.Start(); err != nil {
		t.Logf("dumpcap did not start (%v): the T.38 capture check is skipped", err)
		return nil
	}
	c.exited = make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(c.exited) }()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		select {
		case <-c.exited:
			t.Logf("capturing on loopback is not permitted here (%s): the T.38 capture check is skipped",
				strings.TrimSpace(stderr.String()))
			return nil
		default:
		}
		if st, err := os.Stat(c.path); err == nil && st.Size() > 0 {
			time.Sleep(300 * time.Millisecond) // the filter is compiled and the socket open
			return c
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = c.cmd.Process.Kill() // only this dumpcap, by its own process handle
	<-c.exited
	t.Log("dumpcap wrote nothing within 10 s: the T.38 capture check is skipped")
	return nil
}

// stop ends the capture and returns the file ("" when there was none).
func (c *sipCapture) stop(t *testing.T) string {
	if c == nil {
		return ""
	}
	// Signal through the process handle: it refers to this dumpcap only.
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.exited:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.exited
	}
	return c.path
}

// sipCheckT38Capture has tshark decode the capture on its own: SIP on the
// given ports, and from the SDP it finds there (m=image udptl t38) the
// T.38 streams, as Wireshark does for any call. It checks that the call
// shows T.38 indicators, T.30 control and image data, and nothing
// malformed.
func sipCheckT38Capture(t *testing.T, path string, sipPorts ...int) {
	t.Helper()
	if path == "" {
		return
	}
	if keep := os.Getenv("FAXGATE_E2E_PCAP"); keep != "" { // to look at it in Wireshark
		if b, err := os.ReadFile(path); err == nil {
			_ = os.WriteFile(keep, b, 0o600)
		}
	}
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Log("tshark is not installed: the T.38 decode check is skipped")
		return
	}
	args := []string{"-r", path, "-n"}
	for _, p := range sipPorts {
		args = append(args, "-d", "udp.port=="+strconv.Itoa(p)+",sip")
	}
	run := func(filter string, fields ...string) []string {
		a := append(append([]string{}, args...), "-Y", filter)
		if len(fields) > 0 {
			a = append(a, "-T", "fields")
			for _, f := range fields {
				a = append(a, "-e", f)
			}
		}
		out, err := exec.Command(tshark, a...).Output()
		if err != nil {
			t.Fatalf("tshark -Y %q: %v", filter, err)
		}
		return strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	}
	all, ind, data := run("t38", "frame.number", "udp.payload"), run("t38.t30_indicator"), run("t38.t30_data")
	t.Logf("capture: %d T.38 packets, %d indicators, %d data", len(all), len(ind), len(data))
	if len(all) < 100 || len(ind) == 0 || len(data) == 0 {
		t.Errorf("the capture does not show a T.38 fax call: %d packets, %d indicators, %d data", len(all), len(ind),
			len(data))
	}
	// Wireshark marks two kinds of packets that are not faults: the
	// deliberate repeats of indicators and end-of-data (the same datagram
	// sent up to 3 times: its reassembly has already used the first), and
	// a last RTP packet in flight when the stream switched to T.38.
	seen, payload := map[string]bool{}, map[string]string{}
	var order []string
	for _, l := range all {
		if f := strings.Split(l, "\t"); len(f) == 2 {
			payload[f[0]] = f[1]
			order = append(order, f[0])
		}
	}
	repeat := map[string]bool{}
	for _, fn := range order {
		repeat[fn] = seen[payload[fn]]
		seen[payload[fn]] = true
	}
	for _, l := range run("(t38 || sip) && _ws.malformed", "frame.number", "_ws.col.Protocol", "_ws.col.Info") {
		f := strings.SplitN(l, "\t", 3)
		if f[0] == "" {
			continue
		}
		p, isT38 := payload[f[0]]
		switch {
		case isT38 && (repeat[f[0]] || strings.HasPrefix(p, "80") && len(p) == 2*(12+160)):
		case !isT38:
			// Not one of the call's T.38 datagrams (Wireshark's SIP
			// heuristics on a forced port, a packet of another flow): noted,
			// the T.38 check is about the fax's datagrams.
			t.Logf("frame %s outside the T.38 stream is marked malformed by Wireshark: %v", f[0], f[1:])
		default:
			t.Errorf("T.38 frame %s is malformed: %v %s", f[0], f[1:], p)
		}
	}
}

// download GETs path as login and returns the body (status 200).
func (n *sipNode) download(t *testing.T, path, login string) []byte {
	t.Helper()
	req, err := http.NewRequest("GET", n.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(login, sipUserPass)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("node %s: GET %s: %s: %.200s", n.name, path, res.Status, b)
	}
	return b
}

// sipSamePages decodes the TIFF A sent and the TIFF B received (both as
// the API serves them) and compares them pixel for pixel. The sending
// engine adds a header line on top of each page (the tenant, the caller
// ID, the page count: see faxout's headerInfo), as extra rows or drawn
// over the first rows: below it every pixel must be the sent one, and the
// header rows must hold the header text.
func sipSamePages(t *testing.T, sentTIFF, gotTIFF []byte) {
	t.Helper()
	sent, err := faxtiff.Read(bytes.NewReader(sentTIFF), int64(len(sentTIFF)))
	if err != nil {
		t.Fatalf("decoding the sent fax: %v", err)
	}
	got, err := faxtiff.Read(bytes.NewReader(gotTIFF), int64(len(gotTIFF)))
	if err != nil {
		t.Fatalf("decoding the received fax: %v", err)
	}
	if len(got) != len(sent) {
		t.Fatalf("received %d pages, sent %d", len(got), len(sent))
	}
	for i := range sent {
		s, p := sent[i], got[i]
		extra := p.Height - s.Height
		if p.Width != s.Width || extra < 0 || extra > 128 {
			t.Fatalf("page %d: received %dx%d, sent %dx%d", i+1, p.Width, p.Height, s.Width, s.Height)
		}
		headerRows := extra
		if extra == 0 {
			headerRows = 64 // spandsp drew the header over the image's first rows
		}
		header, diff := 0, 0
		for y := range p.Height {
			for x := range p.Width {
				switch {
				case y < headerRows:
					if p.Black(x, y) && (y < extra || !s.Black(x, y-extra)) {
						header++
					}
				case p.Black(x, y) != s.Black(x, y-extra):
					diff++
				}
			}
		}
		t.Logf("page %d: sent %dx%d, received %dx%d; %d header pixels in the top %d rows, %d pixels differ below",
			i+1, s.Width, s.Height, p.Width, p.Height, header, headerRows, diff)
		if diff != 0 || header < 100 {
			t.Errorf("page %d: %d pixels differ below the header, %d header pixels; want 0 and a header line",
				i+1, diff, header)
		}
	}
}

// sipCDR is the part of a CDR (GET /api/v1/reports/cdr) both sides of a
// call record.
type sipCDR struct {
	FaxID     string `json:"fax_id"`
	Direction string `json:"direction"`
	Status    string `json:"status"`
	FaxStatus string `json:"fax_status"`
	Transport string `json:"transport"`
	Cause     string `json:"cause"`
	Pages     int    `json:"pages"`
	BitRate   int    `json:"bit_rate"`
	ECM       bool   `json:"ecm"`
	To        string `json:"to"`
	SIPCallID string `json:"sip_call_id"`
	SIPCode   int    `json:"sip_code"`
	Codec     string `json:"codec"`
	PktsSent  int64  `json:"packets_sent"`
	PktsRcvd  int64  `json:"packets_received"`
}

// cdrOf returns the CDR of a fax from the node's CDR report, as login.
func (n *sipNode) cdrOf(t *testing.T, login, direction, faxID string) sipCDR {
	t.Helper()
	var list struct {
		Items []sipCDR `json:"items"`
	}
	n.api(t, "GET", "/api/v1/reports/cdr?limit=50&direction="+direction, login, sipUserPass, nil, &list, 200)
	for _, c := range list.Items {
		if c.FaxID == faxID {
			return c
		}
	}
	t.Fatalf("node %s: no %s CDR for fax %s in %+v", n.name, direction, faxID, list.Items)
	return sipCDR{}
}

// sipCallRow is the SIP record of a fax's call (attempts[].sip of
// GET /api/v1/faxes/{id}).
type sipCallRow struct {
	CallID    string `json:"call_id"`
	Transport string `json:"transport"`
	Cause     string `json:"cause"`
	Codec     string `json:"codec"`
	SIPCode   int    `json:"sip_code"`
	Packets   struct {
		Sent     int64 `json:"sent"`
		Received int64 `json:"received"`
	} `json:"packets"`
}

// sipCallOf reads the SIP record of a fax's last call through the node's
// API, as login. A reception's record is stored just after the fax, so it
// may take a moment to appear.
func (n *sipNode) sipCallOf(t *testing.T, login, faxID string) sipCallRow {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var f struct {
			Attempts []struct {
				SIP *sipCallRow `json:"sip"`
			} `json:"attempts"`
		}
		n.api(t, "GET", "/api/v1/faxes/"+faxID, login, sipUserPass, nil, &f, 200)
		if k := len(f.Attempts); k > 0 && f.Attempts[k-1].SIP != nil {
			return *f.Attempts[k-1].SIP
		}
		if time.Now().After(deadline) {
			t.Fatalf("node %s: fax %s has no SIP record on its last attempt: %+v", n.name, faxID, f.Attempts)
		}
	}
}

// sipSameCDR checks that A's CDR of the outbound fax and B's of the
// inbound one describe the same call: the same SIP Call-ID, final status
// 200, transport, codec, pages, bit rate, ECM and a completed status on
// both sides, read through each node's API (the fax's attempts[].sip and
// the CDR report's SIP columns, which must agree).
func sipSameCDR(t *testing.T, a, b *sipNode, outID, inID, wantTransport string) {
	t.Helper()
	ra, rb := a.sipCallOf(t, sipSenderLog, outID), b.sipCallOf(t, sipRecvLog, inID)
	ca, cb := a.cdrOf(t, sipSenderLog, "outbound", outID), b.cdrOf(t, sipRecvLog, "inbound", inID)
	t.Logf("CDR on A: %+v %+v; on B: %+v %+v", ca, ra, cb, rb)
	if ca.Status != "completed" || cb.Status != "completed" || ca.FaxStatus != "delivered" ||
		cb.FaxStatus != "received" {
		t.Errorf("CDR status A %s (fax %s), B %s (fax %s); want completed (delivered / received)", ca.Status,
			ca.FaxStatus, cb.Status, cb.FaxStatus)
	}
	if ca.Transport != wantTransport || cb.Transport != wantTransport || ca.Pages != 1 || cb.Pages != 1 ||
		ca.BitRate != cb.BitRate || ca.ECM != cb.ECM || ca.To != cb.To {
		t.Errorf("CDRs disagree: A %+v, B %+v; want %s, 1 page, the same rate, ECM and number", ca, cb, wantTransport)
	}
	if ra.CallID == "" || ra.CallID != rb.CallID || ra.SIPCode != 200 || rb.SIPCode != 200 ||
		ra.Transport != wantTransport || rb.Transport != wantTransport || ra.Codec != rb.Codec {
		t.Errorf("SIP CDR rows disagree: A %+v, B %+v; want one Call-ID, 200, %s, one codec", ra, rb, wantTransport)
	}
	if ra.Packets.Sent == 0 || ra.Packets.Received == 0 || rb.Packets.Sent == 0 || rb.Packets.Received == 0 {
		t.Errorf("SIP packet counters A %+v, B %+v; want traffic both ways on both sides", ra.Packets, rb.Packets)
	}
	// The CDR report shows the same record's columns.
	for _, c := range []struct {
		cdr sipCDR
		row sipCallRow
	}{{ca, ra}, {cb, rb}} {
		if c.cdr.SIPCallID != c.row.CallID || c.cdr.SIPCode != c.row.SIPCode || c.cdr.Codec != c.row.Codec ||
			c.cdr.PktsSent != c.row.Packets.Sent || c.cdr.PktsRcvd != c.row.Packets.Received {
			t.Errorf("CDR report %+v does not show the fax's SIP record %+v", c.cdr, c.row)
		}
	}
}
