package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const (
	receivingDID = "+12025550177"
	rxUser       = "ulla@globex.test"
	rxUserPass   = "ulla password 1"
)

// TestReceiving drives receiving in headless Chromium: the admin adds a
// DID to the pool and assigns it to Globex; Globex's admin routes it to
// the inbox with the forward arrow of My DIDs; a fax sent to that DID over
// the built-in test line (the real fax engine receiving it) appears in
// Receive Fax without a reload, in bold; opening it shows its pages and
// marks it read; the PDF download is a PDF; mark unread; delete with
// confirmation. Screenshots go to FAXGATE_E2E_ARTIFACTS.
func TestReceiving(t *testing.T) {
	chromium := findChromium(t)
	base := startApp(t)
	tenantID := apiSetup(t, base)
	apiPost(t, base+"/api/v1/trunks", map[string]any{"name": "Fast test line", "kind": "test", "speed": "fast",
		"priority": 1, "max_channels": 2, "enabled": true}, nil)
	docID := rxUploadDocument(t, base)
	var user struct {
		ID string `json:"id"`
	}
	apiPost(t, base+"/api/v1/users", map[string]any{"tenant_id": tenantID, "role": "user", "email": rxUser,
		"password": rxUserPass, "first_name": "Ulla", "last_name": "User"}, &user)
	userID := user.ID
	b := newBrowser(t, chromium)

	b.step("admin adds a DID to the pool", func() {
		b.login(base, adminEmail, adminPass)
		b.navigates(chromedp.Click(chromedp.CSS(`#sidenav a[href="/admin/dids"]`)))
		b.waitText("main .empty", "The DID pool is empty.")
		b.do(chromedp.Click(chromedp.CSS(`details:first-of-type summary`)))
		b.fill(map[string]string{"f-add-number": receivingDID, "f-add-label": "Globex main line"})
		b.submit(`form[action="/admin/dids"]`)
		b.waitText(".flash-success", "DID "+receivingDID+" added to the pool.")
		b.waitText(`#results td[data-label="Tenant"]`, "spare")
		b.shot("rx-01-pool")
	})
	b.step("a wrong number is refused with the reason", func() {
		b.do(chromedp.Click(chromedp.CSS(`details:first-of-type summary`)))
		b.fill(map[string]string{"f-add-number": "12"})
		b.submit(`form[action="/admin/dids"]`)
		b.waitText(`details[open] .field-error`, "not a valid")
		if v := b.value("f-add-number"); v != "12" {
			t.Errorf("number after the error: %q", v)
		}
	})
	b.step("admin adds a range and a CSV file; bad lines are reported", func() {
		b.do(chromedp.Click(chromedp.CSS(`details:nth-of-type(2) summary`)))
		b.fill(map[string]string{"f-range-from": "+12025550180", "f-range-to": "+12025550182"})
		b.submit(`form[action="/admin/dids/range"]`)
		b.waitText(".flash-success", "Range: 3 number(s) added, 0 already in the pool.")
		csv := filepath.Join(t.TempDir(), "dids.csv")
		if err := os.WriteFile(csv, []byte("number,label\n+12025550190,fax room\nnot a number\n+12025550180\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		b.do(chromedp.Click(chromedp.CSS(`details:nth-of-type(3) summary`)))
		b.do(chromedp.SetUploadFiles(chromedp.ID("f-import-file"), []string{csv}))
		b.submit(`form[action="/admin/dids/import"]`)
		b.waitText(".flash-error", "CSV import: 1 number(s) added, 1 already in the pool. 1 refused: line 3: not a valid phone number")
		b.waitText("#results", "fax room")
		b.shot("rx-01b-pool-imported")
		b.do(chromedp.Navigate(base + "/admin/dids?q=" + receivingDID[1:]))
		b.poll(`document.querySelectorAll("#results tbody tr").length === 1`)
	})
	b.step("admin assigns it to Globex", func() {
		b.do(chromedp.SetValue(chromedp.CSS(`#results select[name="tenant_id"]`), tenantID))
		b.navigates(chromedp.Click(chromedp.CSS(`#results button[aria-label="Assign ` + receivingDID + `"]`)))
		b.waitText(".flash-success", "assigned to Globex")
		b.waitText(`#results td[data-label="Tenant"]`, "Globex")
		b.shot("rx-02-assigned")
		b.logout()
	})
	b.step("the tenant routes it to the inbox with the forward arrow", func() {
		b.login(base, globexBoss, globexPass)
		b.navigates(chromedp.Click(chromedp.CSS(`#sidenav a[href="/dids"]`)))
		b.waitText(`#results td[data-label="Number"]`, receivingDID)
		b.shot("rx-03-my-dids")
		b.navigates(chromedp.Click(chromedp.CSS(`#results a.forward-arrow`)))
		b.do(chromedp.SetValue(chromedp.ID("f-action"), "email"))
		b.submit("form.narrow-form")
		b.waitText(".error-summary", "at least one address")
		b.do(chromedp.SetValue(chromedp.ID("f-action"), "inbox"))
		b.fill(map[string]string{"f-station_id": "GLOBEX FAX"})
		b.submit("form.narrow-form")
		b.waitPath("/dids")
		b.waitText(".flash-success", "inbox only saved")
		b.waitText(`#results td[data-label="Station id"]`, "GLOBEX FAX")
	})
	b.step("a fax to the DID appears in Receive Fax without a reload", func() {
		b.navigates(chromedp.Click(chromedp.CSS(`#sidenav a[href="/inbox"]`)))
		b.waitText("main .empty", "No faxes received yet.")
		b.do(chromedp.Evaluate[chromedp.Void](`window.__fgSamePage = true`))
		rxSendFax(t, base, docID, receivingDID)
		b.poll(`!!document.querySelector("#results tbody tr.unread")`)
		b.poll(`window.__fgSamePage === true`) // no reload happened
		b.waitText(`#results td[data-label="To (DID)"] strong`, receivingDID)
		b.waitText(`#results td[data-label="Status"]`, "Received")
		b.poll(`(() => { const i = document.querySelector("#results img.doc-thumb"); return !!i && i.complete && i.naturalWidth === 200 })()`)
		b.shot("rx-04-arrived")
	})
	b.step("open it: pages shown, marked read", func() {
		b.navigates(chromedp.Click(chromedp.CSS(`#results td[data-label="From"] a`)))
		b.poll(`document.querySelectorAll(".page-grid img").length >= 1 &&
			[...document.querySelectorAll(".page-grid img")].every(i => i.complete && i.naturalWidth === 200)`)
		b.waitText(".facts", receivingDID)
		b.waitText(".facts", "Globex main line")
		b.shot("rx-05-fax")
		b.do(chromedp.Evaluate[chromedp.Void](`window.__page = null;
			(() => { const i = new Image(); i.onload = () => { window.__page = i.naturalWidth }; i.src = document.querySelector(".page-grid a").href })()`))
		b.poll(`window.__page === 1728`)
	})
	b.step("the PDF download is a PDF", func() {
		b.do(chromedp.Evaluate[chromedp.Void](`window.__pdf = null;
			fetch(document.querySelector('.section-head a[href$="/file?format=pdf"]').href)
				.then(r => r.arrayBuffer()).then(b => { window.__pdf = String.fromCharCode(...new Uint8Array(b.slice(0, 5))) })`))
		b.poll(`window.__pdf === "%PDF-"`)
		b.do(chromedp.Evaluate[chromedp.Void](`window.__tiff = null;
			fetch(document.querySelector('.section-head a[href$="/file?format=tiff"]').href)
				.then(r => { window.__tiff = r.headers.get("Content-Type") })`))
		b.poll(`window.__tiff === "image/tiff"`)
	})
	b.step("read in the list, then mark unread", func() {
		b.navigates(chromedp.Click(chromedp.CSS(`.page-actions a[href="/inbox"]`)))
		b.poll(`!!document.querySelector("#results tbody tr.read") && !document.querySelector("#results tbody tr.unread")`)
		b.navigates(chromedp.Click(chromedp.CSS(`#results td[data-label="From"] a`)))
		b.submit(`form[action$="/unread"]`)
		b.waitPath("/inbox")
		b.waitText(".flash-success", "marked unread")
		b.poll(`!!document.querySelector("#results tbody tr.unread")`)
	})
	b.step("filters", func() {
		b.do(chromedp.Navigate(base + "/inbox?status=failed"))
		b.waitText("main .empty", "No received faxes match.")
		b.do(chromedp.Navigate(base + "/inbox"))
		b.poll(`!!document.querySelector("#results tbody tr")`)
	})
	b.step("a user sees the faxes of the DIDs routed to them", func() {
		b.logout()
		b.login(base, rxUser, rxUserPass)
		b.do(chromedp.Navigate(base + "/inbox"))
		b.waitText("main .empty", "No faxes received yet.")
		b.do(chromedp.Navigate(base + "/dids"))
		b.waitText("main .empty", "No fax number is routed to you.")
		rxRouteToUser(t, base, receivingDID, userID)
		rxSendFax(t, base, docID, receivingDID)
		b.do(chromedp.Navigate(base + "/inbox"))
		b.poll(`document.querySelectorAll("#results tbody tr").length === 1`)
		b.waitText(`#results td[data-label="To (DID)"]`, receivingDID)
		b.do(chromedp.Navigate(base + "/dids"))
		b.waitText(`#results td[data-label="Number"]`, receivingDID)
		b.poll(`!document.querySelector("#results a.forward-arrow")`) // users do not route
		b.logout()
		b.login(base, globexBoss, globexPass)
		b.do(chromedp.Navigate(base + "/inbox"))
		b.poll(`document.querySelectorAll("#results tbody tr").length === 2`)
	})
	b.step("delete with confirmation", func() {
		b.do(chromedp.Click(chromedp.CSS(`#results a.danger-link`)))
		b.waitText("#confirm-area", "Delete the fax from")
		b.shot("rx-06-delete-confirm")
		b.submit("#confirm-area form")
		b.waitText(".flash-success", "deleted.")
		b.poll(`document.querySelectorAll("#results tbody tr").length === 1`)
		b.do(chromedp.Click(chromedp.CSS(`#results a.danger-link`)))
		b.waitText("#confirm-area", "Delete the fax from")
		b.submit("#confirm-area form")
		b.waitText("main .empty", "No faxes received yet.")
	})
	b.step("fax-to-email template preview", func() {
		b.navigates(chromedp.Click(chromedp.CSS(`#sidenav a[href="/settings/fax-email"]`)))
		b.waitText("#mail-preview", "Fax from +12025550123")
		b.do(chromedp.Clear(chromedp.ID("f-email_subject_template")),
			chromedp.SendKeys(chromedp.ID("f-email_subject_template"), "Globex fax {{.Pages}} pages"))
		b.waitText("#mail-preview", "Globex fax 3 pages")
		b.submit(`form[action="/settings/fax-email"]`)
		b.waitText(".flash-success", "Fax-to-email templates saved.")
		b.shot("rx-07-mail-template")
	})
	b.checkConsole()
}

// rxUploadDocument uploads a one-page text document as Globex's admin and
// waits until it is ready; it returns its id.
func rxUploadDocument(t *testing.T, base string) string {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("name", "Order")
	fw, err := mw.CreateFormFile("file", "order.txt")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(fw, "Purchase order 4711\n\n10 hydraulic widgets, size 4\n")
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	rxAPI(t, http.MethodPost, base+"/api/v1/documents", mw.FormDataContentType(), &buf, http.StatusCreated, &doc)
	deadline := time.Now().Add(60 * time.Second)
	for doc.Status != "ready" {
		if doc.Status == "failed" || time.Now().After(deadline) {
			t.Fatalf("document %+v", doc)
		}
		time.Sleep(100 * time.Millisecond)
		rxAPI(t, http.MethodGet, base+"/api/v1/documents/"+doc.ID, "", nil, http.StatusOK, &doc)
	}
	return doc.ID
}

// rxSendFax sends the document to number as Globex's admin.
func rxSendFax(t *testing.T, base, docID, number string) {
	t.Helper()
	j, _ := json.Marshal(map[string]any{"to": number, "document_id": docID})
	rxAPI(t, http.MethodPost, base+"/api/v1/faxes", "application/json", bytes.NewReader(j), http.StatusCreated, nil)
}

// rxRouteToUser routes the DID (looked up in My DIDs) to the user, as
// Globex's admin through the API.
func rxRouteToUser(t *testing.T, base, number, userID string) {
	t.Helper()
	var list struct {
		Items []struct {
			ID     string `json:"id"`
			Number string `json:"number"`
		} `json:"items"`
	}
	rxAPI(t, http.MethodGet, base+"/api/v1/my/dids", "", nil, http.StatusOK, &list)
	for _, d := range list.Items {
		if d.Number == number {
			j, _ := json.Marshal(map[string]any{"user_id": userID})
			rxAPI(t, http.MethodPatch, base+"/api/v1/my/dids/"+d.ID, "application/json", bytes.NewReader(j), http.StatusOK, nil)
			return
		}
	}
	t.Fatalf("%s is not in My DIDs: %+v", number, list.Items)
}

// rxAPI calls the API as Globex's admin and checks the status.
func rxAPI(t *testing.T, method, url, ctype string, body io.Reader, want int, out any) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.SetBasicAuth(globexBoss, globexPass)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != want {
		t.Fatalf("%s %s: %s", method, url, res.Status)
	}
	if out != nil {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
}
