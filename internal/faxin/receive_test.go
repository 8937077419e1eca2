package faxin_test

import (
	"bytes"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	gomsgmail "github.com/emersion/go-message/mail"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/faxin"
	"faxgate/internal/faxtiff"
	"faxgate/internal/model"
	"faxgate/internal/notify"
	"faxgate/internal/store"
	"faxgate/internal/telephony/linesim"
	"faxgate/internal/telephony/linesim/testdoc"
	"faxgate/internal/telephony/t30"
)

var pdfPage = regexp.MustCompile(`/Type\s*/Page[^s]`)

// sendDoc writes an n-page fine document and returns its path and pages.
func sendDoc(t *testing.T, n int) (string, []*faxtiff.Page) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "send.tif")
	pages := testdoc.Document(faxtiff.Fine, n, testdoc.Options{})
	authtest.Must(t, "write document", faxtiff.WriteFile(path, pages))
	return path, pages
}

// call runs the real engine: a sender with doc against our receiver
// writing to rxPath, over T.38, cut at cut (0: none). It returns the
// receiver's result as faxin.Result.
func call(t *testing.T, doc, rxPath, csi string, cut time.Duration) faxin.Result {
	t.Helper()
	cfg := linesim.Config{Transport: linesim.T38, Redundancy: 2, Timeout: cut}
	answered := time.Now()
	o, err := linesim.Run(t.Context(), cfg,
		t30.Options{Direction: t30.Send, TxFile: doc, ECM: true, LocalIdent: "+1 415 555 0123"},
		t30.Options{Direction: t30.Receive, RxFile: rxPath, ECM: true, LocalIdent: csi})
	authtest.Must(t, "linesim.Run", err)
	rx := o.Answerer
	return faxin.Result{OK: rx.OK, Code: rx.Code, Text: rx.Text, Class: string(rx.Class), Pages: rx.PagesRx,
		RemoteIdent: rx.RemoteIdent, BitRate: rx.BitRate, ECM: rx.ECM, Transport: model.TransportT38,
		AnsweredAt: answered, EndedAt: answered.Add(o.SimTime)}
}

// midPage2 runs the call once without a cut and returns the call time in
// the middle of page 2.
func midPage2(t *testing.T, doc string) time.Duration {
	t.Helper()
	o, err := linesim.Run(t.Context(), linesim.Config{Transport: linesim.T38, Redundancy: 2},
		t30.Options{Direction: t30.Send, TxFile: doc, ECM: true},
		t30.Options{Direction: t30.Receive, RxFile: filepath.Join(t.TempDir(), "dry.tif"), ECM: true})
	authtest.Must(t, "dry run", err)
	pt := o.Caller.PageTimes
	if len(pt) < 2 {
		t.Fatalf("dry run page times = %v", pt)
	}
	return pt[0] + (pt[1]-pt[0])/2
}

// receive routes, begins, runs the engine and finishes one call.
func (e *env) receive(t *testing.T, called, doc string, cut time.Duration) model.InboundFax {
	t.Helper()
	rt, err := e.Svc.Route(e.Ctx, called, "+1 (415) 555-0123")
	authtest.Must(t, "Route", err)
	if !rt.Accept {
		t.Fatalf("call to %s refused: %s", called, rt.Reason)
	}
	id, rxPath, err := e.Svc.Begin(e.Ctx, rt, faxin.CallInfo{Transport: model.TransportT38})
	authtest.Must(t, "Begin", err)
	f, err := e.Svc.Get(e.Ctx, e.W.AdminActor, id)
	authtest.Must(t, "Get receiving", err)
	if f.Status != model.FaxReceiving || f.To != rt.DID.Number || f.CallerID != "+14155550123" {
		t.Fatalf("begun fax = %+v", f)
	}
	res := call(t, doc, rxPath, rt.StationID, cut)
	f, err = e.Svc.Finish(e.Ctx, id, res)
	authtest.Must(t, "Finish", err)
	if _, err := e.Svc.Finish(e.Ctx, id, res); err == nil {
		t.Error("a second Finish succeeded")
	}
	return f
}

func readAll(t *testing.T, rc io.ReadCloser) []byte {
	t.Helper()
	defer rc.Close()
	b, err := io.ReadAll(rc)
	authtest.Must(t, "read", err)
	return b
}

// pdfAttachment parses an email and returns its subject, text and PDF
// attachment.
func pdfAttachment(t *testing.T, raw []byte) (subject, text string, pdf []byte) {
	t.Helper()
	mr, err := gomsgmail.CreateReader(bytes.NewReader(raw))
	authtest.Must(t, "parse email", err)
	subject, _ = mr.Header.Subject()
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		authtest.Must(t, "next part", err)
		switch h := p.Header.(type) {
		case *gomsgmail.InlineHeader:
			b, _ := io.ReadAll(p.Body)
			text += string(b)
		case *gomsgmail.AttachmentHeader:
			if ct, _, _ := h.ContentType(); ct == "application/pdf" {
				pdf, _ = io.ReadAll(p.Body)
			}
		}
	}
	return subject, text, pdf
}

func TestReceiveEndToEnd(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, true)
		e.start(t)
		ep, err := e.WH.Create(e.Ctx, e.W.TenantAActor, notify.WebhookInput{URL: e.Hooks.URL + "/tenant",
			Events: []string{model.EventFaxReceived, model.EventFaxReceiveFailed}})
		authtest.Must(t, "webhook endpoint", err)
		d := e.did(t, "+12025550170", e.W.A.ID)
		d, err = e.Svc.UpdateRouting(e.Ctx, e.W.TenantAActor, d.ID, faxin.RoutingInput{Action: ptr(model.DIDEmail),
			ForwardEmails: &[]string{"inbox@a.example"}, UserID: &e.W.UserA.ID, WebhookURL: ptr(e.Hooks.URL + "/did"),
			StationID: ptr("ACME 0170")})
		authtest.Must(t, "UpdateRouting", err)
		doc, sent := sendDoc(t, 2)

		// Called in national format: routed by its E.164 form.
		f := e.receive(t, "(202) 555-0170", doc, 0)
		if f.Status != model.FaxReceived || f.Partial || f.Pages != 2 || f.UserID != e.W.UserA.ID ||
			f.RemoteStationID != "+1 415 555 0123" || f.DIDID != d.ID || f.FileKey == "" || f.PDFKey == "" {
			t.Fatalf("received fax = %+v", f)
		}
		// Stored pages are the sent pixels.
		tf, err := e.Svc.Open(e.Ctx, e.W.UserAActor, f.ID, "tiff")
		authtest.Must(t, "Open tiff", err)
		tiffBytes := readAll(t, tf.Body)
		got, err := faxtiff.Read(bytes.NewReader(tiffBytes), int64(len(tiffBytes)))
		authtest.Must(t, "read stored TIFF", err)
		if len(got) != 2 {
			t.Fatalf("stored pages = %d", len(got))
		}
		for i := range got {
			if n := faxtiff.Equal(got[i], sent[i]); n != 0 {
				t.Errorf("page %d differs from the sent page in %d pixels", i+1, n)
			}
		}
		pf, err := e.Svc.Open(e.Ctx, e.W.UserAActor, f.ID, "pdf")
		authtest.Must(t, "Open pdf", err)
		pdf := readAll(t, pf.Body)
		if pf.ContentType != "application/pdf" || len(pdfPage.FindAll(pdf, -1)) != 2 {
			t.Errorf("PDF %s has %d pages", pf.ContentType, len(pdfPage.FindAll(pdf, -1)))
		}
		// The CDR row.
		full, err := e.Svc.Get(e.Ctx, e.W.TenantAActor, f.ID)
		authtest.Must(t, "Get", err)
		if len(full.Attempts) != 1 || full.Attempts[0].Pages != 2 || full.Attempts[0].T30Code != t30.CodeOK ||
			full.Attempts[0].Transport != model.TransportT38 || full.Attempts[0].EndedAt.IsZero() {
			t.Errorf("attempts = %+v", full.Attempts)
		}
		// Others do not see it.
		for _, a := range []model.Actor{e.W.UserBActor, e.W.TenantBActor} {
			_, err := e.Svc.Get(e.Ctx, a, f.ID)
			wantIs(t, "other tenant gets the fax", err, model.ErrNotFound)
			_, err = e.Svc.Open(e.Ctx, a, f.ID, "pdf")
			wantIs(t, "other tenant downloads the fax", err, model.ErrNotFound)
		}

		// The email, with the PDF attached.
		waitFor(t, "the fax-to-email", 30*time.Second, func() bool { return len(e.SMTP.messages()) >= 1 })
		m := e.SMTP.messages()[0]
		if len(m.To) != 1 || m.To[0] != "inbox@a.example" {
			t.Errorf("email recipients = %v", m.To)
		}
		subject, text, att := pdfAttachment(t, m.Data)
		if !strings.Contains(subject, "+14155550123") || !strings.Contains(text, "https://fax.example.test/inbox/"+f.ID) {
			t.Errorf("email subject %q / body %q", subject, text)
		}
		if !bytes.Equal(att, pdf) {
			t.Errorf("attached PDF (%d bytes) differs from the stored one (%d bytes)", len(att), len(pdf))
		}

		// The webhooks: the tenant's endpoint and the DID's URL, both signed.
		waitFor(t, "two webhooks", 30*time.Second, func() bool { return len(e.Hooks.received()) >= 2 })
		for _, h := range e.Hooks.received() {
			secret := ep.Secret
			if h.Path == "/did" {
				secret = d.WebhookSecret
			}
			if h.Type != model.EventFaxReceived || h.Data["fax_id"] != f.ID || h.Data["pages"] != float64(2) ||
				h.Data["partial"] != false || !h.verify(secret) {
				t.Errorf("webhook %s: type %q data %v verified %t", h.Path, h.Type, h.Data, h.verify(secret))
			}
		}

		// A reception that drops in the middle of page 2 keeps page 1.
		cut := midPage2(t, doc)
		e.SMTP.setDown(true) // and the relay is down for a while
		p := e.receive(t, "+12025550170", doc, cut)
		if p.Status != model.FaxReceived || !p.Partial || p.Pages != 1 || p.Cause == model.CauseNone ||
			!strings.HasPrefix(p.ResultText, "partial: 1 page(s) received") {
			t.Errorf("partial fax = %+v", p)
		}
		waitFor(t, "a failed email try", 30*time.Second, func() bool {
			es, _, err := st.ListOutboundEmails(e.Ctx, model.PlatformScope(), store.OutboundEmailFilter{RelatedType: "fax", RelatedID: p.ID}, model.ListOptions{})
			return err == nil && len(es) == 1 && es[0].Attempts >= 1 && es[0].LastError != ""
		})
		e.SMTP.setDown(false)
		waitFor(t, "the partial fax's email after the relay is back", 30*time.Second, func() bool { return len(e.SMTP.messages()) >= 2 })
		_, _, att = pdfAttachment(t, e.SMTP.messages()[1].Data)
		if len(pdfPage.FindAll(att, -1)) != 1 {
			t.Errorf("partial fax PDF has %d pages", len(pdfPage.FindAll(att, -1)))
		}

		// A call that ends before any page: failed, no email, receive_failed.
		x := e.receive(t, "+12025550170", doc, 3*time.Second)
		if x.Status != model.FaxFailed || x.Pages != 0 || x.FileKey != "" {
			t.Errorf("failed fax = %+v", x)
		}
		_, err = e.Svc.Open(e.Ctx, e.W.UserAActor, x.ID, "pdf")
		wantIs(t, "download of a fax without pages", err, model.ErrNotFound)
		waitFor(t, "receive_failed webhooks", 30*time.Second, func() bool {
			n := 0
			for _, h := range e.Hooks.received() {
				if h.Type == model.EventFaxReceiveFailed && h.Data["fax_id"] == x.ID {
					n++
				}
			}
			return n == 2
		})
		time.Sleep(300 * time.Millisecond) // time for a wrong email job to run
		if n := len(e.SMTP.messages()); n != 2 {
			t.Fatalf("emails = %d, want 2 (none for the failed fax)", n)
		}

		// Over the attachment limit the email links the fax; the tenant's
		// own subject template is used.
		p2, err := st.GetPlatformSettings(e.Ctx, model.PlatformScope())
		authtest.Must(t, "GetPlatformSettings", err)
		p2.EmailAttachmentLimit = 64 << 10
		authtest.Must(t, "PutPlatformSettings", st.PutPlatformSettings(e.Ctx, model.PlatformScope(), &p2))
		fs, err := st.GetTenantFaxSettings(e.Ctx, model.PlatformScope(), e.W.A.ID)
		authtest.Must(t, "GetTenantFaxSettings", err)
		fs.EmailSubjectTemplate = "Fax {{.FaxID}} for {{.TenantName}}: {{.Status}}"
		authtest.Must(t, "PutTenantFaxSettings", st.PutTenantFaxSettings(e.Ctx, model.PlatformScope(), &fs))
		big := e.receive(t, "+12025550170", doc, 0)
		if big.PDFBytes <= 64<<10 {
			t.Fatalf("PDF of %d bytes is not over the limit", big.PDFBytes)
		}
		waitFor(t, "the linked fax's email", 30*time.Second, func() bool { return len(e.SMTP.messages()) >= 3 })
		subject, text, att = pdfAttachment(t, e.SMTP.messages()[2].Data)
		if subject != "Fax "+big.ID+" for "+e.W.A.Name+": received" || att != nil ||
			!strings.Contains(text, "too large to attach") || !strings.Contains(text, "/inbox/"+big.ID) {
			t.Errorf("linked email: subject %q, attachment %d bytes, body %q", subject, len(att), text)
		}
	})
}

func TestRouteRefusals(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, false)
		spare := e.did(t, "+12025550180", "")
		rej := e.did(t, "+12025550181", e.W.A.ID)
		_, err := e.Svc.UpdateRouting(e.Ctx, e.W.TenantAActor, rej.ID, faxin.RoutingInput{Action: ptr(model.DIDReject)})
		authtest.Must(t, "reject", err)
		ok := e.did(t, "+12025550182", e.W.B.ID)
		for _, tc := range []struct {
			name, called string
			want         faxin.RejectReason
			sip          int
		}{
			{"not in the pool", "+12025550189", faxin.RejectUnknown, 404},
			{"garbage", "abc", faxin.RejectUnknown, 404},
			{"unassigned", spare.Number, faxin.RejectUnknown, 404},
			{"rejecting", rej.Number, faxin.RejectRejected, 603},
			{"accepted", ok.Number, faxin.RejectNone, 0},
		} {
			t.Run(tc.name, func(t *testing.T) {
				rt, err := e.Svc.Route(e.Ctx, tc.called, "+14155550123")
				authtest.Must(t, "Route", err)
				if rt.Accept != (tc.want == faxin.RejectNone) || rt.Reason != tc.want || rt.Reason.SIPCode() != tc.sip {
					t.Errorf("Route(%s) = accept %t reason %q", tc.called, rt.Accept, rt.Reason)
				}
				if _, _, err := e.Svc.Begin(e.Ctx, rt, faxin.CallInfo{}); rt.Accept == (err != nil) {
					t.Errorf("Begin after accept=%t: %v", rt.Accept, err)
				}
			})
		}
		// A suspended tenant's numbers are refused.
		b := e.W.B
		b.Status = model.TenantSuspended
		authtest.Must(t, "suspend", st.UpdateTenant(e.Ctx, model.PlatformScope(), &b))
		rt, err := e.Svc.Route(e.Ctx, ok.Number, "")
		authtest.Must(t, "Route suspended", err)
		if rt.Accept || rt.Reason != faxin.RejectSuspended {
			t.Errorf("suspended tenant: accept %t reason %q", rt.Accept, rt.Reason)
		}
		if n := len(e.Events(t, model.ActionFaxRefused)); n != 2 {
			t.Errorf("refusal audit events = %d, want 2 (rejecting DID, suspended tenant)", n)
		}
	})
}
