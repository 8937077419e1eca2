package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"faxgate/internal/api"
	"faxgate/internal/app"
	"faxgate/internal/auth"
	"faxgate/internal/auth/authtest"
	"faxgate/internal/config"
	"faxgate/internal/document"
	"faxgate/internal/documents"
	"faxgate/internal/faxtiff"
)

// pdfiumCache is shared by the tests of every package (and runs), so the
// PDF renderer compiles once per machine, not once per test.
var pdfiumCache = filepath.Join(os.TempDir(), "faxgate-test-pdfium-cache")

// newDocEnv is newEnv with the documents service configured by limits
// (nil = the defaults) and the shared PDF renderer cache.
func newDocEnv(t *testing.T, dsn string, limits func(*documents.Config)) *env {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.DB = dsn
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.SMTPAddr, cfg.SIPAddr = "off", "off"
	clk := authtest.NewClock()
	a, err := app.New(cfg, app.WithClock(clk.Now),
		app.WithLogger(slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))),
		app.WithAuthConfig(func(c *auth.Config) { c.Argon2 = authtest.CheapArgon2(); c.FailureDelay = -1 }),
		app.WithDocumentsConfig(func(d *documents.Config, c *document.Config) {
			c.CompilationCacheDir = pdfiumCache
			if limits != nil {
				limits(d)
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if err := a.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := a.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := a.Stop(ctx); err != nil {
			t.Errorf("stop workers: %v", err)
		}
	})
	admin, err := a.CreateAdmin(t.Context(), app.AdminInput{Email: adminEmail, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return &env{app: a, srv: srv, clock: clk, admin: admin}
}

// part is one part of a multipart upload; a filename makes it a file.
type part struct {
	field, filename, ctype string
	body                   []byte
}

func field(name, value string) part { return part{field: name, body: []byte(value)} }
func file(name, ctype string, b []byte) part {
	return part{field: "file", filename: name, ctype: ctype, body: b}
}

// upload posts a multipart body to path.
func (e *env) upload(t *testing.T, c cred, path string, parts ...part) resp {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		cd := map[string]string{"name": p.field}
		if p.filename != "" {
			cd["filename"] = p.filename
			h.Set("Content-Type", p.ctype)
		}
		h.Set("Content-Disposition", mime.FormatMediaType("form-data", cd))
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(p.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest("POST", e.srv.URL+path, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	c(req)
	return e.do(t, req)
}

func (e *env) do(t *testing.T, req *http.Request) resp {
	t.Helper()
	res, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

// waitDocument polls the document until it leaves processing.
func (e *env) waitDocument(t *testing.T, c cred, id string) api.FaxDocument {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		var d api.FaxDocument
		e.must(t, c, "GET", "/api/v1/documents/"+id, nil, 200, &d)
		if d.Status != "processing" {
			return d
		}
		if d.Progress.PagesTotal > 0 && d.Progress.PagesDone > d.Progress.PagesTotal {
			t.Errorf("progress %+v", d.Progress)
		}
		if time.Now().After(deadline) {
			t.Fatalf("document %s still processing after 90 s", id)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// pngImage is a 600×800 page with a black title bar and a grey box.
func pngImage(t *testing.T) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 600, 800))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y := 60; y < 120; y++ {
		for x := 50; x < 550; x++ {
			img.SetGray(x, y, color.Gray{})
		}
	}
	for y := 300; y < 500; y++ {
		for x := 100; x < 400; x++ {
			img.SetGray(x, y, color.Gray{Y: 0x70})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const letterText = "Dear customer,\n\nplease find our new prices below.\nÜmlauts, ß and 日本語 are fine too.\n"

// documentFolders lists the document folders in the app's blob store.
func (e *env) documentFolders(t *testing.T) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(e.app.Blobs().Root(), "t", "*", "doc", "*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (e *env) documentCount(t *testing.T, c cred) int {
	t.Helper()
	var l api.FaxDocumentList
	e.must(t, c, "GET", "/api/v1/documents", nil, 200, &l)
	return len(l.Items)
}

// TestDocumentLifecycle uploads a PNG and a text file as one document,
// polls it to ready, looks at its pages and downloads, changes it and
// deletes it, on every engine.
func TestDocumentLifecycle(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn func(t *testing.T) string) {
		e := newDocEnv(t, dsn(t), nil)
		w := e.newWorld(t)
		ua := bearer(w.keyUA)
		r := e.upload(t, ua, "/api/v1/documents", field("name", " Price list "), field("quality", "fine"),
			file("page.png", "image/png", pngImage(t)), file("letter.txt", "text/plain", []byte(letterText)),
			field("description", "For wholesale customers"))
		if r.status != 201 {
			t.Fatalf("upload: %d %s", r.status, r.body)
		}
		var d api.FaxDocument
		if err := json.Unmarshal(r.body, &d); err != nil {
			t.Fatal(err)
		}
		if d.Status != "processing" || d.Name != "Price list" || d.Quality != "fine" || d.TenantID != w.A.ID ||
			d.UserID != w.UA.ID || d.ThumbnailURL != nil || r.header.Get("Location") != "/api/v1/documents/"+d.ID {
			t.Errorf("created %+v (Location %q)", d, r.header.Get("Location"))
		}
		if len(d.Files) != 2 || d.Files[0].Filename != "page.png" || d.Files[1].Filename != "letter.txt" ||
			d.Files[1].Position != 2 || d.Files[1].SizeBytes != int64(len(letterText)) {
			t.Errorf("files %+v", d.Files)
		}
		d = e.waitDocument(t, ua, d.ID)
		if d.Status != "ready" || d.Pages != 2 || d.SizeBytes <= 0 || d.Error != "" || d.ThumbnailURL == nil ||
			d.Progress.PagesDone != 2 || d.Progress.PagesTotal != 2 {
			t.Fatalf("ready document %+v", d)
		}
		checkPages(t, e, ua, d)
		checkDownloads(t, e, ua, d)
		checkChanges(t, e, w, d)
	})
}

// checkPages checks the page list and the images.
func checkPages(t *testing.T, e *env, c cred, d api.FaxDocument) {
	t.Helper()
	var pages api.FaxDocumentPages
	e.must(t, c, "GET", "/api/v1/documents/"+d.ID+"/pages", nil, 200, &pages)
	if pages.Pages != 2 || len(pages.Items) != 2 || pages.Items[1].Number != 2 || pages.DocumentID != d.ID ||
		*d.ThumbnailURL != pages.Items[0].ThumbnailURL {
		t.Fatalf("pages %+v", pages)
	}
	thumb := e.must(t, c, "GET", pages.Items[0].ThumbnailURL, nil, 200, nil)
	img := decodePNG(t, thumb, "image/png")
	if img.Bounds().Dx() != documents.DefaultThumbnailWidth {
		t.Errorf("thumbnail %v wide", img.Bounds())
	}
	if cc := thumb.header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("versioned thumbnail Cache-Control %q", cc)
	}
	// Without the version it must be revalidated, and the ETag works.
	plain := strings.Split(pages.Items[0].ThumbnailURL, "?")[0]
	r := e.must(t, c, "GET", plain, nil, 200, nil)
	if cc := r.header.Get("Cache-Control"); cc != "private, no-cache" || r.header.Get("ETag") == "" {
		t.Errorf("unversioned thumbnail: Cache-Control %q ETag %q", cc, r.header.Get("ETag"))
	}
	if r := e.call(t, both(c, header("If-None-Match", r.header.Get("ETag"))), "GET", plain, nil); r.status != 304 {
		t.Errorf("conditional GET: %d", r.status)
	}
	preview := decodePNG(t, e.must(t, c, "GET", pages.Items[1].PreviewURL, nil, 200, nil), "image/png")
	if preview.Bounds().Dx() != 1728 || preview.Bounds().Dy() < 2000 {
		t.Errorf("preview %v, want an A4 page 1728 wide", preview.Bounds())
	}
	for _, bad := range []string{"/pages/3/thumbnail", "/pages/0/preview", "/pages/x/preview"} {
		if r := e.call(t, c, "GET", "/api/v1/documents/"+d.ID+bad, nil); r.status != 404 {
			t.Errorf("%s: %d", bad, r.status)
		}
	}
}

func decodePNG(t *testing.T, r resp, ctype string) image.Image {
	t.Helper()
	if got := r.header.Get("Content-Type"); got != ctype {
		t.Errorf("Content-Type %q, want %q", got, ctype)
	}
	img, err := png.Decode(bytes.NewReader(r.body))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	return img
}

// checkDownloads checks the PDF and TIFF downloads.
func checkDownloads(t *testing.T, e *env, c cred, d api.FaxDocument) {
	t.Helper()
	pdf := e.must(t, c, "GET", "/api/v1/documents/"+d.ID+"/file", nil, 200, nil)
	if !bytes.HasPrefix(pdf.body, []byte("%PDF-")) || pdf.header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("PDF download: %q %q", pdf.header.Get("Content-Type"), pdf.body[:min(len(pdf.body), 16)])
	}
	if cd := pdf.header.Get("Content-Disposition"); cd != `attachment; filename=Price_list.pdf` {
		t.Errorf("Content-Disposition %q", cd)
	}
	if n, ok := pdfPages(t, pdf.body); ok && n != 2 {
		t.Errorf("pdfinfo: %d pages, want 2", n)
	}
	tif := e.must(t, c, "GET", "/api/v1/documents/"+d.ID+"/file?format=tiff", nil, 200, nil)
	p := filepath.Join(t.TempDir(), "pages.tif")
	if err := os.WriteFile(p, tif.body, 0o600); err != nil {
		t.Fatal(err)
	}
	if info, err := faxtiff.Validate(p); err != nil || info.Pages != 2 || info.Resolution != faxtiff.Fine {
		t.Errorf("TIFF download: %+v %v", info, err)
	}
	if r := e.call(t, c, "GET", "/api/v1/documents/"+d.ID+"/file?format=docx", nil); r.status != 422 || r.fields()["format"] == "" {
		t.Errorf("format=docx: %d %s", r.status, r.body)
	}
}

// pdfPages counts the pages of a PDF with pdfinfo, when it is installed.
func pdfPages(t *testing.T, pdf []byte) (int, bool) {
	t.Helper()
	bin, err := exec.LookPath("pdfinfo")
	if err != nil {
		t.Log("pdfinfo is not installed; page count of the PDF not checked")
		return 0, false
	}
	p := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(p, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, p).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("pdfinfo output without Pages:\n%s", out)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n, true
}

// checkChanges renames, re-renders, filters, refuses foreign changes and
// deletes.
func checkChanges(t *testing.T, e *env, w world, d api.FaxDocument) {
	t.Helper()
	ua, ta, tb := bearer(w.keyUA), bearer(w.keyTA), bearer(w.keyTB)
	var got api.FaxDocument
	e.must(t, ua, "PATCH", "/api/v1/documents/"+d.ID, map[string]string{"name": "Prices 2025"}, 200, &got)
	if got.Name != "Prices 2025" || got.Status != "ready" || got.Description != "For wholesale customers" {
		t.Errorf("renamed %+v", got)
	}
	if r := e.call(t, ua, "PATCH", "/api/v1/documents/"+d.ID, map[string]string{"quality": "ultra"}); r.status != 422 || r.fields()["quality"] == "" {
		t.Errorf("bad quality: %d %s", r.status, r.body)
	}
	e.must(t, ta, "PATCH", "/api/v1/documents/"+d.ID, map[string]string{"quality": "superfine"}, 200, &got)
	if got.Status != "processing" || got.Quality != "superfine" {
		t.Errorf("after the quality change %+v", got)
	}
	if r := e.call(t, ua, "GET", "/api/v1/documents/"+d.ID+"/pages", nil); r.status != 409 && r.status != 200 {
		t.Errorf("pages while converting again: %d", r.status)
	}
	got = e.waitDocument(t, ua, d.ID)
	if got.Status != "ready" || got.Pages != 2 || got.ThumbnailURL == nil || *got.ThumbnailURL == *d.ThumbnailURL {
		t.Errorf("re-rendered %+v (thumbnail %v, was %v)", got, got.ThumbnailURL, *d.ThumbnailURL)
	}
	var l api.FaxDocumentList
	e.must(t, ta, "GET", "/api/v1/documents?q=prices&status=ready", nil, 200, &l)
	if len(l.Items) != 1 || l.Items[0].ID != d.ID {
		t.Errorf("filtered list %+v", l.Items)
	}
	e.must(t, ta, "GET", "/api/v1/documents?status=failed", nil, 200, &l)
	if len(l.Items) != 0 {
		t.Errorf("failed documents %+v", l.Items)
	}
	if r := e.call(t, ta, "GET", "/api/v1/documents?status=lost", nil); r.status != 422 {
		t.Errorf("bad status filter: %d", r.status)
	}
	if r := e.call(t, tb, "DELETE", "/api/v1/documents/"+d.ID, nil); r.status != 404 {
		t.Errorf("other tenant deletes: %d", r.status)
	}
	e.must(t, ua, "DELETE", "/api/v1/documents/"+d.ID, nil, 204, nil)
	if r := e.call(t, ua, "GET", "/api/v1/documents/"+d.ID, nil); r.status != 404 {
		t.Errorf("deleted document: %d", r.status)
	}
	if f := e.documentFolders(t); len(f) != 0 {
		t.Errorf("files left after delete: %v", f)
	}
}

// TestDocumentConversionFailure: a corrupt PDF is accepted (it is a PDF)
// and the document fails with the reason; it has no pages or downloads.
func TestDocumentConversionFailure(t *testing.T) {
	e := newDocEnv(t, "", nil)
	w := e.newWorld(t)
	ta := bearer(w.keyTA)
	broken := []byte("%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntruncated garbage")
	var d api.FaxDocument
	r := e.upload(t, ta, "/api/v1/documents", field("name", "Contract"),
		file("cover.png", "image/png", pngImage(t)), file("contract.pdf", "application/pdf", broken))
	if r.status != 201 {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	_ = json.Unmarshal(r.body, &d)
	d = e.waitDocument(t, ta, d.ID)
	if d.Status != "failed" || d.ErrorCode != string(document.KindCorrupt) || !strings.HasPrefix(d.Error, "contract.pdf: ") ||
		d.Pages != 0 || d.ThumbnailURL != nil {
		t.Fatalf("broken PDF: %+v", d)
	}
	for _, path := range []string{"/pages", "/pages/1/thumbnail", "/pages/1/preview", "/file", "/file?format=tiff"} {
		r := e.call(t, ta, "GET", "/api/v1/documents/"+d.ID+path, nil)
		if r.status != 409 || r.errorCode() != "conflict" || !strings.Contains(string(r.body), "contract.pdf") {
			t.Errorf("%s of a failed document: %d %s", path, r.status, r.body)
		}
	}
	// Retrying (same quality) converts it again, and it fails again.
	var again api.FaxDocument
	e.must(t, ta, "PATCH", "/api/v1/documents/"+d.ID, map[string]string{"quality": "fine"}, 200, &again)
	if again.Status != "processing" {
		t.Errorf("retry: %+v", again)
	}
	if again = e.waitDocument(t, ta, d.ID); again.Status != "failed" {
		t.Errorf("retried broken PDF: %+v", again)
	}
}

// TestDocumentBadUploads: each bad upload gets its status and a precise
// message, and leaves no document and no file behind.
func TestDocumentBadUploads(t *testing.T) {
	const limit = 256 << 10
	e := newDocEnv(t, "", func(c *documents.Config) { c.MaxUploadBytes = limit; c.MaxFiles = 3 })
	w := e.newWorld(t)
	ta := bearer(w.keyTA)
	elf := append([]byte("\x7fELF\x02\x01\x01\x00"), bytes.Repeat([]byte{0, 1, 2, 3}, 300)...)
	zip := append([]byte("PK\x03\x04"), bytes.Repeat([]byte("x"), 200)...)
	img := pngImage(t)
	tests := []struct {
		name   string
		c      cred
		query  string
		parts  []part
		status int
		field  string // the field named in the error
		want   string // in the field's message (or the error message)
	}{
		{"executable named .pdf", ta, "", []part{field("name", "Invoice"), file("ok.png", "image/png", img),
			file("invoice.pdf", "application/pdf", elf)}, 422, "files", "invoice.pdf: unsupported file type"},
		{"damaged zip named .docx", ta, "", []part{field("name", "Report"), file("report.docx", "application/msword", zip)},
			422, "files", "report.docx: "},
		{"empty file", ta, "", []part{field("name", "Empty"), file("empty.txt", "text/plain", nil)},
			422, "files", "empty.txt: the file is empty"},
		{"no name", ta, "", []part{file("ok.png", "image/png", img)}, 422, "name", "enter a name"},
		{"no files", ta, "", []part{field("name", "Nothing")}, 422, "files", "add at least one file"},
		{"bad quality", ta, "", []part{field("name", "Q"), field("quality", "ultra"), file("ok.png", "image/png", img)},
			422, "quality", "standard, fine or superfine"},
		{"too many files", ta, "", []part{field("name", "Many"), file("1.png", "image/png", img), file("2.png", "image/png", img),
			file("3.png", "image/png", img), file("4.png", "image/png", img)}, 422, "files", "at most 3 files"},
		{"over the size limit", ta, "", []part{field("name", "Big"), file("big.txt", "text/plain",
			bytes.Repeat([]byte("all work and no play\n"), limit/20))}, 413, "", "the upload limit"},
		{"over the request limit", ta, "", []part{field("name", "Huge"), file("huge.txt", "text/plain",
			bytes.Repeat([]byte("all work and no play\n"), (limit+api.UploadOverhead)/20))}, 413, "", "the upload limit"},
		{"unknown field", ta, "", []part{field("title", "x"), file("ok.png", "image/png", img)}, 400, "title", "unknown form field"},
		{"duplicate name", ta, "", []part{field("name", "a"), field("name", "b"), file("ok.png", "image/png", img)},
			400, "name", "sent twice"},
		{"tenant after the files", basic(adminEmail, password), "?tenant_id=" + w.A.ID, []part{field("name", "Late"),
			file("ok.png", "image/png", img), field("tenant_id", w.B.ID)}, 400, "tenant_id", "before the files"},
		{"admin without tenant", basic(adminEmail, password), "", []part{field("name", "Where"),
			file("ok.png", "image/png", img)}, 422, "tenant_id", "choose the tenant"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.upload(t, tc.c, "/api/v1/documents"+tc.query, tc.parts...)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			msg := string(r.body)
			if tc.field != "" {
				msg = r.fields()[tc.field]
			}
			if !strings.Contains(msg, tc.want) {
				t.Errorf("message %q lacks %q (%s)", msg, tc.want, r.body)
			}
			if n := e.documentCount(t, basic(adminEmail, password)); n != 0 {
				t.Errorf("%d documents exist", n)
			}
			if f := e.documentFolders(t); len(f) != 0 {
				t.Errorf("files left behind: %v", f)
			}
		})
	}
	t.Run("not multipart", func(t *testing.T) {
		r := e.call(t, ta, "POST", "/api/v1/documents", map[string]string{"name": "JSON"})
		if r.status != 415 || r.errorCode() != "unsupported_media_type" {
			t.Errorf("JSON body: %d %s", r.status, r.body)
		}
	})
	t.Run("admin names the tenant", func(t *testing.T) {
		r := e.upload(t, basic(adminEmail, password), "/api/v1/documents?tenant_id="+w.B.ID,
			field("name", "For B"), file("ok.png", "image/png", img))
		var d api.FaxDocument
		if err := json.Unmarshal(r.body, &d); r.status != 201 || err != nil || d.TenantID != w.B.ID {
			t.Fatalf("admin upload: %d %s", r.status, r.body)
		}
		if n := e.documentCount(t, bearer(w.keyUB)); n != 1 {
			t.Errorf("tenant B sees %d documents", n)
		}
	})
}

// TestDocumentCrossTenant: another tenant's document answers 404 on every
// endpoint, for tenant admins and users, and nothing changes.
func TestDocumentCrossTenant(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn func(t *testing.T) string) {
		e := newDocEnv(t, dsn(t), nil)
		w := e.newWorld(t)
		ta := bearer(w.keyTA)
		var d api.FaxDocument
		r := e.upload(t, ta, "/api/v1/documents", field("name", "Secret"), file("a.txt", "text/plain", []byte(letterText)))
		if err := json.Unmarshal(r.body, &d); r.status != 201 || err != nil {
			t.Fatalf("upload: %d %s", r.status, r.body)
		}
		before := e.waitDocument(t, ta, d.ID)
		base := "/api/v1/documents/" + d.ID
		calls := []struct {
			method, path string
			body         any
		}{
			{"GET", base, nil}, {"PATCH", base, map[string]string{"name": "Mine now"}},
			{"PATCH", base, map[string]string{"quality": "standard"}}, {"DELETE", base, nil},
			{"GET", base + "/pages", nil}, {"GET", base + "/pages/1/thumbnail", nil},
			{"GET", base + "/pages/1/preview?v=1", nil}, {"GET", base + "/file", nil},
			{"GET", base + "/file?format=tiff", nil}, {"GET", "/api/v1/documents?tenant_id=" + w.A.ID, nil},
		}
		for _, who := range []struct {
			name string
			c    cred
		}{{"tenant B admin", bearer(w.keyTB)}, {"tenant B user", bearer(w.keyUB)}} {
			for _, c := range calls {
				if r := e.call(t, who.c, c.method, c.path, c.body); r.status != 404 || r.errorCode() != "not_found" {
					t.Errorf("%s: %s %s = %d %s", who.name, c.method, c.path, r.status, r.body)
				}
			}
			if n := e.documentCount(t, who.c); n != 0 {
				t.Errorf("%s lists %d documents", who.name, n)
			}
			r := e.upload(t, who.c, "/api/v1/documents?tenant_id="+w.A.ID, field("name", "Planted"),
				file("a.txt", "text/plain", []byte("x")))
			if r.status != 404 {
				t.Errorf("%s uploads into tenant A: %d %s", who.name, r.status, r.body)
			}
		}
		var after api.FaxDocument
		e.must(t, ta, "GET", base, nil, 200, &after)
		if after.Name != before.Name || after.Quality != before.Quality || after.Status != "ready" ||
			!after.UpdatedAt.Equal(before.UpdatedAt) {
			t.Errorf("changed by another tenant: before %+v, after %+v", before, after)
		}
		if n := e.documentCount(t, ta); n != 1 {
			t.Errorf("tenant A has %d documents", n)
		}
		// Inside the tenant: a user may not change the tenant admin's document.
		if r := e.call(t, bearer(w.keyUA), "DELETE", base, nil); r.status != 403 {
			t.Errorf("user deletes the tenant admin's document: %d %s", r.status, r.body)
		}
	})
}

// TestDocumentsOpenAPI checks the documents operations in the OpenAPI
// document: the multipart upload and the binary answers.
func TestDocumentsOpenAPI(t *testing.T) {
	doc := newTestAPI(t).Document()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"#/paths/~1api~1v1~1documents/post/requestBody/content/multipart~1form-data/schema/$ref":                     "#/components/schemas/FaxDocumentUpload",
		"#/components/schemas/FaxDocumentUpload/properties/file/type":                                                "array",
		"#/components/schemas/FaxDocumentUpload/properties/file/items/format":                                        "binary",
		"#/paths/~1api~1v1~1documents/post/responses/413/$ref":                                                       "#/components/responses/TooLarge",
		"#/paths/~1api~1v1~1documents/post/responses/201/content/application~1json/schema/$ref":                      "#/components/schemas/FaxDocument",
		"#/paths/~1api~1v1~1documents~1{id}~1pages~1{n}~1preview/get/responses/200/content/image~1png/schema/format": "binary",
		"#/paths/~1api~1v1~1documents~1{id}~1file/get/responses/200/content/application~1pdf/schema/format":          "binary",
		"#/paths/~1api~1v1~1documents~1{id}~1file/get/responses/200/content/image~1tiff/schema/format":               "binary",
		"#/paths/~1api~1v1~1documents~1{id}~1pages/get/responses/409/$ref":                                           "#/components/responses/Conflict",
	}
	for ptr, val := range want {
		if got := fmt.Sprint(resolve(v, ptr)); got != val {
			t.Errorf("%s = %q, want %q", ptr, got, val)
		}
	}
	for f, enum := range map[string]string{"status": "[processing ready failed]", "quality": "[standard fine superfine]"} {
		if got := fmt.Sprint(resolve(v, "#/components/schemas/FaxDocument/properties/"+f+"/enum")); got != enum {
			t.Errorf("FaxDocument.%s enum %s", f, got)
		}
	}
	for _, f := range []string{"name", "quality", "status", "pages", "error", "progress"} {
		if resolve(v, "#/components/schemas/FaxDocument/properties/"+f) == nil {
			t.Errorf("FaxDocument lacks %s", f)
		}
	}
}
