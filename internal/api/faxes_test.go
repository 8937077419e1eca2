package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"faxgate/internal/api"
	"faxgate/internal/faxin"
	"faxgate/internal/faxout"
	"faxgate/internal/model"
)

// faxEnv is a running application (workers on) with a fast test trunk
// ahead of the real-time default, two tenants and a ready one-page
// document of tenant A.
func faxEnv(t *testing.T, dsn string) (*env, world, api.FaxDocument) {
	t.Helper()
	e := newDocEnv(t, dsn, nil)
	w := e.newWorld(t)
	admin := model.Actor{Role: model.RoleAdmin, UserID: e.admin.ID, Email: e.admin.Email, Via: "test"}
	on := true
	if _, err := e.app.Faxout().CreateTrunk(t.Context(), admin, faxout.TrunkInput{Name: "Fast test",
		Kind: model.TrunkTest, Speed: model.SpeedFast, Priority: 1, MaxChannels: 4, Enabled: &on,
		T38: model.T38Request}); err != nil {
		t.Fatal(err)
	}
	var d api.FaxDocument
	e.mustUpload(t, bearer(w.keyUA), "/api/v1/documents", 201, &d, field("name", "Memo"),
		file("memo.txt", "text/plain", []byte("Hello fax")))
	if d = e.waitDocument(t, bearer(w.keyUA), d.ID); d.Status != "ready" {
		t.Fatalf("document %+v", d)
	}
	return e, w, d
}

func (e *env) mustUpload(t *testing.T, c cred, path string, want int, out any, parts ...part) {
	t.Helper()
	r := e.upload(t, c, path, parts...)
	if r.status != want {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	if err := json.Unmarshal(r.body, out); err != nil {
		t.Fatalf("upload answer %s: %v", r.body, err)
	}
}

// waitFax polls the fax until it is final.
func (e *env) waitFax(t *testing.T, c cred, id string) api.Fax {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		var f api.Fax
		e.must(t, c, "GET", "/api/v1/faxes/"+id, nil, 200, &f)
		switch f.Status {
		case "delivered", "failed", "canceled":
			return f
		}
		if time.Now().After(deadline) {
			t.Fatalf("fax %s still %s after 90 s", id, f.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestFaxesAPI(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn func(*testing.T) string) {
		e, w, doc := faxEnv(t, dsn(t))
		ua := bearer(w.keyUA)

		// Send, with an idempotency key: 201, then the replay 200 with the same fax.
		var sent api.Fax
		r := e.must(t, both(ua, header("Idempotency-Key", "k-1")), "POST", "/api/v1/faxes",
			api.FaxSend{To: "+1 202 555 0100", DocumentID: doc.ID, Title: "Memo"}, 201, &sent)
		if sent.Status != "queued" || sent.To != "+12025550100" || sent.Direction != "outbound" ||
			r.header.Get("Location") != "/api/v1/faxes/"+sent.ID {
			t.Fatalf("sent %+v (Location %q)", sent, r.header.Get("Location"))
		}
		var again api.Fax
		e.must(t, both(ua, header("Idempotency-Key", "k-1")), "POST", "/api/v1/faxes",
			api.FaxSend{To: "+1 202 555 0100", DocumentID: doc.ID, Title: "Memo"}, 200, &again)
		if again.ID != sent.ID {
			t.Fatalf("replay made fax %s, want %s", again.ID, sent.ID)
		}
		if r := e.call(t, both(ua, header("Idempotency-Key", "k-1")), "POST", "/api/v1/faxes",
			api.FaxSend{To: "+1 202 555 0199", DocumentID: doc.ID}); r.status != 409 {
			t.Fatalf("key reused for another request: %d %s", r.status, r.body)
		}

		f := e.waitFax(t, ua, sent.ID)
		if f.Status != "delivered" || f.PagesSent != f.Pages || f.Pages < 1 || len(f.Attempts) != 1 {
			t.Fatalf("delivered fax %+v", f)
		}
		at := f.Attempts[0]
		if at.TrunkName != "Fast test" || at.Pages != f.Pages || at.Transport == "" || at.EndedAt == nil ||
			at.ResultCode != 0 {
			t.Fatalf("attempt %+v", at)
		}

		// Busy number, no retries: failed, cause busy.
		zero := 0
		var busy api.Fax
		e.must(t, ua, "POST", "/api/v1/faxes", api.FaxSend{To: "+12025550486", DocumentID: doc.ID,
			Retries: &zero}, 201, &busy)
		busy = e.waitFax(t, ua, busy.ID)
		if busy.Status != "failed" || busy.Cause != "busy" || len(busy.Attempts) != 1 ||
			busy.Attempts[0].Cause != "busy" {
			t.Fatalf("busy fax %+v", busy)
		}

		// List: outbound by default, filtered by status.
		var list api.FaxList
		e.must(t, ua, "GET", "/api/v1/faxes?status=delivered", nil, 200, &list)
		if len(list.Items) != 1 || list.Items[0].ID != sent.ID {
			t.Fatalf("delivered list %+v", list.Items)
		}
		var inbound api.FaxList
		e.must(t, ua, "GET", "/api/v1/faxes?direction=inbound", nil, 200, &inbound)
		if len(inbound.Items) != 0 {
			t.Fatalf("inbound list %+v", inbound.Items)
		}
		if r := e.call(t, ua, "GET", "/api/v1/faxes?direction=sideways", nil); r.status != 400 {
			t.Fatalf("bad direction: %d", r.status)
		}

		// Download the sent document.
		r = e.must(t, ua, "GET", "/api/v1/faxes/"+sent.ID+"/file?format=tiff", nil, 200, nil)
		if r.header.Get("Content-Type") != "image/tiff" || len(r.body) < 100 {
			t.Fatalf("tiff download: %s %d bytes", r.header.Get("Content-Type"), len(r.body))
		}

		// A fax due tomorrow stays queued and can be canceled; canceling
		// it again conflicts.
		tomorrow := time.Now().Add(24 * time.Hour)
		var later api.Fax
		e.must(t, ua, "POST", "/api/v1/faxes", api.FaxSend{To: "+12025550100", DocumentID: doc.ID,
			SendAt: &tomorrow}, 201, &later)

		// Another tenant sees none of it and cannot cancel it.
		ub := bearer(w.keyUB)
		for _, c := range []cred{ub, bearer(w.keyTB)} {
			if r := e.call(t, c, "GET", "/api/v1/faxes/"+later.ID, nil); r.status != 404 {
				t.Fatalf("cross-tenant GET: %d %s", r.status, r.body)
			}
			if r := e.call(t, c, "POST", "/api/v1/faxes/"+later.ID+"/cancel", nil); r.status != 404 {
				t.Fatalf("cross-tenant cancel: %d %s", r.status, r.body)
			}
			if r := e.call(t, c, "GET", "/api/v1/faxes/"+sent.ID+"/file", nil); r.status != 404 {
				t.Fatalf("cross-tenant download: %d %s", r.status, r.body)
			}
			var l api.FaxList
			e.must(t, c, "GET", "/api/v1/faxes", nil, 200, &l)
			if len(l.Items) != 0 {
				t.Fatalf("tenant B lists %+v", l.Items)
			}
		}
		var still api.Fax
		e.must(t, ua, "GET", "/api/v1/faxes/"+later.ID, nil, 200, &still)
		if still.Status != "queued" || still.CancelRequested {
			t.Fatalf("after cross-tenant cancel: %+v", still)
		}
		var canceled api.Fax
		e.must(t, ua, "POST", "/api/v1/faxes/"+later.ID+"/cancel", nil, 200, &canceled)
		if canceled.Status != "canceled" {
			t.Fatalf("canceled %+v", canceled)
		}
		if r := e.call(t, ua, "POST", "/api/v1/faxes/"+later.ID+"/cancel", nil); r.status != 409 {
			t.Fatalf("second cancel: %d %s", r.status, r.body)
		}

		// Validation: 422 with the field.
		if r := e.call(t, ua, "POST", "/api/v1/faxes", api.FaxSend{To: "555", DocumentID: doc.ID}); r.status != 422 ||
			r.fields()["to"] == "" {
			t.Fatalf("bad number: %d %s", r.status, r.body)
		}

		// A fax to a number of our own DID pool arrives in tenant A's inbox.
		admin := model.Actor{Role: model.RoleAdmin, UserID: e.admin.ID, Email: e.admin.Email, Via: "test"}
		if _, err := e.app.Faxin().AddDID(t.Context(), admin, faxin.DIDInput{Number: "+12025550142",
			TenantID: w.A.ID}); err != nil {
			t.Fatal(err)
		}
		var toOwn api.Fax
		e.must(t, ua, "POST", "/api/v1/faxes", api.FaxSend{To: "+12025550142", DocumentID: doc.ID}, 201, &toOwn)
		if f := e.waitFax(t, ua, toOwn.ID); f.Status != "delivered" {
			t.Fatalf("fax to own DID %+v", f)
		}
		ta := bearer(w.keyTA)
		var in api.FaxList
		for deadline := time.Now().Add(30 * time.Second); len(in.Items) == 0 && time.Now().Before(deadline); {
			time.Sleep(50 * time.Millisecond)
			e.must(t, ta, "GET", "/api/v1/faxes?direction=inbound", nil, 200, &in)
		}
		if len(in.Items) != 1 || in.Items[0].Direction != "inbound" || in.Items[0].Status != "received" ||
			in.Items[0].To != "+12025550142" {
			t.Fatalf("inbound list %+v", in.Items)
		}
		var rx api.Fax
		e.must(t, ta, "GET", "/api/v1/faxes/"+in.Items[0].ID, nil, 200, &rx)
		if rx.Direction != "inbound" || len(rx.Attempts) != 1 || rx.Read == nil || rx.DIDID == "" {
			t.Fatalf("inbound fax %+v", rx)
		}
		r = e.must(t, ta, "GET", "/api/v1/faxes/"+rx.ID+"/file?format=pdf", nil, 200, nil)
		if r.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(r.body), "%PDF") {
			t.Fatalf("inbound pdf: %s %.20q", r.header.Get("Content-Type"), r.body)
		}
		if r := e.call(t, bearer(w.keyTB), "GET", "/api/v1/faxes/"+rx.ID, nil); r.status != 404 {
			t.Fatalf("tenant B reads A's inbound fax: %d", r.status)
		}
		if r := e.call(t, ta, "POST", "/api/v1/faxes/"+rx.ID+"/cancel", nil); r.status != 409 {
			t.Fatalf("cancel of an inbound fax: %d %s", r.status, r.body)
		}

		// Quota: tenant A may send one page a day; it has used it.
		one := 1
		e.must(t, e.adminCred(), "PATCH", "/api/v1/tenants/"+w.A.ID, api.TenantInput{DailyPageLimit: &one}, 200, nil)
		r = e.call(t, ua, "POST", "/api/v1/faxes", api.FaxSend{To: "+12025550100", DocumentID: doc.ID})
		if r.status != http.StatusTooManyRequests || r.errorCode() != "limit_exceeded" ||
			!strings.Contains(string(r.body), "limit") {
			t.Fatalf("over quota: %d %s", r.status, r.body)
		}
	})
}

func TestTrunksAndCIDsAPI(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn func(*testing.T) string) {
		e := newEnv(t, dsn(t))
		w := e.newWorld(t)
		ad := e.adminCred()

		var list api.TrunkList
		e.must(t, ad, "GET", "/api/v1/trunks", nil, 200, &list)
		var haveTest bool
		for _, tr := range list.Items {
			haveTest = haveTest || tr.Kind == "test" && tr.Enabled
		}
		if !haveTest {
			t.Fatalf("fresh install trunks %+v, want an enabled test trunk", list.Items)
		}
		name, prio, ch, pw := "Carrier", 5, 2, "s3cret-pass"
		var tr api.Trunk
		r := e.must(t, ad, "POST", "/api/v1/trunks", api.TrunkInput{Name: &name, Kind: "sip", Priority: &prio,
			MaxChannels: &ch, Host: strPtr("sip.example.com"), Port: intPtr(5060), Transport: strPtr("udp"),
			Username: strPtr("acct"), Password: &pw, DialRules: &api.DialRules{Allow: []string{"+1"},
				Rewrites: []api.DialRewrite{{Strip: "+1", Add: "1"}}}}, 201, &tr)
		if tr.Kind != "sip" || !tr.HasPassword || tr.DialRules.Rewrites[0].Add != "1" ||
			strings.Contains(string(r.body), pw) {
			t.Fatalf("created trunk %s", r.body)
		}
		two := 3
		e.must(t, ad, "PATCH", "/api/v1/trunks/"+tr.ID, api.TrunkInput{MaxChannels: &two}, 200, &tr)
		if tr.MaxChannels != 3 || !tr.HasPassword {
			t.Fatalf("patched trunk %+v", tr)
		}
		for _, c := range []cred{bearer(w.keyTA), bearer(w.keyUA)} {
			if r := e.call(t, c, "GET", "/api/v1/trunks", nil); r.status != 403 {
				t.Fatalf("non-admin lists trunks: %d", r.status)
			}
		}
		e.must(t, ad, "DELETE", "/api/v1/trunks/"+tr.ID, nil, 204, nil)
		if r := e.call(t, ad, "GET", "/api/v1/trunks/"+tr.ID, nil); r.status != 404 {
			t.Fatalf("deleted trunk: %d", r.status)
		}

		var cid api.CallerIDNumber
		e.must(t, ad, "POST", "/api/v1/cids", api.CallerIDInput{Number: strPtr("+1 202 555 0177"),
			TenantID: &w.A.ID, Label: strPtr("HQ")}, 201, &cid)
		if cid.Number != "+12025550177" || cid.TenantID != w.A.ID {
			t.Fatalf("cid %+v", cid)
		}
		if r := e.call(t, ad, "POST", "/api/v1/cids", api.CallerIDInput{Number: strPtr("+12025550177")}); r.status != 409 {
			t.Fatalf("duplicate cid: %d %s", r.status, r.body)
		}
		var mine api.CallerIDList
		e.must(t, bearer(w.keyUA), "GET", "/api/v1/my/cids", nil, 200, &mine)
		if len(mine.Items) != 1 || mine.Items[0].ID != cid.ID {
			t.Fatalf("tenant A my/cids %+v", mine.Items)
		}
		e.must(t, bearer(w.keyTB), "GET", "/api/v1/my/cids", nil, 200, &mine)
		if len(mine.Items) != 0 {
			t.Fatalf("tenant B sees %+v", mine.Items)
		}
		if r := e.call(t, bearer(w.keyTA), "GET", "/api/v1/cids", nil); r.status != 403 {
			t.Fatalf("tenant lists the pool: %d", r.status)
		}
		empty := ""
		e.must(t, ad, "PATCH", "/api/v1/cids/"+cid.ID, api.CallerIDInput{TenantID: &empty}, 200, &cid)
		var spare api.CallerIDList
		e.must(t, ad, "GET", "/api/v1/cids?unassigned=true", nil, 200, &spare)
		if cid.TenantID != "" || len(spare.Items) != 1 {
			t.Fatalf("unassigned %+v, spare %+v", cid, spare.Items)
		}
		e.must(t, ad, "DELETE", "/api/v1/cids/"+cid.ID, nil, 204, nil)
	})
}

func strPtr(s string) *string { return &s }
func intPtr(n int) *int       { return &n }

// TestFaxReportAPI: the transmission report of a delivered fax is a PDF
// for the sender and the tenant admin, 404 for another tenant (and a
// colleague who is a plain user), 409 while the fax is not final.
func TestFaxReportAPI(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn func(t *testing.T) string) {
		e, w, doc := faxEnv(t, dsn(t))
		ua := bearer(w.keyUA)
		var sent, later api.Fax
		e.must(t, ua, "POST", "/api/v1/faxes", api.FaxSend{To: "+12025550100", DocumentID: doc.ID}, 201, &sent)
		tomorrow := time.Now().Add(24 * time.Hour)
		e.must(t, ua, "POST", "/api/v1/faxes", api.FaxSend{To: "+12025550100", DocumentID: doc.ID,
			SendAt: &tomorrow}, 201, &later)
		if f := e.waitFax(t, ua, sent.ID); f.Status != "delivered" {
			t.Fatalf("fax %+v", f)
		}
		tests := []struct {
			name   string
			c      cred
			id     string
			status int
		}{
			{"sender", ua, sent.ID, 200},
			{"tenant admin", bearer(w.keyTA), sent.ID, 200},
			{"platform admin", e.adminCred(), sent.ID, 200},
			{"other tenant", bearer(w.keyTB), sent.ID, 404},
			{"other tenant's user", bearer(w.keyUB), sent.ID, 404},
			{"unknown", ua, "fax_aaaaaaaaaaaaaaaa", 404},
			{"not final", ua, later.ID, 409},
		}
		for _, tc := range tests {
			r := e.call(t, tc.c, "GET", "/api/v1/faxes/"+tc.id+"/report", nil)
			if r.status != tc.status {
				t.Errorf("%s: %d %s, want %d", tc.name, r.status, r.body, tc.status)
				continue
			}
			if tc.status == 200 && (r.header.Get("Content-Type") != "application/pdf" ||
				!strings.HasPrefix(string(r.body), "%PDF-") ||
				!strings.Contains(r.header.Get("Content-Disposition"), sent.ID)) {
				t.Errorf("%s: %s %q, %d bytes", tc.name, r.header.Get("Content-Type"),
					r.header.Get("Content-Disposition"), len(r.body))
			}
		}
		if r := e.call(t, ua, "GET", "/api/v1/faxes/"+sent.ID+"/report?format=png", nil); r.status != 400 {
			t.Errorf("unknown query parameter: %d", r.status)
		}
	})
}
