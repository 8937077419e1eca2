package sip

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// These tests run SIPp (Debian package sip-tester, installed in CI by
// scripts/install-deps.sh) as the far end of a real UA on 127.0.0.1, with
// the scenarios of testdata/sipp. Each checks SIPp's exit status (0: every
// call went through the scenario, including its regexp checks) and what
// our side observed.

// sippRun describes one SIPp run.
type sippRun struct {
	scenario string            // file name in testdata/sipp
	uac      bool              // SIPp calls us (else it waits for our INVITE)
	ua       *UA               // our UA: the UAC's remote host
	service  string            // -s: the Request-URI user of SIPp's INVITEs
	calls    int               // -m (default 1)
	rate     int               // -r calls per second (UAC)
	limit    int               // -l simultaneous calls (default 1)
	timeout  time.Duration     // SIPp's -timeout and our exec deadline
	port     int               // SIPp's SIP port (UAS); 0: a free one
	keys     map[string]string // -key name value: [name] in the scenario
}

// sippResult is a finished SIPp run.
type sippResult struct {
	exit int
	dir  string
	out  string
}

// sippBinary returns the sipp path or skips the test.
func sippBinary(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("sipp")
	if err != nil {
		t.Skip("sipp not installed: apt-get install sip-tester")
	}
	return p
}

// freeUDPPort returns a UDP port on 127.0.0.1 that was free a moment ago.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// startSipp starts SIPp; wait collects its exit status. Its logs go to a
// temporary directory and are written to the test log on failure.
func startSipp(t *testing.T, r sippRun) (port int, wait func() sippResult) {
	t.Helper()
	bin := sippBinary(t)
	scen, err := filepath.Abs(filepath.Join("testdata", "sipp", r.scenario))
	if err != nil {
		t.Fatal(err)
	}
	if r.timeout == 0 {
		r.timeout = 20 * time.Second
	}
	if r.calls == 0 {
		r.calls = 1
	}
	if r.limit == 0 {
		r.limit = 1
	}
	if r.port == 0 {
		r.port = freeUDPPort(t)
	}
	dir := t.TempDir()
	args := []string{
		"-sf", scen,
		"-i", "127.0.0.1", "-p", strconv.Itoa(r.port),
		"-mi", "127.0.0.1", "-mp", strconv.Itoa(freeUDPPort(t)),
		"-t", "u1",
		"-m", strconv.Itoa(r.calls), "-l", strconv.Itoa(r.limit),
		"-timeout", strconv.Itoa(int(r.timeout/time.Second)) + "s",
		"-timeout_error",
		"-trace_err", "-error_file", filepath.Join(dir, "errors.log"),
		"-trace_msg", "-message_file", filepath.Join(dir, "messages.log"),
		"-trace_stat", "-stf", filepath.Join(dir, "stat.csv"),
		"-nostdin",
	}
	for k, v := range r.keys {
		args = append(args, "-key", k, v)
	}
	if r.uac {
		rate := r.rate
		if rate == 0 {
			rate = 10
		}
		args = append(args, "-s", r.service, "-r", strconv.Itoa(rate),
			fmt.Sprintf("127.0.0.1:%d", r.ua.Port()))
	}
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout+10*time.Second)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting sipp: %v", err)
	}
	done := make(chan sippResult, 1)
	go func() {
		err := cmd.Wait()
		cancel()
		res := sippResult{exit: 0, dir: dir, out: out.String()}
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			res.exit = ee.ExitCode()
		case err != nil:
			res.exit = -1
			res.out += "\n" + err.Error()
		}
		done <- res
	}()
	var once sync.Once
	var res sippResult
	wait = func() sippResult {
		once.Do(func() {
			res = <-done
			if res.exit != 0 || t.Failed() {
				logSipp(t, res)
			}
		})
		return res
	}
	t.Cleanup(func() { wait() })
	return r.port, wait
}

// logSipp writes SIPp's output and error log to the test log.
func logSipp(t *testing.T, r sippResult) {
	t.Helper()
	t.Logf("sipp exit status %d, output:\n%s", r.exit, lastLines(r.out, 40))
	if b, err := os.ReadFile(filepath.Join(r.dir, "errors.log")); err == nil && len(b) > 0 {
		t.Logf("sipp errors:\n%s", lastLines(string(b), 60))
	}
	if b, err := os.ReadFile(filepath.Join(r.dir, "messages.log")); err == nil && len(b) > 0 {
		t.Logf("sipp messages:\n%s", lastLines(string(b), 120))
	}
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}

// waitIdle waits for the UA to have no call in progress.
func waitIdle(t *testing.T, ua *UA) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for ua.ActiveCalls() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("ActiveCalls = %d, want 0", ua.ActiveCalls())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// sippDial is a Dial from our UA to SIPp listening on port.
func sippDial(t *testing.T, port int, pol Policy) Dial {
	return Dial{
		Target:    fmt.Sprintf("127.0.0.1:%d", port),
		User:      "+" + testDID,
		CallerID:  "+15550002",
		Policy:    pol,
		TIFFPath:  testDocument(t),
		StationID: "+1 555 0002",
		Timeout:   10 * time.Second,
	}
}

func TestSippBusy(t *testing.T) {
	sippBinary(t)
	t.Parallel()
	ua := startUA(t, "A", Config{})
	port, wait := startSipp(t, sippRun{scenario: "uas_busy.xml"})
	res, err := ua.SendFax(context.Background(), sippDial(t, port, DefaultPolicy()))
	if err != nil {
		t.Fatal(err)
	}
	if s := wait(); s.exit != 0 {
		t.Errorf("sipp exit status %d, want 0", s.exit)
	}
	if res.SIPCode != 486 || res.Cause != CauseBusy || res.Answered {
		t.Errorf("got %s; want 486, cause busy, not answered", describe(res))
	}
	waitIdle(t, ua)
}

func TestSippRingTimeoutCancel(t *testing.T) {
	sippBinary(t)
	t.Parallel()
	ua := startUA(t, "A", Config{})
	port, wait := startSipp(t, sippRun{scenario: "uas_ring_cancel.xml"})
	var ev events
	d := sippDial(t, port, DefaultPolicy())
	d.Timeout = 2 * time.Second
	d.Progress = ev.add
	start := time.Now()
	res, err := ua.SendFax(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if s := wait(); s.exit != 0 {
		t.Errorf("sipp exit status %d, want 0 (CANCEL, 200, 487, ACK)", s.exit)
	}
	if res.Cause != CauseNoAnswer || res.Answered {
		t.Errorf("got %s; want cause no_answer, not answered", describe(res))
	}
	if !ev.has(EventRinging) {
		t.Errorf("no ringing event: %v", ev.kinds())
	}
	if took < d.Timeout || took > d.Timeout+5*time.Second {
		t.Errorf("SendFax took %v with a ring timeout of %v", took, d.Timeout)
	}
	waitIdle(t, ua)
}

func TestSippT38Refused(t *testing.T) {
	sippBinary(t)
	t.Parallel()
	ua := startUA(t, "A", Config{})
	port, wait := startSipp(t, sippRun{scenario: "uas_refuse_t38.xml"})
	var ev events
	pol := DefaultPolicy() // T38Request
	pol.ReinviteAfter = 300 * time.Millisecond
	pol.ReinviteTimeout = 3 * time.Second
	d := sippDial(t, port, pol)
	d.Progress = ev.add
	d.MaxDuration = 15 * time.Second // bounds a failing run (SIPp does not hang up then)
	res, err := ua.SendFax(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	if s := wait(); s.exit != 0 {
		t.Errorf("sipp exit status %d, want 0 (the re-INVITE must offer m=image udptl t38)", s.exit)
	}
	if !res.Answered || res.SIPCode != 200 {
		t.Errorf("got %s; want answered with 200", describe(res))
	}
	if res.Transport != "g711" || res.T38 != nil || res.ReinvitesSent < 1 {
		t.Errorf("got %s; want g711 after at least one refused re-INVITE", describe(res))
	}
	if !ev.has(EventFallback) {
		t.Errorf("no fallback event: %v", ev.kinds())
	}
	// No T.30 handshake happened before the far BYE: fax_negotiation.
	if !res.RemoteHangup || res.Cause != CauseFaxNegotiation || res.OK() {
		t.Errorf("got %s (remote hangup %v); want cause fax_negotiation, hung up by the far end", describe(res), res.RemoteHangup)
	}
	waitIdle(t, ua)
}

func TestSippReinviteGlare(t *testing.T) {
	sippBinary(t)
	t.Parallel()
	ua := startUA(t, "A", Config{})
	port, wait := startSipp(t, sippRun{scenario: "uas_glare.xml"})
	var ev events
	pol := DefaultPolicy() // T38Request
	pol.ReinviteAfter = 300 * time.Millisecond
	pol.ReinviteTimeout = 3 * time.Second
	d := sippDial(t, port, pol)
	d.Progress = ev.add
	d.MaxDuration = 15 * time.Second // bounds a failing run (SIPp does not hang up then)
	res, err := ua.SendFax(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	if s := wait(); s.exit != 0 {
		t.Errorf("sipp exit status %d, want 0 (491 to its re-INVITE, our re-INVITE retried after the 491)", s.exit)
	}
	// Glares counts the 491 we sent and the one we got.
	if res.Glares != 2 || res.ReinvitesSent != 2 || res.ReinvitesReceived != 1 {
		t.Errorf("got %s; want 2 glares, 2 re-INVITEs sent, 1 received", describe(res))
	}
	if res.Transport != "g711" || res.T38 != nil || !ev.has(EventFallback) {
		t.Errorf("got %s, events %v; want g711 with a fallback", describe(res), ev.kinds())
	}
	if !res.RemoteHangup || res.Cause != CauseFaxNegotiation {
		t.Errorf("got %s (remote hangup %v); want cause fax_negotiation, hung up by the far end", describe(res), res.RemoteHangup)
	}
	waitIdle(t, ua)
}

// handlerLog counts the Handler's invocations.
type handlerLog struct {
	mu   sync.Mutex
	dids []string
}

func (h *handlerLog) add(did string) {
	h.mu.Lock()
	h.dids = append(h.dids, did)
	h.mu.Unlock()
}

func (h *handlerLog) get() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.dids...)
}

func TestSippMalformedSDP(t *testing.T) {
	sippBinary(t)
	t.Parallel()
	var calls handlerLog
	ua := startUA(t, "B", Config{Handler: func(ctx context.Context, ic IncomingCall) Decision {
		calls.add(ic.DID)
		return RejectWith(486)
	}})
	_, wait := startSipp(t, sippRun{scenario: "uac_bad_sdp.xml", uac: true, ua: ua, service: testDID})
	if s := wait(); s.exit != 0 {
		t.Errorf("sipp exit status %d, want 0 (400 to the malformed SDP)", s.exit)
	}
	if got := calls.get(); len(got) != 0 {
		t.Errorf("the handler ran for %v; a malformed offer must be refused before it", got)
	}
	waitIdle(t, ua)
}

func TestSippRejections(t *testing.T) {
	sippBinary(t)
	t.Parallel()
	const busyDID = "15550003"
	var calls handlerLog
	ua := startUA(t, "B", Config{Handler: func(ctx context.Context, ic IncomingCall) Decision {
		calls.add(ic.DID)
		switch ic.DID {
		case busyDID:
			return RejectWith(486)
		case testDID:
			return Accept(Receive{RxFile: filepath.Join(t.TempDir(), "rx.tif")}, nil)
		}
		return RejectWith(404)
	}})
	for _, c := range []struct{ did, scen string }{
		{"15559999", "uac_reject_404.xml"},
		{busyDID, "uac_reject_486.xml"},
	} {
		_, wait := startSipp(t, sippRun{scenario: c.scen, uac: true, ua: ua, service: c.did})
		if s := wait(); s.exit != 0 {
			t.Errorf("%s: sipp exit status %d, want 0", c.scen, s.exit)
		}
	}
	if got := calls.get(); len(got) != 2 || got[0] != "15559999" || got[1] != busyDID {
		t.Errorf("handler saw DIDs %v, want [15559999 %s]", got, busyDID)
	}
	waitIdle(t, ua)
}

// TestSippInviteFlood sends 100 INVITEs at 50 calls/s, each hung up by
// SIPp 300 ms after its ACK, to a UA that takes at most 5 calls at once:
// once with the cap in the Handler (RejectWith(503)), once with
// Config.MaxCalls (the UA answers 503 before the Handler). SIPp fails a
// call on any final response but 200 or 503.
func TestSippInviteFlood(t *testing.T) {
	sippBinary(t)
	if testing.Short() {
		t.Skip("INVITE flood; skipped with -short")
	}
	t.Parallel()
	t.Run("handler", func(t *testing.T) { t.Parallel(); sippFlood(t, false) })
	t.Run("MaxCalls", func(t *testing.T) { t.Parallel(); sippFlood(t, true) })
}

func sippFlood(t *testing.T, uaCap bool) {
	const (
		total = 100
		maxN  = 5
	)
	var (
		active, peak, invoked, accepted, rejected, finished atomic.Int64
		badResults                                          atomic.Int64
	)
	dir := t.TempDir()
	cfg := Config{Handler: func(ctx context.Context, ic IncomingCall) Decision {
		invoked.Add(1)
		if ic.DID != testDID {
			return RejectWith(404)
		}
		n := active.Add(1)
		if !uaCap && n > maxN {
			active.Add(-1)
			rejected.Add(1)
			return RejectWith(503)
		}
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		accepted.Add(1)
		pol := DefaultPolicy()
		pol.T38 = T38Off // no re-INVITE: SIPp hangs up 300 ms after the ACK
		file := filepath.Join(dir, strings.NewReplacer("@", "_", ".", "_").Replace(ic.CallID)+".tif")
		return Accept(Receive{RxFile: file, Policy: pol}, func(res CallResult) {
			if !res.Answered || !res.RemoteHangup {
				badResults.Add(1)
				t.Logf("flood call result: %s", describe(res))
			}
			finished.Add(1)
			active.Add(-1)
		})
	}}
	if uaCap {
		cfg.MaxCalls = maxN
	}
	ua := startUA(t, "B", cfg)
	// The UA's own count of calls in progress (with those the Handler is
	// deciding), sampled during the flood.
	var uaPeak atomic.Int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			if n := int64(ua.ActiveCalls()); n > uaPeak.Load() {
				uaPeak.Store(n)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	_, wait := startSipp(t, sippRun{scenario: "uac_flood.xml", uac: true, ua: ua, service: testDID,
		calls: total, rate: 50, limit: total, timeout: 30 * time.Second})
	s := wait()
	close(stop)
	<-sampled
	if s.exit != 0 {
		t.Errorf("sipp exit status %d, want 0 (every call ended in 200 or 503)", s.exit)
	}
	waitIdle(t, ua)
	deadline := time.Now().Add(10 * time.Second)
	for finished.Load() != accepted.Load() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	a, r, inv := accepted.Load(), rejected.Load(), invoked.Load()
	t.Logf("handler invoked %d, accepted %d, rejected %d, peak %d; UA ActiveCalls peak %d; finished %d",
		inv, a, r, peak.Load(), uaPeak.Load(), finished.Load())
	if uaCap {
		// The UA answers 503 itself: the Handler sees only the calls it takes.
		if r != 0 || inv != a || a == 0 || a >= total {
			t.Errorf("handler invoked %d times, accepted %d; want only accepted calls, some but not all %d", inv, a, total)
		}
		if p := uaPeak.Load(); p > maxN {
			t.Errorf("UA ActiveCalls reached %d > MaxCalls %d", p, maxN)
		}
	} else if a+r != total || a == 0 || r == 0 {
		t.Errorf("accepted %d + rejected %d, want %d with both > 0", a, r, total)
	}
	if p := peak.Load(); p > maxN {
		t.Errorf("peak concurrency %d > %d", p, maxN)
	}
	if f := finished.Load(); f != a {
		t.Errorf("%d accepted calls reported a result, want %d", f, a)
	}
	if b := badResults.Load(); b != 0 {
		t.Errorf("%d accepted calls did not end answered and hung up by SIPp", b)
	}
	if n := active.Load(); n != 0 {
		t.Errorf("handler concurrency %d after the flood, want 0", n)
	}
}
