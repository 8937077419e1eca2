package faxout_test

import (
	"errors"
	"testing"
	"time"

	"faxgate/internal/faxout"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// TestCancel cancels faxes in every state: queued (not due yet), retrying
// (between tries), sending (a real-time call in the middle of its pages,
// run by this node or by another one), and delivered (a conflict).
func TestCancel(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		st := open(t)
		e := newEnv(t, st, envOptions{cfg: func(c *faxout.Config) { c.Retry.Busy = time.Hour }})
		doc := e.doc(t, e.w.UserA, 3)

		t.Run("queued", func(t *testing.T) {
			f, _, err := e.svc.Submit(e.ctx, e.w.UserAActor, faxout.SubmitInput{To: "+12025550100", DocumentID: doc.ID,
				SendAt: time.Now().Add(time.Hour)})
			if err != nil || f.Status != model.FaxQueued {
				t.Fatalf("submit: %v %v", f.Status, err)
			}
			got, err := e.svc.Cancel(e.ctx, e.w.UserAActor, f.ID)
			if err != nil || got.Status != model.FaxCanceled || got.Cause != model.CauseCanceled || len(got.Attempts) != 0 {
				t.Fatalf("Cancel: %+v %v", got, err)
			}
			if _, err := e.svc.Cancel(e.ctx, e.w.UserAActor, f.ID); !errors.Is(err, model.ErrConflict) {
				t.Errorf("second Cancel: %v, want a conflict", err)
			}
		})

		t.Run("retrying", func(t *testing.T) {
			f := e.submit(t, e.w.UserAActor, doc, "+12025550486", 3)
			f = e.wait(t, f.ID, func(f model.Fax) bool { return f.Status == model.FaxRetrying })
			got, err := e.svc.Cancel(e.ctx, e.w.TenantAActor, f.ID) // the tenant admin may cancel users' faxes
			if err != nil || got.Status != model.FaxCanceled || len(got.Attempts) != 1 {
				t.Fatalf("Cancel: %+v %v", got, err)
			}
		})

		rt := e.trunk(t, "Real time", -5, 2, func(in *faxout.TrunkInput) { in.Speed = model.SpeedRealtime })
		cancelMidCall := func(t *testing.T, canceler *faxout.Service) {
			f := e.submit(t, e.w.UserAActor, doc, "+12025550100", 3)
			e.wait(t, f.ID, func(f model.Fax) bool {
				return len(f.Attempts) == 1 && f.Attempts[0].Status == model.AttemptConnected
			})
			time.Sleep(500 * time.Millisecond) // into the fax handshake
			start := time.Now()
			got, err := canceler.Cancel(e.ctx, e.w.UserAActor, f.ID)
			if err != nil || got.Status != model.FaxCanceled {
				t.Fatalf("Cancel: %v %v", got.Status, err)
			}
			a := got.Attempts[0]
			if a.Cause != model.CauseCanceled || a.Status != model.AttemptFailed || a.AnsweredAt.IsZero() ||
				a.TrunkID != rt.ID || len(got.Attempts) != 1 || a.Pages == 3 {
				t.Errorf("canceled attempt %+v", a)
			}
			t.Logf("hung up %v after Cancel", time.Since(start))
			if e.lines.receptions(f.ID) != 0 {
				t.Error("the machine received the whole fax")
			}
		}
		t.Run("sending", func(t *testing.T) { cancelMidCall(t, e.svc) })
		t.Run("sending on another node", func(t *testing.T) {
			// A service without the call: it can only flag the fax; the
			// node running the call sees the flag at its next heartbeat.
			other := e.newService(t, envOptions{}, "node-other")
			cancelMidCall(t, other)
		})

		t.Run("delivered", func(t *testing.T) {
			off := false
			if _, err := e.svc.UpdateTrunk(e.ctx, e.w.AdminActor, rt.ID, faxout.TrunkPatch{Enabled: &off}); err != nil {
				t.Fatal(err)
			}
			f := e.wait(t, e.submit(t, e.w.UserAActor, doc, "+12025550100", 0).ID, nil)
			if _, err := e.svc.Cancel(e.ctx, e.w.UserAActor, f.ID); !errors.Is(err, model.ErrConflict) {
				t.Errorf("Cancel(delivered): %v", err)
			}
			if got, _ := e.svc.Get(e.ctx, e.w.UserAActor, f.ID); got.Status != model.FaxDelivered {
				t.Errorf("status after refused cancel: %s", got.Status)
			}
		})
	})
}
