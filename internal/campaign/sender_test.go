package campaign_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"faxgate/internal/campaign"
	"faxgate/internal/model"
	"faxgate/internal/store/storetest"
)

// forCampEngine runs fn on SQLite and, when configured, PostgreSQL.
func forCampEngine(t *testing.T, o campOpts, fn func(t *testing.T, e *campEnv)) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) { fn(t, newCampEnv(t, eng.Open(t), o)) })
	}
}

// runSim runs the sender synchronously on a simulated clock until the
// campaign leaves "running" or the simulated time reaches end.
func (e *campEnv) runSim(t *testing.T, clk *simClock, id string) {
	t.Helper()
	_, err := e.sender.Run(e.ctx, id, 0)
	if err != nil && !errors.Is(err, errSimEnd) {
		t.Fatalf("sender: %v", err)
	}
}

func simSender(clk *simClock) campaign.SenderConfig {
	return campaign.SenderConfig{Now: clk.Now, Sleep: clk.Sleep, Poll: time.Second, LeaseTTL: time.Hour}
}

// TestCampaignCrashResume kills the sender twice: once between claiming a
// recipient and submitting its fax (the worst moment), then the whole
// River client in the middle of the campaign. A new node on the same
// database finishes it: every recipient gets exactly one fax, none is
// skipped.
func TestCampaignCrashResume(t *testing.T) {
	var crashed atomic.Bool
	o := campOpts{start: true, sender: campaign.SenderConfig{BeforeSubmit: func(seq int64) error {
		if seq == 4 && crashed.CompareAndSwap(false, true) {
			return errors.New("simulated crash after the claim")
		}
		return nil
	}}}
	forCampEngine(t, o, func(t *testing.T, e *campEnv) {
		crashed.Store(false)
		const n = 16
		g := e.group(t, e.w.TenantAActor, "Crash", n)
		c := e.campaign(t, e.w.TenantAActor, g, func(in *campaign.Input) { in.CallsPerMinute, in.MaxLines, in.Retries = 300, 4, 2 })
		if _, err := e.svc.StartCampaign(e.ctx, e.w.TenantAActor, c.ID); err != nil {
			t.Fatal(err)
		}
		for e.get(t, c.ID).Delivered < n/3 {
			time.Sleep(20 * time.Millisecond)
		}
		// Kill: a stop whose grace period is already over cancels every
		// running job (calls and the sender) where it stands.
		dead, cancel := context.WithCancel(context.Background())
		cancel()
		_ = e.jobs.Stop(dead)
		mid := e.get(t, c.ID)
		if mid.Status != campaign.StatusRunning || mid.Finished() == n {
			t.Fatalf("killed too late: %+v", mid)
		}
		e.wire(t, campOpts{node: "node-b", start: true})
		done := e.waitStatus(t, c.ID, campaign.StatusCompleted)
		if !crashed.Load() {
			t.Error("the claim-then-crash point was never reached")
		}
		if done.Delivered != n || done.Total != n || done.InProgress != 0 || done.Pending != 0 {
			t.Errorf("counters = %+v, want %d delivered", done, n)
		}
		per := e.faxesPerNumber(t, c.ID)
		if len(per) != n {
			t.Errorf("%d numbers got a fax, want %d", len(per), n)
		}
		for to, k := range per {
			if k != 1 {
				t.Errorf("%s got %d faxes, want exactly 1", to, k)
			}
		}
		for _, r := range e.recipients(t, c.ID, "") {
			if r.State != campaign.RecipientDelivered || r.FaxID == "" || r.Sends != 1 {
				t.Errorf("recipient %d: %+v", r.Seq, r)
			}
		}
	})
}

// TestCampaignPacing runs a simulated ten minutes at 30 calls per minute
// and checks every
// five-minute window holds 150 submissions within 5 %.
func TestCampaignPacing(t *testing.T) {
	forCampEngine(t, campOpts{}, func(t *testing.T, e *campEnv) {
		start := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		// 80 ms of simulated processing per clock reading: a sender that
		// paced from "now" instead of its slots would drift well past 5 %.
		clk := &simClock{t: start, end: start.Add(10 * time.Minute), tick: 80 * time.Millisecond}
		e.sender = campaign.NewSender(e.svc, e.fax, simSender(clk))
		const cpm = 30
		g := e.group(t, e.w.TenantAActor, "Pacing", 10*cpm+20)
		c := e.campaign(t, e.w.TenantAActor, g, func(in *campaign.Input) { in.CallsPerMinute, in.MaxLines = cpm, 1000 })
		if _, err := e.svc.StartCampaign(e.ctx, e.w.TenantAActor, c.ID); err != nil {
			t.Fatal(err)
		}
		e.runSim(t, clk, c.ID)
		var at []time.Time
		for _, r := range e.recipients(t, c.ID, campaign.RecipientInProgress) {
			at = append(at, r.SubmittedAt)
		}
		slices.SortFunc(at, func(a, b time.Time) int { return a.Compare(b) })
		if len(at) < 9*cpm {
			t.Fatalf("%d submissions in 10 simulated minutes, want about %d", len(at), 10*cpm)
		}
		const win = 5 * time.Minute
		want := 5.0 * cpm
		worst := 0.0
		for _, t0 := range at {
			if t0.Add(win).After(clk.end) {
				break
			}
			n := 0
			for _, x := range at {
				if !x.Before(t0) && x.Before(t0.Add(win)) {
					n++
				}
			}
			dev := (float64(n) - want) / want
			if dev < 0 {
				dev = -dev
			}
			worst = max(worst, dev)
		}
		if worst > 0.05 {
			t.Errorf("worst 5-minute window is %.1f %% off %v per window", worst*100, want)
		}
		t.Logf("%d submissions; worst 5-minute window %.2f %% off", len(at), worst*100)
	})
}

// TestCampaignSkipsDNCAndDuplicates: numbers on the tenant's list at
// start, on the global list added after start, and a number twice in the
// group are skipped, counted, and get no fax.
func TestCampaignSkipsDNCAndDuplicates(t *testing.T) {
	forCampEngine(t, campOpts{}, func(t *testing.T, e *campEnv) {
		start := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		clk := &simClock{t: start, end: start.Add(time.Minute)}
		e.sender = campaign.NewSender(e.svc, e.fax, simSender(clk))
		g := e.group(t, e.w.TenantAActor, "Mixed", 6)
		// A duplicate number: contacts are unique per number, so only an
		// older database (or a future import path) could hold one; the
		// snapshot must still send once.
		if _, err := e.st.DB().ExecContext(e.ctx, `DROP INDEX contacts_tenant_fax_key`); err != nil {
			t.Fatal(err)
		}
		dup, err := e.svc.CreateContact(e.ctx, e.w.TenantAActor, campaign.ContactInput{FirstName: "Dup", Fax: number(7)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.st.DB().ExecContext(e.ctx, `UPDATE contacts SET fax = $1 WHERE id = $2`, number(0), dup.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.AddMembers(e.ctx, e.w.TenantAActor, g.ID, []string{dup.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.AddDNC(e.ctx, e.w.TenantAActor, campaign.DNCInput{Number: number(1), Note: "asked"}); err != nil {
			t.Fatal(err)
		}
		c := e.campaign(t, e.w.TenantAActor, g, nil)
		started, err := e.svc.StartCampaign(e.ctx, e.w.TenantAActor, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if started.Total != 7 || started.Skipped != 2 || started.Pending != 5 {
			t.Errorf("after start: %+v, want 7 total, 2 skipped, 5 pending", started)
		}
		if _, err := e.svc.AddDNC(e.ctx, e.w.AdminActor, campaign.DNCInput{Global: true, Number: number(2)}); err != nil {
			t.Fatal(err)
		}
		e.runSim(t, clk, c.ID)
		got := e.get(t, c.ID)
		if got.Skipped != 3 || got.InProgress != 4 || got.Pending != 0 {
			t.Errorf("after sending: %+v, want 3 skipped, 4 in progress", got)
		}
		per := e.faxesPerNumber(t, c.ID)
		for _, i := range []int{1, 2} {
			if per[number(i)] != 0 {
				t.Errorf("%s is on a do-not-contact list but got %d faxes", number(i), per[number(i)])
			}
		}
		if per[number(0)] != 1 {
			t.Errorf("%s (twice in the group) got %d faxes, want 1", number(0), per[number(0)])
		}
		reasons := map[string]bool{}
		for _, r := range e.recipients(t, c.ID, campaign.RecipientSkipped) {
			reasons[r.Reason] = true
		}
		if !reasons[campaign.ReasonDuplicate] || !reasons[campaign.ReasonDNC] || len(reasons) != 3 {
			t.Errorf("skip reasons = %v", reasons)
		}
	})
}

// TestCampaignQuotaPauses: when the tenant's daily page limit is reached
// the campaign pauses with the reason and the recipient keeps its turn.
func TestCampaignQuotaPauses(t *testing.T) {
	forCampEngine(t, campOpts{}, func(t *testing.T, e *campEnv) {
		start := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		clk := &simClock{t: start, end: start.Add(time.Minute)}
		e.sender = campaign.NewSender(e.svc, e.fax, simSender(clk))
		tn := e.w.A
		tn.DailyPageLimit = 3
		if err := e.st.UpdateTenant(e.ctx, model.PlatformScope(), &tn); err != nil {
			t.Fatal(err)
		}
		g := e.group(t, e.w.TenantAActor, "Quota", 5)
		c := e.campaign(t, e.w.TenantAActor, g, nil)
		if _, err := e.svc.StartCampaign(e.ctx, e.w.TenantAActor, c.ID); err != nil {
			t.Fatal(err)
		}
		e.runSim(t, clk, c.ID)
		got := e.get(t, c.ID)
		if got.Status != campaign.StatusPaused || !strings.Contains(got.StatusReason, "limit") {
			t.Errorf("status %s (%q), want paused for the limit", got.Status, got.StatusReason)
		}
		if got.InProgress != 3 || got.Pending != 2 {
			t.Errorf("counters %+v, want 3 in progress and 2 pending", got)
		}
		if len(e.faxesPerNumber(t, c.ID)) != 3 {
			t.Errorf("faxes = %v, want 3", e.faxesPerNumber(t, c.ID))
		}
		if rs := e.recipients(t, c.ID, campaign.RecipientPending); len(rs) != 2 || rs[0].Sends != 0 {
			t.Errorf("pending recipients = %+v", rs)
		}
	})
}

// TestCampaignWindow: a campaign started on a Saturday with a Monday to
// Friday 9-17 window submits its first fax at Monday 9:00.
func TestCampaignWindow(t *testing.T) {
	forCampEngine(t, campOpts{}, func(t *testing.T, e *campEnv) {
		sat := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
		clk := &simClock{t: sat, end: time.Date(2026, 12, 7, 9, 10, 0, 0, time.UTC)}
		e.sender = campaign.NewSender(e.svc, e.fax, simSender(clk))
		g := e.group(t, e.w.TenantAActor, "Window", 2)
		days, _ := campaign.DaysFromNames([]string{"mon", "tue", "wed", "thu", "fri"})
		c := e.campaign(t, e.w.TenantAActor, g, func(in *campaign.Input) {
			in.Window = campaign.Window{Days: days, StartHour: 9, EndHour: 17}
		})
		if _, err := e.svc.StartCampaign(e.ctx, e.w.TenantAActor, c.ID); err != nil {
			t.Fatal(err)
		}
		e.runSim(t, clk, c.ID)
		rs := e.recipients(t, c.ID, campaign.RecipientInProgress)
		monday9 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
		if len(rs) != 2 {
			t.Fatalf("%d submitted, want 2", len(rs))
		}
		for _, r := range rs {
			if r.SubmittedAt.Before(monday9) || r.SubmittedAt.After(monday9.Add(time.Minute)) {
				t.Errorf("recipient %d submitted at %s, want just after %s", r.Seq, r.SubmittedAt, monday9)
			}
		}
	})
}

// TestCampaignRetryFailed: a busy number fails; retry-failed sends it a
// second fax (a new idempotency key) and the campaign completes again.
func TestCampaignRetryFailed(t *testing.T) {
	forCampEngine(t, campOpts{start: true}, func(t *testing.T, e *campEnv) {
		g := e.group(t, e.w.TenantAActor, "Busy", 1)
		busy, err := e.svc.CreateContact(e.ctx, e.w.TenantAActor, campaign.ContactInput{FirstName: "Busy",
			Fax: "+12025550486"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.AddMembers(e.ctx, e.w.TenantAActor, g.ID, []string{busy.ID}); err != nil {
			t.Fatal(err)
		}
		c := e.campaign(t, e.w.TenantAActor, g, func(in *campaign.Input) { in.Retries = 0 })
		if _, err := e.svc.StartCampaign(e.ctx, e.w.TenantAActor, c.ID); err != nil {
			t.Fatal(err)
		}
		got := e.waitStatus(t, c.ID, campaign.StatusCompleted)
		if got.Delivered != 1 || got.Failed != 1 {
			t.Fatalf("first round: %+v", got)
		}
		if _, err := e.svc.RetryFailedCampaign(e.ctx, e.w.UserAActor, c.ID); err != nil {
			t.Fatal(err)
		}
		got = e.waitStatus(t, c.ID, campaign.StatusCompleted)
		if got.Delivered != 1 || got.Failed != 1 {
			t.Errorf("second round: %+v", got)
		}
		per := e.faxesPerNumber(t, c.ID)
		if per["+12025550486"] != 2 || per[number(0)] != 1 {
			t.Errorf("faxes per number = %v, want 2 to the busy number and 1 to the other", per)
		}
		failed := e.recipients(t, c.ID, campaign.RecipientFailed)
		if len(failed) != 1 || failed[0].Sends != 2 || failed[0].Reason == "" {
			t.Errorf("failed recipients = %+v", failed)
		}
	})
}
