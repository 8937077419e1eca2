package ui

import (
	"net/http"
	"strings"
	"testing"

	"faxgate/internal/model"
)

// TestDashboardRecentFaxesLive: the dashboard's recent faxes refresh
// themselves (htmx, every 5 s) only while one of them is not final.
func TestDashboardRecentFaxesLive(t *testing.T) {
	p := newFaxPortal(t)
	ctx := t.Context()
	dids := []*model.DID{{Number: "+12025550401", TenantID: p.W.A.ID}}
	if _, err := p.St.CreateDIDs(ctx, dids, false); err != nil {
		t.Fatal(err)
	}
	receive := func(status model.FaxStatus) string {
		f := model.InboundFax{Fax: model.Fax{TenantID: p.W.A.ID, Status: status, Source: model.SourceAPI,
			To: dids[0].Number, CallerID: "+14155550199"}, DIDID: dids[0].ID}
		if err := p.St.InsertInboundFax(ctx, &f); err != nil {
			t.Fatal(err)
		}
		return f.ID
	}
	const poll = `hx-trigger="every 5s"`
	b := p.browser(t)
	b.login("boss@a.example")
	done := receive(model.FaxReceived)
	r := b.get("/")
	wantStatus(t, r, http.StatusOK)
	checkHygiene(t, "dashboard", r)
	wantHTML(t, r, `href="/inbox/`+done+`"`)
	if strings.Contains(r.Body, poll) {
		t.Error("the dashboard polls with every recent fax final")
	}
	running := receive(model.FaxReceiving)
	r = b.get("/")
	wantHTML(t, r, `href="/inbox/`+running+`"`, `<div id="recent-faxes" class="grid recent-faxes" hx-get="/" `+poll+` hx-select="#recent-faxes"`)
}
