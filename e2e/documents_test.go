package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

const (
	globexBoss = "boss@globex.test"
	globexPass = "globex password 1"
)

// TestDocuments drives Fax Documents in headless Chromium: a tenant admin
// uploads a PNG and a text file as one document, waits until the list
// (refreshing itself) shows it ready with its thumbnail, opens its pages
// and a full preview, downloads the PDF, changes the quality, sees the form
// keep errors, and deletes it. Screenshots go to FAXGATE_E2E_ARTIFACTS.
func TestDocuments(t *testing.T) {
	chromium := findChromium(t)
	base := startApp(t)
	tenantID := apiSetup(t, base)
	b := newBrowser(t, chromium)
	png, txt := writePage(t), writeText(t)

	b.step("empty list", func() {
		b.login(base, globexBoss, globexPass)
		b.do(chromedp.Navigate(base + "/"))
		b.navigates(chromedp.Click(chromedp.CSS(`#sidenav a[href="/documents"]`)))
		b.waitText("main .empty", "No fax documents yet.")
		b.shot("doc-01-empty")
	})
	b.step("add a PNG and a text file as one document", func() {
		b.navigates(chromedp.Click(chromedp.CSS(`.page-actions a[href="/documents/new"]`)))
		b.waitPath("/documents/new")
		b.fill(map[string]string{"f-name": "Quarterly price list"})
		b.do(chromedp.SendKeys(chromedp.ID("f-description"), "Send to wholesale customers"))
		b.do(chromedp.SetUploadFiles(chromedp.ID("f-files"), []string{png, txt}))
		b.poll(`document.getElementById("f-files").files.length === 2`)
		b.shot("doc-02-add-form")
		b.submit("form.form-card")
		b.waitPath("/documents")
		b.waitText(".flash-success", "Document “Quarterly price list” added.")
		b.shot("doc-03-added")
	})
	b.step("the list refreshes itself until the document is ready", func() {
		b.poll(`(() => { const r = document.querySelector("#results tbody tr"); return !!r && !!r.querySelector(".badge-ready") })()`)
		b.poll(`(() => { const i = document.querySelector("#results img.doc-thumb"); return !!i && i.complete && i.naturalWidth === 200 })()`)
		b.waitText(`#results td[data-label="Pages"]`, "2")
		b.waitText(`#results td[data-label="Quality"]`, "Fine")
		b.poll(`!!document.querySelector('#results a[href$="/file?format=pdf"][download]')`)
		b.shot("doc-04-ready")
	})
	b.step("the pages view shows every page", func() {
		b.navigates(chromedp.Click(chromedp.CSS(`#results td[data-label="Name"] a`)))
		b.poll(`document.querySelectorAll(".page-grid img").length === 2 &&
			[...document.querySelectorAll(".page-grid img")].every(i => i.complete && i.naturalWidth === 200)`)
		b.waitText("#doc-state", "page.png")
		b.waitText("#doc-state", "note.txt")
		b.poll(`!!document.querySelector('#doc-state a[href$="/file?format=pdf"]')`)
		b.shot("doc-05-pages")
	})
	b.step("the PDF download is a PDF", func() {
		b.do(chromedp.Evaluate[chromedp.Void](`window.__pdf = null;
			fetch(document.querySelector('#doc-state a[href$="/file?format=pdf"]').href)
				.then(r => r.arrayBuffer()).then(b => { window.__pdf = String.fromCharCode(...new Uint8Array(b.slice(0, 5))) })`))
		b.poll(`window.__pdf === "%PDF-"`)
	})
	b.step("a page opens in full", func() {
		b.navigates(chromedp.Click(chromedp.CSS(`.page-grid li:nth-child(2) a`)))
		b.poll(`(() => { const i = document.querySelector(".page-preview img"); return !!i && i.complete && i.naturalWidth === 1728 })()`)
		b.waitText(".page-nav", "Page 2 of 2")
		b.shot("doc-06-preview")
		b.navigates(chromedp.Click(chromedp.CSS(`.page-nav a[rel="prev"]`)))
		b.waitText(".page-nav", "Page 1 of 2")
		b.navigates(chromedp.Click(chromedp.CSS(`.page-actions a`)))
	})
	b.step("change the quality", func() {
		b.do(chromedp.SetValue(chromedp.ID("f-quality"), "superfine"))
		b.submit(".doc-side form")
		b.waitText(".flash-success", "Quality changed to Super Fine")
		b.poll(`!!document.querySelector("#doc-state .badge-ready") && document.querySelectorAll(".page-grid img").length === 2`)
		b.waitText("#doc-state", "Super Fine")
		b.shot("doc-07-superfine")
	})
	b.step("a damaged file fails with the reason", func() {
		b.do(chromedp.Navigate(base + "/documents/new"))
		b.fill(map[string]string{"f-name": "Scanned contract"})
		b.do(chromedp.SetUploadFiles(chromedp.ID("f-files"), []string{writeDamaged(t, png)}))
		b.submit("form.form-card")
		b.waitPath("/documents")
		b.poll(`!!document.querySelector("#results tbody tr .badge-failed")`)
		b.waitText("#results .doc-error", "contract.png: ")
		b.shot("doc-08-failed-list")
		b.navigates(chromedp.Click(chromedp.CSS(`#results a[aria-label="View pages of Scanned contract"]`)))
		b.waitText("#doc-state", "The document could not be converted.")
		b.shot("doc-08b-failed-page")
	})
	b.step("the admin sees it in the list of all tenants", func() {
		b.logout()
		b.login(base, adminEmail, adminPass)
		b.do(chromedp.Navigate(base + "/documents"))
		b.waitText(`#results td[data-label="Tenant"]`, "Globex")
		b.poll(fmt.Sprintf(`!!document.querySelector('#f-tenant_id option[value=%q]')`, tenantID))
		b.shot("doc-08c-admin-list")
		b.logout()
		b.login(base, globexBoss, globexPass)
	})
	b.step("the add form keeps input and shows errors", func() {
		b.do(chromedp.Navigate(base + "/documents/new"))
		b.do(chromedp.SendKeys(chromedp.ID("f-description"), "No name, no file"))
		b.do(chromedp.SetValue(chromedp.ID("f-quality"), "standard"))
		b.submit("form.form-card")
		b.waitText(".error-summary", "Name: enter a name")
		b.waitText(".error-summary", "Files: add at least one file")
		if v := b.value("f-description"); v != "No name, no file" {
			t.Errorf("description after the error: %q", v)
		}
		if v := b.value("f-quality"); v != "standard" {
			t.Errorf("quality after the error: %q", v)
		}
		b.shot("doc-09-form-errors")
	})
	b.step("phone width", func() {
		b.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
		b.do(chromedp.Navigate(base + "/documents"))
		b.poll(`(() => { const i = document.querySelector("#results img.doc-thumb"); return !!i && i.complete && i.naturalWidth > 0 })()`)
		b.shot("doc-11-phone-list")
		b.navigates(chromedp.Click(chromedp.CSS(`#results td[data-label="Name"] a`)))
		b.poll(`[...document.querySelectorAll(".page-grid img")].every(i => i.complete && i.naturalWidth > 0)`)
		b.shot("doc-12-phone-pages")
	})
	b.step("delete with confirmation", func() {
		b.do(chromedp.Navigate(base + "/documents"))
		b.do(chromedp.Click(chromedp.CSS(`#results a.danger-link[aria-label="Delete Quarterly price list"]`)))
		b.waitText("#confirm-area", "Delete “Quarterly price list”?")
		b.shot("doc-13-phone-delete-confirm")
		b.submit("#confirm-area form")
		b.waitText(".flash-success", "Document “Quarterly price list” deleted.")
		b.navigates(chromedp.Click(chromedp.CSS(`#results a[aria-label="View pages of Scanned contract"]`)))
		b.do(chromedp.Click(chromedp.CSS(`.doc-side a.danger`)))
		b.waitText("#confirm-area", "Delete “Scanned contract”?")
		b.submit("#confirm-area form")
		b.waitText(".flash-success", "Document “Scanned contract” deleted.")
		b.waitText("main .empty", "No fax documents yet.")
	})
	b.checkConsole()
}

// apiSetup creates the tenant Globex and its tenant admin through the REST
// API, as the platform admin, and returns the tenant's id.
func apiSetup(t *testing.T, base string) string {
	t.Helper()
	var tenant struct {
		ID string `json:"id"`
	}
	apiPost(t, base+"/api/v1/tenants", map[string]any{"name": "Globex"}, &tenant)
	apiPost(t, base+"/api/v1/users", map[string]any{"tenant_id": tenant.ID, "role": "tenant", "email": globexBoss,
		"password": globexPass, "first_name": "Gina", "last_name": "Globex"}, nil)
	return tenant.ID
}

func apiPost(t *testing.T, url string, body, out any) {
	t.Helper()
	j, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(adminEmail, adminPass)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s: %s", url, res.Status)
	}
	if out != nil {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
}

// writePage writes an A4-proportioned PNG: a heading bar, text-like lines
// and a grey photo area.
func writePage(t *testing.T) string {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 827, 1169))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	fill := func(x0, y0, x1, y1 int, g uint8) {
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				img.SetGray(x, y, color.Gray{Y: g})
			}
		}
	}
	fill(80, 80, 747, 150, 0x10)
	for i := range 12 {
		fill(80, 220+i*34, 80+int(560-float64(i%4)*90), 236+i*34, 0x20)
	}
	for x := 80; x < 747; x++ { // a grey ramp, like a photo
		fill(x, 700, x+1, 1000, uint8(255*(x-80)/667))
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "page.png")
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeDamaged writes the first half of the PNG at path: a valid header,
// then nothing.
func writeDamaged(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "contract.png")
	if err := os.WriteFile(p, b[:len(b)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func writeText(t *testing.T) string {
	t.Helper()
	text := "Globex Corporation — price list\n\n"
	for i := 1; i <= 30; i++ {
		text += fmt.Sprintf("Item %02d  Hydraulic widget, size %d ........ %3d.00 EUR\n", i, i, 10*i)
	}
	text += "\nPrices include VAT. Grüße aus Köln — Ça va? 東京\n"
	p := filepath.Join(t.TempDir(), "note.txt")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
