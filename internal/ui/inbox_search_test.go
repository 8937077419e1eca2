package ui

import (
	"net/http"
	"strings"
	"testing"

	"faxgate/internal/model"
)

// TestInboxSearch: Receive Fax searches the sender's number, the DID and
// the sender's station id, keeps the search in its field, and says when
// nothing matches.
func TestInboxSearch(t *testing.T) {
	p := newFaxPortal(t)
	ctx := t.Context()
	dids := []*model.DID{{Number: "+12025550301", TenantID: p.W.A.ID}, {Number: "+12025550302", TenantID: p.W.A.ID}}
	if _, err := p.St.CreateDIDs(ctx, dids, false); err != nil {
		t.Fatal(err)
	}
	for i, caller := range []string{"+14155550123", "+33142000000"} {
		f := model.InboundFax{Fax: model.Fax{TenantID: p.W.A.ID, Status: model.FaxReceived, Source: model.SourceAPI,
			To: dids[i].Number, CallerID: caller}, DIDID: dids[i].ID}
		if err := p.St.InsertInboundFax(ctx, &f); err != nil {
			t.Fatal(err)
		}
	}
	b := p.browser(t)
	b.login("boss@a.example")
	r := b.get("/inbox")
	wantStatus(t, r, http.StatusOK)
	checkHygiene(t, "inbox", r)
	wantText(t, r, "14155550123", "33142000000")
	r = b.get("/inbox?q=4155")
	wantStatus(t, r, http.StatusOK)
	wantHTML(t, r, `id="f-q" name="q" type="search" value="4155"`)
	if !strings.Contains(r.Body, "14155550123") || strings.Contains(r.Body, "33142000000") {
		t.Errorf("search by the sender's number:\n%s", r.Body)
	}
	r = b.get("/inbox?q=5550302")
	if strings.Contains(r.Body, "14155550123") || !strings.Contains(r.Body, "33142000000") {
		t.Errorf("search by the DID:\n%s", r.Body)
	}
	wantText(t, b.get("/inbox?q=999999"), "No received faxes match.")
	// Tenant B finds none of tenant A's faxes.
	o := p.browser(t)
	o.login("boss@b.example")
	if r := o.get("/inbox?q=4155"); strings.Contains(r.Body, "14155550123") {
		t.Error("tenant B finds tenant A's fax")
	}
}
