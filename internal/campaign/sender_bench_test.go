package campaign_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"faxgate/internal/campaign"
)

// worstWindow is the largest relative difference between the submissions
// in any 5-minute window (starting at a submission, ending before the
// last one) and 5 × cpm.
func worstWindow(at []time.Time, cpm int) float64 {
	want := 5.0 * float64(cpm)
	worst, j := 0.0, 0
	for i, t0 := range at {
		if t0.Add(5 * time.Minute).After(at[len(at)-1]) {
			break
		}
		for j < len(at) && at[j].Before(t0.Add(5*time.Minute)) {
			j++
		}
		dev := (float64(j-i) - want) / want
		worst = max(worst, dev, -dev)
	}
	return worst
}

// BenchmarkCampaignDispatch runs a 10,000-recipient campaign at 600 calls
// per minute on a simulated clock, on SQLite, and reports the sender's
// real work per recipient (claim, do-not-contact check, faxout.Submit with
// its idempotency key, bookkeeping) and the pacing error: the worst
// 5-minute window against 5 × 600. Faxes are queued, not dialled (the
// River client does not run), so the line cap is lifted for the run.
func BenchmarkCampaignDispatch(b *testing.B) {
	const n, cpm = 10000, 600
	e := newCampEnv(b, openSQLite(b), campOpts{})
	g := e.group(b, e.w.TenantAActor, "Bench", n)
	for b.Loop() {
		start := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		clk := &simClock{t: start, end: start.Add(time.Duration(n+1) * campaign.Interval(cpm))}
		e.sender = campaign.NewSender(e.svc, e.fax, simSender(clk))
		c := e.campaign(b, e.w.TenantAActor, g, func(in *campaign.Input) { in.CallsPerMinute = cpm })
		if _, err := e.st.DB().ExecContext(e.ctx, `UPDATE campaigns SET max_lines = 1000000 WHERE id = $1`, c.ID); err != nil {
			b.Fatal(err)
		}
		if _, err := e.svc.StartCampaign(e.ctx, e.w.TenantAActor, c.ID); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		if _, err := e.sender.Run(e.ctx, c.ID, 0); err != nil && !errors.Is(err, errSimEnd) {
			b.Fatal(err)
		}
		took := time.Since(t0)
		var at []time.Time
		for _, r := range e.recipients(b, c.ID, campaign.RecipientInProgress) {
			at = append(at, r.SubmittedAt)
		}
		if len(at) != n {
			b.Fatalf("%d submitted, want %d", len(at), n)
		}
		slices.SortFunc(at, func(x, y time.Time) int { return x.Compare(y) })
		b.ReportMetric(float64(took.Microseconds())/n, "µs/recipient")
		b.ReportMetric(worstWindow(at, cpm)*100, "worst-5min-window-%")
		b.ReportMetric(0, "ns/op")
	}
}
