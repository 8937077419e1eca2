package model

import "time"

// PrefixDocument is the id prefix of fax documents.
const PrefixDocument = "doc"

// Audit actions of the documents resource.
const (
	ActionDocumentCreated = "document.created"
	ActionDocumentUpdated = "document.updated"
	ActionDocumentDeleted = "document.deleted"
)

// Quality is the vertical resolution a document is rendered at: standard
// 204x98, fine 204x196, superfine 204x391 dpi.
type Quality string

const (
	QualityStandard  Quality = "standard"
	QualityFine      Quality = "fine"
	QualitySuperfine Quality = "superfine"
)

// Valid reports whether q is a known quality.
func (q Quality) Valid() bool {
	return q == QualityStandard || q == QualityFine || q == QualitySuperfine
}

// DocumentStatus is where a document is in its life: processing while the
// conversion job runs, then ready (sendable) or failed (Error says why).
type DocumentStatus string

const (
	DocumentProcessing DocumentStatus = "processing"
	DocumentReady      DocumentStatus = "ready"
	DocumentFailed     DocumentStatus = "failed"
)

// Valid reports whether s is a known status.
func (s DocumentStatus) Valid() bool {
	return s == DocumentProcessing || s == DocumentReady || s == DocumentFailed
}

// Document is a tenant's fax document: one or more uploaded source files
// converted, in order, into one TIFF-F file of fax pages at Quality.
type Document struct {
	ID          string
	TenantID    string
	UserID      string // who uploaded it; "" once that user is deleted
	Name        string
	Description string
	Quality     Quality
	Status      DocumentStatus
	Pages       int    // fax pages, when ready
	SizeBytes   int64  // size of the TIFF-F file, when ready
	Error       string // why the conversion failed, for people; "" unless failed
	// ErrorCode is the machine-readable reason when failed: the conversion
	// engine's error kind ("corrupt", "encrypted", "too_many_pages", ...)
	// or "internal" when the conversion kept failing for other reasons.
	ErrorCode string
	FileKey   string // blob key of the TIFF-F pages; set exactly when ready
	Sources   []DocumentSource
	// Revision counts renders: it starts at 1 and grows with every
	// re-render (quality change). A conversion job carries the revision it
	// renders, so a late job of an older revision never overwrites a newer
	// result, and each revision's files live in their own blob folder.
	Revision int
	// PagesDone and PagesTotal report the conversion's progress while
	// processing; PagesTotal is 0 while the total is not yet known.
	PagesDone  int
	PagesTotal int
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Ready reports whether the document can be sent.
func (d Document) Ready() bool { return d.Status == DocumentReady && d.FileKey != "" }

// DocumentSource is one uploaded file of a document, in upload order
// (Position 1, 2, ...). The original bytes are kept in the blob store so
// that the document can be rendered again at another quality.
type DocumentSource struct {
	Position    int
	Filename    string
	ContentType string
	SizeBytes   int64
	BlobKey     string
}
