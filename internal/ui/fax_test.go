package ui

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"faxgate/internal/faxout"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/tenancy"
)

// faxIDIn returns the fax id a redirect points to.
func faxIDIn(t *testing.T, r response) string {
	t.Helper()
	m := regexp.MustCompile(`^/outbound/(fax_[a-z2-7]{16})$`).FindStringSubmatch(r.Location)
	if r.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("want a redirect to a fax, got %d %q\n%s", r.Status, r.Location, text(r.Body))
	}
	return m[1]
}

func TestFaxFormValidation(t *testing.T) {
	p := newFaxPortal(t)
	docA := p.readyDoc(t, p.W.TenantAActor, "Price list")
	docB := p.readyDoc(t, p.W.TenantBActor, "Other tenant's")
	b := p.browser(t)
	b.login("user@a.example")
	tests := []struct {
		name   string
		fields [][2]string
		status int
		want   []string
	}{
		{"nothing", faxFields("k1", "title", "Keep me"), 422,
			[]string{"To: enter the fax number to send to", "Document id: choose a document or upload files"}},
		{"bad number", faxFields("k2", "to", "12", "document_id", docA.ID), 422, []string{"To: "}},
		{"letters", faxFields("k3", "to", "fax me", "document_id", docA.ID), 422, []string{"To: "}},
		{"retries out of range", faxFields("k4", "to", "+12025550100", "document_id", docA.ID, "retries", "11"), 422,
			[]string{"Retries: must be 0 to 10"}},
		{"retries not a number", faxFields("k5", "to", "+12025550100", "document_id", docA.ID, "retries", "many"), 422,
			[]string{"Retries: must be a whole number"}},
		{"caller id not the tenant's", faxFields("k6", "to", "+12025550100", "document_id", docA.ID, "caller_id", "+12025550199"),
			422, []string{"+12025550199 is not one of your caller IDs"}},
		{"send at not a date", faxFields("k7", "to", "+12025550100", "document_id", docA.ID, "send_at", "tomorrow"), 422,
			[]string{"Send at: enter a date and time"}},
		{"another tenant's document", faxFields("k8", "to", "+12025550100", "document_id", docB.ID), 422,
			[]string{"no such document"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b.t = t
			r := b.postFiles("/outbound", tc.fields)
			wantStatus(t, r, tc.status)
			wantText(t, r, tc.want...)
			for _, f := range tc.fields {
				if f[0] == "title" || f[0] == "to" {
					wantAttr(t, r, `value="`+f[1]+`"`)
				}
			}
		})
	}
	b.t = t
	r := b.postFiles("/outbound", faxFields("k9", "to", "+12025550100"),
		upFile{"tool.exe", "application/octet-stream", []byte("MZ\x90\x00 not a document")})
	wantStatus(t, r, 422)
	wantHTML(t, r, `id="f-file-err"`)
	wantText(t, r, "tool.exe")
	// Files sent with a refused form are kept as a document that stays
	// selected.
	r = b.postFiles("/outbound", faxFields("k10", "title", "Kept", "to", "12"), pngFile(t))
	wantStatus(t, r, 422)
	wantText(t, r, "Your files were kept as the document “Kept”")
	kept := regexp.MustCompile(`<option value="(doc_[a-z2-7]{16})" selected>Kept \(`).FindStringSubmatch(r.Body)
	if kept == nil {
		t.Fatalf("the kept document is not selected:\n%s", r.Body)
	}
	if n, err := p.Fax.Count(t.Context(), p.W.AdminActor, faxout.ListFilter{}); err != nil || n != 0 {
		t.Fatalf("faxes after refused forms: %d %v", n, err)
	}
}

func TestFaxSendAndFollow(t *testing.T) { forEachFaxPortal(t, testFaxSendAndFollow) }

func testFaxSendAndFollow(t *testing.T, p *faxPortal) {
	doc := p.readyDoc(t, p.W.TenantAActor, "Price list")
	b := p.browser(t)
	b.login("user@a.example")

	r := b.get("/outbound")
	wantStatus(t, r, 200)
	wantText(t, r, "No faxes sent yet.")
	r = b.get("/outbound/new")
	wantStatus(t, r, 200)
	wantHTML(t, r, `<option value="`+doc.ID+`">Price list (1 page)</option>`, `name="idempotency_key" value="portal-`)

	// A national number, read in the tenant's country (US).
	fields := faxFields("portal-send-1", "title", "Prices", "to", "(202) 555-0100", "document_id", doc.ID)
	id := faxIDIn(t, b.postFiles("/outbound", fields))
	// The same form sent again (double click) is the same fax.
	if again := faxIDIn(t, b.postFiles("/outbound", fields)); again != id {
		t.Fatalf("the form sent twice made faxes %s and %s", id, again)
	}
	f := p.waitFax(t, id)
	if f.Status != model.FaxDelivered || f.To != "+12025550100" {
		t.Fatalf("fax: %s to %s (%s)", f.Status, f.To, f.ResultText)
	}
	r = b.get("/outbound/" + id)
	wantStatus(t, r, 200)
	wantText(t, r, "Delivered", "+12025550100", "Fast test line", "Completed", "Attempts")
	wantHTML(t, r, `data-live="off"`, `/api/v1/faxes/`+id+`/file?format=pdf`, `href="/outbound/`+id+`/report"`)
	rep := b.get("/outbound/" + id + "/report")
	wantStatus(t, rep, 200)
	if !strings.HasPrefix(rep.Body, "%PDF-") || rep.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("report: %s %.20q", rep.Header.Get("Content-Type"), rep.Body)
	}
	r = b.get("/outbound")
	wantText(t, r, "Prices", "+12025550100", "Delivered", "1 of 1")
	wantHTML(t, r, `data-live="off"`)
	r = b.get("/outbound?status=failed")
	wantText(t, r, "No faxes match.")
	r = b.get("/outbound?q=Prices&from=2000-01-01")
	wantText(t, r, "+12025550100")

	t.Run("busy number fails in plain words", func(t *testing.T) {
		b.t = t
		id := faxIDIn(t, b.postFiles("/outbound", faxFields("portal-busy", "to", "+12025550486", "document_id", doc.ID)))
		if f := p.waitFax(t, id); f.Status != model.FaxFailed || f.Cause != model.CauseBusy {
			t.Fatalf("busy fax: %s %s", f.Status, f.Cause)
		}
		r := b.get("/outbound/" + id)
		wantText(t, r, "Failed", "The line was busy.")
	})
	t.Run("other tenants and users see 404", func(t *testing.T) {
		for _, who := range []string{"boss@b.example", "user@b.example"} {
			o := p.browser(t)
			o.login(who)
			for _, path := range []string{"/outbound/" + id, "/outbound/" + id + "/cancel", "/outbound/" + id + "/report"} {
				wantStatus(t, o.get(path), 404)
			}
			wantStatus(t, o.post("/outbound/"+id+"/cancel", url.Values{}), 404)
			if r := o.get("/outbound"); strings.Contains(r.Body, id) {
				t.Errorf("%s sees the fax in the list", who)
			}
		}
		wantStatus(t, b.get("/outbound/fax_aaaaaaaaaaaaaaaa"), 404)
		wantStatus(t, b.get("/outbound/not-an-id"), 404)
	})
	b.t = t
}

func TestFaxUploadThenSend(t *testing.T) {
	p := newFaxPortal(t)
	b := p.browser(t)
	b.login("boss@a.example")
	r := b.postFiles("/outbound", faxFields("portal-upload", "title", "Uploaded", "to", "+12025550100"), pngFile(t))
	var id string
	if r.Status == http.StatusOK {
		// The document is converting: the preparing page carries the form.
		wantText(t, r, "Preparing your fax", "being converted")
		wantHTML(t, r, `hx-trigger="every 2s"`, `name="idempotency_key" value="portal-upload"`)
		docID := regexp.MustCompile(`name="document_id" value="(doc_[a-z2-7]{16})"`).FindStringSubmatch(r.Body)
		if docID == nil {
			t.Fatalf("no document on the preparing page:\n%s", r.Body)
		}
		p.waitDoc(t, docID[1])
		id = faxIDIn(t, b.post("/outbound", hiddenFields(r.Body)))
	} else {
		id = faxIDIn(t, r)
	}
	if f := p.waitFax(t, id); f.Status != model.FaxDelivered {
		t.Fatalf("fax %s: %s", f.Status, f.ResultText)
	}
	docs, _, err := p.Docs.List(t.Context(), p.W.TenantAActor, store.DocumentFilter{}, model.ListOptions{})
	if err != nil || len(docs) != 1 || docs[0].Name != "Uploaded" {
		t.Fatalf("documents: %v %v", docs, err)
	}
}

// hiddenFields reads the hidden inputs of a page (the preparing page's
// form).
func hiddenFields(body string) url.Values {
	form := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([a-z_]+)" value="([^"]*)">`).FindAllStringSubmatch(body, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	return form
}

func TestFaxUploadConversionFails(t *testing.T) {
	p := newFaxPortal(t)
	b := p.browser(t)
	b.login("user@a.example")
	png := pagePNG(t)
	r := b.postFiles("/outbound", faxFields("portal-damaged", "title", "Damaged", "to", "+12025550100"),
		upFile{"scan.png", "image/png", png[:len(png)/2]})
	wantStatus(t, r, http.StatusOK)
	wantText(t, r, "Preparing your fax")
	form := hiddenFields(r.Body)
	if d := p.waitDoc(t, form.Get("document_id")); d.Status != model.DocumentFailed {
		t.Fatalf("damaged document: %s", d.Status)
	}
	// The preparing page's htmx post now gets the form back with the
	// reason, to be swapped in place of the main area.
	r = b.do(http.MethodPost, "/outbound", strings.NewReader(form.Encode()), "application/x-www-form-urlencoded",
		map[string]string{"Origin": b.base, "Sec-Fetch-Site": "same-origin", "HX-Request": "true"})
	wantStatus(t, r, http.StatusOK)
	if r.Header.Get("HX-Retarget") != "#main" || r.Header.Get("HX-Reselect") != "#main" {
		t.Errorf("htmx headers: %v", r.Header)
	}
	wantText(t, r, "the document could not be converted", "scan.png")
	wantAttr(t, r, `value="Damaged"`, `value="+12025550100"`)
	if n, err := p.Fax.Count(t.Context(), p.W.AdminActor, faxout.ListFilter{}); err != nil || n != 0 {
		t.Fatalf("faxes: %d %v", n, err)
	}
}

func TestFaxCancelAndQuota(t *testing.T) { forEachFaxPortal(t, testFaxCancelAndQuota) }

func testFaxCancelAndQuota(t *testing.T, p *faxPortal) {
	doc := p.readyDoc(t, p.W.TenantAActor, "One page")
	b := p.browser(t)
	b.login("user@a.example")
	later := time.Now().UTC().AddDate(0, 6, 0).Truncate(time.Minute)
	id := faxIDIn(t, b.postFiles("/outbound", faxFields("portal-later", "to", "+12025550100", "document_id", doc.ID,
		"send_at", later.Format(sendAtLayout))))
	r := b.get("/outbound")
	wantHTML(t, r, `data-live="on"`, `hx-trigger="every 2s"`)
	wantText(t, r, "Queued", "Waiting to be sent at "+formatTime(later))
	// No report before the fax is final.
	wantRedirect(t, b.get("/outbound/"+id+"/report"), "/outbound/"+id)
	r = b.get("/outbound/" + id + "/cancel")
	wantText(t, r, "Cancel the fax to +12025550100?")
	wantRedirect(t, b.post("/outbound/"+id+"/cancel", url.Values{}), "/outbound/"+id)
	r = b.get("/outbound/" + id)
	wantText(t, r, "Fax to +12025550100 canceled.", "Canceled")
	wantRedirect(t, b.post("/outbound/"+id+"/cancel", url.Values{}), "/outbound/"+id)
	wantText(t, b.get("/outbound/"+id), "The fax could not be canceled: The fax is already canceled.")

	// Limit 1 page a day: one pending page reaches it.
	one := 1
	if _, err := p.Tenancy.UpdateTenant(t.Context(), p.W.AdminActor, p.W.A.ID, tenancy.TenantInput{DailyPageLimit: &one}); err != nil {
		t.Fatal(err)
	}
	faxIDIn(t, b.postFiles("/outbound", faxFields("portal-q1", "to", "+12025550100", "document_id", doc.ID,
		"send_at", later.Format(sendAtLayout))))
	for _, path := range []string{"/", "/outbound", "/outbound/new"} {
		wantText(t, b.get(path), "Fax limit reached: 1 of the 1 pages allowed today are sent or queued.")
	}
	r = b.postFiles("/outbound", faxFields("portal-q2", "title", "Too much", "to", "+12025550100", "document_id", doc.ID))
	wantStatus(t, r, http.StatusTooManyRequests)
	wantText(t, r, "Fax limit exceeded")
	wantAttr(t, r, `value="Too much"`)
}

func TestQuotaBanner(t *testing.T) {
	tests := []struct {
		name  string
		u     faxout.UsageReport
		show  bool
		full  bool
		words string
	}{
		{"no limits", faxout.UsageReport{Day: model.Usage{Pages: 900}}, false, false, ""},
		{"below 80 %", faxout.UsageReport{Day: model.Usage{Pages: 7}, DailyLimit: 10}, false, false, ""},
		{"80 % daily", faxout.UsageReport{Day: model.Usage{Pages: 6}, Pending: 2, DailyLimit: 10, WarnDaily: true},
			true, false, "80 % of your page limit today is used: 8 of 10 pages sent or queued."},
		{"monthly full", faxout.UsageReport{Month: model.Usage{Pages: 100}, MonthlyLimit: 100, WarnMonthly: true},
			true, true, "Fax limit reached: 100 of the 100 pages allowed this month"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newQuotaBanner(tc.u)
			if b.Show != tc.show || b.Full != tc.full || !strings.Contains(strings.Join(b.Lines, " "), tc.words) {
				t.Errorf("banner %+v", b)
			}
		})
	}
}

// wantAttr checks the page's HTML with its character references decoded
// (html/template writes "+" in attributes as "&#43;").
func wantAttr(t *testing.T, r response, parts ...string) {
	t.Helper()
	body := html.UnescapeString(r.Body)
	for _, p := range parts {
		if !strings.Contains(body, p) {
			t.Errorf("page HTML lacks %q", p)
		}
	}
}
