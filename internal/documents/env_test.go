package documents_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/blob"
	"faxgate/internal/document"
	"faxgate/internal/documents"
	"faxgate/internal/faxpdf"
	"faxgate/internal/faxtiff"
	"faxgate/internal/jobs"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
)

// converter is shared by all tests of the package, as by a process: the
// PDF renderer compiles once.
var (
	convOnce sync.Once
	conv     *document.Converter
	convErr  error
)

func sharedConverter(t *testing.T) *document.Converter {
	t.Helper()
	convOnce.Do(func() {
		cache := filepath.Join(os.TempDir(), "faxgate-test-pdfium-cache")
		conv, convErr = document.NewConverter(document.Config{Workers: 1, CompilationCacheDir: cache})
	})
	if convErr != nil {
		t.Fatalf("NewConverter: %v", convErr)
	}
	return conv
}

// env is a store with real blobs, real River jobs and the documents
// service and worker on it.
type env struct {
	*authtest.Env
	w      authtest.World
	blobs  *blob.FS
	jobs   *jobs.Jobs
	svc    *documents.Service
	worker *documents.Worker
	cfg    documents.Config
}

type envOpt struct {
	cfg      documents.Config
	noStart  bool // jobs are queued but no worker picks them up
	noWorker bool // the document_convert kind is not registered at all
}

func newEnv(t *testing.T, st *store.Store, o envOpt) *env {
	t.Helper()
	e := &env{Env: authtest.NewEnv(t, st, nil), cfg: o.cfg}
	e.w = e.NewWorld(t)
	var err error
	e.blobs, err = blob.NewFS(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	workers := river.NewWorkers()
	e.worker = documents.NewWorker(st, e.blobs, sharedConverter(t), logger, o.cfg)
	if o.noWorker {
		jobs.AddSessionCleanup(workers, st, logger, jobs.SessionCleanupConfig{})
	} else {
		e.worker.Register(workers)
	}
	e.jobs, err = jobs.New(st, logger, workers, nil, jobs.WithFetchPollInterval(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if !o.noStart && !o.noWorker {
		if err := e.jobs.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if err := e.jobs.Stop(ctx); err != nil {
				t.Errorf("jobs.Stop: %v", err)
			}
		})
	}
	e.svc, err = documents.New(documents.Deps{Store: st, Blobs: e.blobs, Jobs: e.jobs, Audit: e.Audit, Logger: logger}, o.cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// testWriter sends log lines to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

// forEachEngine runs fn on SQLite and, when configured, PostgreSQL.
func forEachEngine(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) { fn(t, eng.Open(t)) })
	}
}

// create uploads files as actor and fails the test on error.
func (e *env) create(t *testing.T, actor model.Actor, name string, q model.Quality, files ...documents.Upload) model.Document {
	t.Helper()
	d, err := e.svc.Create(t.Context(), actor, documents.CreateInput{Name: name, Quality: q, Files: files})
	if err != nil {
		t.Fatalf("Create(%s): %v", name, err)
	}
	return d
}

// wait polls until the document leaves processing (or the revision moves
// on) and returns it.
func (e *env) wait(t *testing.T, id string) model.Document {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		d, err := e.svc.Get(t.Context(), e.w.AdminActor, id)
		if err != nil {
			t.Fatalf("Get(%s): %v", id, err)
		}
		if d.Status != model.DocumentProcessing {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("document %s still processing after 90 s", id)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// jobCount counts River jobs of the conversion kind for a document.
func jobCount(t *testing.T, st *store.Store, docID string) int {
	t.Helper()
	rows, err := st.DB().QueryContext(t.Context(), "SELECT args FROM river_job WHERE kind = $1", documents.KindConvert)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var args []byte
		if err := rows.Scan(&args); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(args, []byte(docID)) {
			n++
		}
	}
	return n
}

// blobExists reports whether key is stored.
func (e *env) blobExists(t *testing.T, key string) bool {
	t.Helper()
	_, err := e.blobs.Stat(t.Context(), key)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

// docFolderExists reports whether the document's blob folder exists.
func (e *env) docFolderExists(t *testing.T, d model.Document) bool {
	t.Helper()
	_, err := os.Stat(filepath.Join(e.blobs.Root(), "t", d.TenantID, "doc", d.ID))
	return err == nil
}

// --- test files -----------------------------------------------------------

func upload(name, ctype string, b []byte) documents.Upload {
	return documents.Upload{Filename: name, ContentType: ctype, Size: int64(len(b)), Body: bytes.NewReader(b)}
}

// pngFile is an A4-proportioned image with a black bar and a grey box.
func pngFile(t *testing.T) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 620, 877))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y := 100; y < 160; y++ {
		for x := 60; x < 560; x++ {
			img.SetGray(x, y, color.Gray{})
		}
	}
	for y := 300; y < 500; y++ {
		for x := 100; x < 400; x++ {
			img.SetGray(x, y, color.Gray{Y: 0x80})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// faxPages returns n A4 fax pages at res with a black band on each, n-1
// bands lower on page n so pages differ.
func faxPages(n int, res faxtiff.Resolution) []*faxtiff.Page {
	var pages []*faxtiff.Page
	for i := range n {
		p := faxtiff.NewPage(faxtiff.WidthA4, res.A4Rows(), res)
		for y := 100 + 50*i; y < 140+50*i; y++ {
			for x := 200; x < 1500; x++ {
				p.SetBlack(x, y, true)
			}
		}
		pages = append(pages, p)
	}
	return pages
}

// tiffFile is a TIFF-F file of n pages.
func tiffFile(t *testing.T, n int, res faxtiff.Resolution) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := faxtiff.Write(&buf, faxPages(n, res)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pdfFile is a real PDF of n pages (fax pages embedded as images).
func pdfFile(t *testing.T, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := faxpdf.Write(&buf, faxPages(n, faxtiff.Fine), faxpdf.Meta{Title: "test"}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readAll reads and closes a File.
func readAll(t *testing.T, f documents.File) []byte {
	t.Helper()
	defer f.Body.Close()
	b, err := io.ReadAll(f.Body)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(b)) != f.Size {
		t.Errorf("%s: read %d bytes, File.Size says %d", f.Name, len(b), f.Size)
	}
	return b
}

func storetestSQLite(t *testing.T) *store.Store { return storetest.OpenSQLite(t) }

// docFolders lists the document folders (t/<tenant>/doc/<id>) in the blob
// store.
func docFolders(t *testing.T, e *env) []string {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(e.blobs.Root(), "t", "*", "doc", "*"))
	if err != nil {
		t.Fatal(err)
	}
	return matches
}
