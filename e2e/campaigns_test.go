package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"faxgate/internal/app/apptest"
)

// TestCampaigns is Send Bulk Fax in Chromium: a group of contacts made
// through the API, a campaign created in the portal to the test numbers of
// the fast test line, started, watched (htmx) until it completes, the
// recipients filtered and exported, and a second campaign stopped after
// the confirmation.
func TestCampaigns(t *testing.T) {
	chromium := findChromium(t)
	base := startApp(t)
	apiSetup(t, base)
	fastTestLine(t, base)
	docID := contactsDocument(t, base, globexBoss, globexPass)
	campaignGroup(t, base, "Clinics", 3)
	b := newBrowser(t, chromium)

	b.step("empty list", func() {
		b.login(base, globexBoss, globexPass)
		b.do(chromedp.Navigate(base + "/"))
		b.navigates(chromedp.Click(chromedp.CSS(`#sidenav a[href="/campaigns"]`)))
		b.waitText("main .empty", "No fax campaigns yet.")
		b.shot("cmp-01-empty")
	})
	b.step("create a campaign", func() {
		b.navigates(chromedp.Click(chromedp.CSS(`.page-actions a[href="/campaigns/new"]`)))
		b.waitPath("/campaigns/new")
		// Sent without a document: the form comes back with the error and
		// keeps what was typed.
		b.fill(map[string]string{"f-title": "Price list 2027", "f-calls_per_minute": "120"})
		b.submit("form.form-card")
		b.waitText(".error-summary", "required")
		b.poll(`document.getElementById("f-document_id").getAttribute("aria-invalid") === "true"`)
		if v := b.value("f-title"); v != "Price list 2027" {
			t.Errorf("title after the error = %q", v)
		}
		b.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById("f-document_id").value = %q`, docID)))
		b.do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById("f-group_id");
			s.value = s.options[1].value })()`))
		b.shot("cmp-02-form")
		b.submit("form.form-card")
		b.waitText(".flash-success", "saved as a draft")
		b.waitText("#campaign-status", "Draft")
		b.shot("cmp-03-draft")
	})
	b.step("start it and watch it complete", func() {
		b.navigates(chromedp.Click(chromedp.ID("campaign-start")))
		b.waitText(".flash-success", "Campaign started.")
		// The progress block refreshes itself (htmx) while it runs.
		b.poll(`document.getElementById("campaign-status").textContent.trim() === "Completed"`)
		b.waitText("#stat-delivered", "3")
		b.waitText("#stat-total", "3")
		b.waitText("#stat-failed", "0")
		b.shot("cmp-04-completed")
	})
	b.step("recipients: filter and export", func() {
		b.do(chromedp.Navigate(b.url() + "?state=delivered"))
		b.poll(`document.querySelectorAll("#recipients tbody tr").length === 3`)
		b.poll(`[...document.querySelectorAll("#recipients .badge")].every(e => e.textContent === "delivered")`)
		b.do(chromedp.Evaluate[chromedp.Void](`window.__csv = null;
			fetch(document.querySelector('a[href*="format=csv"]').href).then(r => r.text()).then(t => { window.__csv = t })`))
		b.poll(`window.__csv !== null && window.__csv.split("\n").filter(l => l).length === 4 &&
			window.__csv.startsWith("seq,name,fax,state")`)
	})
	b.step("the list shows it completed with a full progress bar", func() {
		b.navigates(chromedp.Click(chromedp.CSS(`#sidenav a[href="/campaigns"]`)))
		b.waitText(".campaign-status", "Completed")
		b.poll(`document.querySelector("#results progress").value === 3`)
		b.shot("cmp-05-list")
	})
	b.step("a paused campaign is stopped after confirming", func() {
		b.navigates(chromedp.Click(chromedp.CSS(`.page-actions a[href="/campaigns/new"]`)))
		b.fill(map[string]string{"f-title": "Second round"})
		b.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById("f-document_id").value = %q`, docID)))
		b.do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById("f-group_id");
			s.value = s.options[1].value })()`))
		// Only Mondays at 00:00-01:00: it starts and waits for its window.
		b.do(chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('.day-boxes input').forEach(
			i => { i.checked = i.name === "day_mon" }); document.getElementById("f-end_hour").value = "1"`))
		b.submit("form.form-card")
		b.navigates(chromedp.Click(chromedp.ID("campaign-start")))
		b.waitText("#campaign-status", "Running")
		b.navigates(chromedp.Click(chromedp.ID("campaign-pause")))
		b.waitText("#campaign-status", "Paused")
		b.do(chromedp.Click(chromedp.ID("campaign-stop")))
		b.waitVisible("#confirm-box")
		b.shot("cmp-06-stop-confirm")
		b.submit("#confirm-box form")
		b.waitText(".flash-success", "Campaign stopped.")
		b.waitText("#campaign-status", "Stopped")
	})
	b.checkConsole()
}

// url is the page's current address.
func (b *browser) url() string {
	b.t.Helper()
	u, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.fail(err)
	}
	return u
}

// fastTestLine adds the fast test trunk (milliseconds per fax) and turns
// off the built-in real-time one.
func fastTestLine(t *testing.T, base string) {
	t.Helper()
	apiCall(t, "POST", base+"/api/v1/trunks", adminEmail, adminPass, map[string]any{"name": "Fast test line",
		"kind": "test", "speed": "fast", "max_channels": 8, "t38": "request"}, http.StatusCreated, nil)
	apiCall(t, "PATCH", base+"/api/v1/trunks/trk_testlinedefault2", adminEmail, adminPass,
		map[string]any{"enabled": false}, http.StatusOK, nil)
}

// campaignGroup creates n contacts with test numbers (delivered by the
// test line) and a group of them, as Globex's tenant admin.
func campaignGroup(t *testing.T, base, name string, n int) string {
	t.Helper()
	var g struct {
		ID string `json:"id"`
	}
	apiCall(t, "POST", base+"/api/v1/groups", globexBoss, globexPass, map[string]any{"name": name},
		http.StatusCreated, &g)
	var ids []string
	for i := range n {
		var c struct {
			ID string `json:"id"`
		}
		apiCall(t, "POST", base+"/api/v1/contacts", globexBoss, globexPass, map[string]any{
			"first_name": "Clinic", "last_name": fmt.Sprint(i + 1), "fax": fmt.Sprintf("+1202%07d", 4001000+i)},
			http.StatusCreated, &c)
		ids = append(ids, c.ID)
	}
	apiCall(t, "POST", base+"/api/v1/groups/"+g.ID+"/members", globexBoss, globexPass,
		map[string]any{"contact_ids": ids}, http.StatusOK, nil)
	return g.ID
}

// apiCall sends a JSON request with Basic credentials (contactsAPI),
// checks the status and decodes the answer into out.
func apiCall(t *testing.T, method, url, user, pass string, body any, want int, out any) {
	t.Helper()
	st, b := contactsAPI(t, method, url, user, pass, body)
	if st != want {
		t.Fatalf("%s %s: %d %s", method, url, st, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v", method, url, err)
		}
	}
}

// TestCampaignKill9 runs `faxgate serve` as a process, starts a campaign
// of 30 recipients on the fast test line, kills the process with SIGKILL
// in the middle and starts it again on the same database: the campaign
// completes with every recipient faxed exactly once. On SQLite, and on
// PostgreSQL when configured.
func TestCampaignKill9(t *testing.T) {
	apptest.ForEachEngine(t, func(t *testing.T, dsn func(t *testing.T) string) {
		const n = 30
		bin, dir, db := buildFaxgate(t), t.TempDir(), dsn(t)
		common := []string{"--data", dir, "--smtp", "off", "--sip", "off"}
		if db != "" {
			common = append(common, "--db", db)
		}
		if out, err := exec.Command(bin, append([]string{"admin", "create", "--email", adminEmail, "--password",
			adminPass}, common...)...).CombinedOutput(); err != nil {
			t.Fatalf("admin create: %v\n%s", err, out)
		}
		port := freePort(t)
		base := fmt.Sprintf("http://127.0.0.1:%d", port)
		serve := func(name string) *exec.Cmd {
			logf, err := os.Create(filepath.Join(dir, name+".log"))
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bin, append([]string{"serve", "--http", fmt.Sprintf("127.0.0.1:%d", port)}, common...)...)
			cmd.Stdout, cmd.Stderr = logf, logf
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				_ = cmd.Process.Signal(syscall.SIGTERM)
				_ = cmd.Wait()
				logf.Close()
				if t.Failed() {
					b, _ := os.ReadFile(logf.Name())
					t.Logf("--- %s log ---\n%s", name, tail(string(b), 6000))
				}
			})
			waitHealthy(t, base)
			return cmd
		}
		first := serve("first")
		apiSetup(t, base)
		fastTestLine(t, base)
		docID := contactsDocument(t, base, globexBoss, globexPass)
		groupID := campaignGroup(t, base, "Kill", n)
		var c campaignJSON
		apiCall(t, "POST", base+"/api/v1/campaigns", globexBoss, globexPass, map[string]any{"title": "Kill -9",
			"document_id": docID, "group_id": groupID, "calls_per_minute": 600, "max_lines": 4, "retries": 3},
			http.StatusCreated, &c)
		path := base + "/api/v1/campaigns/" + c.ID
		apiCall(t, "POST", path+"/start", globexBoss, globexPass, nil, http.StatusOK, &c)
		// Kill with a fax in flight if the timing allows (fast-line faxes
		// take milliseconds), else once half are delivered.
		for c.Delivered < n/4 || c.InProgress == 0 && c.Delivered < n/2 {
			time.Sleep(2 * time.Millisecond)
			apiCall(t, "GET", path, globexBoss, globexPass, nil, http.StatusOK, &c)
		}
		if err := first.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = first.Wait()
		apiCallDown(t, base)
		t.Logf("killed at %d delivered, %d in progress, %d pending", c.Delivered, c.InProgress, c.Pending)

		serve("second")
		// A fax whose call was in flight at the kill is retried once its
		// lease expires and its retry delay passed. A fax whose job was
		// fetched but had not dialled yet (waiting for a channel) stays
		// queued until River rescues the job, after the job's call budget
		// (8 min for one page; see internal/faxout's package doc): allow it.
		for deadline := time.Now().Add(12 * time.Minute); c.Status != "completed"; time.Sleep(200 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("after the restart the campaign is still %+v; its unfinished faxes: %s", c,
					campaignUnfinished(t, base, path))
			}
			apiCall(t, "GET", path, globexBoss, globexPass, nil, http.StatusOK, &c)
		}
		if c.Delivered != n || c.Total != n {
			t.Errorf("completed with %+v, want %d delivered", c, n)
		}
		var rs struct {
			Items []struct {
				Fax, State string
				Sends      int
			} `json:"items"`
		}
		apiCall(t, "GET", path+"/recipients?limit=500", globexBoss, globexPass, nil, http.StatusOK, &rs)
		var faxes struct {
			Items []struct{ To, Source string } `json:"items"`
		}
		apiCall(t, "GET", base+"/api/v1/faxes?limit=500", globexBoss, globexPass, nil, http.StatusOK, &faxes)
		per := map[string]int{}
		for _, f := range faxes.Items {
			if f.Source == "campaign" {
				per[f.To]++
			}
		}
		if len(rs.Items) != n {
			t.Fatalf("%d recipients, want %d", len(rs.Items), n)
		}
		for _, r := range rs.Items {
			if r.State != "delivered" || r.Sends != 1 || per[r.Fax] != 1 {
				t.Errorf("recipient %s: %s, %d sends, %d faxes; want delivered by exactly one fax", r.Fax, r.State,
					r.Sends, per[r.Fax])
			}
		}
	})
}

// campaignJSON is the part of a campaign the e2e tests read.
type campaignJSON struct {
	ID, Status                        string
	Total, Pending, Delivered, Failed int
	InProgress                        int `json:"in_progress"`
}

// apiCallDown waits until nothing answers on base any more.
func apiCallDown(t *testing.T, base string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		res, err := http.Get(base + "/healthz")
		if err != nil {
			return
		}
		res.Body.Close()
	}
	t.Fatal("the killed process still answers")
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// campaignUnfinished describes the faxes of the recipients still in
// progress (status, tries, last cause), for a failure message.
func campaignUnfinished(t *testing.T, base, path string) string {
	t.Helper()
	var rs struct {
		Items []struct {
			FaxID string `json:"fax_id"`
			State string `json:"state"`
		} `json:"items"`
	}
	apiCall(t, "GET", path+"/recipients?state=in_progress&limit=50", globexBoss, globexPass, nil, http.StatusOK, &rs)
	var out []string
	for _, r := range rs.Items {
		var f map[string]any
		apiCall(t, "GET", base+"/api/v1/faxes/"+r.FaxID, globexBoss, globexPass, nil, http.StatusOK, &f)
		out = append(out, fmt.Sprintf("%s status=%v cause=%v attempts=%v", r.FaxID, f["status"], f["cause"], f["attempts"]))
	}
	return strings.Join(out, "; ")
}
