package faxout_test

import (
	"strings"
	"sync"
	"testing"

	"faxgate/internal/faxout"
	"faxgate/internal/faxout/line"
	"faxgate/internal/faxtiff"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/telephony/t30"
	"faxgate/internal/tenancy"
)

// TestCoverPageAndHeader: the recipient gets the cover page first, then the
// document; every page carries a header line; the far machine sees our
// station id; the call's header text names the tenant, caller ID and page
// count.
func TestCoverPageAndHeader(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		var mu sync.Mutex
		var got []*faxtiff.Page
		var rx t30.Result
		var call line.Call
		e := newEnv(t, open(t), envOptions{received: func(c line.Call, rxFile string, r t30.Result) {
			pages, err := faxtiff.ReadFile(rxFile)
			if err != nil {
				t.Errorf("received file: %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			got, rx, call = pages, r, c
		}})
		if _, err := e.svc.CreateCID(e.ctx, e.w.AdminActor, faxout.CIDInput{Number: "+12025550150", TenantID: e.w.A.ID}); err != nil {
			t.Fatal(err)
		}
		name, on, sender := "ACME Corp", true, "Ann Smith"
		if _, err := e.ae.Tenancy.UpdateFaxSettings(e.ctx, e.w.TenantAActor, "", tenancy.FaxSettingsInput{PageHeader: &name}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.ae.Tenancy.UpdateCoverPage(e.ctx, e.w.TenantAActor, "", tenancy.CoverPageInput{Enabled: &on,
			SenderName: &sender}); err != nil {
			t.Fatal(err)
		}
		doc := e.doc(t, e.w.UserA, 2)
		// The tenant's cover page setting is the default: 2 + 1 pages.
		f, _, err := e.svc.Submit(e.ctx, e.w.UserAActor, faxout.SubmitInput{To: "+12025550100", DocumentID: doc.ID,
			CallerID: "+12025550150", Title: "Contract"})
		if err != nil || f.Pages != 3 || !f.CoverPage.Enabled {
			t.Fatalf("submit: pages %d, cover %v, %v", f.Pages, f.CoverPage, err)
		}
		f = e.wait(t, f.ID, nil)
		if f.Status != model.FaxDelivered || f.PagesSent != 3 {
			t.Fatalf("fax %s, %d pages sent", f.Status, f.PagesSent)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(got) != 3 || rx.PagesRx != 3 || rx.RemoteIdent != "+12025550150" {
			t.Fatalf("machine got %d pages, ident %q", len(got), rx.RemoteIdent)
		}
		want := "ACME Corp  +1 202-555-0150  3 pages"
		if call.HeaderInfo != want || call.Pages != 3 {
			t.Errorf("header info %q (%d pages), want %q", call.HeaderInfo, call.Pages, want)
		}
		sent, err := faxtiff.Read(strings.NewReader(string(tiffBytes(t, 2))), int64(len(tiffBytes(t, 2))))
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range got {
			bodyRows := sent[0].Height // the cover page is A4 like the document
			header := p.Height - bodyRows
			if header <= 0 || inkRows(p, 0, header) == 0 {
				t.Errorf("page %d: %d rows for a %d-row page: no header line", i+1, p.Height, bodyRows)
			}
			if i == 0 {
				continue
			}
			body := faxtiff.NewPage(p.Width, bodyRows, sent[i-1].Resolution())
			copy(body.Pix, p.Pix[header*p.Stride:])
			if d := faxtiff.Equal(body, sent[i-1]); d != 0 {
				t.Errorf("page %d differs from document page %d in %d pixels", i+1, i, d)
			}
		}
		if inkRows(got[0], 0, got[0].Height) < 100 {
			t.Error("the cover page is nearly blank")
		}
	})
}

// inkRows counts rows in [y0, y1) with black pixels.
func inkRows(p *faxtiff.Page, y0, y1 int) int {
	n := 0
	for y := y0; y < y1; y++ {
		for x := range p.Width {
			if p.Black(x, y) {
				n++
				break
			}
		}
	}
	return n
}
