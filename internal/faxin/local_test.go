package faxin_test

import (
	"testing"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/faxin"
	"faxgate/internal/faxout/line"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// TestTestLineToOwnDID sends through faxout's built-in test line with the
// faxin hook: a call to one of our DIDs is received by faxin through the
// real engine; other numbers still reach the simulated machine.
func TestTestLineToOwnDID(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, false)
		d := e.did(t, "+12025550190", e.W.A.ID)
		_, err := e.Svc.UpdateRouting(e.Ctx, e.W.TenantAActor, d.ID, faxin.RoutingInput{UserID: &e.W.UserA.ID})
		authtest.Must(t, "route", err)
		spare := e.did(t, "+12025550191", "")
		doc, _ := sendDoc(t, 2)
		for _, tc := range []struct {
			name string
			t38  model.T38Policy
		}{{"t38", model.T38Request}, {"g711", model.T38Off}} {
			t.Run(tc.name, func(t *testing.T) {
				tl := line.NewTest(line.TestConfig{T38: tc.t38,
					Local: e.Svc.LocalLine(faxin.LocalConfig{T38: tc.t38 != model.T38Off, Node: "test"})})
				var stages []line.Stage
				res, err := tl.Dial(e.Ctx, line.Call{To: d.Number, E164: d.Number, CallerID: "+14155550123",
					StationID: "+14155550123", TIFFPath: doc, Pages: 2, ECM: true,
					Progress: func(p line.Progress) { stages = append(stages, p.Stage) }})
				authtest.Must(t, "Dial own DID", err)
				if !res.OK() || res.Pages != 2 || !res.Answered {
					t.Fatalf("sender's result = %+v", res)
				}
				items, _, err := e.Svc.List(e.Ctx, e.W.UserAActor, faxin.InboxFilter{}, model.ListOptions{Limit: 1})
				authtest.Must(t, "List", err)
				if len(items) != 1 || items[0].Pages != 2 || items[0].Status != model.FaxReceived ||
					items[0].CallerID != "+14155550123" {
					t.Fatalf("inbox = %+v", items)
				}
				if len(stages) < 4 || stages[0] != line.StageDialing || stages[len(stages)-1] != line.StagePage {
					t.Errorf("progress stages = %v", stages)
				}
			})
		}
		// Not ours: the simulated machine answers, nothing is received.
		tl := line.NewTest(line.TestConfig{T38: model.T38Request, Local: e.Svc.LocalLine(faxin.LocalConfig{T38: true})})
		res, err := tl.Dial(e.Ctx, line.Call{To: "+12025550100", E164: "+12025550100", TIFFPath: doc, Pages: 2, ECM: true})
		authtest.Must(t, "Dial other number", err)
		if !res.OK() {
			t.Errorf("other number: %+v", res)
		}
		n, err := e.Svc.Count(e.Ctx, e.W.AdminActor, faxin.InboxFilter{})
		authtest.Must(t, "Count", err)
		if n != 2 {
			t.Errorf("received faxes = %d, want 2", n)
		}
		// Ours but unassigned: refused like a SIP 404, never answered.
		res, err = tl.Dial(e.Ctx, line.Call{To: spare.Number, E164: spare.Number, TIFFPath: doc, Pages: 2})
		authtest.Must(t, "Dial spare DID", err)
		if res.Answered || res.SIPCode != 404 {
			t.Errorf("spare DID: %+v", res)
		}
	})
}
