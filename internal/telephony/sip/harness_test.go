package sip

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"faxgate/internal/faxtiff"
	"faxgate/internal/telephony/linesim/testdoc"
	"faxgate/internal/telephony/rtp"
)

// The tests run two real UAs on 127.0.0.1 that fax each other with the
// real fax engine, in real time: one standard page per call (about 25 s
// over T.38, 30 s over G.711), so the long cases run in parallel.

// testDID is the number B answers; anything else gets 404.
const testDID = "15550001"

var (
	poolOnce sync.Once
	pool     *rtp.PortPool
)

// testPool is one RTP port pool shared by every test UA (it skips ports
// that are in use, so parallel tests and other processes do not collide).
func testPool(t *testing.T) *rtp.PortPool {
	poolOnce.Do(func() {
		var err error
		if pool, err = rtp.NewPortPool(31000, 39999); err != nil {
			panic(err)
		}
	})
	return pool
}

// testLogger writes warnings (everything with FAXGATE_SIP_DEBUG=1) to the
// test log.
func testLogger(t *testing.T, name string) *slog.Logger {
	level := slog.LevelWarn
	if os.Getenv("FAXGATE_SIP_DEBUG") != "" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: level})).With("ua", name)
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// startUA starts a UA on 127.0.0.1 with a free port (and the shared
// test port pool unless cfg has one); it is closed when the test ends.
func startUA(t *testing.T, name string, cfg Config) *UA {
	t.Helper()
	cfg.ListenAddr = "127.0.0.1:0"
	if cfg.RTPPorts == nil {
		cfg.RTPPorts = testPool(t)
	}
	cfg.Logger = testLogger(t, name)
	ua, err := NewUA(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := ua.Start(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		ua.Close()
	})
	return ua
}

// receiver is B: a UA answering testDID with a policy, collecting results.
type receiver struct {
	ua      *UA
	dir     string
	results chan CallResult
	files   sync.Map // Call-ID -> rx file
}

func startReceiver(t *testing.T, pol Policy, cfg Config) *receiver {
	r := &receiver{dir: t.TempDir(), results: make(chan CallResult, 4)}
	cfg.Handler = func(ctx context.Context, ic IncomingCall) Decision {
		if ic.DID != testDID {
			return RejectWith(404)
		}
		file := filepath.Join(r.dir, strings.NewReplacer("@", "_", ".", "_").Replace(ic.CallID)+".tif")
		r.files.Store(ic.CallID, file)
		return Accept(Receive{RxFile: file, StationID: "+1 555 0001", Policy: pol}, func(res CallResult) { r.results <- res })
	}
	r.ua = startUA(t, "B", cfg)
	return r
}

// result waits for B's result of a call.
func (r *receiver) result(t *testing.T) CallResult {
	t.Helper()
	select {
	case res := <-r.results:
		return res
	case <-time.After(90 * time.Second):
		t.Fatal("no result from the receiving side")
	}
	return CallResult{}
}

func (r *receiver) file(callID string) string {
	f, _ := r.files.Load(callID)
	s, _ := f.(string)
	return s
}

// testDocument writes a one-page standard-resolution fax to send.
func testDocument(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "send.tif")
	if err := testdoc.WriteFile(path, faxtiff.Standard, 1, testdoc.Options{TextLines: 20, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	return path
}

// dialB returns a Dial from A to B's test DID.
func dialB(b *UA, file string, pol Policy) Dial {
	return Dial{
		Target:    fmt.Sprintf("127.0.0.1:%d", b.Port()),
		User:      "+" + testDID,
		CallerID:  "+15550002",
		Policy:    pol,
		TIFFPath:  file,
		StationID: "+1 555 0002",
		Timeout:   10 * time.Second,
	}
}

// samePages checks the received TIFF is pixel-identical to the sent one.
func samePages(t *testing.T, sent, got string) {
	t.Helper()
	a, err := faxtiff.ReadFile(sent)
	if err != nil {
		t.Fatal(err)
	}
	b, err := faxtiff.ReadFile(got)
	if err != nil {
		t.Fatalf("reading the received fax: %v", err)
	}
	if len(a) != len(b) {
		t.Fatalf("received %d pages, sent %d", len(b), len(a))
	}
	for i := range a {
		if d := faxtiff.Equal(a[i], b[i]); d != 0 {
			t.Errorf("page %d: %d pixels differ (-1: sizes differ)", i+1, d)
		}
	}
}

// events records progress events.
type events struct {
	mu sync.Mutex
	ev []Event
}

func (e *events) add(ev Event) {
	e.mu.Lock()
	e.ev = append(e.ev, ev)
	e.mu.Unlock()
}

func (e *events) kinds() []EventKind {
	e.mu.Lock()
	defer e.mu.Unlock()
	var k []EventKind
	for _, ev := range e.ev {
		k = append(k, ev.Kind)
	}
	return k
}

func (e *events) has(k EventKind) bool {
	for _, x := range e.kinds() {
		if x == k {
			return true
		}
	}
	return false
}

func describe(r CallResult) string {
	return fmt.Sprintf("sip=%d cause=%q (%s) answered=%v transport=%s codec=%s fax=%v code=%d %q class=%q pages tx/rx=%d/%d "+
		"reinvites sent/rcvd=%d/%d refreshes=%d glares=%d switches=%d packets=%+v lag=%v fillins=%d",
		r.SIPCode, r.Cause, r.CauseText, r.Answered, r.Transport, r.Codec, r.Fax.OK, r.Fax.Code, r.Fax.Text, r.Fax.Class,
		r.Fax.PagesTx, r.Fax.PagesRx, r.ReinvitesSent, r.ReinvitesReceived, r.Refreshes, r.Glares, r.Switches, r.Packets,
		r.MaxLag, r.FillIns)
}
