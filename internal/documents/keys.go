package documents

import (
	"fmt"
	"strconv"

	"faxgate/internal/blob"
	"faxgate/internal/model"
)

// Blob layout of one document (ids are from model.NewID, so every key is a
// valid blob key):
//
//	t/<tenant>/doc/<id>/src/01 .. 20          the uploaded files, in order
//	t/<tenant>/doc/<id>/r<rev>/pages.tif      TIFF-F pages of render revision rev
//	t/<tenant>/doc/<id>/r<rev>/thumb-001.png  page thumbnails (cache)
//	t/<tenant>/doc/<id>/r<rev>/preview-001.png full-size page previews (cache)
//	t/<tenant>/doc/<id>/r<rev>/pages.pdf      PDF download (cache)
//
// Each render revision has its own folder, so a late job of an older
// revision can never overwrite a newer one's pages, and dropping a
// revision (or the whole document) is one DeletePrefix.

func docFolder(tenantID, docID string) string { return blob.Join("t", tenantID, "doc", docID) }

func sourceKey(tenantID, docID string, position int) string {
	return blob.Join(docFolder(tenantID, docID), "src", fmt.Sprintf("%02d", position))
}

func revFolder(d model.Document, rev int) string {
	return blob.Join(docFolder(d.TenantID, d.ID), "r"+strconv.Itoa(rev))
}

func pagesKey(d model.Document) string { return blob.Join(revFolder(d, d.Revision), "pages.tif") }

func pdfKey(d model.Document) string { return blob.Join(revFolder(d, d.Revision), "pages.pdf") }

func imageKey(d model.Document, kind ImageKind, page int) string {
	return blob.Join(revFolder(d, d.Revision), fmt.Sprintf("%s-%03d.png", kind.file(), page))
}

// etag is a strong validator for content derived from the document's
// current render: it never changes for the same revision.
func etag(d model.Document, what string) string {
	return fmt.Sprintf(`"%s-r%d-%s"`, d.ID, d.Revision, what)
}
