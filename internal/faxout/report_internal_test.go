package faxout

import (
	"io"
	"strings"
	"testing"
	"time"

	"faxgate/internal/faxpdf"
	"faxgate/internal/faxtiff"
	"faxgate/internal/model"
)

// TestReportWording checks the words and times the report prints.
func TestReportWording(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone database")
	}
	at := time.Date(2026, 12, 3, 15, 4, 5, 0, time.UTC)
	call := model.Attempt{Try: 1, Leg: 1, TrunkName: "Test line", Transport: model.Transport("t38"),
		StartedAt: at, AnsweredAt: at.Add(5 * time.Second), EndedAt: at.Add(70 * time.Second), Pages: 2}
	tests := []struct {
		name         string
		fax          model.Fax
		partial      bool
		head, detail string
		fields       map[string]string
	}{
		{"delivered", model.Fax{Direction: model.Outbound, Status: model.FaxDelivered, To: "+12025550100",
			CallerID: "+12025550199", Pages: 2, PagesSent: 2, RemoteStationID: "+1 202 555 0100", CreatedAt: at,
			CompletedAt: at.Add(time.Minute), Attempts: []model.Attempt{call}},
			false, "OK - DELIVERED", "confirmed all 2 pages",
			map[string]string{"Recipient": "+1 202-555-0100", "Caller ID": "+1 202-555-0199",
				"Remote station ID": "+1 202 555 0100", "Pages": "2 of 2 confirmed", "Duration": "1 min 05 s",
				"Submitted": "3 Dec 2026 10:04:05 EST", "Calls": "1"}},
		{"busy", model.Fax{Direction: model.Outbound, Status: model.FaxFailed, Cause: model.CauseBusy, Pages: 2},
			false, "FAILED", "the line was busy", map[string]string{"Remote station ID": "-", "Duration": "0 s",
				"Completed": "-", "Calls": "0"}},
		{"voice", model.Fax{Direction: model.Outbound, Status: model.FaxFailed, Cause: model.CauseFaxNegotiation},
			false, "FAILED", "not by a fax machine", nil},
		{"canceled", model.Fax{Direction: model.Outbound, Status: model.FaxCanceled}, false, "CANCELED", "canceled", nil},
		{"received", model.Fax{Direction: model.Inbound, Status: model.FaxReceived, Pages: 3, CallerID: "+14155550123"},
			false, "OK - RECEIVED", "3 pages received", map[string]string{"Sender's number": "+1 415-555-0123", "Pages": "3 pages received"}},
		{"one page", model.Fax{Direction: model.Outbound, Status: model.FaxDelivered, Pages: 1, PagesSent: 1},
			false, "OK - DELIVERED", "confirmed the page.", map[string]string{"Pages": "1 of 1 confirmed"}},
		{"partial", model.Fax{Direction: model.Inbound, Status: model.FaxReceived, Pages: 1, Cause: model.CauseFaxTransfer},
			true, "RECEIVED IN PART", "1 page arrived before the call broke off", map[string]string{"Pages": "1 page received"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := report{fax: tc.fax, loc: ny, partial: tc.partial}
			head, detail := r.result()
			if head != tc.head || !strings.Contains(detail, tc.detail) {
				t.Errorf("result %q %q, want %q and %q", head, detail, tc.head, tc.detail)
			}
			got := map[string]string{}
			for _, f := range r.fields() {
				got[f[0]] = f[1]
			}
			for k, v := range tc.fields {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
			if _, err := r.render(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// BenchmarkReportRender draws the report page and codes it as a PDF (the
// whole of TransmissionReport but the store reads and the thumbnail).
func BenchmarkReportRender(b *testing.B) {
	at := time.Date(2026, 12, 3, 15, 4, 5, 0, time.UTC)
	r := report{loc: time.UTC, generated: at, fax: model.Fax{Direction: model.Outbound, Status: model.FaxDelivered,
		To: "+12025550100", Pages: 2, PagesSent: 2, CreatedAt: at, CompletedAt: at,
		Attempts: []model.Attempt{{Try: 1, Leg: 1, TrunkName: "Test line", StartedAt: at, EndedAt: at}}}}
	for b.Loop() {
		page, err := r.render()
		if err != nil {
			b.Fatal(err)
		}
		if err := faxpdf.Write(io.Discard, []*faxtiff.Page{page}, faxpdf.Meta{}); err != nil {
			b.Fatal(err)
		}
	}
}
