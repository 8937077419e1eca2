package documents_test

import (
	"bytes"
	"errors"
	"image/png"
	"strings"
	"testing"

	"faxgate/internal/document"
	"faxgate/internal/documents"
	"faxgate/internal/faxtiff"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// TestCreateConvertReady: an upload of several files becomes one ready
// document whose pages, thumbnails, previews and downloads are right.
func TestCreateConvertReady(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, envOpt{})
		ctx := t.Context()
		d := e.create(t, e.w.UserAActor, "  Price list  ", model.QualityFine,
			upload("scan.png", "image/png", pngFile(t)),
			upload(`C:\Users\x\notes.txt`, "text/plain; charset=utf-8", []byte("Hello fax\nSecond line\n")),
			upload("fax.tif", "image/tiff", tiffFile(t, 2, faxtiff.Standard)))
		if d.Status != model.DocumentProcessing || d.Name != "Price list" || d.TenantID != e.w.A.ID ||
			d.UserID != e.w.UserA.ID || d.Revision != 1 || len(d.Sources) != 3 {
			t.Fatalf("Create = %+v", d)
		}
		if got := []string{d.Sources[0].Filename, d.Sources[1].Filename, d.Sources[2].Filename}; got[1] != "notes.txt" ||
			got[0] != "scan.png" || d.Sources[1].ContentType != "text/plain" {
			t.Errorf("sources = %+v", d.Sources)
		}
		if n := jobCount(t, st, d.ID); n != 1 {
			t.Errorf("%d conversion jobs, want 1", n)
		}
		d = e.wait(t, d.ID)
		if d.Status != model.DocumentReady || d.Pages != 4 || d.Error != "" || d.PagesDone != 4 || !d.Ready() {
			t.Fatalf("after conversion: %+v", d)
		}
		p, release, err := e.blobs.LocalPath(ctx, d.FileKey)
		if err != nil {
			t.Fatal(err)
		}
		defer release()
		info, err := faxtiff.Validate(p)
		if err != nil || info.Pages != 4 || info.Resolution != faxtiff.Fine || info.Width != faxtiff.WidthA4 || info.Bytes != d.SizeBytes {
			t.Errorf("stored pages: %+v, %v; document says %d bytes", info, err, d.SizeBytes)
		}
		if evs := e.Events(t, model.ActionDocumentCreated, d.ID); len(evs) != 1 || evs[0].TenantID != e.w.A.ID ||
			evs[0].ActorID != e.w.UserA.ID {
			t.Errorf("audit document.created = %+v", evs)
		}
		checkPages(t, e, d)
		checkDownloads(t, e, d)
	})
}

func checkPages(t *testing.T, e *env, d model.Document) {
	t.Helper()
	ctx := t.Context()
	got, pages, err := e.svc.Pages(ctx, e.w.TenantAActor, d.ID)
	if err != nil || got.ID != d.ID || len(pages) != 4 || pages[3].Number != 4 || pages[0].ThumbnailETag == pages[0].PreviewETag {
		t.Fatalf("Pages = %d pages %+v, %v", len(pages), pages, err)
	}
	// The job made the thumbnails already.
	for n := 1; n <= 4; n++ {
		key := "t/" + d.TenantID + "/doc/" + d.ID + "/r1/thumb-00" + string(rune('0'+n)) + ".png"
		if !e.blobExists(t, key) {
			t.Errorf("thumbnail %s not cached by the conversion job", key)
		}
	}
	th, err := e.svc.PageImage(ctx, e.w.UserAActor, d.ID, 1, documents.Thumbnail)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(readAll(t, th)))
	if err != nil || th.ContentType != "image/png" || th.ETag != pages[0].ThumbnailETag {
		t.Fatalf("thumbnail: %v, %+v", err, th)
	}
	if b := img.Bounds(); b.Dx() != documents.DefaultThumbnailWidth || b.Dy() < 270 || b.Dy() > 290 {
		t.Errorf("thumbnail is %v, want 200 wide and A4-proportioned", b)
	}
	// Page 3 is the first standard page of fax.tif re-rendered at fine:
	// 2287 rows at 196 lpi -> about 2380 square rows.
	pv, err := e.svc.PageImage(ctx, e.w.UserAActor, d.ID, 3, documents.Preview)
	if err != nil {
		t.Fatal(err)
	}
	img, err = png.Decode(bytes.NewReader(readAll(t, pv)))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 1728 || b.Dy() < 2370 || b.Dy() > 2390 {
		t.Errorf("preview is %v, want 1728 x ~2380", b)
	}
	if !e.blobExists(t, "t/"+d.TenantID+"/doc/"+d.ID+"/r1/preview-003.png") {
		t.Error("preview not cached")
	}
	for _, n := range []int{0, 5} {
		if _, err := e.svc.PageImage(ctx, e.w.UserAActor, d.ID, n, documents.Preview); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("PageImage(page %d) = %v, want ErrNotFound", n, err)
		}
	}
	if _, err := e.svc.PageImage(ctx, e.w.UserAActor, d.ID, 1, "huge"); err == nil {
		t.Error("PageImage(kind huge) succeeded")
	}
}

func checkDownloads(t *testing.T, e *env, d model.Document) {
	t.Helper()
	ctx := t.Context()
	tif, err := e.svc.Download(ctx, e.w.UserAActor, d.ID, "tiff")
	if err != nil {
		t.Fatal(err)
	}
	b := readAll(t, tif)
	if tif.Name != "Price_list.tif" || tif.ContentType != "image/tiff" || int64(len(b)) != d.SizeBytes {
		t.Errorf("TIFF download %q %q %d bytes", tif.Name, tif.ContentType, len(b))
	}
	pdf, err := e.svc.Download(ctx, e.w.UserAActor, d.ID, "PDF")
	if err != nil {
		t.Fatal(err)
	}
	b = readAll(t, pdf)
	if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b, []byte("/Type /Pages /Count 4 ")) ||
		pdf.Name != "Price_list.pdf" || pdf.ContentType != "application/pdf" {
		t.Errorf("PDF download %q: %q...", pdf.Name, b[:min(len(b), 20)])
	}
	again, err := e.svc.Download(ctx, e.w.UserAActor, d.ID, "pdf")
	if err != nil {
		t.Fatal(err)
	}
	if c := readAll(t, again); !bytes.Equal(b, c) || again.ETag != pdf.ETag || !again.ModTime.Equal(pdf.ModTime) {
		t.Error("second PDF download was not served from the cache")
	}
	if _, err := e.svc.Download(ctx, e.w.UserAActor, d.ID, "docx"); err == nil {
		t.Error("Download(docx) succeeded")
	}
}

// TestBadInput: content the converter refuses fails the document with the
// reason, at once and without retries; content no converter handles is
// refused at upload and leaves nothing behind.
func TestBadInput(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, envOpt{})
		ctx := t.Context()
		broken := []byte("%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntruncated garbage")
		d := e.create(t, e.w.UserAActor, "Broken", model.QualityFine,
			upload("ok.png", "image/png", pngFile(t)), upload("contract.pdf", "application/pdf", broken))
		d = e.wait(t, d.ID)
		if d.Status != model.DocumentFailed || d.ErrorCode != string(document.KindCorrupt) ||
			!strings.HasPrefix(d.Error, "contract.pdf: ") || d.Pages != 0 || d.FileKey != "" {
			t.Errorf("broken PDF: status %s code %q error %q pages %d", d.Status, d.ErrorCode, d.Error, d.Pages)
		}
		var attempts int
		if err := st.DB().QueryRowContext(ctx, "SELECT attempt FROM river_job WHERE kind = $1",
			documents.KindConvert).Scan(&attempts); err != nil || attempts != 1 {
			t.Errorf("bad input ran %d times (%v), want once", attempts, err)
		}
		var nr *documents.NotReadyError
		if _, _, err := e.svc.Pages(ctx, e.w.UserAActor, d.ID); !errors.As(err, &nr) || !errors.Is(err, model.ErrConflict) ||
			!strings.Contains(err.Error(), "contract.pdf") {
			t.Errorf("Pages(failed) = %v, want NotReadyError with the reason", err)
		}
		if _, err := e.svc.Download(ctx, e.w.UserAActor, d.ID, "tiff"); !errors.As(err, &nr) {
			t.Errorf("Download(failed) = %v, want NotReadyError", err)
		}

		// An executable named .pdf is refused at upload: nothing stored.
		elf := append([]byte("\x7fELF\x02\x01\x01\x00"), bytes.Repeat([]byte{0, 1, 2, 3}, 300)...)
		_, err := e.svc.Create(ctx, e.w.UserAActor, documents.CreateInput{Name: "Sneaky",
			Files: []documents.Upload{upload("ok.png", "image/png", pngFile(t)), upload("invoice.pdf", "application/pdf", elf)}})
		var ve *model.ValidationError
		if !errors.As(err, &ve) || !strings.HasPrefix(ve.Fields["files"], "invoice.pdf: unsupported file type") {
			t.Errorf("Create(ELF as PDF) = %v, want a validation error naming the file", err)
		}
		assertOnlyDocuments(t, e, st, d.ID)
	})
}

// assertOnlyDocuments fails unless exactly the given documents exist, in
// the database and in the blob store.
func assertOnlyDocuments(t *testing.T, e *env, st *store.Store, ids ...string) {
	t.Helper()
	docs, _, err := st.ListDocuments(t.Context(), model.PlatformScope(), store.DocumentFilter{}, model.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != len(ids) {
		t.Errorf("%d documents in the database, want %d", len(docs), len(ids))
	}
	var jobs int
	if err := st.DB().QueryRowContext(t.Context(), "SELECT COUNT(*) FROM river_job WHERE kind = $1",
		documents.KindConvert).Scan(&jobs); err != nil {
		t.Fatal(err)
	}
	if jobs < len(ids) {
		t.Errorf("%d conversion jobs for %d documents", jobs, len(ids))
	}
	folders := docFolders(t, e)
	if len(folders) != len(ids) {
		t.Errorf("document folders in the blob store: %v, want %v", folders, ids)
	}
}

// TestPageLimit: more fax pages than the limit fail with a clear reason.
func TestPageLimit(t *testing.T) {
	e := newEnv(t, storetestSQLite(t), envOpt{cfg: documents.Config{MaxPages: 2}})
	d := e.create(t, e.w.TenantAActor, "Long", model.QualityStandard, upload("long.tif", "", tiffFile(t, 3, faxtiff.Fine)))
	d = e.wait(t, d.ID)
	if d.Status != model.DocumentFailed || d.ErrorCode != string(document.KindTooManyPages) || !strings.Contains(d.Error, "2") {
		t.Errorf("3 pages with a limit of 2: %s %q %q", d.Status, d.ErrorCode, d.Error)
	}
}

// TestRealPDF converts a real PDF through PDFium.
func TestRealPDF(t *testing.T) {
	if testing.Short() {
		t.Skip("PDFium compilation takes seconds of CPU")
	}
	e := newEnv(t, storetestSQLite(t), envOpt{})
	d := e.create(t, e.w.TenantAActor, "PDF", model.QualitySuperfine, upload("three.pdf", "application/pdf", pdfFile(t, 3)))
	d = e.wait(t, d.ID)
	if d.Status != model.DocumentReady || d.Pages != 3 {
		t.Fatalf("PDF of 3 pages: %s, %d pages, %q", d.Status, d.Pages, d.Error)
	}
	p, release, err := e.blobs.LocalPath(t.Context(), d.FileKey)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if info, err := faxtiff.Validate(p); err != nil || info.Resolution != faxtiff.Superfine {
		t.Errorf("pages of the PDF: %+v, %v", info, err)
	}
}
