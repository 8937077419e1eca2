package campaign_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"faxgate/internal/audit"
	"faxgate/internal/blob"
	"faxgate/internal/campaign"
	"faxgate/internal/faxout"
	"faxgate/internal/faxtiff"
	"faxgate/internal/jobs"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/telephony/linesim/testdoc"
)

// campEnv is a real store with the campaign service, faxout on a fast
// test trunk and a River client (started only when a test asks).
type campEnv struct {
	st     *store.Store
	au     *audit.Service
	w      campWorld
	blobs  *blob.FS
	svc    *campaign.Service
	fax    *faxout.Service
	sender *campaign.Sender
	jobs   *jobs.Jobs
	doc    model.Document
	ctx    context.Context
}

// campWorld is two tenants with a tenant admin and a user each, and a
// platform admin.
type campWorld struct {
	A, B                                 model.Tenant
	AdminActor, TenantAActor, UserAActor model.Actor
	TenantBActor, UserBActor             model.Actor
}

func newCampWorld(t testing.TB, st *store.Store) campWorld {
	var w campWorld
	w.A, w.B = mkTenant(t, st, "Tenant A"), mkTenant(t, st, "Tenant B")
	w.AdminActor = mkActor(t, st, "", model.RoleAdmin, "admin@example.com")
	w.TenantAActor = mkActor(t, st, w.A.ID, model.RoleTenant, "boss@a.example")
	w.UserAActor = mkActor(t, st, w.A.ID, model.RoleUser, "user@a.example")
	w.TenantBActor = mkActor(t, st, w.B.ID, model.RoleTenant, "boss@b.example")
	w.UserBActor = mkActor(t, st, w.B.ID, model.RoleUser, "user@b.example")
	return w
}

// campOpts tune newCampEnv.
type campOpts struct {
	sender campaign.SenderConfig
	node   string
	start  bool // start the River client (faxes are really sent)
}

func newCampEnv(t testing.TB, st *store.Store, o campOpts) *campEnv {
	t.Helper()
	e := &campEnv{st: st, au: audit.NewService(st, slog.New(slog.DiscardHandler), nil), w: newCampWorld(t, st),
		ctx: t.Context()}
	var err error
	if e.blobs, err = blob.NewFS(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	e.wire(t, o)
	off := false
	if _, err := e.fax.UpdateTrunk(e.ctx, e.w.AdminActor, model.TestTrunkID, faxout.TrunkPatch{Enabled: &off}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.fax.CreateTrunk(e.ctx, e.w.AdminActor, faxout.TrunkInput{Name: "Fast test line",
		Kind: model.TrunkTest, Speed: model.SpeedFast, MaxChannels: 10, T38: model.T38Request}); err != nil {
		t.Fatal(err)
	}
	e.doc = e.document(t, e.w.TenantAActor)
	return e
}

// wire builds the services and the River client on e's store (again
// after a simulated crash, as a new node).
func (e *campEnv) wire(t testing.TB, o campOpts) {
	t.Helper()
	if o.node == "" {
		o.node = "node-a"
	}
	e.svc = campaign.NewService(e.st, e.au, nil, nil)
	var err error
	e.fax, err = faxout.New(faxout.Deps{Store: e.st, Blob: e.blobs, Audit: e.au, Lines: faxout.DefaultLines(nil),
		Publisher: e.svc.FaxResults(nil), Blocklist: e.svc},
		faxout.Config{Node: o.node, LeaseTTL: 2 * time.Second, RecoverEvery: 500 * time.Millisecond,
			CapacityWait: time.Second, Retry: faxout.RetryPolicy{Busy: 50 * time.Millisecond,
				NoAnswer: 50 * time.Millisecond, FaxError: 50 * time.Millisecond, Network: 50 * time.Millisecond,
				Interrupted: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	if o.sender.Poll == 0 {
		o.sender.Poll = 20 * time.Millisecond
	}
	if o.sender.LeaseTTL == 0 {
		o.sender.LeaseTTL = 2 * time.Second
	}
	if o.sender.RecoverEvery == 0 {
		o.sender.RecoverEvery = 500 * time.Millisecond
	}
	e.sender = campaign.NewSender(e.svc, e.fax, o.sender)
	workers := river.NewWorkers()
	periodic := append(e.fax.AddWorkers(workers), e.sender.AddWorkers(workers)...)
	e.jobs, err = jobs.New(e.st, nil, workers, map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2},
		faxout.Queue: faxout.QueueConfig(20), campaign.Queue: campaign.QueueConfig(4)},
		jobs.WithFetchPollInterval(50*time.Millisecond), jobs.WithPeriodicJobs(periodic...),
		jobs.WithRiverConfig(faxout.RiverConfig))
	if err != nil {
		t.Fatal(err)
	}
	e.fax.UseJobs(e.jobs)
	e.svc.EnableImportJobs(e.blobs, e.jobs)
	if o.start {
		e.startJobs(t)
	}
}

func (e *campEnv) startJobs(t testing.TB) {
	t.Helper()
	if err := e.jobs.Start(e.ctx); err != nil {
		t.Fatal(err)
	}
	j := e.jobs
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = j.Stop(ctx)
	})
}

var (
	tiffOnce sync.Once
	tiffData []byte
)

// document stores a ready one-page document of u's tenant.
func (e *campEnv) document(t testing.TB, u model.Actor) model.Document {
	t.Helper()
	tiffOnce.Do(func() {
		var buf bytes.Buffer
		if err := faxtiff.Write(&buf, testdoc.Document(faxtiff.Fine, 1, testdoc.Options{Seed: 1, TextLines: 4})); err != nil {
			panic(err)
		}
		tiffData = buf.Bytes()
	})
	d := model.Document{ID: model.NewID(model.PrefixDocument), TenantID: u.TenantID, UserID: u.UserID,
		Name: "campaign test", Quality: model.QualityFine, Status: model.DocumentProcessing}
	if err := e.st.CreateDocument(e.ctx, &d); err != nil {
		t.Fatal(err)
	}
	key := blob.Join("t", u.TenantID, "doc", d.ID, "r1", "pages.tif")
	if _, err := e.blobs.Put(e.ctx, key, bytes.NewReader(tiffData)); err != nil {
		t.Fatal(err)
	}
	if err := e.st.FinishDocument(e.ctx, model.TenantScope(u.TenantID), d.ID, 1, store.DocumentResult{
		Status: model.DocumentReady, Pages: 1, SizeBytes: int64(len(tiffData)), FileKey: key}); err != nil {
		t.Fatal(err)
	}
	return d
}

// number is the i-th test number: the fast test line delivers to it.
func number(i int) string { return fmt.Sprintf("+1202%07d", 2001000+i) }

// group creates a group of n contacts of the actor's tenant.
func (e *campEnv) group(t testing.TB, actor model.Actor, name string, n int) model.Group {
	t.Helper()
	g, err := e.svc.CreateGroup(e.ctx, actor, campaign.GroupInput{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, n)
	for i := range n {
		c, err := e.svc.CreateContact(e.ctx, actor, campaign.ContactInput{FirstName: "C", LastName: fmt.Sprint(i),
			Fax: number(i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
		if len(ids) == campaign.MaxMembersPerCall || i == n-1 {
			if _, err := e.svc.AddMembers(e.ctx, actor, g.ID, ids); err != nil {
				t.Fatal(err)
			}
			ids = ids[:0]
		}
	}
	return g
}

// campaign creates a draft campaign of the actor to the group.
func (e *campEnv) campaign(t testing.TB, actor model.Actor, g model.Group, edit func(*campaign.Input)) campaign.Campaign {
	t.Helper()
	in := campaign.Input{Title: "Spring offer", DocumentID: e.doc.ID, GroupID: g.ID, CallsPerMinute: 600, MaxLines: 10}
	if edit != nil {
		edit(&in)
	}
	c, err := e.svc.CreateCampaign(e.ctx, actor, in)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *campEnv) get(t testing.TB, id string) campaign.Campaign {
	t.Helper()
	c, err := e.svc.GetCampaign(e.ctx, e.w.AdminActor, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// waitStatus polls the campaign until it reaches status (the test's own
// deadline bounds it).
func (e *campEnv) waitStatus(t testing.TB, id string, st campaign.Status) campaign.Campaign {
	t.Helper()
	for {
		c := e.get(t, id)
		if c.Status == st {
			return c
		}
		select {
		case <-e.ctx.Done():
			t.Fatalf("campaign %s: status %s (%+v), want %s", id, c.Status, c, st)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// faxesPerNumber counts the campaign's faxes per destination.
func (e *campEnv) faxesPerNumber(t testing.TB, campaignID string) map[string]int {
	t.Helper()
	rows, err := e.st.DB().QueryContext(e.ctx, `SELECT to_number, COUNT(*) FROM faxes WHERE campaign_id = $1
		GROUP BY to_number`, campaignID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var to string
		var n int
		if err := rows.Scan(&to, &n); err != nil {
			t.Fatal(err)
		}
		out[to] = n
	}
	return out
}

// recipients lists every recipient of the campaign.
func (e *campEnv) recipients(t testing.TB, id string, st campaign.RecipientState) []campaign.Recipient {
	t.Helper()
	var all []campaign.Recipient
	o := model.ListOptions{Limit: campaign.MaxRecipientsPage}
	for {
		page, next, err := e.svc.ListRecipients(e.ctx, e.w.AdminActor, id, campaign.RecipientFilter{State: st}, o)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if next == "" {
			return all
		}
		o.Cursor = next
	}
}

// simClock is a simulated clock: Sleep advances it at once; every reading
// costs tick (default 1 ms) of simulated processing time. Past end, Sleep
// fails with errSimEnd.
type simClock struct {
	mu   sync.Mutex
	t    time.Time
	end  time.Time
	tick time.Duration
}

var errSimEnd = fmt.Errorf("simulation over")

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(max(c.tick, time.Millisecond))
	return c.t
}

func (c *simClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	if !c.end.IsZero() && c.t.After(c.end) {
		return errSimEnd
	}
	return ctx.Err()
}
