package faxout_test

import (
	"slices"
	"testing"

	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/telephony/t30"
)

// TestTestNumbers sends to every documented test number through the whole
// chain (Submit, River, the worker, the real engine on the fast test line)
// and checks the fax, its attempt (the CDR row), its timeline and usage.
func TestTestNumbers(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := newEnv(t, open(t), envOptions{})
		doc := e.doc(t, e.w.UserA, 2)
		tests := []struct {
			to       string
			status   model.FaxStatus
			cause    model.Cause
			answered bool
			code     int // attempt result code
			pages    int
			timeline []model.FaxEventKind
		}{
			{"+12025550100", model.FaxDelivered, model.CauseNone, true, t30.CodeOK, 2,
				[]model.FaxEventKind{model.EventQueued, model.EventDialing, model.EventRinging, model.EventConnected,
					model.EventPageSent, model.EventPageSent, model.EventDelivered}},
			{"+12025550486", model.FaxFailed, model.CauseBusy, false, 486, 0,
				[]model.FaxEventKind{model.EventQueued, model.EventDialing, model.EventAttemptFailed, model.EventFailed}},
			{"+442079460480", model.FaxFailed, model.CauseNoAnswer, false, 480, 0,
				[]model.FaxEventKind{model.EventQueued, model.EventDialing, model.EventRinging, model.EventAttemptFailed,
					model.EventFailed}},
			{"+12025550488", model.FaxFailed, model.CauseFaxNegotiation, true, 2, 0,
				[]model.FaxEventKind{model.EventQueued, model.EventDialing, model.EventRinging, model.EventConnected,
					model.EventAttemptFailed, model.EventFailed}},
			{"+12025550408", model.FaxFailed, model.CauseFaxTransfer, true, t30.CodeCallDropped, 1,
				[]model.FaxEventKind{model.EventQueued, model.EventDialing, model.EventRinging, model.EventConnected,
					model.EventPageSent, model.EventAttemptFailed, model.EventFailed}},
			{"+12025550503", model.FaxFailed, model.CauseNetwork, false, 503, 0,
				[]model.FaxEventKind{model.EventQueued, model.EventDialing, model.EventAttemptFailed, model.EventFailed}},
		}
		ids := make([]string, len(tests))
		for i, tc := range tests {
			ids[i] = e.submit(t, e.w.UserAActor, doc, tc.to, 0).ID
		}
		for i, tc := range tests {
			t.Run(tc.to, func(t *testing.T) {
				f := e.wait(t, ids[i], nil)
				if f.Status != tc.status || f.Cause != tc.cause || f.PagesSent != tc.pages || len(f.Attempts) != 1 ||
					f.Tries != 1 || f.CompletedAt.IsZero() {
					t.Fatalf("fax %+v", f)
				}
				a := f.Attempts[0]
				if a.Status.Ended() != true || a.Cause != tc.cause || a.ResultCode() != tc.code ||
					a.Pages != tc.pages || a.TrunkID != e.fast.ID || a.TrunkName != "Fast test line" ||
					a.AnsweredAt.IsZero() == tc.answered || a.EndedAt.Before(a.StartedAt) || a.Node != "node-a" ||
					a.DialedNumber != tc.to || a.ResultText == "" {
					t.Errorf("attempt %+v", a)
				}
				if tc.answered && tc.cause != model.CauseFaxNegotiation &&
					(a.Transport != model.TransportT38 || a.BitRate != 14400 || !a.ECMUsed || a.RemoteStationID != tc.to) {
					t.Errorf("answered fax attempt: transport %q rate %d ECM %v station %q", a.Transport, a.BitRate,
						a.ECMUsed, a.RemoteStationID)
				}
				if tc.cause == model.CauseFaxNegotiation && a.Transport != model.TransportG711 {
					t.Errorf("voice call transport %q, want g711", a.Transport)
				}
				evs, err := e.svc.Timeline(e.ctx, e.w.UserAActor, f.ID)
				if err != nil {
					t.Fatal(err)
				}
				var kinds []model.FaxEventKind
				for _, ev := range evs {
					kinds = append(kinds, ev.Kind)
				}
				if !slices.Equal(kinds, tc.timeline) {
					t.Errorf("timeline %v, want %v", kinds, tc.timeline)
				}
			})
		}
		u, err := e.svc.Usage(e.ctx, e.w.TenantAActor, "")
		if err != nil {
			t.Fatal(err)
		}
		if u.Day.Pages != 2 || u.Day.Faxes != 1 || u.Month.Pages != 2 || u.Pending != 0 {
			t.Errorf("usage after one 2-page delivery: %+v", u)
		}
	})
}
