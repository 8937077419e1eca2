package ui

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"faxgate/internal/api"
	"faxgate/internal/auth/authtest"
	"faxgate/internal/blob"
	"faxgate/internal/document"
	"faxgate/internal/documents"
	"faxgate/internal/faxin"
	"faxgate/internal/faxout"
	"faxgate/internal/health"
	"faxgate/internal/httpx"
	"faxgate/internal/jobs"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
)

// faxPortal is the portal and the API with the documents, outbound and
// inbound fax services, their real workers (River on a real SQLite store,
// the real converter, the built-in test line running the real fax engine)
// behind the real middleware.
type faxPortal struct {
	*portal
	Docs   *documents.Service
	Fax    *faxout.Service
	Fast   model.Trunk // the fast test trunk every fax goes out on
	Health *health.Service
}

// newFaxPortal starts the portal on SQLite.
func newFaxPortal(t *testing.T) *faxPortal {
	t.Helper()
	return newFaxPortalOn(t, storetest.OpenSQLite(t))
}

// forEachFaxPortal runs fn on a portal on SQLite and, when configured,
// on PostgreSQL.
func forEachFaxPortal(t *testing.T, fn func(t *testing.T, p *faxPortal)) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) { fn(t, newFaxPortalOn(t, e.Open(t))) })
	}
}

// newFaxPortalOn starts the portal on st.
func newFaxPortalOn(t *testing.T, st *store.Store) *faxPortal {
	t.Helper()
	env := authtest.NewEnv(t, st, nil)
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
	fx, err := faxout.New(faxout.Deps{Store: env.St, Blob: blobs, Audit: env.Audit, Logger: logger},
		faxout.Config{Retry: faxout.RetryPolicy{Busy: 100 * time.Millisecond, NoAnswer: 100 * time.Millisecond,
			FaxError: 100 * time.Millisecond, Network: 100 * time.Millisecond, Interrupted: 100 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	workers := river.NewWorkers()
	documents.NewWorker(env.St, blobs, conv, logger, documents.Config{}).Register(workers)
	periodic := fx.AddWorkers(workers)
	j, err := jobs.New(env.St, logger, workers, map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2},
		faxout.Queue: faxout.QueueConfig(4)}, jobs.WithFetchPollInterval(50*time.Millisecond),
		jobs.WithPeriodicJobs(periodic...), jobs.WithRiverConfig(faxout.RiverConfig))
	if err != nil {
		t.Fatal(err)
	}
	fx.UseJobs(j)
	if err := j.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = j.Stop(ctx)
	})
	docs, err := documents.New(documents.Deps{Store: env.St, Blobs: blobs, Jobs: j, Audit: env.Audit, Logger: logger},
		documents.Config{})
	if err != nil {
		t.Fatal(err)
	}
	in, err := faxin.New(faxin.Deps{Store: env.St, Blob: blobs, Audit: env.Audit, Logger: logger},
		faxin.Config{SpoolDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	hs := health.New(env.St, t.TempDir(), "test", env.Clock.Now)
	h, err := New(Deps{Auth: env.Auth, Tenancy: env.Tenancy, Audit: env.Audit, Documents: docs, Faxout: fx,
		Faxin: in, Health: hs, Now: env.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	a, err := api.New(api.Deps{Auth: env.Auth, Tenancy: env.Tenancy, Audit: env.Audit, Documents: docs,
		Faxout: fx, Faxin: in})
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
	p := &faxPortal{portal: &portal{Env: env, W: env.NewWorld(t), URL: srv.URL}, Docs: docs, Fax: fx, Health: hs}
	// Every fax goes out on a fast test trunk; the built-in real-time test
	// line is disabled.
	off := false
	if _, err := fx.UpdateTrunk(t.Context(), p.W.AdminActor, model.TestTrunkID, faxout.TrunkPatch{Enabled: &off}); err != nil {
		t.Fatal(err)
	}
	if p.Fast, err = fx.CreateTrunk(t.Context(), p.W.AdminActor, faxout.TrunkInput{Name: "Fast test line",
		Kind: model.TrunkTest, Speed: model.SpeedFast, MaxChannels: 4}); err != nil {
		t.Fatal(err)
	}
	return p
}

// readyDoc uploads a one-page PNG for the actor's tenant and waits until
// it is converted.
func (p *faxPortal) readyDoc(t *testing.T, actor model.Actor, name string) model.Document {
	t.Helper()
	png := pagePNG(t)
	d, err := p.Docs.Create(t.Context(), actor, documents.CreateInput{Name: name, Files: []documents.Upload{
		{Filename: "page.png", ContentType: "image/png", Size: int64(len(png)), Body: bytes.NewReader(png)}}})
	if err != nil {
		t.Fatal(err)
	}
	if d = p.waitDoc(t, d.ID); d.Status != model.DocumentReady {
		t.Fatalf("document %s: %s %s", d.ID, d.Status, d.Error)
	}
	return d
}

// waitDoc waits until the document leaves processing (ready or failed).
func (p *faxPortal) waitDoc(t *testing.T, id string) model.Document {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		d, err := p.Docs.Get(t.Context(), p.W.AdminActor, id)
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

// waitFax waits until the fax is final and returns it.
func (p *faxPortal) waitFax(t *testing.T, id string) model.Fax {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		f, err := p.Fax.Get(t.Context(), p.W.AdminActor, id)
		if err != nil {
			t.Fatal(err)
		}
		if f.Status.Final() {
			return f
		}
		if time.Now().After(deadline) {
			t.Fatalf("fax %s still %s", id, f.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// faxFields is a New Outbound Fax form (text fields only, in form order)
// with the idempotency key key and the given name/value pairs.
func faxFields(key string, kv ...string) [][2]string {
	base := map[string]string{"idempotency_key": key, "retries": "0", "quality": "fine"}
	for i := 0; i+1 < len(kv); i += 2 {
		base[kv[i]] = kv[i+1]
	}
	var out [][2]string
	for _, n := range faxFormFields {
		if v, ok := base[n]; ok {
			out = append(out, [2]string{n, v})
		}
	}
	return out
}
