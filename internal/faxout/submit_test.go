package faxout_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"faxgate/internal/campaign"
	"faxgate/internal/faxout"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// TestQuota: a fax is accepted while delivered plus pending plus its own
// pages stay within the daily and monthly limits (exactly at the limit is
// fine), refused one page over, with model.ErrLimitExceeded.
func TestQuota(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := newEnv(t, open(t), envOptions{})
		setLimits := func(day, month int) {
			t.Helper()
			if _, err := e.ae.Tenancy.UpdateTenant(e.ctx, e.w.AdminActor, e.w.A.ID,
				tenancyInput(day, month)); err != nil {
				t.Fatal(err)
			}
		}
		setLimits(10, 0)
		three, one := e.doc(t, e.w.UserA, 3), e.doc(t, e.w.UserA, 1)
		hold := make(chan struct{})
		e.lines.setHold(hold) // keep the first faxes pending
		var ids []string
		for range 3 {
			ids = append(ids, e.submit(t, e.w.UserAActor, three, "+12025550100", 0).ID) // 9 pages pending
		}
		over := func(doc model.Document, what string) {
			t.Helper()
			_, _, err := e.svc.Submit(e.ctx, e.w.UserAActor, faxout.SubmitInput{To: "+12025550100", DocumentID: doc.ID})
			if !errors.Is(err, model.ErrLimitExceeded) || !strings.Contains(err.Error(), "fax limit exceeded") {
				t.Errorf("%s: error %v, want fax limit exceeded", what, err)
			}
		}
		over(three, "12 of 10 pages")
		// A cover page is a page too: 9 + 1 + 1 = 11.
		_, _, err := e.svc.Submit(e.ctx, e.w.UserAActor, faxout.SubmitInput{To: "+12025550100", DocumentID: one.ID,
			CoverPage: &model.CoverPage{Enabled: true}})
		if !errors.Is(err, model.ErrLimitExceeded) {
			t.Errorf("cover page pushing past the limit: %v", err)
		}
		ids = append(ids, e.submit(t, e.w.UserAActor, one, "+12025550100", 0).ID) // exactly 10
		over(one, "11 of 10 pages")
		// Another tenant is not affected.
		e.submit(t, e.w.UserBActor, e.doc(t, e.w.UserB, 3), "+12025550100", 0)

		u, err := e.svc.Usage(e.ctx, e.w.TenantAActor, "")
		if err != nil || u.Pending != 10 || !u.WarnDaily || u.WarnMonthly || u.DailyLimit != 10 {
			t.Errorf("usage while pending: %+v %v", u, err)
		}
		close(hold)
		for _, id := range ids {
			e.wait(t, id, nil)
		}
		u, err = e.svc.Usage(e.ctx, e.w.TenantAActor, "")
		if err != nil || u.Day.Pages != 10 || u.Month.Pages != 10 || u.Pending != 0 || u.Day.Faxes != 4 {
			t.Errorf("usage after delivery: %+v %v", u, err)
		}
		over(one, "delivered pages count too")

		// A failed fax releases its pages; the monthly limit applies alike.
		setLimits(0, 12)
		f := e.wait(t, e.submit(t, e.w.UserAActor, one, "+12025550486", 0).ID, nil)
		if f.Status != model.FaxFailed {
			t.Fatalf("busy fax %s", f.Status)
		}
		e.submit(t, e.w.UserAActor, one, "+12025550100", 0)
		e.submit(t, e.w.UserAActor, one, "+12025550100", 0) // 12 of 12
		over(one, "13 of 12 pages this month")

		// Concurrent submissions cannot overshoot: exactly the limit gets in.
		day := 10
		if _, err := e.ae.Tenancy.UpdateTenant(e.ctx, e.w.AdminActor, e.w.B.ID, tenancyInput(day, 0)); err != nil {
			t.Fatal(err)
		}
		oneB := e.doc(t, e.w.UserB, 1)
		var wg sync.WaitGroup
		var mu sync.Mutex
		accepted, refused := 0, 0
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, err := e.svc.Submit(e.ctx, e.w.UserBActor, faxout.SubmitInput{To: "+12025550100", DocumentID: oneB.ID})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					accepted++
				case errors.Is(err, model.ErrLimitExceeded):
					refused++
				default:
					t.Errorf("Submit: %v", err)
				}
			}()
		}
		wg.Wait()
		// Tenant B already sent 3 pages today.
		if accepted != day-3 || refused != 20-(day-3) {
			t.Errorf("%d accepted and %d refused of 20 concurrent 1-page faxes with 7 pages left", accepted, refused)
		}
	})
}

// TestIdempotency: the same key and request return the same fax (even
// when submitted concurrently), send it once, and a different request with
// the key is a conflict; keys are per tenant.
func TestIdempotency(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := newEnv(t, open(t), envOptions{})
		doc := e.doc(t, e.w.UserA, 1)
		in := faxout.SubmitInput{To: "(202) 555-0100", DocumentID: doc.ID, IdempotencyKey: "order-42", Title: "Order"}
		const n = 8
		var wg sync.WaitGroup
		results := make([]model.Fax, n)
		replays := make([]bool, n)
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], replays[i], errs[i] = e.svc.Submit(e.ctx, e.w.UserAActor, in)
			}()
		}
		wg.Wait()
		created := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("submit %d: %v", i, errs[i])
			}
			if results[i].ID != results[0].ID {
				t.Errorf("submit %d returned fax %s, submit 0 %s", i, results[i].ID, results[0].ID)
			}
			if !replays[i] {
				created++
			}
		}
		if created != 1 {
			t.Errorf("%d submissions created the fax, want 1", created)
		}
		f := e.wait(t, results[0].ID, nil)
		if f.Status != model.FaxDelivered || len(f.Attempts) != 1 || e.lines.receptions(f.ID) != 1 {
			t.Errorf("fax %s with %d attempts, %d receptions", f.Status, len(f.Attempts), e.lines.receptions(f.ID))
		}
		// After delivery the key still answers with the fax.
		again, replayed, err := e.svc.Submit(e.ctx, e.w.UserAActor, in)
		if err != nil || !replayed || again.ID != f.ID || again.Status != model.FaxDelivered {
			t.Errorf("replay after delivery: %s %v %v", again.ID, replayed, err)
		}
		n2, err := e.svc.Count(e.ctx, e.w.TenantAActor, faxout.ListFilter{})
		if err != nil || n2 != 1 {
			t.Errorf("%d faxes in the tenant, want 1 (%v)", n2, err)
		}
		changed := in
		changed.Title = "Another"
		_, _, err = e.svc.Submit(e.ctx, e.w.UserAActor, changed)
		var ce *model.ConflictError
		if !errors.As(err, &ce) || ce.Field != "idempotency_key" {
			t.Errorf("same key, other request: %v", err)
		}
		// Another user of the tenant may not see the first user's fax:
		// conflict, not a leak.
		_, other := e.ae.User(t, e.w.A.ID, model.RoleUser, "other@a.example")
		if _, _, err := e.svc.Submit(e.ctx, other, in); !errors.As(err, &ce) {
			t.Errorf("other user, same key: %v", err)
		}
		// Another tenant has its own keys.
		inB := in
		inB.DocumentID = e.doc(t, e.w.UserB, 1).ID
		fb, replayed, err := e.svc.Submit(e.ctx, e.w.UserBActor, inB)
		if err != nil || replayed || fb.ID == f.ID {
			t.Errorf("tenant B with the same key: %v %v", replayed, err)
		}
	})
}

// TestSubmitValidation: bad input is refused with the field at fault and a
// message fit for people.
func TestSubmitValidation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := newEnv(t, open(t), envOptions{})
		doc := e.doc(t, e.w.UserA, 1)
		docB := e.doc(t, e.w.UserB, 1)
		processing := model.Document{ID: model.NewID(model.PrefixDocument), TenantID: e.w.A.ID, UserID: e.w.UserA.ID,
			Name: "converting", Quality: model.QualityFine, Status: model.DocumentProcessing}
		if err := e.st.CreateDocument(e.ctx, &processing); err != nil {
			t.Fatal(err)
		}
		cidB, err := e.svc.CreateCID(e.ctx, e.w.AdminActor, faxout.CIDInput{Number: "+12025550177", TenantID: e.w.B.ID})
		if err != nil {
			t.Fatal(err)
		}
		eleven, minus := 11, -1
		tests := []struct {
			name  string
			actor model.Actor
			in    faxout.SubmitInput
			field string
			msg   string
		}{
			{"short number", e.w.UserAActor, faxout.SubmitInput{To: "555", DocumentID: doc.ID}, "to",
				"not a valid phone number for US: 555"},
			{"letters", e.w.UserAActor, faxout.SubmitInput{To: "call me", DocumentID: doc.ID}, "to", "not a valid phone number"},
			{"no document", e.w.UserAActor, faxout.SubmitInput{To: "+12025550100"}, "document_id", "required"},
			{"other tenant's document", e.w.UserAActor, faxout.SubmitInput{To: "+12025550100", DocumentID: docB.ID},
				"document_id", "no such document"},
			{"processing document", e.w.UserAActor, faxout.SubmitInput{To: "+12025550100", DocumentID: processing.ID},
				"document_id", "still being converted"},
			{"other tenant's caller ID", e.w.UserAActor, faxout.SubmitInput{To: "+12025550100", DocumentID: doc.ID,
				CallerID: cidB.Number}, "caller_id", "not one of your caller IDs"},
			{"retries 11", e.w.UserAActor, faxout.SubmitInput{To: "+12025550100", DocumentID: doc.ID, Retries: &eleven},
				"retries", "0 to 10"},
			{"retries -1", e.w.UserAActor, faxout.SubmitInput{To: "+12025550100", DocumentID: doc.ID, Retries: &minus},
				"retries", "0 to 10"},
			{"retry delay 5 s", e.w.UserAActor, faxout.SubmitInput{To: "+12025550100", DocumentID: doc.ID,
				RetryDelay: 5 * time.Second}, "retry_delay_s", "10 to 86400"},
			{"long title", e.w.UserAActor, faxout.SubmitInput{To: "+12025550100", DocumentID: doc.ID,
				Title: strings.Repeat("x", 201)}, "title", "at most 200"},
			{"bad source", e.w.UserAActor, faxout.SubmitInput{To: "+12025550100", DocumentID: doc.ID, Source: "fax"},
				"source", "web, api"},
			{"send in two years", e.w.UserAActor, faxout.SubmitInput{To: "+12025550100", DocumentID: doc.ID,
				SendAt: time.Now().AddDate(2, 0, 0)}, "send_at", "a year"},
			{"admin without tenant", e.w.AdminActor, faxout.SubmitInput{To: "+12025550100", DocumentID: doc.ID},
				"tenant_id", "required"},
			{"user naming another tenant", e.w.UserAActor, faxout.SubmitInput{TenantID: e.w.B.ID, To: "+12025550100",
				DocumentID: docB.ID}, "tenant_id", "no such tenant"},
			{"key with spaces", e.w.UserAActor, faxout.SubmitInput{To: "+12025550100", DocumentID: doc.ID,
				IdempotencyKey: "a b"}, "idempotency_key", "printable"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, _, err := e.svc.Submit(e.ctx, tc.actor, tc.in)
				var ve *model.ValidationError
				if !errors.As(err, &ve) || !strings.Contains(ve.Fields[tc.field], tc.msg) {
					t.Fatalf("error %v, want %s: %q", err, tc.field, tc.msg)
				}
			})
		}
		// No line may dial the number: every enabled trunk refuses it.
		if _, err := e.svc.UpdateTrunk(e.ctx, e.w.AdminActor, e.fast.ID, faxout.TrunkPatch{
			DialRules: &model.DialRules{Deny: []string{"+1900*"}}}); err != nil {
			t.Fatal(err)
		}
		_, _, err = e.svc.Submit(e.ctx, e.w.UserAActor, faxout.SubmitInput{To: "+19005550100", DocumentID: doc.ID})
		var ve *model.ValidationError
		if !errors.As(err, &ve) || ve.Fields["to"] != "no fax line may dial this number" {
			t.Errorf("denied number: %v", err)
		}
		// A suspended tenant cannot send.
		if _, err := e.ae.Tenancy.UpdateTenant(e.ctx, e.w.AdminActor, e.w.A.ID,
			tenancyStatus(model.TenantSuspended)); err != nil {
			t.Fatal(err)
		}
		_, _, err = e.svc.Submit(e.ctx, e.w.UserAActor, faxout.SubmitInput{To: "+12025550100", DocumentID: doc.ID})
		if !errors.Is(err, model.ErrSuspended) {
			t.Errorf("suspended tenant: %v", err)
		}
		// An admin may send for a tenant (operators' CLI), with defaults.
		f, _, err := e.svc.Submit(e.ctx, e.w.AdminActor, faxout.SubmitInput{TenantID: e.w.B.ID, To: "2025550100",
			DocumentID: docB.ID, CallerID: "(202) 555-0177"})
		if err != nil || f.To != "+12025550100" || f.CallerID != "+12025550177" || f.Retries != model.DefaultFaxRetries ||
			f.RetryDelay != 60*time.Second || f.Source != model.SourceWeb || f.UserID != e.w.Admin.ID {
			t.Errorf("admin submission: %+v %v", f, err)
		}
	})
}

// TestDoNotContact: with the do-not-contact lists wired in (the campaign
// service), a number on the tenant's list is refused with the reason.
func TestDoNotContact(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		st := open(t)
		e := newEnv(t, st, envOptions{noStart: true})
		dnc := campaign.NewService(st, e.ae.Audit, nil, nil)
		if _, err := dnc.AddDNC(e.ctx, e.w.TenantAActor, campaign.DNCInput{Number: "+12025550111", Note: "asked us"}); err != nil {
			t.Fatal(err)
		}
		svc, err := faxout.New(faxout.Deps{Store: st, Blob: e.blobs, Lines: e.lines.factory, Blocklist: dnc}, faxout.Config{})
		if err != nil {
			t.Fatal(err)
		}
		svc.UseJobs(insertOnly(t, st))
		_, _, err = svc.Submit(e.ctx, e.w.UserAActor, faxout.SubmitInput{To: "(202) 555-0111", DocumentID: e.doc(t, e.w.UserA, 1).ID})
		var ve *model.ValidationError
		if !errors.As(err, &ve) || !strings.Contains(ve.Fields["to"], "do-not-contact") {
			t.Errorf("number on the list: %v", err)
		}
		// Another tenant's list does not apply.
		if _, _, err := svc.Submit(e.ctx, e.w.UserBActor, faxout.SubmitInput{To: "+12025550111",
			DocumentID: e.doc(t, e.w.UserB, 1).ID}); err != nil {
			t.Errorf("tenant B: %v", err)
		}
	})
}
