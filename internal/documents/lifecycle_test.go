package documents_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"faxgate/internal/documents"
	"faxgate/internal/faxtiff"
	"faxgate/internal/jobs"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// TestChangeQuality: a new quality renders the document again, in a new
// revision whose files replace the old ones.
func TestChangeQuality(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, envOpt{})
		ctx := t.Context()
		d := e.wait(t, e.create(t, e.w.UserAActor, "Menu", model.QualityFine,
			upload("menu.tif", "image/tiff", tiffFile(t, 2, faxtiff.Fine))).ID)
		oldKey := d.FileKey
		// The same quality on a ready document changes nothing.
		same, err := e.svc.ChangeQuality(ctx, e.w.UserAActor, d.ID, model.QualityFine)
		if err != nil || same.Revision != 1 || same.Status != model.DocumentReady {
			t.Fatalf("ChangeQuality(same) = %+v, %v", same, err)
		}
		q := model.QualityStandard
		got, err := e.svc.Update(ctx, e.w.UserAActor, d.ID, documents.UpdateInput{Quality: &q})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != model.DocumentProcessing && got.Status != model.DocumentReady || got.Revision != 2 ||
			got.Quality != model.QualityStandard {
			t.Errorf("after quality change: %+v", got)
		}
		d = e.wait(t, d.ID)
		if d.Status != model.DocumentReady || d.Pages != 2 || d.Revision != 2 || d.FileKey == oldKey {
			t.Fatalf("re-rendered: %+v", d)
		}
		p, release, err := e.blobs.LocalPath(ctx, d.FileKey)
		if err != nil {
			t.Fatal(err)
		}
		defer release()
		if info, err := faxtiff.Validate(p); err != nil || info.Resolution != faxtiff.Standard || info.Pages != 2 {
			t.Errorf("re-rendered pages %+v, %v; want 2 standard pages", info, err)
		}
		if e.blobExists(t, oldKey) {
			t.Errorf("old render %s still stored", oldKey)
		}
		if n := jobCount(t, st, d.ID); n != 2 {
			t.Errorf("%d conversion jobs, want 2 (create, re-render)", n)
		}
		evs := e.Events(t, model.ActionDocumentUpdated, d.ID)
		if len(evs) != 1 || !strings.Contains(evs[0].Detail, "fine -> standard") {
			t.Errorf("audit document.updated = %+v", evs)
		}
		// Renaming is audited too; bad values are refused.
		name := "Lunch menu"
		if got, err := e.svc.Update(ctx, e.w.UserAActor, d.ID, documents.UpdateInput{Name: &name}); err != nil ||
			got.Name != name {
			t.Errorf("rename = %+v, %v", got, err)
		}
		if n := len(e.Events(t, model.ActionDocumentUpdated, d.ID)); n != 2 {
			t.Errorf("%d document.updated events, want 2", n)
		}
		empty, bad := " ", model.Quality("photo")
		var ve *model.ValidationError
		if _, err := e.svc.Update(ctx, e.w.UserAActor, d.ID, documents.UpdateInput{Name: &empty}); !errors.As(err, &ve) {
			t.Errorf("rename to blank = %v, want a validation error", err)
		}
		if _, err := e.svc.ChangeQuality(ctx, e.w.UserAActor, d.ID, bad); !errors.As(err, &ve) {
			t.Errorf("ChangeQuality(photo) = %v, want a validation error", err)
		}
	})
}

// TestDelete: deleting removes the rows and every file of the document.
func TestDelete(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, envOpt{})
		ctx := t.Context()
		d := e.wait(t, e.create(t, e.w.UserAActor, "Old", model.QualityFine,
			upload("a.png", "image/png", pngFile(t)), upload("b.txt", "text/plain", []byte("text"))).ID)
		keep := e.wait(t, e.create(t, e.w.UserAActor, "Keep", model.QualityFine, upload("c.png", "", pngFile(t))).ID)
		if _, err := e.svc.PageImage(ctx, e.w.UserAActor, d.ID, 2, documents.Preview); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Download(ctx, e.w.UserAActor, d.ID, "pdf"); err != nil {
			t.Fatal(err)
		}
		if !e.docFolderExists(t, d) {
			t.Fatal("document folder missing before delete")
		}
		if err := e.svc.Delete(ctx, e.w.UserAActor, d.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Get(ctx, e.w.AdminActor, d.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("Get after delete = %v", err)
		}
		var n int
		if err := st.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM document_sources WHERE document_id = $1",
			d.ID).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d source rows left (%v)", n, err)
		}
		if e.docFolderExists(t, d) {
			t.Error("document folder left in the blob store")
		}
		for _, k := range append([]string{d.FileKey}, d.Sources[0].BlobKey, d.Sources[1].BlobKey) {
			if e.blobExists(t, k) {
				t.Errorf("blob %s left", k)
			}
		}
		if !e.docFolderExists(t, keep) || !e.blobExists(t, keep.FileKey) {
			t.Error("deleting one document touched another")
		}
		if evs := e.Events(t, model.ActionDocumentDeleted, d.ID); len(evs) != 1 {
			t.Errorf("audit document.deleted = %+v", evs)
		}
		if err := e.svc.Delete(ctx, e.w.UserAActor, d.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("Delete twice = %v, want ErrNotFound", err)
		}
	})
}

// TestPermissions: tenant-wide visibility, changes by the uploader or a
// tenant administrator, another tenant's documents are not found, admins
// see all.
func TestPermissions(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, envOpt{noStart: true})
		ctx := t.Context()
		w := e.w
		_, otherA := e.User(t, w.A.ID, model.RoleUser, "other@a.example")
		byUser := e.create(t, w.UserAActor, "User's", model.QualityFine, upload("u.png", "", pngFile(t)))
		byBoss := e.create(t, w.TenantAActor, "Boss's", model.QualityFine, upload("b.png", "", pngFile(t)))
		inB := e.create(t, w.UserBActor, "B's", model.QualityFine, upload("x.png", "", pngFile(t)))

		// Every user of A sees all of A's documents, none of B's.
		for _, a := range []model.Actor{w.UserAActor, otherA, w.TenantAActor} {
			list, _, err := e.svc.List(ctx, a, store.DocumentFilter{}, model.ListOptions{})
			if err != nil || len(list) != 2 {
				t.Errorf("List as %s = %d documents, %v; want A's 2", a.Email, len(list), err)
			}
			if _, err := e.svc.Get(ctx, a, byBoss.ID); err != nil {
				t.Errorf("Get(boss's) as %s: %v", a.Email, err)
			}
			if n, err := e.svc.Count(ctx, a, store.DocumentFilter{}); err != nil || n != 2 {
				t.Errorf("Count as %s = %d, %v", a.Email, n, err)
			}
		}
		// Another tenant's document does not exist for A, whatever the call.
		name, q := "x", model.QualityStandard
		calls := map[string]func(a model.Actor) error{
			"Get": func(a model.Actor) error { _, err := e.svc.Get(ctx, a, inB.ID); return err },
			"Update": func(a model.Actor) error {
				_, err := e.svc.Update(ctx, a, inB.ID, documents.UpdateInput{Name: &name})
				return err
			},
			"ChangeQuality": func(a model.Actor) error { _, err := e.svc.ChangeQuality(ctx, a, inB.ID, q); return err },
			"Delete":        func(a model.Actor) error { return e.svc.Delete(ctx, a, inB.ID) },
			"Pages":         func(a model.Actor) error { _, _, err := e.svc.Pages(ctx, a, inB.ID); return err },
			"PageImage": func(a model.Actor) error {
				_, err := e.svc.PageImage(ctx, a, inB.ID, 1, documents.Thumbnail)
				return err
			},
			"Download": func(a model.Actor) error { _, err := e.svc.Download(ctx, a, inB.ID, "pdf"); return err },
		}
		for call, fn := range calls {
			for _, a := range []model.Actor{w.UserAActor, w.TenantAActor} {
				if err := fn(a); !errors.Is(err, model.ErrNotFound) {
					t.Errorf("%s(B's document) as %s = %v, want ErrNotFound", call, a.Email, err)
				}
			}
		}
		// Users change only their own documents; tenant admins any of theirs.
		if err := e.svc.Delete(ctx, otherA, byUser.ID); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("Delete(user's) by another user = %v, want ErrForbidden", err)
		}
		if _, err := e.svc.ChangeQuality(ctx, w.UserAActor, byBoss.ID, q); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("ChangeQuality(boss's) by a user = %v, want ErrForbidden", err)
		}
		if _, err := e.svc.ChangeQuality(ctx, w.TenantAActor, byUser.ID, q); err != nil {
			t.Errorf("ChangeQuality(user's) by the tenant admin: %v", err)
		}
		if err := e.svc.Delete(ctx, w.TenantAActor, byUser.ID); err != nil {
			t.Errorf("Delete(user's) by the tenant admin: %v", err)
		}
		// Admins see every tenant's documents and must name a tenant to upload.
		list, _, err := e.svc.List(ctx, w.AdminActor, store.DocumentFilter{}, model.ListOptions{})
		if err != nil || len(list) != 2 {
			t.Errorf("List as admin = %d, %v; want 2 (B's and boss's)", len(list), err)
		}
		var ve *model.ValidationError
		_, err = e.svc.Create(ctx, w.AdminActor, documents.CreateInput{Name: "x", Files: []documents.Upload{upload("a.png", "", pngFile(t))}})
		if !errors.As(err, &ve) || ve.Fields["tenant_id"] == "" {
			t.Errorf("Create as admin without tenant = %v", err)
		}
		d, err := e.svc.Create(ctx, w.AdminActor, documents.CreateInput{TenantID: w.B.ID, Name: "For B",
			Files: []documents.Upload{upload("a.png", "", pngFile(t))}})
		if err != nil || d.TenantID != w.B.ID || d.Quality != model.QualityFine {
			t.Errorf("Create as admin for B = %+v, %v", d, err)
		}
		if _, err := e.svc.Get(ctx, w.UserBActor, d.ID); err != nil {
			t.Errorf("B's user cannot see the admin's upload for B: %v", err)
		}
		// Naming another tenant as a tenant user is refused like a typo.
		_, err = e.svc.Create(ctx, w.UserAActor, documents.CreateInput{TenantID: w.B.ID, Name: "x",
			Files: []documents.Upload{upload("a.png", "", pngFile(t))}})
		if !errors.As(err, &ve) || ve.Fields["tenant_id"] != "no such tenant" {
			t.Errorf("Create for another tenant = %v", err)
		}
		if _, err := e.svc.Get(ctx, model.Actor{}, byBoss.ID); !errors.Is(err, model.ErrUnauthenticated) {
			t.Errorf("Get with no actor = %v", err)
		}
		if _, err := e.svc.Get(ctx, w.UserAActor, "../../etc"); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("Get(garbage id) = %v", err)
		}
	})
}

// TestValidation: limits and bad values are refused before anything is
// stored.
func TestValidation(t *testing.T) {
	e := newEnv(t, storetestSQLite(t), envOpt{noStart: true, cfg: documents.Config{MaxUploadBytes: 4000, MaxFiles: 3}})
	ctx := t.Context()
	small := []byte("some text\n")
	many := make([]documents.Upload, 4)
	for i := range many {
		many[i] = upload("f.txt", "", small)
	}
	unknownSize := func(b []byte) documents.Upload {
		return documents.Upload{Filename: "big.txt", Size: -1, Body: bytes.NewReader(b)}
	}
	tests := []struct {
		name     string
		in       documents.CreateInput
		field    string // validation error on this field, or
		tooLarge bool   // a TooLargeError
	}{
		{"no name", documents.CreateInput{Name: "  ", Files: many[:1]}, "name", false},
		{"long name", documents.CreateInput{Name: strings.Repeat("ü", 201), Files: many[:1]}, "name", false},
		{"name with newline", documents.CreateInput{Name: "a\nb", Files: many[:1]}, "name", false},
		{"long description", documents.CreateInput{Name: "x", Description: strings.Repeat("d", 2001), Files: many[:1]}, "description", false},
		{"quality", documents.CreateInput{Name: "x", Quality: "photo", Files: many[:1]}, "quality", false},
		{"no files", documents.CreateInput{Name: "x"}, "files", false},
		{"too many files", documents.CreateInput{Name: "x", Files: many}, "files", false},
		{"empty file", documents.CreateInput{Name: "x", Files: []documents.Upload{upload("e.txt", "", nil)}}, "files", false},
		{"nil body", documents.CreateInput{Name: "x", Files: []documents.Upload{{Filename: "n"}}}, "files", false},
		{"declared too large", documents.CreateInput{Name: "x", Files: []documents.Upload{
			{Filename: "a", Size: 3000, Body: strings.NewReader("x")}, {Filename: "b", Size: 1001, Body: strings.NewReader("y")}}}, "", true},
		{"streamed too large", documents.CreateInput{Name: "x", Files: []documents.Upload{
			unknownSize(bytes.Repeat([]byte("a"), 3000)), unknownSize(bytes.Repeat([]byte("b"), 1001))}}, "", true},
	}
	for _, tc := range tests {
		_, err := e.svc.Create(ctx, e.w.UserAActor, tc.in)
		var ve *model.ValidationError
		var tl *documents.TooLargeError
		switch {
		case tc.tooLarge && (!errors.As(err, &tl) || !errors.Is(err, model.ErrTooLarge) || tl.Error() != "the files total more than 3 KB, the upload limit"):
			t.Errorf("%s: %v, want TooLargeError", tc.name, err)
		case !tc.tooLarge && (!errors.As(err, &ve) || ve.Fields[tc.field] == ""):
			t.Errorf("%s: %v, want a validation error on %s", tc.name, err, tc.field)
		}
	}
	// Exactly at the limit is fine.
	d, err := e.svc.Create(ctx, e.w.UserAActor, documents.CreateInput{Name: "x", Files: []documents.Upload{
		unknownSize(bytes.Repeat([]byte("a"), 3000)), unknownSize(bytes.Repeat([]byte("b"), 1000))}})
	if err != nil || d.Sources[0].SizeBytes != 3000 || d.Sources[1].SizeBytes != 1000 {
		t.Errorf("upload of exactly the limit: %+v, %v", d.Sources, err)
	}
	if folders := docFolders(t, e); len(folders) != 1 {
		t.Errorf("blob folders after refused uploads: %v, want only the accepted document's", folders)
	}
	if l := e.svc.Limits(); l.MaxUploadBytes != 4000 || l.MaxFiles != 3 || l.MaxPages != documents.DefaultMaxPages {
		t.Errorf("Limits = %+v", l)
	}
}

// TestCrashSafety: the document row and its job are written in one
// transaction; when it fails, neither exists and the uploaded files are
// deleted.
func TestCrashSafety(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		// River refuses to insert a job kind this process does not work: the
		// job insert fails inside the transaction, after the row insert.
		e := newEnv(t, st, envOpt{noWorker: true})
		_, err := e.svc.Create(t.Context(), e.w.UserAActor, documents.CreateInput{Name: "Doomed",
			Files: []documents.Upload{upload("a.png", "", pngFile(t))}})
		if err == nil || !strings.Contains(err.Error(), documents.KindConvert) {
			t.Fatalf("Create with the job insert failing = %v, want the insert error", err)
		}
		assertOnlyDocuments(t, e, st)

		// The same transaction rolled back by hand (a crash before commit).
		ctx := t.Context()
		workers := river.NewWorkers()
		e.worker.Register(workers)
		j, err := jobs.New(st, nil, workers, nil)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := st.DB().BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		d := model.Document{ID: model.NewID(model.PrefixDocument), TenantID: e.w.A.ID, Name: "x",
			Quality: model.QualityFine, Status: model.DocumentProcessing}
		if err := st.CreateDocumentTx(ctx, tx, &d); err != nil {
			t.Fatal(err)
		}
		if err := j.InsertTx(ctx, tx, documents.ConvertArgs{DocumentID: d.ID, TenantID: d.TenantID, Revision: 1}, nil); err != nil {
			t.Fatal(err)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		if _, err := st.GetDocument(ctx, model.PlatformScope(), d.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("row after rollback: %v", err)
		}
		if n := jobCount(t, st, d.ID); n != 0 {
			t.Errorf("%d jobs after rollback", n)
		}
	})
}

// job builds the River job a worker run gets.
func job(d model.Document, rev, attempt int) *river.Job[documents.ConvertArgs] {
	return &river.Job[documents.ConvertArgs]{
		JobRow: &rivertype.JobRow{Kind: documents.KindConvert, Attempt: attempt, MaxAttempts: documents.MaxAttempts},
		Args:   documents.ConvertArgs{DocumentID: d.ID, TenantID: d.TenantID, Revision: rev},
	}
}

// TestWorkerIdempotent runs the worker by hand: twice on one job, after a
// crash that left the pages stored but unrecorded, for a stale revision and
// for a deleted document.
func TestWorkerIdempotent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, envOpt{noStart: true})
		ctx := t.Context()
		d := e.create(t, e.w.UserAActor, "Once", model.QualityFine, upload("a.png", "", pngFile(t)))
		if err := e.worker.Work(ctx, job(d, 1, 1)); err != nil {
			t.Fatal(err)
		}
		first, _ := e.svc.Get(ctx, e.w.UserAActor, d.ID)
		info, err := e.blobs.Stat(ctx, first.FileKey)
		if err != nil || first.Status != model.DocumentReady || first.Pages != 1 {
			t.Fatalf("first run: %+v, %v", first, err)
		}
		time.Sleep(10 * time.Millisecond)
		if err := e.worker.Work(ctx, job(d, 1, 1)); err != nil {
			t.Fatalf("second run: %v", err)
		}
		second, _ := e.svc.Get(ctx, e.w.UserAActor, d.ID)
		info2, _ := e.blobs.Stat(ctx, first.FileKey)
		if second.UpdatedAt != first.UpdatedAt || !info2.ModTime.Equal(info.ModTime) {
			t.Error("a second run of a finished job changed the document or its pages")
		}

		// A run died after storing the pages: the next run records them
		// (3 stored pages, although the source would give 1).
		c := e.create(t, e.w.UserAActor, "Crashed", model.QualityFine, upload("a.png", "", pngFile(t)))
		key := "t/" + c.TenantID + "/doc/" + c.ID + "/r1/pages.tif"
		if _, err := e.blobs.Put(ctx, key, bytes.NewReader(tiffFile(t, 3, faxtiff.Fine))); err != nil {
			t.Fatal(err)
		}
		if err := e.worker.Work(ctx, job(c, 1, 2)); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.svc.Get(ctx, e.w.UserAActor, c.ID); got.Status != model.DocumentReady || got.Pages != 3 || got.FileKey != key {
			t.Errorf("after the crash-recovery run: %+v", got)
		}
		// Reused pages have no thumbnails yet: the first request renders
		// them all from the stored pages.
		thumb := "t/" + c.TenantID + "/doc/" + c.ID + "/r1/thumb-002.png"
		if e.blobExists(t, thumb) {
			t.Error("thumbnails exist before any request")
		}
		f, err := e.svc.PageImage(ctx, e.w.UserAActor, c.ID, 3, documents.Thumbnail)
		if err != nil {
			t.Fatal(err)
		}
		if b := readAll(t, f); !bytes.HasPrefix(b, []byte("\x89PNG")) || !e.blobExists(t, thumb) {
			t.Error("lazy thumbnails not rendered and cached")
		}

		// A job of an older revision does nothing; the current one renders.
		if _, err := e.svc.ChangeQuality(ctx, e.w.UserAActor, d.ID, model.QualityStandard); err != nil {
			t.Fatal(err)
		}
		if err := e.worker.Work(ctx, job(d, 1, 1)); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.svc.Get(ctx, e.w.UserAActor, d.ID); got.Status != model.DocumentProcessing || got.Revision != 2 {
			t.Errorf("stale job changed the document: %+v", got)
		}
		if err := e.worker.Work(ctx, job(d, 2, 1)); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.svc.Get(ctx, e.w.UserAActor, d.ID); got.Status != model.DocumentReady || got.Revision != 2 {
			t.Errorf("current job did not render: %+v", got)
		}

		// A job for a deleted document is a no-op.
		if err := e.svc.Delete(ctx, e.w.UserAActor, c.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.worker.Work(ctx, job(c, 1, 1)); err != nil {
			t.Errorf("job of a deleted document: %v", err)
		}
		if e.docFolderExists(t, c) {
			t.Error("job of a deleted document left files")
		}
	})
}

// TestWorkerRetries: an error that is not about the input (here the blob
// store cannot write the pages) is returned for River to retry, and the
// last attempt marks the document failed.
func TestWorkerRetries(t *testing.T) {
	st := storetestSQLite(t) // the stuck case ages a row with SQLite's time encoding
	e := newEnv(t, st, envOpt{noStart: true})
	ctx := t.Context()
	d := e.create(t, e.w.UserAActor, "Unlucky", model.QualityFine, upload("a.png", "", pngFile(t)))
	// A folder where pages.tif belongs makes the atomic rename fail.
	blocker := filepath.Join(e.blobs.Root(), "t", d.TenantID, "doc", d.ID, "r1", "pages.tif", "x")
	if err := os.MkdirAll(blocker, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := e.worker.Work(ctx, job(d, 1, 1)); err == nil {
		t.Fatal("first attempt succeeded although the pages cannot be stored")
	}
	if got, _ := e.svc.Get(ctx, e.w.UserAActor, d.ID); got.Status != model.DocumentProcessing {
		t.Errorf("after a retryable failure: %s, want processing", got.Status)
	}
	if err := e.worker.Work(ctx, job(d, 1, documents.MaxAttempts)); err == nil {
		t.Fatal("last attempt succeeded")
	}
	got, _ := e.svc.Get(ctx, e.w.UserAActor, d.ID)
	if got.Status != model.DocumentFailed || got.ErrorCode != documents.ErrorCodeInternal || got.Error == "" {
		t.Errorf("after the last attempt: %s %q %q", got.Status, got.ErrorCode, got.Error)
	}
	// Retrying with the same quality renders again once the problem is gone.
	if err := os.RemoveAll(filepath.Dir(blocker)); err != nil {
		t.Fatal(err)
	}
	again, err := e.svc.ChangeQuality(ctx, e.w.UserAActor, d.ID, model.QualityFine)
	if err != nil || again.Status != model.DocumentProcessing || again.Revision != 2 {
		t.Fatalf("retry of a failed document: %+v, %v", again, err)
	}
	if err := e.worker.Work(ctx, job(d, 2, 1)); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.svc.Get(ctx, e.w.UserAActor, d.ID); got.Status != model.DocumentReady {
		t.Errorf("after the retry: %+v", got)
	}
	// A document stuck in processing (its job lost) can be retried once it
	// is older than every attempt could take; a recent one cannot.
	stuck := e.create(t, e.w.UserAActor, "Stuck", model.QualityFine, upload("s.png", "", pngFile(t)))
	if got, err := e.svc.ChangeQuality(ctx, e.w.UserAActor, stuck.ID, model.QualityFine); err != nil || got.Revision != 1 {
		t.Errorf("retry of a fresh processing document: rev %d, %v; want no change", got.Revision, err)
	}
	if _, err := st.DB().ExecContext(ctx, "UPDATE documents SET updated_at = updated_at - $1 WHERE id = $2",
		int64(24*time.Hour/time.Microsecond), stuck.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := e.svc.ChangeQuality(ctx, e.w.UserAActor, stuck.ID, model.QualityFine); err != nil || got.Revision != 2 {
		t.Errorf("retry of a stuck document: rev %d, %v; want a new render", got.Revision, err)
	}
	// A source file that vanished fails at once, with a clear reason.
	lost := e.create(t, e.w.UserAActor, "Lost", model.QualityFine, upload("gone.png", "", pngFile(t)))
	if err := e.blobs.Delete(ctx, lost.Sources[0].BlobKey); err != nil {
		t.Fatal(err)
	}
	if err := e.worker.Work(ctx, job(lost, 1, 1)); err != nil {
		t.Errorf("missing source: %v, want the job done (no retry)", err)
	}
	if got, _ := e.svc.Get(ctx, e.w.UserAActor, lost.ID); got.Status != model.DocumentFailed ||
		!strings.Contains(got.Error, "gone.png") {
		t.Errorf("missing source: %s %q", got.Status, got.Error)
	}
}

// TestInUse: the hook for documents of queued faxes refuses deletes and
// re-renders.
func TestInUse(t *testing.T) {
	st := storetestSQLite(t)
	e := newEnv(t, st, envOpt{noStart: true})
	busy := &model.ConflictError{Field: "document"}
	svc, err := documents.New(documents.Deps{Store: st, Blobs: e.blobs, Jobs: e.jobs, Audit: e.Audit,
		InUse: func(_ context.Context, d model.Document) error {
			if d.Name == "Busy" {
				return busy
			}
			return nil
		}}, documents.Config{})
	if err != nil {
		t.Fatal(err)
	}
	d := e.create(t, e.w.UserAActor, "Busy", model.QualityFine, upload("a.png", "", pngFile(t)))
	if err := svc.Delete(t.Context(), e.w.UserAActor, d.ID); !errors.Is(err, model.ErrConflict) {
		t.Errorf("Delete(in use) = %v, want a conflict", err)
	}
	if _, err := svc.ChangeQuality(t.Context(), e.w.UserAActor, d.ID, model.QualityStandard); !errors.Is(err, model.ErrConflict) {
		t.Errorf("ChangeQuality(in use) = %v, want a conflict", err)
	}
	if !e.docFolderExists(t, d) {
		t.Error("files of a document in use deleted")
	}
}
