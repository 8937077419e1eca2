// Package documents manages tenants' fax documents: uploads, conversion
// jobs, pages, previews; the conversion itself is package document.
//
// # Life of a document
//
// Create (or Begin, AddFile..., Commit for streamed multipart uploads)
// stores the uploaded files in the blob store first, then inserts the
// document (status processing) and its River job (kind document_convert)
// in one database transaction: a crash leaves either both or neither. The
// job renders the files, in order, into one TIFF-F file at the document's
// quality, stores it, and marks the document ready with its page count and
// size (or failed with a message for people and a machine-readable code).
// ChangeQuality starts a new render revision the same way; each revision
// has its own blob folder, so a late job of an old revision can never
// overwrite newer pages. Delete removes the rows and every file.
//
// If the process dies after the files are stored but before the
// transaction commits, the files of that never-created document stay in
// the blob store under t/<tenant>/doc/<id>/ with no row pointing at them
// (every error path deletes them; only a crash leaves them). They are
// harmless and invisible; a later blob sweeper may delete folders without
// a row that are older than an hour.
//
// # Who may do what
//
// Every user of a tenant sees all of the tenant's documents (the product
// guide: "each tenant can manage his own fax documents"; users send with
// the tenant's documents). Users may rename, re-render and delete only the
// documents they uploaded; tenant administrators may change any of their
// tenant's documents; platform admins see and change every tenant's and
// must name the tenant when uploading. Another tenant's document is
// model.ErrNotFound, never ErrForbidden, so ids reveal nothing.
//
// Every change is audited: document.created, document.updated (rename,
// quality change), document.deleted.
//
// # Limits
//
// Per document: 1..20 files, 50 MiB in total (TooLargeError, HTTP 413),
// 200 fax pages (configurable); each page renders within the conversion
// engine's per-page timeout and a whole run within Config.JobTimeout.
// The job holds the pages T.6-coded while it converts (document.Options
// Encoded: 50-80 KB a fine page of text, not 494 KB of pixels) and decodes
// one page at a time for the thumbnails: 45 MB of Go heap for 200 fine
// text pages (TestWorkerPeakHeap, docs/benchmarks.md).
// Bad input fails at once without retry; other failures are retried by
// River up to MaxAttempts runs, then the document is marked failed.
package documents
