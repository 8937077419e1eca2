package storetest

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// testDocuments is the documents part of the suite. Its cases share one
// store (Run registers it once), so each makes its own tenants.
func testDocuments(t *testing.T, s *store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s *store.Store, f docFixture)
	}{
		{"CRUD", testDocumentCRUD},
		{"Lifecycle", testDocumentLifecycle},
		{"Filters", testDocumentFilters},
		{"Pagination", testDocumentPagination},
		{"Isolation", testDocumentIsolation},
		{"ZeroScope", testDocumentZeroScope},
		{"TxRollback", testDocumentTxRollback},
		{"Checks", testDocumentChecks},
		{"UploaderDeleted", testDocumentUploaderDeleted},
		{"DeleteRestricted", testDocumentDeleteRestricted},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, s, newDocFixture(t, s, i)) })
	}
}

// docFixture is two tenants with a user each; tag keeps names unique in
// the shared store.
type docFixture struct {
	a, b           model.Tenant
	aUser, bUser   model.User
	scopeA, scopeB model.Scope
}

func newDocFixture(t *testing.T, s *store.Store, tag int) docFixture {
	t.Helper()
	f := docFixture{a: mustTenant(t, s, fmt.Sprintf("Docs A%d", tag)), b: mustTenant(t, s, fmt.Sprintf("Docs B%d", tag))}
	f.scopeA, f.scopeB = model.TenantScope(f.a.ID), model.TenantScope(f.b.ID)
	f.aUser = mustUser(t, s, f.a.ID, model.RoleUser, fmt.Sprintf("docs%d@a.example", tag))
	f.bUser = mustUser(t, s, f.b.ID, model.RoleUser, fmt.Sprintf("docs%d@b.example", tag))
	return f
}

// newDoc returns a processing document of u with n sources.
func newDoc(u model.User, docName string, n int) model.Document {
	d := model.Document{
		ID: model.NewID(model.PrefixDocument), TenantID: u.TenantID, UserID: u.ID, Name: docName,
		Description: "about " + docName, Quality: model.QualityFine, Status: model.DocumentProcessing,
	}
	for i := 1; i <= n; i++ {
		d.Sources = append(d.Sources, model.DocumentSource{
			Position: i, Filename: fmt.Sprintf("file %d.pdf", i), ContentType: "application/pdf",
			SizeBytes: int64(1000 * i), BlobKey: fmt.Sprintf("t/%s/doc/%s/src/%02d", u.TenantID, d.ID, i),
		})
	}
	return d
}

func mustDoc(t *testing.T, s *store.Store, u model.User, docName string, n int) model.Document {
	t.Helper()
	d := newDoc(u, docName, n)
	noErr(t, "CreateDocument("+docName+")", s.CreateDocument(ctx(t), &d))
	return d
}

func docID(d model.Document) string { return d.ID }

func testDocumentCRUD(t *testing.T, s *store.Store, f docFixture) {
	c := ctx(t)
	d := newDoc(f.aUser, "Price list Ärzte", 3)
	want := d
	noErr(t, "CreateDocument", s.CreateDocument(c, &d))
	if d.Revision != 1 || d.CreatedAt.IsZero() || !d.UpdatedAt.Equal(d.CreatedAt) || d.ID != want.ID {
		t.Errorf("CreateDocument set ID %q Revision %d CreatedAt %v UpdatedAt %v", d.ID, d.Revision, d.CreatedAt, d.UpdatedAt)
	}
	for _, sc := range []model.Scope{f.scopeA, model.PlatformScope()} {
		got, err := s.GetDocument(c, sc, d.ID)
		noErr(t, "GetDocument", err)
		diff(t, "GetDocument", got, d)
	}
	// An id left empty is generated.
	auto := newDoc(f.aUser, "auto id", 1)
	auto.ID = ""
	noErr(t, "CreateDocument(no id)", s.CreateDocument(c, &auto))
	if !model.ValidID(model.PrefixDocument, auto.ID) {
		t.Errorf("generated id %q", auto.ID)
	}
	_, err := s.GetDocument(c, f.scopeA, model.NewID(model.PrefixDocument))
	wantErr(t, "GetDocument(unknown)", err, model.ErrNotFound)

	upd := d
	upd.Name, upd.Description = "Renamed", "new text"
	upd.Status, upd.Pages, upd.Quality = model.DocumentReady, 99, model.QualityStandard // not UpdateDocument's business
	time.Sleep(2 * time.Millisecond)
	noErr(t, "UpdateDocument", s.UpdateDocument(c, f.scopeA, &upd))
	if !upd.UpdatedAt.After(d.UpdatedAt) {
		t.Errorf("UpdateDocument UpdatedAt %v not after %v", upd.UpdatedAt, d.UpdatedAt)
	}
	got, err := s.GetDocument(c, f.scopeA, d.ID)
	noErr(t, "GetDocument after update", err)
	wantDoc := d
	wantDoc.Name, wantDoc.Description, wantDoc.UpdatedAt = "Renamed", "new text", upd.UpdatedAt
	diff(t, "GetDocument after update", got, wantDoc)
	ghost := upd
	ghost.ID = model.NewID(model.PrefixDocument)
	wantErr(t, "UpdateDocument(unknown)", s.UpdateDocument(c, f.scopeA, &ghost), model.ErrNotFound)

	keys, err := s.DeleteDocument(c, f.scopeA, d.ID)
	noErr(t, "DeleteDocument", err)
	diff(t, "DeleteDocument keys", keys, []string{d.Sources[0].BlobKey, d.Sources[1].BlobKey, d.Sources[2].BlobKey})
	_, err = s.GetDocument(c, model.PlatformScope(), d.ID)
	wantErr(t, "GetDocument after delete", err, model.ErrNotFound)
	_, err = s.DeleteDocument(c, f.scopeA, d.ID)
	wantErr(t, "DeleteDocument twice", err, model.ErrNotFound)
	var n int
	noErr(t, "count sources", s.DB().QueryRowContext(c,
		"SELECT COUNT(*) FROM document_sources WHERE document_id = $1", d.ID).Scan(&n))
	if n != 0 {
		t.Errorf("%d sources left after DeleteDocument", n)
	}
}

func testDocumentLifecycle(t *testing.T, s *store.Store, f docFixture) {
	c := ctx(t)
	d := mustDoc(t, s, f.aUser, "Lifecycle", 2)
	noErr(t, "SetDocumentProgress", s.SetDocumentProgress(c, f.scopeA, d.ID, 1, 3, 10))
	got, err := s.GetDocument(c, f.scopeA, d.ID)
	noErr(t, "GetDocument", err)
	if got.PagesDone != 3 || got.PagesTotal != 10 || got.Status != model.DocumentProcessing {
		t.Errorf("progress = %d/%d %s, want 3/10 processing", got.PagesDone, got.PagesTotal, got.Status)
	}
	wantErr(t, "SetDocumentProgress(old revision)", s.SetDocumentProgress(c, f.scopeA, d.ID, 2, 1, 1), model.ErrNotFound)

	key1 := "t/" + f.a.ID + "/doc/" + d.ID + "/r1/pages.tif"
	ready := store.DocumentResult{Status: model.DocumentReady, Pages: 10, SizeBytes: 12345, FileKey: key1,
		Error: "ignored", ErrorCode: "ignored"}
	noErr(t, "FinishDocument(ready)", s.FinishDocument(c, f.scopeA, d.ID, 1, ready))
	got, _ = s.GetDocument(c, f.scopeA, d.ID)
	if got.Status != model.DocumentReady || got.Pages != 10 || got.SizeBytes != 12345 || got.FileKey != key1 ||
		got.Error != "" || got.ErrorCode != "" || got.PagesDone != 10 || got.PagesTotal != 10 || !got.Ready() {
		t.Errorf("after FinishDocument(ready): %+v", got)
	}
	// A second finish of the same revision (a job run twice) changes nothing.
	failed := store.DocumentResult{Status: model.DocumentFailed, Error: "late failure", ErrorCode: "corrupt"}
	wantErr(t, "FinishDocument twice", s.FinishDocument(c, f.scopeA, d.ID, 1, failed), model.ErrNotFound)
	wantErr(t, "SetDocumentProgress(ready)", s.SetDocumentProgress(c, f.scopeA, d.ID, 1, 1, 1), model.ErrNotFound)

	// Re-render at another quality: revision 2, results cleared.
	tx, err := s.DB().BeginTx(c, nil)
	noErr(t, "BeginTx", err)
	old, rev, err := s.RerenderDocumentTx(c, tx, f.scopeA, d.ID, model.QualitySuperfine)
	noErr(t, "RerenderDocumentTx", err)
	noErr(t, "Commit", tx.Commit())
	if rev != 2 || old.Revision != 1 || old.FileKey != key1 || old.Status != model.DocumentReady {
		t.Errorf("RerenderDocumentTx = rev %d, old %+v", rev, old)
	}
	got, _ = s.GetDocument(c, f.scopeA, d.ID)
	if got.Status != model.DocumentProcessing || got.Revision != 2 || got.Quality != model.QualitySuperfine ||
		got.Pages != 0 || got.SizeBytes != 0 || got.FileKey != "" || got.PagesDone != 0 || len(got.Sources) != 2 {
		t.Errorf("after re-render: %+v", got)
	}
	// The old revision's job can no longer finish; the new one fails.
	wantErr(t, "FinishDocument(stale revision)", s.FinishDocument(c, f.scopeA, d.ID, 1, ready), model.ErrNotFound)
	failed.FileKey, failed.Pages = "must be dropped", 5
	noErr(t, "FinishDocument(failed)", s.FinishDocument(c, f.scopeA, d.ID, 2, failed))
	got, _ = s.GetDocument(c, f.scopeA, d.ID)
	if got.Status != model.DocumentFailed || got.Error != "late failure" || got.ErrorCode != "corrupt" ||
		got.FileKey != "" || got.Pages != 0 || got.Ready() {
		t.Errorf("after FinishDocument(failed): %+v", got)
	}
	// Invalid results are refused.
	if err := s.FinishDocument(c, f.scopeA, d.ID, 2, store.DocumentResult{Status: model.DocumentProcessing}); err == nil {
		t.Error("FinishDocument(processing) succeeded")
	}
	if err := s.FinishDocument(c, f.scopeA, d.ID, 2, store.DocumentResult{Status: model.DocumentReady}); err == nil {
		t.Error("FinishDocument(ready without file) succeeded")
	}
	// Re-rendering an unknown document fails and leaves nothing behind.
	tx, err = s.DB().BeginTx(c, nil)
	noErr(t, "BeginTx", err)
	_, _, err = s.RerenderDocumentTx(c, tx, f.scopeA, model.NewID(model.PrefixDocument), model.QualityFine)
	wantErr(t, "RerenderDocumentTx(unknown)", err, model.ErrNotFound)
	noErr(t, "Rollback", tx.Rollback())
}

func testDocumentFilters(t *testing.T, s *store.Store, f docFixture) {
	c := ctx(t)
	other := mustUser(t, s, f.a.ID, model.RoleTenant, "docs-filter-boss@a.example")
	d1 := mustDoc(t, s, f.aUser, "Invoice ÄRZTE 2030", 1)
	d2 := mustDoc(t, s, f.aUser, "100%_discount", 1)
	d3 := mustDoc(t, s, other, "Menu", 2)
	db := mustDoc(t, s, f.bUser, "Invoice B", 1)
	noErr(t, "finish d2", s.FinishDocument(c, f.scopeA, d2.ID, 1,
		store.DocumentResult{Status: model.DocumentReady, Pages: 1, FileKey: "k"}))
	noErr(t, "finish d3", s.FinishDocument(c, f.scopeA, d3.ID, 1,
		store.DocumentResult{Status: model.DocumentFailed, Error: "bad"}))
	tests := []struct {
		name  string
		scope model.Scope
		f     store.DocumentFilter
		want  []model.Document
	}{
		{"all of A", f.scopeA, store.DocumentFilter{}, []model.Document{d3, d2, d1}},
		{"query unicode case", f.scopeA, store.DocumentFilter{Query: "ärzte"}, []model.Document{d1}},
		{"query literal %_", f.scopeA, store.DocumentFilter{Query: "0%_d"}, []model.Document{d2}},
		{"query % is literal", f.scopeA, store.DocumentFilter{Query: "%"}, []model.Document{d2}},
		{"status processing", f.scopeA, store.DocumentFilter{Status: model.DocumentProcessing}, []model.Document{d1}},
		{"status failed", f.scopeA, store.DocumentFilter{Status: model.DocumentFailed}, []model.Document{d3}},
		{"uploader", f.scopeA, store.DocumentFilter{UserID: other.ID}, []model.Document{d3}},
		{"A's query never sees B", f.scopeA, store.DocumentFilter{Query: "invoice"}, []model.Document{d1}},
		{"platform query", model.PlatformScope(), store.DocumentFilter{Query: "invoice"}, []model.Document{db, d1}},
		{"platform by tenant", model.PlatformScope(), store.DocumentFilter{TenantID: f.b.ID}, []model.Document{db}},
		{"tenant filter cannot widen a scope", f.scopeA, store.DocumentFilter{TenantID: f.b.ID}, nil},
	}
	for _, tc := range tests {
		got, next, err := s.ListDocuments(c, tc.scope, tc.f, model.ListOptions{})
		noErr(t, "ListDocuments("+tc.name+")", err)
		if next != "" {
			t.Errorf("%s: next cursor %q on a short list", tc.name, next)
		}
		if tc.scope.IsPlatform() && tc.f.TenantID == "" {
			got = slices.DeleteFunc(got, func(d model.Document) bool { return d.TenantID != f.a.ID && d.TenantID != f.b.ID })
		}
		diff(t, "ListDocuments("+tc.name+") ids", ids(got, docID), ids(tc.want, docID))
		n, err := s.CountDocuments(c, tc.scope, tc.f)
		noErr(t, "CountDocuments("+tc.name+")", err)
		if !tc.scope.IsPlatform() && n != len(tc.want) {
			t.Errorf("CountDocuments(%s) = %d, want %d", tc.name, n, len(tc.want))
		}
	}
	// Lists carry the sources, in order, and the rest of the row.
	got, _, err := s.ListDocuments(c, f.scopeA, store.DocumentFilter{UserID: other.ID}, model.ListOptions{})
	noErr(t, "ListDocuments(sources)", err)
	want := d3
	want.Status, want.Error, want.UpdatedAt = model.DocumentFailed, "bad", got[0].UpdatedAt
	diff(t, "listed document", got, []model.Document{want})
}

func testDocumentPagination(t *testing.T, s *store.Store, f docFixture) {
	c := ctx(t)
	var want []string
	for i := range 23 {
		want = append(want, mustDoc(t, s, f.aUser, name("doc", i), i%3).ID)
		mustDoc(t, s, f.bUser, name("doc", i), 1)
	}
	slices.Reverse(want)
	got, sizes := pageThrough(t, 10, func(o model.ListOptions) ([]string, string, error) {
		docs, next, err := s.ListDocuments(c, f.scopeA, store.DocumentFilter{}, o)
		for _, d := range docs {
			if d.TenantID != f.a.ID {
				t.Errorf("page holds %s of tenant %s", d.ID, d.TenantID)
			}
		}
		return ids(docs, docID), next, err
	})
	diff(t, "documents paged 10 at a time", got, want)
	diff(t, "page sizes", sizes, []int{10, 10, 3})
	_, _, err := s.ListDocuments(c, f.scopeA, store.DocumentFilter{}, model.ListOptions{Cursor: "!!"})
	wantInvalid(t, "ListDocuments(bad cursor)", err, "cursor")
}

func testDocumentIsolation(t *testing.T, s *store.Store, f docFixture) {
	c := ctx(t)
	da := mustDoc(t, s, f.aUser, "A's", 2)
	db := mustDoc(t, s, f.bUser, "B's", 1)
	b := f.scopeB
	_, err := s.GetDocument(c, b, da.ID)
	wantErr(t, "GetDocument(A's) as B", err, model.ErrNotFound)
	hijack := da
	hijack.Name = "Hijacked"
	wantErr(t, "UpdateDocument(A's) as B", s.UpdateDocument(c, b, &hijack), model.ErrNotFound)
	wantErr(t, "SetDocumentProgress(A's) as B", s.SetDocumentProgress(c, b, da.ID, 1, 1, 1), model.ErrNotFound)
	wantErr(t, "FinishDocument(A's) as B", s.FinishDocument(c, b, da.ID, 1,
		store.DocumentResult{Status: model.DocumentFailed, Error: "x"}), model.ErrNotFound)
	tx, err := s.DB().BeginTx(c, nil)
	noErr(t, "BeginTx", err)
	_, _, err = s.RerenderDocumentTx(c, tx, b, da.ID, model.QualityStandard)
	wantErr(t, "RerenderDocumentTx(A's) as B", err, model.ErrNotFound)
	noErr(t, "Rollback", tx.Rollback())
	_, err = s.DeleteDocument(c, b, da.ID)
	wantErr(t, "DeleteDocument(A's) as B", err, model.ErrNotFound)
	docs, _, err := s.ListDocuments(c, b, store.DocumentFilter{}, model.ListOptions{})
	noErr(t, "ListDocuments as B", err)
	diff(t, "ListDocuments as B", ids(docs, docID), []string{db.ID})
	n, err := s.CountDocuments(c, b, store.DocumentFilter{})
	noErr(t, "CountDocuments as B", err)
	if n != 1 {
		t.Errorf("CountDocuments as B = %d, want 1", n)
	}
	got, err := s.GetDocument(c, f.scopeA, da.ID)
	noErr(t, "GetDocument(A's) as A", err)
	diff(t, "A's document untouched", got, da)
	got, err = s.GetDocument(c, model.PlatformScope(), db.ID)
	noErr(t, "GetDocument(B's) as platform", err)
	diff(t, "B's document as platform", got, db)
}

func testDocumentZeroScope(t *testing.T, s *store.Store, f docFixture) {
	c := ctx(t)
	d := mustDoc(t, s, f.aUser, "Zero", 1)
	var zero model.Scope
	tx, err := s.DB().BeginTx(c, nil)
	noErr(t, "BeginTx", err)
	defer tx.Rollback()
	calls := map[string]func() error{
		"GetDocument":    func() error { _, err := s.GetDocument(c, zero, d.ID); return err },
		"UpdateDocument": func() error { return s.UpdateDocument(c, zero, &d) },
		"ListDocuments": func() error {
			_, _, err := s.ListDocuments(c, zero, store.DocumentFilter{}, model.ListOptions{})
			return err
		},
		"CountDocuments":      func() error { _, err := s.CountDocuments(c, zero, store.DocumentFilter{}); return err },
		"SetDocumentProgress": func() error { return s.SetDocumentProgress(c, zero, d.ID, 1, 1, 1) },
		"FinishDocument": func() error {
			return s.FinishDocument(c, zero, d.ID, 1, store.DocumentResult{Status: model.DocumentFailed})
		},
		"RerenderDocumentTx": func() error {
			_, _, err := s.RerenderDocumentTx(c, tx, zero, d.ID, model.QualityFine)
			return err
		},
		"DeleteDocument": func() error { _, err := s.DeleteDocument(c, zero, d.ID); return err },
	}
	for name, call := range calls {
		if name == "DeleteDocument" {
			noErr(t, "Rollback", tx.Rollback()) // SQLite: DeleteDocument needs the writer connection
		}
		if err := call(); !errors.Is(err, store.ErrInvalidScope) {
			t.Errorf("%s(zero scope) = %v, want ErrInvalidScope", name, err)
		}
	}
}

// testDocumentTxRollback: a document inserted in a transaction that rolls
// back (the job insert failed, the process died) leaves no row.
func testDocumentTxRollback(t *testing.T, s *store.Store, f docFixture) {
	c := ctx(t)
	d := newDoc(f.aUser, "Rolled back", 2)
	tx, err := s.DB().BeginTx(c, nil)
	noErr(t, "BeginTx", err)
	noErr(t, "CreateDocumentTx", s.CreateDocumentTx(c, tx, &d))
	noErr(t, "Rollback", tx.Rollback())
	_, err = s.GetDocument(c, model.PlatformScope(), d.ID)
	wantErr(t, "GetDocument after rollback", err, model.ErrNotFound)
	var n int
	noErr(t, "count sources", s.DB().QueryRowContext(c,
		"SELECT COUNT(*) FROM document_sources WHERE document_id = $1", d.ID).Scan(&n))
	if n != 0 {
		t.Errorf("%d sources left after rollback", n)
	}
}

func testDocumentChecks(t *testing.T, s *store.Store, f docFixture) {
	c := ctx(t)
	tests := []struct {
		name  string
		mod   func(*model.Document)
		field string
	}{
		{"quality", func(d *model.Document) { d.Quality = "photo" }, "quality"},
		{"status", func(d *model.Document) { d.Status = "lost" }, "status"},
		{"pages", func(d *model.Document) { d.Pages = -1 }, "pages"},
		{"source position", func(d *model.Document) { d.Sources[0].Position = 0 }, "position"},
		{"unknown tenant", func(d *model.Document) { d.TenantID = model.NewID(model.PrefixTenant) }, "tenant_id"},
		{"unknown user", func(d *model.Document) { d.UserID = model.NewID(model.PrefixUser) }, "tenant_id"},
	}
	for _, tc := range tests {
		d := newDoc(f.aUser, "check "+tc.name, 1)
		tc.mod(&d)
		wantInvalid(t, "CreateDocument("+tc.name+")", s.CreateDocument(c, &d), tc.field)
		_, err := s.GetDocument(c, model.PlatformScope(), d.ID)
		wantErr(t, "GetDocument after failed create ("+tc.name+")", err, model.ErrNotFound)
	}
	tx, err := s.DB().BeginTx(c, nil)
	noErr(t, "BeginTx", err)
	d := mustDocTx(t, s, tx, f.aUser)
	_, _, err = s.RerenderDocumentTx(c, tx, f.scopeA, d.ID, "photo")
	wantInvalid(t, "RerenderDocumentTx(bad quality)", err, "quality")
	noErr(t, "Rollback", tx.Rollback())
}

func mustDocTx(t *testing.T, s *store.Store, tx *sql.Tx, u model.User) model.Document {
	t.Helper()
	d := newDoc(u, "in tx", 1)
	noErr(t, "CreateDocumentTx", s.CreateDocumentTx(ctx(t), tx, &d))
	return d
}

func testDocumentUploaderDeleted(t *testing.T, s *store.Store, f docFixture) {
	c := ctx(t)
	u := mustUser(t, s, f.a.ID, model.RoleUser, "leaver@a.example")
	d := mustDoc(t, s, u, "Left behind", 1)
	noErr(t, "DeleteUser", s.DeleteUser(c, f.scopeA, u.ID))
	got, err := s.GetDocument(c, f.scopeA, d.ID)
	noErr(t, "GetDocument after uploader deleted", err)
	if got.UserID != "" {
		t.Errorf("UserID = %q after the uploader was deleted, want empty", got.UserID)
	}
}

// testDocumentDeleteRestricted: a row that references a document with ON
// DELETE RESTRICT (as a queued fax will) makes DeleteDocument a conflict
// and keeps the document.
func testDocumentDeleteRestricted(t *testing.T, s *store.Store, f docFixture) {
	c := ctx(t)
	d := mustDoc(t, s, f.aUser, "In use", 1)
	_, err := s.DB().ExecContext(c, `CREATE TABLE doc_users_test (
		id TEXT PRIMARY KEY, document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE RESTRICT)`)
	noErr(t, "create referencing table", err)
	defer s.DB().ExecContext(c, `DROP TABLE doc_users_test`)
	_, err = s.DB().ExecContext(c, `INSERT INTO doc_users_test (id, document_id) VALUES ('x', $1)`, d.ID)
	noErr(t, "insert reference", err)
	_, err = s.DeleteDocument(c, f.scopeA, d.ID)
	wantConflict(t, "DeleteDocument(in use)", err, "document")
	if _, err := s.GetDocument(c, f.scopeA, d.ID); err != nil {
		t.Errorf("document gone after refused delete: %v", err)
	}
	_, err = s.DB().ExecContext(c, `DELETE FROM doc_users_test`)
	noErr(t, "drop reference", err)
	_, err = s.DeleteDocument(c, f.scopeA, d.ID)
	noErr(t, "DeleteDocument(no longer in use)", err)
}
