package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// contactsCSV has a header the import cannot all recognise ("Contact
// Person" and "Line" need mapping; "Organisation" and "E-mail" are
// recognised), semicolons, a repeated number and two invalid rows (lines
// 4 and 6).
const contactsCSV = "Contact Person;Line;Organisation;E-mail\n" +
	"Carla Diaz;+1 202 555 0121;Acme Clinic;carla@acme.test\n" +
	"Dan Eng;202-555-0122;Acme Clinic;\n" +
	"Bad Number;12;Nowhere;\n" +
	"Eve Fox;+12025550123;Fox Dental;eve@fox.test\n" +
	"No Fax;;Nowhere;\n" +
	"Carla Again;+12025550121;Acme Clinic;\n"

// TestContacts drives Contacts, Groups and Contact DNC in headless
// Chromium: a tenant admin adds contacts, creates a group with a CSV file
// whose header needs a manual mapping, watches the import and reads the
// report of invalid rows, exports the group, puts a number on the
// do-not-contact list, and then the API refuses a fax to that number with
// the reason.
func TestContacts(t *testing.T) {
	chromium := findChromium(t)
	base := startApp(t)
	apiSetup(t, base)
	b := newBrowser(t, chromium)
	csvPath := filepath.Join(t.TempDir(), "clinics.csv")
	if err := os.WriteFile(csvPath, []byte(contactsCSV), 0o600); err != nil {
		t.Fatal(err)
	}

	b.step("contacts: empty, then two added", func() {
		b.login(base, globexBoss, globexPass)
		b.navigates(chromedp.Click(chromedp.CSS(`#sidenav a[href="/contacts"]`)))
		b.waitText("main .empty", "No contacts yet.")
		b.navigates(chromedp.Click(chromedp.CSS(`.page-actions a[href="/contacts/new"]`)))
		b.fill(map[string]string{"f-first_name": "Ada", "f-last_name": "Lovelace", "f-fax": "12"})
		b.submit("form.form-card")
		b.waitText(".error-summary", "Fax:")
		if v := b.value("f-first_name"); v != "Ada" {
			t.Errorf("first name after the error: %q", v)
		}
		b.fill(map[string]string{"f-fax": "(202) 555-0101", "f-email": "ada@engines.test", "f-custom1": "VIP"})
		b.shot("contacts-01-form")
		b.submit("form.form-card")
		b.waitText(".flash-success", "Contact Ada Lovelace (+12025550101) added.")
		b.navigates(chromedp.Click(chromedp.CSS(`.page-actions a[href="/contacts/new"]`)))
		b.fill(map[string]string{"f-first_name": "Bob", "f-last_name": "Babbage", "f-fax": "+12025550102"})
		b.submit("form.form-card")
		b.waitText("#results", "+12025550102")
		b.waitText("#results", "VIP")
		b.shot("contacts-02-list")
	})
	b.step("a group with a CSV whose columns need mapping", func() {
		b.navigates(chromedp.Click(chromedp.CSS(`#sidenav a[href="/groups"]`)))
		b.waitText("main .empty", "No groups yet.")
		b.navigates(chromedp.Click(chromedp.CSS(`.page-actions a[href="/groups/new"]`)))
		b.fill(map[string]string{"f-name": "Clinics"})
		b.do(chromedp.SendKeys(chromedp.ID("f-description"), "Every clinic we serve"))
		b.do(chromedp.SetUploadFiles(chromedp.ID("f-file"), []string{csvPath}))
		b.submit("form.form-card")
		b.waitText("main .lead", "2 columns were not recognised")
		b.waitText(".mapping-table", "carla@acme.test")
		if v := b.value("f-col2"); v != "company" {
			t.Errorf("Organisation detected as %q", v)
		}
		if v := b.value("f-col3"); v != "email" {
			t.Errorf("E-mail detected as %q", v)
		}
		b.shot("contacts-03-mapping")
		b.submit("form.mapping")
		b.waitText(".error-summary", "Choose the column that holds the fax numbers.")
		b.do(chromedp.SetValue(chromedp.ID("f-col0"), "name"), chromedp.SetValue(chromedp.ID("f-col1"), "fax"))
		b.submit("form.mapping")
	})
	b.step("the import report lists the invalid rows", func() {
		b.poll(`!!document.getElementById("import-report")`)
		b.waitText("#count-total", "6")
		b.waitText("#count-imported", "3")
		b.waitText("#count-duplicates", "1")
		b.waitText("#count-invalid", "2")
		b.waitText("#import-errors", "4")
		b.waitText("#import-errors", "6")
		b.waitText("#import-errors", "fax: required")
		b.shot("contacts-04-report")
	})
	b.step("the group lists its members and exports them", func() {
		b.navigates(chromedp.Click(chromedp.CSS(`#import-report a[href^="/groups/grp_"]:not([download])`)))
		b.waitText("#member-count", "3")
		b.waitText("#results", "Carla Diaz")
		b.waitText("#results", "+12025550123")
		b.do(chromedp.Evaluate[chromedp.Void](`window.__csv = null;
			fetch(document.querySelector('.page-actions a[download]').href).then(r => r.text()).then(t => { window.__csv = t })`))
		b.poll(`typeof window.__csv === "string" && window.__csv.startsWith("first_name,last_name,fax,") &&
			window.__csv.includes("Carla,Diaz,+12025550121") && window.__csv.trim().split("\n").length === 4`)
		b.shot("contacts-05-group")
	})
	b.step("members are added and removed on the group page", func() {
		b.fill(map[string]string{"f-find": "lovelace"})
		b.submit(`form[role="search"]`)
		b.waitText(".found", "Ada Lovelace")
		b.submit(".found form")
		b.waitText(".flash-success", "Added to the group.")
		b.waitText("#member-count", "4")
		b.submit(`#results form[action$="/remove"]:has(button[aria-label="Remove Ada Lovelace from the group"])`)
		b.waitText(".flash-success", "Removed from the group")
		b.waitText("#member-count", "3")
	})
	b.step("a number goes on the do-not-contact list", func() {
		b.navigates(chromedp.Click(chromedp.CSS(`#sidenav a[href="/dnc"]`)))
		b.waitText("main .empty", "The list is empty.")
		b.fill(map[string]string{"f-number": "+1 202 555 0123", "f-note": "asked us to stop"})
		b.submit(`form[action="/dnc"]`)
		b.waitText(".flash-success", "+12025550123 is on the do-not-contact list")
		b.waitText("#results", "asked us to stop")
		b.shot("contacts-06-dnc")
	})
	b.step("phone width", func() {
		b.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
		b.do(chromedp.Navigate(base + "/contacts"))
		b.waitText("#results", "Lovelace")
		b.shot("contacts-07-phone")
	})
	b.checkConsole()

	b.step("the API refuses a fax to the DNC number", func() {
		doc := contactsDocument(t, base, globexBoss, globexPass)
		st, body := contactsAPI(t, "POST", base+"/api/v1/faxes", globexBoss, globexPass,
			map[string]any{"to": "+12025550123", "document_id": doc})
		var e struct {
			Error struct {
				Code   string            `json:"code"`
				Fields map[string]string `json:"fields"`
			} `json:"error"`
		}
		_ = json.Unmarshal(body, &e)
		if st != http.StatusUnprocessableEntity || e.Error.Fields["to"] != "+12025550123 is on the do-not-contact list (asked us to stop)" {
			t.Errorf("fax to the DNC number: %d %s", st, body)
		}
	})
}

// contactsDocument adds a one-page text document through the API and waits
// until it is ready; it returns its id.
func contactsDocument(t *testing.T, base, user, pass string) string {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("name", "Memo")
	w, _ := mw.CreateFormFile("file", "memo.txt")
	_, _ = w.Write([]byte("Hello fax"))
	_ = mw.Close()
	req, _ := http.NewRequest("POST", base+"/api/v1/documents", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.SetBasicAuth(user, pass)
	st, body := contactsSend(t, req)
	var d struct{ ID, Status string }
	if err := json.Unmarshal(body, &d); err != nil || st != http.StatusCreated {
		t.Fatalf("upload document: %d %s", st, body)
	}
	for deadline := time.Now().Add(60 * time.Second); d.Status != "ready"; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) || d.Status == "failed" {
			t.Fatalf("document %+v", d)
		}
		_, body = contactsAPI(t, "GET", base+"/api/v1/documents/"+d.ID, user, pass, nil)
		_ = json.Unmarshal(body, &d)
	}
	return d.ID
}

// contactsAPI sends a JSON request with Basic credentials.
func contactsAPI(t *testing.T, method, url, user, pass string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		j, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.SetBasicAuth(user, pass)
	return contactsSend(t, req)
}

func contactsSend(t *testing.T, req *http.Request) (int, []byte) {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, b
}
