package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestSettings drives Configuration > Fax Settings and Configuration >
// Cover Page in headless Chromium: the tenant admin finds both under
// Configuration, saves fax settings (a wrong value comes back next to its
// field with the input kept), and edits the cover page while its preview
// image follows the typing (htmx, debounced) before saving. Screenshots go
// to FAXGATE_E2E_ARTIFACTS.
func TestSettings(t *testing.T) {
	chromium := findChromium(t)
	base := startApp(t)
	apiSetup(t, base)
	b := newBrowser(t, chromium)

	b.step("fax settings are under Configuration", func() {
		b.login(base, globexBoss, globexPass)
		b.navigates(chromedp.Click(chromedp.CSS(`#sidenav a[href="/settings/fax"]`)))
		b.waitPath("/settings/fax")
		b.poll(`document.querySelector('#sidenav a[href="/settings/fax"]').getAttribute("aria-current") === "page"`)
		b.poll(`!!document.querySelector('#sidenav a[href="/settings/cover-page"]')`)
		b.shot("settings-01-fax")
	})
	b.step("a wrong value comes back with its error and the input kept", func() {
		b.fill(map[string]string{"f-retry_delay_s": "5", "f-station_id": "ACME FAX"})
		b.submit("form.form-card")
		b.waitText("#f-retry_delay_s-err", "")
		b.poll(`document.getElementById("f-retry_delay_s").getAttribute("aria-invalid") === "true"`)
		if v := b.value("f-station_id"); v != "ACME FAX" {
			t.Errorf("station id after the error: %q", v)
		}
		b.shot("settings-02-fax-error")
	})
	b.step("fax settings save", func() {
		b.fill(map[string]string{"f-retry_delay_s": "300"})
		b.do(chromedp.SetValue(chromedp.ID("f-default_quality"), "superfine"))
		b.submit("form.form-card")
		b.waitPath("/settings/fax")
		b.waitText(".flash-success", "Fax settings saved.")
		if q, d, s := b.value("f-default_quality"), b.value("f-retry_delay_s"), b.value("f-station_id"); q != "superfine" || d != "300" || s != "ACME FAX" {
			t.Errorf("saved values shown: quality %q, delay %q, station %q", q, d, s)
		}
	})
	b.step("times show in the account's time zone", func() {
		b.fill(map[string]string{"f-time_zone": "Mars/Olympus"})
		b.submit("form.form-card")
		b.poll(`document.getElementById("f-time_zone").getAttribute("aria-invalid") === "true"`)
		if v := b.value("f-time_zone"); v != "Mars/Olympus" {
			t.Errorf("time zone after the error: %q", v)
		}
		b.fill(map[string]string{"f-time_zone": "Asia/Tokyo"})
		b.submit("form.form-card")
		b.waitText(".flash-success", "Fax settings saved.")
		b.do(chromedp.Navigate(base + "/reports/activities"))
		b.poll(`document.documentElement.getAttribute("data-tz") === "Asia/Tokyo" &&
			!!document.querySelector("#results time[datetime]:not([data-local])")`)
		raw, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(() => {
			const e = document.querySelector("#results time[datetime]"); return e.getAttribute("datetime") + "|" + e.innerText })()`))
		if err != nil {
			b.fail(err)
		}
		at, shown, _ := strings.Cut(raw, "|")
		utc, err := time.Parse(time.RFC3339, at)
		if err != nil {
			t.Fatalf("time element %q: %v", raw, err)
		}
		tokyo, err := time.LoadLocation("Asia/Tokyo")
		if err != nil {
			t.Fatal(err)
		}
		if want := utc.In(tokyo).Format("2006-01-02 15:04"); !strings.HasPrefix(shown, want) || strings.Contains(shown, "UTC") {
			t.Errorf("activity time %s shown as %q, want %s in Tokyo", at, shown, want)
		}
		b.shot("settings-03-times-tokyo")
		if csv := b.fetch("/reports/activities/export"); !strings.Contains(csv, "+09:00") {
			t.Errorf("activities export not in the account's zone:\n%s", csv)
		}
		b.do(chromedp.Navigate(base + "/"))
		b.waitText("main", "Days in Asia/Tokyo.")
		b.do(chromedp.Navigate(base + "/settings/fax"))
	})
	b.step("the cover page preview follows the typing", func() {
		b.navigates(chromedp.Click(chromedp.CSS(`#sidenav a[href="/settings/cover-page"]`)))
		b.waitPath("/settings/cover-page")
		b.poll(`(() => { const i = document.querySelector("#cover-preview img"); return !!i && i.complete && i.naturalWidth === 1728 })()`)
		b.do(chromedp.Evaluate[chromedp.Void](`window.__firstPreview = document.querySelector("#cover-preview img").src`))
		b.shot("settings-04-cover")
		b.do(chromedp.SendKeys(chromedp.ID("f-sender_name"), "Gina Globex"))
		b.do(chromedp.SendKeys(chromedp.ID("f-comments"), "Please sign page 2 and fax it back."))
		// The image is replaced by one for the typed values (unsaved), and
		// it loads: the API drew it.
		b.poll(`(() => { const i = document.querySelector("#cover-preview img");
			return !!i && i.src !== window.__firstPreview && i.src.includes("sender_name=Gina+Globex") &&
				i.src.includes("comments=Please+sign") && i.complete && i.naturalWidth === 1728 })()`)
		b.shot("settings-05-cover-live")
	})
	b.step("the preview has more ink with comments than without", func() {
		// Ink of the lower half of the preview, drawn through a canvas.
		inkOf := func(name string) string {
			return fmt.Sprintf(`(() => { const i = document.querySelector("#cover-preview img");
				const c = document.createElement("canvas"); c.width = i.naturalWidth; c.height = i.naturalHeight;
				const x = c.getContext("2d"); x.drawImage(i, 0, 0);
				const d = x.getImageData(0, c.height / 2, c.width, c.height / 2).data; let n = 0;
				for (let k = 0; k < d.length; k += 4) if (d[k] < 128) n++;
				window[%q] = n; return true })()`, name)
		}
		b.poll(inkOf("__inkWith"))
		b.do(chromedp.Evaluate[chromedp.Void](`document.getElementById("f-comments").value = ""`))
		b.do(chromedp.SendKeys(chromedp.ID("f-comments"), " "))
		b.poll(`(() => { const i = document.querySelector("#cover-preview img");
			return !!i && !i.src.includes("comments=Please") && i.complete && i.naturalWidth === 1728 })()`)
		b.poll(inkOf("__inkWithout"))
		b.poll(`window.__inkWith > window.__inkWithout + 500`)
	})
	b.step("the cover page saves", func() {
		b.do(chromedp.Evaluate[chromedp.Void](`document.getElementById("f-comments").value = ""`))
		b.do(chromedp.SendKeys(chromedp.ID("f-comments"), "Please sign page 2 and fax it back."))
		b.do(chromedp.Click(chromedp.ID("f-enabled")))
		b.submit("form.form-card")
		b.waitPath("/settings/cover-page")
		b.waitText(".flash-success", "Cover page saved.")
		if n := b.value("f-sender_name"); n != "Gina Globex" {
			t.Errorf("saved sender name shown as %q", n)
		}
		b.poll(`document.getElementById("f-enabled").checked`)
		b.shot("settings-06-cover-saved")
	})
	b.step("the changes are in System Activities", func() {
		b.do(chromedp.Navigate(base + "/reports/activities"))
		b.waitText("main", "cover page: ")
		b.waitText("main", "fax settings: ")
	})
}
