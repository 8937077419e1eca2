package faxout_test

import (
	"fmt"
	"strings"
	"testing"

	"faxgate/internal/faxout"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// attemptSummary renders attempts as "try.leg trunk cause ecm rate".
func attemptSummary(f model.Fax) []string {
	var out []string
	for _, a := range f.Attempts {
		out = append(out, fmt.Sprintf("%d.%d %s %s ecm=%v max=%d", a.Try, a.Leg, a.TrunkName, a.Cause, a.ECM, a.MaxBitRate))
	}
	return out
}

func wantAttempts(t *testing.T, f model.Fax, want ...string) {
	t.Helper()
	got := attemptSummary(f)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("attempts:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// TestRetryPolicy: busy and no answer retry as configured; fax errors
// retry with ECM off, then also at 9600 bit/s; tries are counted.
func TestRetryPolicy(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := newEnv(t, open(t), envOptions{})
		doc := e.doc(t, e.w.UserA, 3)
		busy := e.submit(t, e.w.UserAActor, doc, "+12025550486", 2)
		noAnswer := e.submit(t, e.w.UserAActor, doc, "+12025550480", 1)
		dropped := e.submit(t, e.w.UserAActor, doc, "+12025550408", 3)
		voice := e.submit(t, e.w.UserAActor, doc, "+12025550488", 1)

		f := e.wait(t, busy.ID, nil)
		if f.Status != model.FaxFailed || f.Cause != model.CauseBusy || f.Tries != 3 {
			t.Errorf("busy fax: %s %s after %d tries", f.Status, f.Cause, f.Tries)
		}
		wantAttempts(t, f, "1.1 Fast test line busy ecm=true max=0", "2.1 Fast test line busy ecm=true max=0",
			"3.1 Fast test line busy ecm=true max=0")

		f = e.wait(t, noAnswer.ID, nil)
		wantAttempts(t, f, "1.1 Fast test line no_answer ecm=true max=0", "2.1 Fast test line no_answer ecm=true max=0")

		// Each transfer failure steps the fallback: ECM off, then 9600 too.
		f = e.wait(t, dropped.ID, nil)
		wantAttempts(t, f, "1.1 Fast test line fax_transfer ecm=true max=0",
			"2.1 Fast test line fax_transfer ecm=false max=0",
			"3.1 Fast test line fax_transfer ecm=false max=9600",
			"4.1 Fast test line fax_transfer ecm=false max=9600")
		if a := f.Attempts[2]; a.BitRate != 9600 || a.ECMUsed || a.Pages != 1 {
			t.Errorf("third try ran at %d bit/s, ECM %v, %d pages; want 9600 without ECM, 1 page", a.BitRate, a.ECMUsed, a.Pages)
		}
		if f.Fallback != 2 || f.PagesSent != 1 {
			t.Errorf("fax fallback %d, pages sent %d", f.Fallback, f.PagesSent)
		}
		f = e.wait(t, voice.ID, nil)
		wantAttempts(t, f, "1.1 Fast test line fax_negotiation ecm=true max=0",
			"2.1 Fast test line fax_negotiation ecm=false max=0")

		evs, err := e.svc.Timeline(e.ctx, e.w.AdminActor, dropped.ID)
		if err != nil {
			t.Fatal(err)
		}
		retrying := 0
		for _, ev := range evs {
			if ev.Kind == model.EventRetrying {
				retrying++
				if retrying == 1 && !strings.Contains(ev.Detail, "ECM off") ||
					retrying == 2 && !strings.Contains(ev.Detail, "9600") {
					t.Errorf("retry event %d: %q", retrying, ev.Detail)
				}
			}
		}
		if retrying != 3 {
			t.Errorf("%d retrying events, want 3", retrying)
		}
	})
}

// TestFailover: a trunk that fails (no driver, network failure) hands the
// call to the next trunk by priority within the same try; trunks whose
// dial rules refuse the number, disabled trunks and trunks reserved to
// other tenants or sources are never used.
func TestFailover(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := newEnv(t, open(t), envOptions{})
		// Priority -20: a SIP trunk, which this build cannot dial yet.
		e.trunk(t, "Carrier SIP", -20, 5, func(in *faxout.TrunkInput) {
			in.Kind, in.Host = model.TrunkSIP, "sip.carrier.example"
		})
		// Priority -15..-12: trunks the fax may not use.
		e.trunk(t, "UK only", -15, 5, func(in *faxout.TrunkInput) { in.DialRules.Allow = []string{"+44*"} })
		e.trunk(t, "Tenant B only", -14, 5, func(in *faxout.TrunkInput) { in.TenantIDs = []string{e.w.B.ID} })
		e.trunk(t, "Campaigns only", -13, 5, func(in *faxout.TrunkInput) {
			in.FaxSources = []model.FaxSource{model.SourceCampaign}
		})
		off := false
		e.trunk(t, "Disabled", -12, 5, func(in *faxout.TrunkInput) { in.Enabled = &off })
		// Priority -10: a test trunk that rewrites numbers; then the env's
		// fast trunk (priority 0).
		e.trunk(t, "Rewriting", -10, 5, func(in *faxout.TrunkInput) {
			in.DialRules.Rewrites = []model.Rewrite{{Strip: "+1", Add: "001"}}
		})
		doc := e.doc(t, e.w.UserA, 1)

		f := e.wait(t, e.submit(t, e.w.UserAActor, doc, "+12025550100", 0).ID, nil)
		if f.Status != model.FaxDelivered {
			t.Fatalf("fax %s: %s", f.Status, f.ResultText)
		}
		wantAttempts(t, f, "1.1 Carrier SIP internal ecm=true max=0", "1.2 Rewriting  ecm=true max=0")
		if !strings.Contains(f.Attempts[0].ResultText, "no driver") || f.Attempts[1].DialedNumber != "0012025550100" {
			t.Errorf("attempts: %q, dialled %q", f.Attempts[0].ResultText, f.Attempts[1].DialedNumber)
		}

		// A network failure fails over through every usable trunk, then
		// retries the whole try.
		f = e.wait(t, e.submit(t, e.w.UserAActor, doc, "+12025550503", 1).ID, nil)
		wantAttempts(t, f, "1.1 Carrier SIP internal ecm=true max=0", "1.2 Rewriting network ecm=true max=0",
			"1.3 Fast test line network ecm=true max=0", "2.1 Carrier SIP internal ecm=true max=0",
			"2.2 Rewriting network ecm=true max=0", "2.3 Fast test line network ecm=true max=0")
		if f.Status != model.FaxFailed || f.Cause != model.CauseNetwork || f.Tries != 2 {
			t.Errorf("fax %s %s after %d tries", f.Status, f.Cause, f.Tries)
		}
		// Busy is not a trunk failure: no failover.
		f = e.wait(t, e.submit(t, e.w.UserAActor, doc, "+12025550486", 0).ID, nil)
		wantAttempts(t, f, "1.1 Carrier SIP internal ecm=true max=0", "1.2 Rewriting busy ecm=true max=0")
	})
}
