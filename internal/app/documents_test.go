package app_test

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"faxgate/internal/app"
	"faxgate/internal/app/apptest"
	"faxgate/internal/auth"
	"faxgate/internal/auth/authtest"
	"faxgate/internal/document"
	"faxgate/internal/documents"
	"faxgate/internal/model"
	"faxgate/internal/tenancy"
)

// TestDocumentsWiring: the documents service stores files under
// <data>/blobs, takes the configured limits, and its conversion jobs run
// on their own queue, worked by the app's workers.
func TestDocumentsWiring(t *testing.T) {
	apptest.ForEachEngine(t, func(t *testing.T, dsn func(*testing.T) string) {
		cfg := testConfig(t, dsn(t))
		a, err := app.New(cfg, app.WithLogger(slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))),
			app.WithAuthConfig(func(c *auth.Config) { c.Argon2 = authtest.CheapArgon2() }),
			app.WithDocumentsConfig(func(d *documents.Config, _ *document.Config) { d.MaxFiles = 3 }))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		ctx := t.Context()
		if err := a.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if got, want := a.Blobs().Root(), filepath.Join(cfg.DataDir, "blobs"); got != want {
			t.Errorf("blob root %s, want %s", got, want)
		}
		if n := a.Documents().Limits().MaxFiles; n != 3 {
			t.Errorf("MaxFiles %d, want the configured 3", n)
		}
		root, err := a.CreateAdmin(ctx, app.AdminInput{Email: "root@example.com", Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		admin := model.Actor{Role: model.RoleAdmin, UserID: root.ID, Email: root.Email, Via: "cli"}
		ten, err := a.Tenancy().CreateTenant(ctx, admin, tenancy.TenantInput{Name: "Wired"})
		if err != nil {
			t.Fatal(err)
		}
		d, err := a.Documents().Create(ctx, admin, documents.CreateInput{TenantID: ten.ID, Name: "Note",
			Files: []documents.Upload{{Filename: "note.txt", Size: 5, Body: bytes.NewReader([]byte("hello"))}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_ = a.Stop(sctx)
		})
		deadline := time.Now().Add(60 * time.Second)
		for d.Status == model.DocumentProcessing && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
			if d, err = a.Documents().Get(ctx, admin, d.ID); err != nil {
				t.Fatal(err)
			}
		}
		if d.Status != model.DocumentReady || d.Pages != 1 {
			t.Fatalf("document %+v", d)
		}
		var queue string
		if err := a.Store().DB().QueryRowContext(ctx, "SELECT queue FROM river_job WHERE kind = $1",
			documents.KindConvert).Scan(&queue); err != nil || queue != app.DocumentsQueue {
			t.Errorf("conversion job queue %q (%v), want %q", queue, err, app.DocumentsQueue)
		}
	})
}
