package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"faxgate/internal/app/apptest"
	"faxgate/internal/faxtiff"
)

// TestSIPBench is issue 7's benchmark through real `faxgate serve` nodes:
// node A sends N one-page faxes at once over a SIP trunk to a DID of node
// B, and the test reports how many calls ended OK on both sides, how fast
// calls were set up, CPU per call, peak RSS and time per page against the
// line-rate rule of notes/fax-engine.md §6. It is skipped unless
// FAXGATE_BENCH_NODES=N is set:
//
//	FAXGATE_BENCH_NODES=500 go test -count=1 -timeout 30m -run TestSIPBench -v ./e2e/
//
// FAXGATE_BENCH_TRANSPORT=g711 runs G.711 on both trunks (default t38);
// FAXGATE_BENCH_DB=postgres runs both nodes on PostgreSQL (a schema each on
// the server of FAXGATE_TEST_POSTGRES); FAXGATE_BENCH_CLIENTS sets the
// parallel HTTP clients submitting (default 16); FAXGATE_BENCH_BURST=1
// submits every fax with one send_at a little later, so that the node
// starts them all at once and the setup rate is the node's, not the
// submitters'; FAXGATE_BENCH_LOGS=DIR keeps the nodes' logs there;
// FAXGATE_BENCH_NICE=-10 runs both nodes at that scheduling priority
// (through nice(1), which execs faxgate in the same process), to see what
// the nodes sustain when other programs on the machine do not take their
// CPU at the wrong moment. It fails when a call
// fails: a benchmark whose calls do not all end OK has no figure.
func TestSIPBench(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("FAXGATE_BENCH_NODES"))
	if n <= 0 {
		t.Skip("set FAXGATE_BENCH_NODES=N to run N concurrent calls between two faxgate serve nodes")
	}
	transport := cmpOr(os.Getenv("FAXGATE_BENCH_TRANSPORT"), "t38")
	if transport != "t38" && transport != "g711" {
		t.Fatalf("FAXGATE_BENCH_TRANSPORT=%s: want t38 or g711", transport)
	}
	clients, _ := strconv.Atoi(os.Getenv("FAXGATE_BENCH_CLIENTS"))
	if clients <= 0 {
		clients = 16
	}
	burst := os.Getenv("FAXGATE_BENCH_BURST") == "1"
	dsn := func(t *testing.T) string { return "" }
	engine := cmpOr(os.Getenv("FAXGATE_BENCH_DB"), "sqlite")
	switch engine {
	case "sqlite":
	case "postgres":
		pg := os.Getenv(apptest.EnvPostgres)
		if pg == "" {
			t.Fatalf("FAXGATE_BENCH_DB=postgres needs %s", apptest.EnvPostgres)
		}
		dsn = func(t *testing.T) string { return apptest.PostgresSchema(t, pg) }
	default:
		t.Fatalf("FAXGATE_BENCH_DB=%s: want sqlite or postgres", engine)
	}
	// Two ports per call (RTP/UDPTL and RTCP) plus room for ports other
	// processes hold.
	ports := 2*n + 200
	a := benchStartNode(t, "A", 50000, ports, dsn(t))
	b := benchStartNode(t, "B", 50000+ports+100, ports, dsn(t))

	// B: the receiving tenant's DID, and a SIP trunk towards A so that only
	// A may call and B answers with that trunk's policy and channel cap.
	recvTenant := b.sipTenantWithUser(t, "Receiver Inc", sipRecvLog)
	b.api(t, "POST", "/api/v1/dids", adminEmail, adminPass, map[string]any{"number": sipDID, "tenant_id": recvTenant},
		nil, 201)
	policyB, policyA := "accept", "request"
	if transport == "g711" {
		policyB, policyA = "off", "off"
	}
	b.api(t, "POST", "/api/v1/trunks", adminEmail, adminPass, map[string]any{"name": "Node A", "kind": "sip",
		"host": "127.0.0.1", "port": a.sipPort, "t38": policyB, "max_channels": n}, nil, 201)
	b.recvKey = b.apiKey(t, sipRecvLog)

	// A: the test line off, a SIP trunk to B with N channels; restarted so
	// that the fax queue is sized from the trunks (--fax-workers 0).
	a.sipTenantWithUser(t, "Sender Ltd", sipSenderLog)
	a.api(t, "PATCH", "/api/v1/trunks/trk_testlinedefault2", adminEmail, adminPass, map[string]any{"enabled": false},
		nil, 200)
	a.api(t, "POST", "/api/v1/trunks", adminEmail, adminPass, map[string]any{"name": "Direct to B", "kind": "sip",
		"host": "127.0.0.1", "port": b.sipPort, "t38": policyA, "max_channels": n}, nil, 201)
	a.restart(t)
	if w := a.faxWorkersLogged(t); w < n {
		t.Fatalf("node A runs %d calls at once (log), want at least %d", w, n)
	}
	doc := a.sipUploadDocument(t, sipSenderLog)
	pageBytes := a.pageBytes(t, doc)
	sendKey := a.apiKey(t, sipSenderLog)
	// B reloads its trunks every 5 s: wait for it to know A.
	time.Sleep(6 * time.Second)

	load0 := readLoadAvg()
	cpuA0, cpuB0 := procCPU(t, a.pid()), procCPU(t, b.pid())
	start := time.Now()
	stopFDs, peakFDs := sampleFDs(a.pid(), b.pid())
	var sendAt *time.Time
	if burst {
		// Submitting takes about 15 ms per fax here; the calls start together
		// once River's scheduler makes them due.
		at := time.Now().Add(10*time.Second + time.Duration(n)*30*time.Millisecond).UTC()
		sendAt = &at
	}
	submitted := benchSubmit(t, a, sendKey, doc, n, clients, sendAt)
	submitTook := time.Since(start)
	t.Logf("%d faxes submitted in %.1f s by %d clients (send_at %v)", len(submitted), submitTook.Seconds(), clients,
		sendAt)

	out := a.waitFinal(t, sendKey, n, 15*time.Minute)
	wall := time.Since(start)
	stopFDs()
	cpuA, cpuB := procCPU(t, a.pid())-cpuA0, procCPU(t, b.pid())-cpuB0
	load1 := readLoadAvg()
	in := b.waitInbound(t, b.recvKey, n, 3*time.Minute)
	rssA, rssB := procHWM(t, a.pid()), procHWM(t, b.pid())

	delivered := 0
	for _, f := range out {
		if f.Status == "delivered" {
			delivered++
		}
	}
	received := 0
	for _, f := range in {
		if f.Status == "received" && f.Pages == 1 {
			received++
		}
	}
	cdrs := a.cdrs(t, sendKey, "outbound")
	st := benchStats(cdrs, transport)
	formula := 15 + float64(pageBytes)*8/14400 + 4.5
	t.Logf("load average before %s, after %s", load0, load1)
	t.Logf("RESULT %s %s N=%d: delivered on A %d/%d (on %s %d), received on B %d/%d; wall %.1f s (submitting %.1f s)",
		engine, transport, n, delivered, n, transport, st.onTransport, received, n, wall.Seconds(), submitTook.Seconds())
	t.Logf("RESULT calls set up: %.1f per second (answers %d over %.1f s from the first attempt's start); "+
		"attempt start to answer p50 %.2f s, p99 %.2f s, max %.2f s; peak calls in progress at once %d",
		st.setupRate, st.answered, st.setupSpan, st.setupP50, st.setupP99, st.setupMax, st.peak)
	t.Logf("RESULT CPU: A %.1f s, B %.1f s, per call %.0f ms (both ends); peak RSS A %d MB, B %d MB; "+
		"peak open files A %d, B %d", cpuA.Seconds(), cpuB.Seconds(), (cpuA+cpuB).Seconds()*1000/float64(n),
		rssA>>10, rssB>>10, peakFDs[0], peakFDs[1])
	t.Logf("RESULT answer to hang-up (1 page, %d bytes as G4): p50 %.1f s, p99 %.1f s, max %.1f s; "+
		"rule of thumb 15 s + bytes*8/14400 + 4.5 s = %.1f s (p50 x%.2f)",
		pageBytes, st.callP50, st.callP99, st.callMax, formula, st.callP50/formula)
	t.Logf("| %s %s x %d | %s -> %s | %d/%d | %d/%d | %.1f/s | %.2f / %.2f s | %d | %.1f + %.1f s | %.0f ms | %d + %d MB | %.1f / %.1f s (rule %.1f s) |",
		engine, transport, n, load0, load1, delivered, n, received, n, st.setupRate, st.setupP50, st.setupMax, st.peak,
		cpuA.Seconds(), cpuB.Seconds(), (cpuA+cpuB).Seconds()*1000/float64(n), rssA>>10, rssB>>10, st.callP50,
		st.callMax, formula)
	if delivered != n || received != n || st.onTransport != n {
		for _, f := range out {
			if f.Status != "delivered" {
				t.Logf("not delivered: %s %s %s: %s", f.ID, f.Status, f.Cause, f.ResultText)
			}
		}
		t.Errorf("%d/%d delivered (%d over %s), %d/%d received: not every call OK", delivered, n, st.onTransport,
			transport, received, n)
	}
}

// benchNode is a `faxgate serve` the benchmark can restart and measure.
type benchNode struct {
	*sipNode
	bin, dsn string
	httpPort int
	recvKey  string
	mu       sync.Mutex
	cmd      *exec.Cmd
	logf     *os.File
}

// benchStartNode creates the first admin and starts `faxgate serve` with
// ports media ports from rtpLo, on SQLite (dsn "") or the given database.
func benchStartNode(t *testing.T, name string, rtpLo, ports int, dsn string) *benchNode {
	t.Helper()
	n := &benchNode{sipNode: &sipNode{name: name, dir: t.TempDir(), sipPort: freePort(t), rtpLo: rtpLo,
		rtpHi: rtpLo + ports - 1}, bin: buildFaxgate(t), dsn: dsn, httpPort: freePort(t)}
	n.base = fmt.Sprintf("http://127.0.0.1:%d", n.httpPort)
	n.logPath = filepath.Join(n.dir, "serve.log")
	out, err := exec.Command(n.bin, append([]string{"admin", "create", "--email", adminEmail, "--password", adminPass,
		"--sip", "off"}, n.common()...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: admin create: %v\n%s", name, err, out)
	}
	if n.logf, err = os.Create(n.logPath); err != nil {
		t.Fatal(err)
	}
	n.start(t)
	t.Cleanup(func() {
		n.stop()
		n.logf.Close()
		if keep := os.Getenv("FAXGATE_BENCH_LOGS"); keep != "" { // a folder for the nodes' whole logs
			if b, err := os.ReadFile(n.logPath); err == nil {
				_ = os.WriteFile(filepath.Join(keep, "node-"+name+".log"), b, 0o600)
			}
		}
		if t.Failed() || os.Getenv("FAXGATE_E2E_LOGS") != "" {
			t.Logf("--- node %s log (requests and job counts left out) ---\n%s", name, sipTail(sipLog(n.logPath), 12000))
		}
	})
	return n
}

func (n *benchNode) common() []string {
	c := []string{"--data", n.dir, "--smtp", "off"}
	if n.dsn != "" {
		c = append(c, "--db", n.dsn)
	}
	return c
}

func (n *benchNode) start(t *testing.T) {
	t.Helper()
	args := append([]string{n.bin, "serve", "--http", fmt.Sprintf("127.0.0.1:%d", n.httpPort),
		"--sip", fmt.Sprintf("127.0.0.1:%d", n.sipPort), "--rtp-ports", fmt.Sprintf("%d-%d", n.rtpLo, n.rtpHi),
		"--public-ip", "127.0.0.1"}, n.common()...)
	if nice := os.Getenv("FAXGATE_BENCH_NICE"); nice != "" {
		args = append([]string{"nice", "-n", nice}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = n.logf, n.logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n.mu.Lock()
	n.cmd = cmd
	n.mu.Unlock()
	waitHealthy(t, n.base)
}

// stop ends the node (SIGTERM through its process handle, then kill after
// 30 s).
func (n *benchNode) stop() {
	n.mu.Lock()
	cmd := n.cmd
	n.cmd = nil
	n.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

func (n *benchNode) restart(t *testing.T) {
	t.Helper()
	n.stop()
	n.start(t)
}

func (n *benchNode) pid() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.cmd.Process.Pid
}

// faxWorkersLogged is the fax queue's size the node's last start logged.
func (n *benchNode) faxWorkersLogged(t *testing.T) int {
	t.Helper()
	b, _ := os.ReadFile(n.logPath)
	w := -1
	for _, l := range strings.Split(string(b), "\n") {
		if i := strings.Index(l, `msg="fax queue" workers=`); i >= 0 {
			f := strings.Fields(l[i+len(`msg="fax queue" workers=`):])
			if len(f) > 0 {
				w, _ = strconv.Atoi(f[0])
			}
		}
	}
	if w < 0 {
		t.Fatalf("node %s logged no fax queue size", n.name)
	}
	return w
}

// apiKey creates an API key of login (Bearer requests skip the password
// hash that Basic costs on every request).
func (n *benchNode) apiKey(t *testing.T, login string) string {
	t.Helper()
	var k struct {
		Key string `json:"key"`
	}
	n.api(t, "POST", "/api/v1/api-keys", login, sipUserPass, map[string]any{"name": "bench"}, &k, 201)
	return k.Key
}

// bearer sends a request with an API key and decodes a 2xx answer into
// out; it returns the status (and the body when it is not 2xx).
func (n *benchNode) bearer(c *http.Client, key, method, path string, body, out any) (int, string, error) {
	var rd io.Reader
	if body != nil {
		j, err := json.Marshal(body)
		if err != nil {
			return 0, "", err
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, n.base+path, rd)
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, "", err
	}
	if res.StatusCode/100 != 2 {
		return res.StatusCode, string(b), nil
	}
	if out != nil {
		err = json.Unmarshal(b, out)
	}
	return res.StatusCode, "", err
}

// pageBytes is the size of the document's first page coded as G4 (T.6,
// the same coding as MMR on an ECM call).
func (n *benchNode) pageBytes(t *testing.T, doc string) int {
	t.Helper()
	req, err := http.NewRequest("GET", n.base+"/api/v1/documents/"+doc+"/file?format=tiff", nil)
	if err != nil {
		t.Fatal(err)
	}
	var tif []byte
	req.SetBasicAuth(sipSenderLog, sipUserPass)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	tif, err = io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("document TIFF: %s %v", res.Status, err)
	}
	pages, err := faxtiff.Read(bytes.NewReader(tif), int64(len(tif)))
	if err != nil || len(pages) == 0 {
		t.Fatalf("document TIFF: %d pages, %v", len(pages), err)
	}
	return len(faxtiff.EncodeG4(pages[0]))
}

// benchSubmit posts n faxes of doc to the DID from clients goroutines and
// returns their ids.
func benchSubmit(t *testing.T, a *benchNode, key, doc string, n, clients int, sendAt *time.Time) []string {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: time.Minute}
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	ids := make([]string, n)
	var mu sync.Mutex
	var errs []string
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for i := range next {
				var f struct {
					ID string `json:"id"`
				}
				req := map[string]any{"to": sipDID, "document_id": doc, "retries": 0}
				if sendAt != nil {
					req["send_at"] = sendAt.Format(time.RFC3339Nano)
				}
				code, body, err := a.bearer(c, key, "POST", "/api/v1/faxes", req, &f)
				if err != nil || code != 201 {
					mu.Lock()
					errs = append(errs, fmt.Sprintf("fax %d: %d %s %v", i, code, body, err))
					mu.Unlock()
					continue
				}
				ids[i] = f.ID
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d of %d submissions failed, first: %s", len(errs), n, errs[0])
	}
	return ids
}

// benchFax is what the benchmark reads of a fax.
type benchFax struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	Pages      int    `json:"pages"`
	Cause      string `json:"cause"`
	ResultText string `json:"result_text"`
}

// list pages through GET path (with its query) and returns every item.
func list[T any](t *testing.T, n *benchNode, key, path string) []T {
	t.Helper()
	c := &http.Client{Timeout: time.Minute}
	var all []T
	cursor := ""
	for {
		p := path + "&limit=500"
		if cursor != "" {
			p += "&cursor=" + url.QueryEscape(cursor)
		}
		var page struct {
			Items      []T    `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		code, body, err := n.bearer(c, key, "GET", p, nil, &page)
		if err != nil || code != 200 {
			t.Fatalf("node %s: GET %s: %d %s %v", n.name, p, code, body, err)
		}
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all
		}
		cursor = page.NextCursor
	}
}

// waitFinal waits until want outbound faxes are final and returns them; it
// logs progress every 10 s.
func (n *benchNode) waitFinal(t *testing.T, key string, want int, limit time.Duration) []benchFax {
	t.Helper()
	deadline := time.Now().Add(limit)
	lastLog := time.Now()
	for {
		all := list[benchFax](t, n, key, "/api/v1/faxes?direction=outbound")
		final, byStatus := 0, map[string]int{}
		for _, f := range all {
			byStatus[f.Status]++
			if f.Status == "delivered" || f.Status == "failed" || f.Status == "canceled" {
				final++
			}
		}
		if final >= want {
			return all
		}
		if time.Since(lastLog) >= 10*time.Second {
			t.Logf("%s: %v, load %s", time.Now().Format(time.TimeOnly), byStatus, readLoadAvg())
			lastLog = time.Now()
		}
		if time.Now().After(deadline) {
			t.Fatalf("node %s: %d of %d faxes final after %s: %v", n.name, final, want, limit, byStatus)
		}
		time.Sleep(2 * time.Second)
	}
}

// waitInbound waits until want inbound faxes have ended (received or
// failed) on the node and returns them.
func (n *benchNode) waitInbound(t *testing.T, key string, want int, limit time.Duration) []benchFax {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		all := list[benchFax](t, n, key, "/api/v1/faxes?direction=inbound")
		done := 0
		for _, f := range all {
			if f.Status != "receiving" {
				done++
			}
		}
		if done >= want || time.Now().After(deadline) {
			return all
		}
		time.Sleep(2 * time.Second)
	}
}

// benchCDR is one attempt of the CDR report.
type benchCDR struct {
	FaxID      string     `json:"fax_id"`
	Status     string     `json:"status"`
	Transport  string     `json:"transport"`
	Pages      int        `json:"pages"`
	StartedAt  time.Time  `json:"started_at"`
	AnsweredAt *time.Time `json:"answered_at"`
	EndedAt    *time.Time `json:"ended_at"`
}

func (n *benchNode) cdrs(t *testing.T, key, direction string) []benchCDR {
	t.Helper()
	return list[benchCDR](t, n, key, "/api/v1/reports/cdr?order=asc&direction="+direction)
}

type benchResult struct {
	onTransport, answered, peak  int
	setupRate, setupSpan         float64
	setupP50, setupP99, setupMax float64
	callP50, callP99, callMax    float64
}

// benchStats reads the attempts: calls on the wanted transport, answers
// per second from the first attempt's start to the last answer, attempt
// start to answer, answer to hang-up, and the most calls answered and not
// yet ended at one moment.
func benchStats(cdrs []benchCDR, transport string) benchResult {
	var r benchResult
	var setup, call []float64
	var first, last time.Time
	type edge struct {
		at time.Time
		d  int
	}
	var edges []edge
	for _, c := range cdrs {
		if c.Transport == transport && c.Status == "completed" {
			r.onTransport++
		}
		if first.IsZero() || c.StartedAt.Before(first) {
			first = c.StartedAt
		}
		if c.AnsweredAt == nil {
			continue
		}
		r.answered++
		if c.AnsweredAt.After(last) {
			last = *c.AnsweredAt
		}
		setup = append(setup, c.AnsweredAt.Sub(c.StartedAt).Seconds())
		if c.EndedAt != nil {
			call = append(call, c.EndedAt.Sub(*c.AnsweredAt).Seconds())
			edges = append(edges, edge{*c.AnsweredAt, 1}, edge{*c.EndedAt, -1})
		}
	}
	r.setupSpan = last.Sub(first).Seconds()
	if r.setupSpan > 0 {
		r.setupRate = float64(r.answered) / r.setupSpan
	}
	r.setupP50, r.setupP99, r.setupMax = quantile(setup, 0.5), quantile(setup, 0.99), quantile(setup, 1)
	r.callP50, r.callP99, r.callMax = quantile(call, 0.5), quantile(call, 0.99), quantile(call, 1)
	slices.SortFunc(edges, func(a, b edge) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return a.d - b.d // an end before a start at the same instant
	})
	cur := 0
	for _, e := range edges {
		cur += e.d
		r.peak = max(r.peak, cur)
	}
	return r
}

func quantile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[min(max(int(math.Ceil(q*float64(len(s))))-1, 0), len(s)-1)]
}

// procCPU is a process's user + system CPU time so far (/proc/PID/stat,
// fields 14 and 15, in clock ticks of 1/100 s on Linux).
func procCPU(t *testing.T, pid int) time.Duration {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:]) // fields from 3 (state) on
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// sampleFDs counts the open files of the processes every 500 ms until
// stop is called; peak then holds each one's most.
func sampleFDs(pids ...int) (stop func(), peak []int) {
	peak = make([]int, len(pids))
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		for {
			for i, pid := range pids {
				if ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid)); err == nil {
					peak[i] = max(peak[i], len(ents))
				}
			}
			select {
			case <-done:
				return
			case <-time.After(500 * time.Millisecond):
			}
		}
	}()
	return func() { close(done); <-exited }, peak
}

// procHWM is a process's peak resident set in KB (VmHWM).
func procHWM(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return kb
		}
	}
	return 0
}

func readLoadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func cmpOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
