package ui

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"faxgate/internal/api"
	"faxgate/internal/auth/authtest"
	"faxgate/internal/blob"
	"faxgate/internal/document"
	"faxgate/internal/documents"
	"faxgate/internal/httpx"
	"faxgate/internal/jobs"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
)

// docPortal is the portal and the API with the documents service, its
// conversion workers (real River jobs, the real converter) and a blob
// store, on a real SQLite store behind the real middleware.
type docPortal struct {
	*portal
	Docs  *documents.Service
	Blobs *blob.FS
}

// newDocPortal starts the portal; with start false no worker converts,
// so documents stay processing.
func newDocPortal(t *testing.T, start bool) *docPortal {
	t.Helper()
	env := authtest.NewEnv(t, storetest.OpenSQLite(t), nil)
	env.Clock.Advance(time.Since(env.Clock.Now()).Truncate(time.Second))
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	blobs, err := blob.NewFS(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	conv, err := document.NewConverter(document.Config{Workers: 1,
		CompilationCacheDir: filepath.Join(os.TempDir(), "faxgate-test-pdfium-cache")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conv.Close() })
	workers := river.NewWorkers()
	documents.NewWorker(env.St, blobs, conv, logger, documents.Config{}).Register(workers)
	j, err := jobs.New(env.St, logger, workers, nil, jobs.WithFetchPollInterval(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if start {
		if err := j.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_ = j.Stop(ctx)
		})
	}
	docs, err := documents.New(documents.Deps{Store: env.St, Blobs: blobs, Jobs: j, Audit: env.Audit, Logger: logger},
		documents.Config{})
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(Deps{Auth: env.Auth, Tenancy: env.Tenancy, Audit: env.Audit, Documents: docs, Now: env.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	a, err := api.New(api.Deps{Auth: env.Auth, Tenancy: env.Tenancy, Audit: env.Audit, Documents: docs})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Register(mux)
	h.Register(mux)
	mw, err := httpx.NewMiddleware(httpx.Options{Auth: env.Auth, Branding: env.Tenancy, PublicPrefixes: []string{"/static/"}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mw(mux))
	t.Cleanup(srv.Close)
	return &docPortal{portal: &portal{Env: env, W: env.NewWorld(t), URL: srv.URL}, Docs: docs, Blobs: blobs}
}

// upFile is a file chosen in the add form.
type upFile struct {
	name, ctype string
	body        []byte
}

// postFiles sends the add-document form as a browser does: the fields in
// form order, then one "file" part per chosen file (an empty part with no
// file name when none is chosen).
func (b *browser) postFiles(path string, fields [][2]string, files ...upFile) response {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			b.t.Fatal(err)
		}
	}
	if len(files) == 0 {
		files = []upFile{{ctype: "application/octet-stream"}}
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": "file", "filename": f.name}))
		h.Set("Content-Type", f.ctype)
		w, err := mw.CreatePart(h)
		if err != nil {
			b.t.Fatal(err)
		}
		_, _ = w.Write(f.body)
	}
	if err := mw.Close(); err != nil {
		b.t.Fatal(err)
	}
	return b.do(http.MethodPost, path, &buf, mw.FormDataContentType(),
		map[string]string{"Origin": b.base, "Sec-Fetch-Site": "same-origin"})
}

func pagePNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 500, 700))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y := 50; y < 100; y++ {
		for x := 40; x < 460; x++ {
			img.SetGray(x, y, color.Gray{})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var (
	pngFile  = func(t *testing.T) upFile { return upFile{"chart.png", "image/png", pagePNG(t)} }
	textFile = upFile{"notes.txt", "text/plain", []byte("Meeting notes\n\n- bring the fax number\n- Grüße\n")}
)

// addForm is a filled-in add form.
func addForm(name string) [][2]string {
	return [][2]string{{"name", name}, {"description", "For the Monday call"}, {"quality", "fine"}}
}

// waitDoc waits until the document leaves processing.
func (p *docPortal) waitDoc(t *testing.T, id string) model.Document {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		d, err := p.Docs.Get(p.Ctx, p.W.AdminActor, id)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != model.DocumentProcessing {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("document %s still processing", id)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// onlyDoc returns the one document of tenant A.
func (p *docPortal) onlyDoc(t *testing.T) model.Document {
	t.Helper()
	docs, _, err := p.Docs.List(p.Ctx, p.W.TenantAActor, store.DocumentFilter{}, model.ListOptions{})
	if err != nil || len(docs) != 1 {
		t.Fatalf("documents of tenant A: %v %v", docs, err)
	}
	return docs[0]
}

func TestDocumentsMenuEntry(t *testing.T) {
	nav := regexp.MustCompile(`(?s)<nav id="sidenav".*?</nav>`)
	p := newDocPortal(t, false)
	for _, who := range []string{"boss@a.example", "user@a.example", "admin@example.com"} {
		b := p.browser(t)
		b.login(who)
		r := b.get("/documents")
		wantStatus(t, r, http.StatusOK)
		if menu := nav.FindString(r.Body); !strings.Contains(menu, `href="/documents" aria-current="page">Fax Documents<`) {
			t.Errorf("%s: menu without the current Fax Documents entry", who)
		}
	}
	// Without the documents service there is no such entry and no page.
	plain := newPortal(t)
	b := plain.browser(t)
	b.login("boss@a.example")
	if strings.Contains(b.get("/").Body, "Fax Documents") {
		t.Error("menu shows Fax Documents without the service")
	}
	wantStatus(t, b.get("/documents"), http.StatusNotFound)
}

func TestDocumentListEmptyState(t *testing.T) {
	p := newDocPortal(t, false)
	b := p.browser(t)
	b.login("user@a.example")
	r := b.get("/documents")
	wantStatus(t, r, http.StatusOK)
	wantText(t, r, "No fax documents yet.", "Add the first document")
	wantHTML(t, r, `href="/documents/new"`)
	if strings.Contains(r.Body, "every 2s") {
		t.Error("an empty list polls")
	}
	r = b.get("/documents?q=nothing")
	wantText(t, r, "No documents match.")
}

// TestDocumentAddToReady: a tenant admin adds a PNG and a text file as one
// document; the list shows it processing (and polls), then ready with its
// thumbnail, page count and quality; its page shows the pages.
func TestDocumentAddToReady(t *testing.T) {
	p := newDocPortal(t, true)
	b := p.browser(t)
	b.login("boss@a.example")
	form := b.get("/documents/new")
	wantStatus(t, form, http.StatusOK)
	wantHTML(t, form, `enctype="multipart/form-data"`, `name="file" type="file" multiple`,
		`<option value="fine" selected>Fine (204 × 196 dpi)</option>`, `Super Fine (204 × 391 dpi)`, `<textarea id="f-description"`)
	if strings.Contains(form.Body, `id="f-tenant_id"`) {
		t.Error("a tenant admin is asked for the tenant")
	}
	checkLabels(t, "documents_new", form.Body)

	r := b.postFiles("/documents", addForm("Meeting pack"), pngFile(t), textFile)
	wantRedirect(t, r, "/documents")
	d := p.onlyDoc(t)
	if d.Name != "Meeting pack" || d.Description != "For the Monday call" || len(d.Sources) != 2 ||
		d.Sources[0].Filename != "chart.png" || d.Sources[1].Filename != "notes.txt" {
		t.Fatalf("stored %+v", d)
	}
	list := b.get("/documents")
	wantText(t, list, "Document “Meeting pack” added.", "Meeting pack", "For the Monday call", "Fine")
	if d = p.waitDoc(t, d.ID); d.Status != model.DocumentReady || d.Pages != 2 {
		t.Fatalf("converted %+v", d)
	}
	list = b.get("/documents")
	wantText(t, list, "Ready")
	wantHTML(t, list, `src="/api/v1/documents/`+d.ID+`/pages/1/thumbnail?v=1"`,
		`href="/api/v1/documents/`+d.ID+`/file?format=pdf" download`, `<td class="num" data-label="Pages">2</td>`)
	if strings.Contains(list.Body, "every 2s") {
		t.Error("the list still polls with nothing processing")
	}
	thumb := b.get("/api/v1/documents/" + d.ID + "/pages/1/thumbnail?v=1")
	if thumb.Status != http.StatusOK || thumb.Header.Get("Content-Type") != "image/png" {
		t.Errorf("thumbnail through the session: %d %s", thumb.Status, thumb.Header.Get("Content-Type"))
	}

	show := b.get("/documents/" + d.ID)
	wantStatus(t, show, http.StatusOK)
	wantText(t, show, "Meeting pack", "Fax pages", "Download PDF", "Download TIFF", "chart.png", "notes.txt", "by you")
	for n := 1; n <= 2; n++ {
		wantHTML(t, show, `<a href="/documents/`+d.ID+`/pages/`+itoa(n)+`"><img src="/api/v1/documents/`+d.ID+
			`/pages/`+itoa(n)+`/thumbnail?v=1" alt="Page `+itoa(n)+`"`)
	}
	checkLabels(t, "documents_show", show.Body)
	page := b.get("/documents/" + d.ID + "/pages/2")
	wantStatus(t, page, http.StatusOK)
	wantText(t, page, "Page 2 of 2", "« Page 1")
	wantHTML(t, page, `<img src="/api/v1/documents/`+d.ID+`/pages/2/preview?v=1"`)
	wantStatus(t, b.get("/documents/"+d.ID+"/pages/3"), http.StatusNotFound)
}

// TestDocumentProcessingPolls: while a document converts, the list and its
// page refresh themselves every 2 s and show the progress.
func TestDocumentProcessingPolls(t *testing.T) {
	p := newDocPortal(t, false)
	b := p.browser(t)
	b.login("user@a.example")
	wantRedirect(t, b.postFiles("/documents", addForm("Slow"), textFile), "/documents")
	d := p.onlyDoc(t)
	list := b.get("/documents?q=slow")
	wantHTML(t, list, `<div id="results" hx-get="/documents?q=slow" hx-trigger="every 2s" hx-select="#results" hx-swap="outerHTML">`,
		`<span class="badge badge-processing">Processing</span>`, `<progress class="doc-progress"`)
	wantText(t, list, "Waiting to be converted")
	show := b.get("/documents/" + d.ID)
	wantHTML(t, show, `<div id="doc-state" class="doc-main" hx-get="/documents/`+d.ID+`" hx-trigger="every 2s" hx-select="#doc-state"`)
	wantText(t, show, "The pages appear here when the conversion is done")
	if strings.Contains(show.Body, "Download PDF") {
		t.Error("downloads offered while processing")
	}
	// The preview of a page that does not exist yet sends back with a reason.
	r := b.get("/documents/" + d.ID + "/pages/1")
	wantRedirect(t, r, "/documents/"+d.ID)
	wantText(t, b.get("/documents/"+d.ID), "still being converted")
}

// TestDocumentFormErrors: the add form keeps what was typed and shows each
// problem next to its field.
func TestDocumentFormErrors(t *testing.T) {
	p := newDocPortal(t, false)
	elf := append([]byte("\x7fELF\x02\x01\x01\x00"), bytes.Repeat([]byte{9}, 500)...)
	tests := []struct {
		name   string
		who    string
		fields [][2]string
		files  []upFile
		status int
		errs   map[string]string // field -> message part
	}{
		{"nothing", "boss@a.example", [][2]string{{"name", " "}, {"description", "keep me"}, {"quality", "superfine"}},
			nil, http.StatusUnprocessableEntity, map[string]string{"name": "enter a name", "files": "add at least one file"}},
		{"disguised executable", "user@a.example", addForm("Invoice"),
			[]upFile{textFile, {"invoice.pdf", "application/pdf", elf}}, http.StatusUnprocessableEntity,
			map[string]string{"files": "invoice.pdf: unsupported file type"}},
		{"bad quality", "user@a.example", [][2]string{{"name", "Q"}, {"quality", "ultra"}}, []upFile{textFile},
			http.StatusUnprocessableEntity, map[string]string{"quality": "standard, fine or superfine"}},
		{"admin without tenant", "admin@example.com", append([][2]string{{"tenant_id", ""}}, addForm("For whom")...),
			[]upFile{textFile}, http.StatusUnprocessableEntity, map[string]string{"tenant_id": "choose the tenant"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := p.browser(t)
			b.login(tc.who)
			r := b.postFiles("/documents", tc.fields, tc.files...)
			wantStatus(t, r, tc.status)
			wantText(t, r, "Choose the files again")
			for name, msg := range tc.errs {
				re := regexp.MustCompile(`<small id="f-` + name + `-err" class="field-error">([^<]+)</small>`)
				if m := re.FindStringSubmatch(r.Body); m == nil || !strings.Contains(m[1], msg) {
					t.Errorf("error of %s: %v, want %q", name, m, msg)
				}
			}
			for _, f := range tc.fields {
				if f[0] == "description" && !strings.Contains(r.Body, ">"+f[1]+"</textarea>") {
					t.Errorf("description %q not kept", f[1])
				}
				if f[0] == "quality" && f[1] == "superfine" && !strings.Contains(r.Body, `<option value="superfine" selected>`) {
					t.Error("quality not kept")
				}
				if f[0] == "name" && strings.TrimSpace(f[1]) != "" && !strings.Contains(r.Body, `value="`+f[1]+`"`) {
					t.Errorf("name %q not kept", f[1])
				}
			}
			docs, _, err := p.Docs.List(p.Ctx, p.W.AdminActor, store.DocumentFilter{}, model.ListOptions{})
			if err != nil || len(docs) != 0 {
				t.Errorf("documents after a refused upload: %v %v", docs, err)
			}
		})
	}
	// The admin picks the tenant in the form.
	b := p.browser(t)
	b.login("admin@example.com")
	form := b.get("/documents/new?tenant_id=" + p.W.B.ID)
	wantHTML(t, form, `<select id="f-tenant_id" name="tenant_id" required`, `<option value="`+p.W.B.ID+`" selected>`)
	r := b.postFiles("/documents", append([][2]string{{"tenant_id", p.W.B.ID}}, addForm("For B")...), textFile)
	wantRedirect(t, r, "/documents?tenant_id="+p.W.B.ID)
	list := b.get("/documents?tenant_id=" + p.W.B.ID)
	wantText(t, list, "For B", "Tenant B")
}

// TestDocumentChangeAndDelete: rename, quality change, the failed state and
// its retry, permissions inside the tenant and across tenants, delete.
func TestDocumentChangeAndDelete(t *testing.T) {
	p := newDocPortal(t, true)
	boss, user, other := p.browser(t), p.browser(t), p.browser(t)
	boss.login("boss@a.example")
	user.login("user@a.example")
	other.login("boss@b.example")
	wantRedirect(t, boss.postFiles("/documents", addForm("Terms"), textFile), "/documents")
	d := p.waitDoc(t, p.onlyDoc(t).ID)
	url := "/documents/" + d.ID

	r := boss.post(url, map[string][]string{"name": {""}, "description": {"x"}, "quality": {"fine"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantHTML(t, r, `<small id="f-name-err" class="field-error">enter a name</small>`)
	wantRedirect(t, boss.post(url, map[string][]string{"name": {"Terms 2025"}, "description": {"New"}, "quality": {"standard"}}), url)
	wantText(t, boss.get(url), "Quality changed to Standard")
	if d = p.waitDoc(t, d.ID); d.Name != "Terms 2025" || d.Quality != model.QualityStandard || d.Status != model.DocumentReady || d.Revision != 2 {
		t.Fatalf("changed %+v", d)
	}

	// Users see the tenant's documents but change only their own.
	view := user.get(url)
	wantText(t, view, "Terms 2025", "Only the person who uploaded this document")
	if strings.Contains(view.Body, `action="`+url+`"`) {
		t.Error("the user gets the edit form of the tenant admin's document")
	}
	wantRedirect(t, user.post(url+"/delete", nil), url)
	wantText(t, user.get(url), "only the person who uploaded this document or a tenant administrator may change it.")

	// Another tenant: 404 everywhere, nothing changes.
	for _, path := range []string{url, url + "/pages/1", url + "/delete"} {
		wantStatus(t, other.get(path), http.StatusNotFound)
	}
	for _, path := range []string{url, url + "/retry", url + "/delete"} {
		wantStatus(t, other.post(path, map[string][]string{"name": {"Stolen"}, "quality": {"fine"}}), http.StatusNotFound)
	}
	if got, _ := p.Docs.Get(p.Ctx, p.W.TenantAActor, d.ID); got.Name != "Terms 2025" || got.Revision != 2 {
		t.Errorf("changed by another tenant: %+v", got)
	}

	confirm := boss.get(url + "/delete")
	wantText(t, confirm, "Delete “Terms 2025”?")
	wantHTML(t, confirm, `<article id="confirm-box"`, `action="`+url+`/delete"`)
	wantRedirect(t, boss.post(url+"/delete", nil), "/documents")
	wantText(t, boss.get("/documents"), "Document “Terms 2025” deleted.", "No fax documents yet.")
	if _, err := p.Docs.Get(p.Ctx, p.W.TenantAActor, d.ID); err == nil {
		t.Error("the document still exists")
	}
}

// TestDocumentFailedShowsError: a corrupt PDF fails; the list and the page
// say why, and the page offers to try again.
func TestDocumentFailedShowsError(t *testing.T) {
	p := newDocPortal(t, true)
	b := p.browser(t)
	b.login("user@a.example")
	broken := []byte("%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntruncated garbage")
	wantRedirect(t, b.postFiles("/documents", addForm("Broken"), upFile{"contract.pdf", "application/pdf", broken}), "/documents")
	d := p.waitDoc(t, p.onlyDoc(t).ID)
	if d.Status != model.DocumentFailed {
		t.Fatalf("broken PDF: %+v", d)
	}
	list := b.get("/documents")
	wantHTML(t, list, `<span class="badge badge-failed">Failed</span>`)
	wantText(t, list, "contract.pdf: ")
	show := b.get("/documents/" + d.ID)
	wantText(t, show, "The document could not be converted.", "contract.pdf: ", "Try again")
	wantRedirect(t, b.post("/documents/"+d.ID+"/retry", nil), "/documents/"+d.ID)
	wantText(t, b.get("/documents/"+d.ID), "The document is being converted again.")
}
