package faxout_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/blob"
	"faxgate/internal/faxout"
	"faxgate/internal/faxout/line"
	"faxgate/internal/faxtiff"
	"faxgate/internal/jobs"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
	"faxgate/internal/telephony/linesim/testdoc"
	"faxgate/internal/telephony/t30"
)

// env is a store, a blob folder, the fax service with its River client and
// a small world of tenants and users, on one database engine.
type env struct {
	t     testing.TB
	st    *store.Store
	blobs *blob.FS
	ae    *authtest.Env
	w     authtest.World
	svc   *faxout.Service
	jobs  *jobs.Jobs
	lines *lineWatch
	fast  model.Trunk // the fast test trunk the tests send on
	ctx   context.Context
	opts  envOptions
}

// envOptions tune newEnv.
type envOptions struct {
	channels int                                             // the fast trunk's max_channels (default 4)
	workers  int                                             // fax queue workers (default 20)
	cfg      func(*faxout.Config)                            // adjusts the service config
	noStart  bool                                            // do not start River (tests that start it themselves)
	blobDir  string                                          // the blob folder ("" = a temporary one)
	poll     time.Duration                                   // River's fetch poll interval (default 50 ms)
	received func(c line.Call, rxFile string, rx t30.Result) // sees what the simulated machine got
}

// forEachEngine runs fn on SQLite and, when configured, PostgreSQL.
func forEachEngine(t *testing.T, fn func(t *testing.T, open func(*testing.T) *store.Store)) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) { fn(t, e.Open) })
	}
}

func newEnv(t *testing.T, st *store.Store, o envOptions) *env {
	t.Helper()
	if o.channels == 0 {
		o.channels = 4
	}
	if o.workers == 0 {
		o.workers = 20
	}
	ae := authtest.NewEnv(t, st, nil)
	e := &env{t: t, st: st, ae: ae, w: ae.NewWorld(t), ctx: t.Context(), lines: newLineWatch(o.received)}
	var err error
	if o.blobDir == "" {
		o.blobDir = t.TempDir()
	}
	if e.blobs, err = blob.NewFS(o.blobDir); err != nil {
		t.Fatal(err)
	}
	e.svc = e.newService(t, o, "node-a")
	// The tests send on their own fast trunk; the built-in (real-time)
	// test line stays, disabled, to prove disabled trunks are skipped.
	off := false
	if _, err := e.svc.UpdateTrunk(e.ctx, e.w.AdminActor, model.TestTrunkID, faxout.TrunkPatch{Enabled: &off}); err != nil {
		t.Fatalf("disable the built-in test line: %v", err)
	}
	e.fast = e.trunk(t, "Fast test line", 0, o.channels, nil)
	if !o.noStart {
		e.jobs = e.startJobs(t, e.svc, o)
	}
	e.opts = o
	return e
}

// newService builds a service on the env's store with the line watcher.
func (e *env) newService(t testing.TB, o envOptions, node string) *faxout.Service {
	t.Helper()
	cfg := faxout.Config{Node: node, LeaseTTL: 10 * time.Second, RecoverEvery: time.Second, CapacityWait: time.Second,
		Retry: faxout.RetryPolicy{Busy: 100 * time.Millisecond, NoAnswer: 100 * time.Millisecond,
			FaxError: 100 * time.Millisecond, Network: 100 * time.Millisecond, Interrupted: 100 * time.Millisecond}}
	if o.cfg != nil {
		o.cfg(&cfg)
	}
	deps := faxout.Deps{Store: e.st, Blob: e.blobs, Lines: e.lines.factory}
	if e.ae != nil {
		deps.Audit = e.ae.Audit
	}
	svc, err := faxout.New(deps, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// startJobs starts a River client working svc's jobs; it is stopped when the
// test ends (unless the test stopped it).
func (e *env) startJobs(t testing.TB, svc *faxout.Service, o envOptions) *jobs.Jobs {
	t.Helper()
	if o.workers == 0 {
		o.workers = 20
	}
	if o.poll == 0 {
		o.poll = 50 * time.Millisecond
	}
	workers := river.NewWorkers()
	periodic := svc.AddWorkers(workers)
	j, err := jobs.New(e.st, nil, workers, map[string]river.QueueConfig{
		river.QueueDefault: {MaxWorkers: 2}, faxout.Queue: faxout.QueueConfig(o.workers)},
		jobs.WithFetchPollInterval(o.poll), jobs.WithPeriodicJobs(periodic...),
		jobs.WithRiverConfig(faxout.RiverConfig))
	if err != nil {
		t.Fatal(err)
	}
	svc.UseJobs(j)
	if err := j.Start(e.ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = j.Stop(ctx)
	})
	return j
}

// trunk creates an enabled fast test trunk.
func (e *env) trunk(t testing.TB, name string, priority, channels int, edit func(*faxout.TrunkInput)) model.Trunk {
	t.Helper()
	in := faxout.TrunkInput{Name: name, Kind: model.TrunkTest, Speed: model.SpeedFast, Priority: priority,
		MaxChannels: channels, T38: model.T38Request}
	if edit != nil {
		edit(&in)
	}
	tr, err := e.svc.CreateTrunk(e.ctx, e.w.AdminActor, in)
	if err != nil {
		t.Fatalf("CreateTrunk(%s): %v", name, err)
	}
	return tr
}

// docCache keeps generated TIFF-F bytes per page count.
var docCache sync.Map

func tiffBytes(t testing.TB, pages int) []byte {
	t.Helper()
	if b, ok := docCache.Load(pages); ok {
		return b.([]byte)
	}
	var buf bytes.Buffer
	doc := testdoc.Document(faxtiff.Fine, pages, testdoc.Options{Seed: uint64(pages), TextLines: 12})
	if err := faxtiff.Write(&buf, doc); err != nil {
		t.Fatal(err)
	}
	docCache.Store(pages, buf.Bytes())
	return buf.Bytes()
}

// doc stores a ready document of u with n pages: the row through the
// store, the TIFF-F in the blob store, as the documents service leaves it.
func (e *env) doc(t testing.TB, u model.User, pages int) model.Document {
	t.Helper()
	d := model.Document{ID: model.NewID(model.PrefixDocument), TenantID: u.TenantID, UserID: u.ID,
		Name: fmt.Sprintf("%d-page test", pages), Quality: model.QualityFine, Status: model.DocumentProcessing}
	if err := e.st.CreateDocument(e.ctx, &d); err != nil {
		t.Fatal(err)
	}
	key := blob.Join("t", u.TenantID, "doc", d.ID, "r1", "pages.tif")
	data := tiffBytes(t, pages)
	if _, err := e.blobs.Put(e.ctx, key, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	err := e.st.FinishDocument(e.ctx, model.TenantScope(u.TenantID), d.ID, 1,
		store.DocumentResult{Status: model.DocumentReady, Pages: pages, SizeBytes: int64(len(data)), FileKey: key})
	if err != nil {
		t.Fatal(err)
	}
	d, err = e.st.GetDocument(e.ctx, model.TenantScope(u.TenantID), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// submit queues a fax to number as actor and fails the test on error.
func (e *env) submit(t testing.TB, actor model.Actor, doc model.Document, to string, retries int) model.Fax {
	t.Helper()
	f, _, err := e.svc.Submit(e.ctx, actor, faxout.SubmitInput{To: to, DocumentID: doc.ID, Retries: &retries,
		Title: "test fax", Source: model.SourceAPI})
	if err != nil {
		t.Fatalf("Submit(%s): %v", to, err)
	}
	return f
}

// wait polls the fax until it is final (or cond holds) and returns it
// with its attempts.
func (e *env) wait(t testing.TB, id string, cond func(model.Fax) bool) model.Fax {
	t.Helper()
	if cond == nil {
		cond = func(f model.Fax) bool { return f.Status.Final() }
	}
	// Generous: under -race on a loaded machine a backlog of fast calls
	// drains at about one per second.
	deadline := time.Now().Add(4 * time.Minute)
	for {
		f, err := e.svc.Get(e.ctx, e.w.AdminActor, id)
		if err != nil {
			t.Fatalf("Get(%s): %v", id, err)
		}
		if cond(f) {
			return f
		}
		if time.Now().After(deadline) {
			t.Fatalf("fax %s still %s after 4 min (tries %d, next %d/%d, %s)", id, f.Status, f.Tries, f.NextTry,
				f.NextLeg, f.ResultText)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// lineWatch wraps every trunk's real line: it counts the calls in
// progress (overall and per trunk, with the maximum seen), remembers which
// faxes were fully received by the simulated machine, and can hold calls.
type lineWatch struct {
	base     faxout.LineFactory
	received func(line.Call, string, t30.Result)

	mu        sync.Mutex
	active    map[string]int // per trunk id, and per "to:"+number
	maxActive map[string]int
	total     int
	maxTotal  int
	calls     []line.Call
	delivered map[string]int // complete receptions per fax id
	hold      chan struct{}  // when set, calls wait for it after connecting
	dials     atomic.Int64
	dialAt    map[string]time.Time // first dial of each fax
}

func newLineWatch(received func(line.Call, string, t30.Result)) *lineWatch {
	w := &lineWatch{active: map[string]int{}, maxActive: map[string]int{}, delivered: map[string]int{},
		received: received, dialAt: map[string]time.Time{}}
	w.base = func(tr model.Trunk) (line.Line, error) {
		if tr.Kind != model.TrunkTest {
			return nil, fmt.Errorf("%w: %s", faxout.ErrNoDriver, tr.Kind)
		}
		return line.NewTest(line.TestConfig{Realtime: tr.Speed == model.SpeedRealtime, T38: tr.T38,
			RingTimeout: tr.RingTimeoutOrDefault(), Received: w.onReceived}), nil
	}
	return w
}

func (w *lineWatch) onReceived(c line.Call, rxFile string, rx t30.Result) {
	if rx.OK {
		w.mu.Lock()
		w.delivered[c.FaxID]++
		w.mu.Unlock()
	}
	if w.received != nil {
		w.received(c, rxFile, rx)
	}
}

func (w *lineWatch) factory(tr model.Trunk) (line.Line, error) {
	l, err := w.base(tr)
	if err != nil {
		return nil, err
	}
	return watchedLine{w: w, trunk: tr.ID, l: l}, nil
}

type watchedLine struct {
	w     *lineWatch
	trunk string
	l     line.Line
}

func (l watchedLine) Dial(ctx context.Context, c line.Call) (line.Result, error) {
	w := l.w
	w.dials.Add(1)
	w.mu.Lock()
	for _, k := range []string{l.trunk, "to:" + c.E164} {
		w.active[k]++
		w.maxActive[k] = max(w.maxActive[k], w.active[k])
	}
	w.total++
	w.maxTotal = max(w.maxTotal, w.total)
	w.calls = append(w.calls, c)
	if _, ok := w.dialAt[c.FaxID]; !ok {
		w.dialAt[c.FaxID] = time.Now()
	}
	hold := w.hold
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		w.active[l.trunk]--
		w.active["to:"+c.E164]--
		w.total--
		w.mu.Unlock()
	}()
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			return line.Result{T30Code: -1, SIPCode: 487}, ctx.Err()
		}
	}
	return l.l.Dial(ctx, c)
}

// setHold makes new calls wait on ch before dialling (nil: no waiting).
func (w *lineWatch) setHold(ch chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.hold = ch
}

// maxOn is the most calls seen at once on a trunk id (or "to:"+number).
func (w *lineWatch) maxOn(key string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.maxActive[key]
}

// activeOn is the number of calls in progress on a trunk id (or "to:"+number).
func (w *lineWatch) activeOn(key string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.active[key]
}

// dialedAt is when the fax's first call was dialled.
func (w *lineWatch) dialedAt(faxID string) time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.dialAt[faxID]
}

func (w *lineWatch) receptions(faxID string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.delivered[faxID]
}

func (w *lineWatch) callsTo(e164 string) []line.Call {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []line.Call
	for _, c := range w.calls {
		if c.E164 == e164 {
			out = append(out, c)
		}
	}
	return out
}
