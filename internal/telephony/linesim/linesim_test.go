package linesim

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"faxgate/internal/faxtiff"
	"faxgate/internal/telephony/linesim/testdoc"
	"faxgate/internal/telephony/t30"
)

// docs caches generated test documents: drawing and G4-coding a superfine
// page costs more than some of the calls that send it.
var docs struct {
	sync.Mutex
	dir   string
	paths map[string]string
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "linesim-docs-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	docs.dir, docs.paths = dir, map[string]string{}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// docOptions are the drawing options of an n-page test document with the
// given number of text lines (0 = the default, a full letter).
func docOptions(n, lines int) testdoc.Options {
	return testdoc.Options{Seed: uint64(n), TextLines: lines}
}

// document returns the path of an n-page test document at res.
func document(t testing.TB, res faxtiff.Resolution, n int) string {
	return documentLines(t, res, n, 0)
}

func documentLines(t testing.TB, res faxtiff.Resolution, n, lines int) string {
	t.Helper()
	docs.Lock()
	defer docs.Unlock()
	key := fmt.Sprintf("%s-%d-%d", res, n, lines)
	if p, ok := docs.paths[key]; ok {
		return p
	}
	p := filepath.Join(docs.dir, key+".tif")
	if err := testdoc.WriteFile(p, res, n, docOptions(n, lines)); err != nil {
		t.Fatal(err)
	}
	docs.paths[key] = p
	return p
}

// fax describes one test call.
type fax struct {
	res           faxtiff.Resolution
	pages         int
	ecm           bool
	answererSends bool // the answerer sends (as after an inbound poll); usually the caller does
	lines         int  // body text lines per page; 0 = a full letter
}

// run makes one call and returns the outcome, the sender's and receiver's
// results and the received file.
func (f fax) run(t testing.TB, cfg Config) (o Outcome, tx, rx t30.Result, rxFile string) {
	t.Helper()
	rxFile = filepath.Join(t.TempDir(), "rx.tif")
	sender := t30.Options{Direction: t30.Send, TxFile: documentLines(t, f.res, f.pages, f.lines), ECM: f.ecm, LocalIdent: "+15550100001"}
	receiver := t30.Options{Direction: t30.Receive, RxFile: rxFile, ECM: f.ecm, LocalIdent: "+15550100002"}
	caller, answerer := sender, receiver
	if f.answererSends {
		caller, answerer = receiver, sender
	}
	o, err := Run(context.Background(), cfg, caller, answerer)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	tx, rx = o.Caller, o.Answerer
	if f.answererSends {
		tx, rx = rx, tx
	}
	return o, tx, rx, rxFile
}

func (f fax) String() string {
	s := fmt.Sprintf("%s-%dp-ecm=%v", f.res, f.pages, f.ecm)
	if f.answererSends {
		s += "-answerer-sends"
	}
	return s
}

// requireDelivered checks a successful call: both sides OK, every page
// received, the received pages pixel-identical to the sent ones.
func requireDelivered(t *testing.T, f fax, o Outcome, tx, rx t30.Result, rxFile string) {
	t.Helper()
	if !o.OK() || !tx.OK || !rx.OK {
		t.Fatalf("call failed: sender %d %q (%s), receiver %d %q (%s), sim %v, lost %d/%d",
			tx.Code, tx.Text, tx.Class, rx.Code, rx.Text, rx.Class, o.SimTime, o.Lost, o.Packets)
	}
	if o.Failure() != "" {
		t.Errorf("successful call has failure class %q", o.Failure())
	}
	if tx.PagesTx != f.pages || rx.PagesRx != f.pages {
		t.Fatalf("pages sent %d, received %d, want %d", tx.PagesTx, rx.PagesRx, f.pages)
	}
	if tx.ECM != f.ecm || rx.ECM != f.ecm {
		t.Errorf("ECM sender %v receiver %v, want %v", tx.ECM, rx.ECM, f.ecm)
	}
	got, err := faxtiff.ReadFile(rxFile)
	if err != nil {
		t.Fatalf("received file: %v", err)
	}
	want := testdoc.Document(f.res, f.pages, docOptions(f.pages, f.lines))
	if len(got) != len(want) {
		t.Fatalf("received file has %d pages, want %d", len(got), len(want))
	}
	for i := range want {
		if d := faxtiff.Equal(want[i], got[i]); d != 0 {
			t.Errorf("page %d: %d pixels differ", i+1, d)
		}
		if r := got[i].Resolution(); r != f.res {
			t.Errorf("page %d received at %v, sent at %v", i+1, r, f.res)
		}
	}
}

// TestTransfer sends documents at every resolution over both transports and
// both laws, with and without ECM, in both call directions.
func TestTransfer(t *testing.T) {
	type tc struct {
		fax
		cfg  Config
		long bool // skipped with -short
	}
	tests := []tc{
		{fax{res: faxtiff.Standard, pages: 1, ecm: true}, Config{Transport: T38, Redundancy: 3}, false},
		{fax{res: faxtiff.Fine, pages: 1, ecm: false}, Config{Transport: T38}, false},
		{fax{res: faxtiff.Fine, pages: 3, ecm: true, answererSends: true}, Config{Transport: T38, Redundancy: 3}, false},
		{fax{res: faxtiff.Superfine, pages: 3, ecm: false}, Config{Transport: T38, Redundancy: 1}, true},
		{fax{res: faxtiff.Superfine, pages: 1, ecm: true}, Config{Transport: T38, Redundancy: 3, MaxDatagram: 120}, false},
		{fax{res: faxtiff.Fine, pages: 1, ecm: true}, Config{Transport: T38, Redundancy: 3, Delay: 80 * time.Millisecond, Jitter: 60 * time.Millisecond, Seed: 4}, false},
		{fax{res: faxtiff.Standard, pages: 1, ecm: true}, Config{Transport: G711, Law: PCMU}, false},
		{fax{res: faxtiff.Fine, pages: 1, ecm: false, answererSends: true}, Config{Transport: G711, Law: PCMA}, false},
		{fax{res: faxtiff.Standard, pages: 3, ecm: false}, Config{Transport: G711, Law: PCMA}, false},
		{fax{res: faxtiff.Fine, pages: 3, ecm: true}, Config{Transport: G711, Law: PCMU, Delay: 60 * time.Millisecond, Jitter: 40 * time.Millisecond, Seed: 2}, true},
		{fax{res: faxtiff.Superfine, pages: 3, ecm: true, answererSends: true}, Config{Transport: G711, Law: PCMA}, true},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%s%s-%s", tt.cfg.Transport, tt.cfg.Law, tt.fax)
		t.Run(name, func(t *testing.T) {
			if tt.long && testing.Short() {
				t.Skip("long call; runs without -short")
			}
			t.Parallel()
			o, tx, rx, rxFile := tt.fax.run(t, tt.cfg)
			requireDelivered(t, tt.fax, o, tx, rx, rxFile)
			if tx.BitRate != 14400 {
				t.Errorf("bit rate %d on a clean line, want V.17 14400", tx.BitRate)
			}
			if o.Packets == 0 || o.Bytes == 0 || o.Lost != 0 {
				t.Errorf("line counters: %d packets, %d bytes, %d lost", o.Packets, o.Bytes, o.Lost)
			}
			t.Logf("sim %v, %d packets, %d bytes", o.SimTime, o.Packets, o.Bytes)
		})
	}
}

// TestLossMatrix sends one fine ECM page over lossy lines. T.38 with UDPTL
// redundancy 3 must get through up to 10 % datagram loss; very lossy lines
// must fail, visibly and consistently: never a success, never a sender that
// believes it delivered pages the receiver does not have.
func TestLossMatrix(t *testing.T) {
	page := fax{res: faxtiff.Fine, pages: 1, ecm: true}
	tests := []struct {
		cfg    Config
		wantOK bool
		long   bool
	}{
		{Config{Transport: T38, Redundancy: 3, Loss: 0, Seed: 1}, true, false},
		{Config{Transport: T38, Redundancy: 3, Loss: 0.01, Seed: 1}, true, false},
		{Config{Transport: T38, Redundancy: 3, Loss: 0.05, Seed: 1}, true, false},
		{Config{Transport: T38, Redundancy: 3, Loss: 0.10, Seed: 1}, true, false},
		{Config{Transport: T38, Redundancy: 3, Loss: 0.05, Seed: 2}, true, true},
		{Config{Transport: T38, Redundancy: 3, Loss: 0.10, Seed: 2}, true, true},
		{Config{Transport: T38, Redundancy: 3, Loss: 0.10, Seed: 3, Delay: 50 * time.Millisecond, Jitter: 50 * time.Millisecond}, true, true},
		{Config{Transport: G711, Law: PCMU, Loss: 0, Seed: 1}, true, false},
		{Config{Transport: G711, Law: PCMA, Loss: 0, Seed: 1}, true, false},
		{Config{Transport: T38, Redundancy: 0, Loss: 0.20, Seed: 1}, false, false},
		{Config{Transport: T38, Redundancy: 0, Loss: 0.20, Seed: 2}, false, true},
		{Config{Transport: G711, Law: PCMU, Loss: 0.05, Seed: 1}, false, false},
		{Config{Transport: G711, Law: PCMA, Loss: 0.05, Seed: 2}, false, true},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%s-red%d-loss%g-seed%d", tt.cfg.Transport, tt.cfg.Redundancy, tt.cfg.Loss, tt.cfg.Seed)
		if tt.cfg.Transport == G711 {
			name = fmt.Sprintf("%s%s-loss%g-seed%d", tt.cfg.Transport, tt.cfg.Law, tt.cfg.Loss, tt.cfg.Seed)
		}
		t.Run(name, func(t *testing.T) {
			if tt.long && testing.Short() {
				t.Skip("extra seed; runs without -short")
			}
			t.Parallel()
			o, tx, rx, rxFile := page.run(t, tt.cfg)
			t.Logf("sender %d %q, receiver %d %q, class %q, sim %v, lost %d/%d, recovered %d",
				tx.Code, tx.Text, rx.Code, rx.Text, o.Failure(), o.SimTime, o.Lost, o.Packets, o.Recovered)
			if tt.cfg.Loss > 0 && o.Lost == 0 {
				t.Errorf("loss %v but the line lost nothing", tt.cfg.Loss)
			}
			if tx.OK && rx.PagesRx != page.pages {
				t.Fatalf("sender reports success but the receiver got %d of %d pages", rx.PagesRx, page.pages)
			}
			if tt.wantOK {
				requireDelivered(t, page, o, tx, rx, rxFile)
				if tt.cfg.Loss > 0 && tt.cfg.Redundancy > 0 && o.Recovered == 0 {
					t.Error("nothing was recovered from redundancy on a lossy line")
				}
				return
			}
			if o.OK() || (tx.OK && rx.OK) {
				t.Fatalf("call over a line losing %v with redundancy %d reported success", tt.cfg.Loss, tt.cfg.Redundancy)
			}
			if o.Failure() == "" {
				t.Error("failed call has no failure class")
			}
			if tx.OK == rx.OK && tx.OK {
				t.Error("both sides report success on a failed call")
			}
		})
	}
}

// TestDeterministic checks that the simulated clock and a seed reproduce a
// lossy call exactly, and that another seed gives another call.
func TestDeterministic(t *testing.T) {
	page := fax{res: faxtiff.Standard, pages: 1, ecm: true}
	cfg := Config{Transport: T38, Redundancy: 1, Loss: 0.05, Jitter: 30 * time.Millisecond, Seed: 11}
	a, _, _, _ := page.run(t, cfg)
	b, _, _, _ := page.run(t, cfg)
	if a.SimTime != b.SimTime || a.Packets != b.Packets || a.Lost != b.Lost || a.Recovered != b.Recovered || a.Bytes != b.Bytes {
		t.Errorf("same seed, different calls:\n%+v\n%+v", a, b)
	}
	cfg.Seed = 12
	c, _, _, _ := page.run(t, cfg)
	if a.Lost == c.Lost && a.Packets == c.Packets && a.SimTime == c.SimTime {
		t.Errorf("seeds 11 and 12 gave identical calls: %+v", c)
	}
}

// TestTimeout cuts a call off before it can finish: both sides are closed
// and reported as failed with the timeout class.
func TestTimeout(t *testing.T) {
	page := fax{res: faxtiff.Fine, pages: 1, ecm: true}
	for _, tr := range []Transport{T38, G711} {
		t.Run(string(tr), func(t *testing.T) {
			o, tx, rx, _ := page.run(t, Config{Transport: tr, Timeout: 12 * time.Second})
			if !o.TimedOut || o.OK() {
				t.Fatalf("timed out %v, ok %v", o.TimedOut, o.OK())
			}
			if o.SimTime < 12*time.Second || o.SimTime > 12*time.Second+step {
				t.Errorf("ended at %v, want 12 s", o.SimTime)
			}
			for _, r := range []t30.Result{tx, rx} {
				if r.OK || r.Class != t30.ClassTimeout || r.Code <= 0 {
					t.Errorf("cut-off side: ok %v, class %q, code %d %q", r.OK, r.Class, r.Code, r.Text)
				}
			}
			if o.Failure() != t30.ClassTimeout {
				t.Errorf("failure class %q, want timeout", o.Failure())
			}
		})
	}
}

// TestContextCancel stops a real-time call through its context.
func TestContextCancel(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	rxFile := filepath.Join(t.TempDir(), "rx.tif")
	o, err := Run(ctx, Config{Transport: T38, Realtime: true},
		t30.Options{Direction: t30.Send, TxFile: document(t, faxtiff.Standard, 1)},
		t30.Options{Direction: t30.Receive, RxFile: rxFile})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Run = %v, want the context's error", err)
	}
	if o.OK() || o.Caller.OK || o.Answerer.OK {
		t.Error("a cancelled call reported success")
	}
	if o.SimTime < 250*time.Millisecond || o.SimTime > 5*time.Second {
		t.Errorf("real-time call ran %v of call time in 300 ms", o.SimTime)
	}
}

// TestRealtime runs one whole call with a short page on the wall clock
// (about 25 s, idle).
func TestRealtime(t *testing.T) {
	if testing.Short() {
		t.Skip("takes the call's real duration")
	}
	t.Parallel()
	for _, tr := range []Transport{T38, G711} {
		t.Run(string(tr), func(t *testing.T) {
			t.Parallel()
			page := fax{res: faxtiff.Standard, pages: 1, ecm: true, lines: 1}
			start := time.Now()
			o, tx, rx, rxFile := page.run(t, Config{Transport: tr, Redundancy: 3, Realtime: true})
			wall := time.Since(start)
			requireDelivered(t, page, o, tx, rx, rxFile)
			// The call clock is the wall clock: the sessions saw the samples
			// that really elapsed.
			if d := wall - o.SimTime; d < 0 || d > 2*time.Second {
				t.Errorf("call time %v, wall time %v", o.SimTime, wall)
			}
			if o.MaxLag <= 0 || o.MaxLag > 2*time.Second {
				t.Errorf("max lag %v", o.MaxLag)
			}
			t.Logf("max lag behind real time: %v", o.MaxLag)
		})
	}
}

func TestRunErrors(t *testing.T) {
	good := t30.Options{Direction: t30.Receive, RxFile: filepath.Join(t.TempDir(), "rx.tif")}
	send := t30.Options{Direction: t30.Send, TxFile: document(t, faxtiff.Standard, 1)}
	tests := []struct {
		name             string
		cfg              Config
		caller, answerer t30.Options
	}{
		{"bad config", Config{Transport: "x"}, good, good},
		{"unsendable file", Config{Transport: T38}, t30.Options{Direction: t30.Send, TxFile: "/nonexistent.tif"}, good},
		{"audio unsendable file", Config{Transport: G711}, good, t30.Options{Direction: t30.Send, TxFile: "/nonexistent.tif"}},
		// The far end accepts datagrams smaller than the first IFP: a broken
		// setup, not a fax failure.
		{"max datagram below an IFP", Config{Transport: T38, MaxDatagram: 4}, send, good},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := Run(context.Background(), tt.cfg, tt.caller, tt.answerer)
			if err == nil {
				t.Fatal("Run succeeded")
			}
			if o.OK() {
				t.Error("outcome of a failed run is OK")
			}
			t.Log(err)
		})
	}
}

// lateClock is a real-time clock on a badly overloaded machine: every tick
// comes `every` late (simulated, so the test is fast and exact).
type lateClock struct{ now, every time.Duration }

func (c *lateClock) next(context.Context) (time.Duration, error) {
	c.now += c.every
	return c.now, nil
}
func (c *lateClock) lag() time.Duration { return c.every - step }
func (c *lateClock) stop()              {}

// TestLateTicks drives a T.38 call with ticks 100-300 ms apart instead of
// 20 ms: the link must feed the elapsed time in slices (spandsp sends one
// paced chunk per Advance) so the sender keeps up with the receiver's timers.
func TestLateTicks(t *testing.T) {
	for _, every := range []time.Duration{100 * time.Millisecond, 310 * time.Millisecond} {
		t.Run(every.String(), func(t *testing.T) {
			t.Parallel()
			f := fax{res: faxtiff.Standard, pages: 1, ecm: true}
			rxFile := filepath.Join(t.TempDir(), "rx.tif")
			cfg, err := Config{Transport: T38, Redundancy: 3}.withDefaults()
			if err != nil {
				t.Fatal(err)
			}
			l, err := newT38Link(cfg,
				t30.Options{Role: t30.Caller, Direction: t30.Send, TxFile: document(t, f.res, f.pages), ECM: true},
				t30.Options{Role: t30.Answerer, Direction: t30.Receive, RxFile: rxFile, ECM: true})
			if err != nil {
				t.Fatal(err)
			}
			defer l.close()
			o, err := drive(context.Background(), cfg, l, &lateClock{every: every})
			if err != nil {
				t.Fatal(err)
			}
			requireDelivered(t, f, o, o.Caller, o.Answerer, rxFile)
			if o.MaxLag != every-step {
				t.Errorf("max lag %v, want %v", o.MaxLag, every-step)
			}
		})
	}
}
