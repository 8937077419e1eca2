package documents

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"faxgate/internal/blob"
	"faxgate/internal/document"
	"faxgate/internal/faxtiff"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// KindConvert is the River job kind of document conversions.
const KindConvert = "document_convert"

// ConvertArgs asks for revision Revision of a document to be rendered.
type ConvertArgs struct {
	DocumentID string `json:"document_id"`
	TenantID   string `json:"tenant_id"`
	Revision   int    `json:"revision"`
}

// Kind implements river.JobArgs.
func (ConvertArgs) Kind() string { return KindConvert }

// InsertOpts: up to MaxAttempts runs (River's back-off between them), and
// one job per document revision while it waits or runs.
func (ConvertArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: MaxAttempts, UniqueOpts: river.UniqueOpts{
		ByArgs: true,
		ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
			rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled},
	}}
}

// ErrorCodeInternal is the ErrorCode of documents whose conversion kept
// failing for reasons other than their content.
const ErrorCodeInternal = "internal"

// Worker converts documents: River's worker for KindConvert.
type Worker struct {
	river.WorkerDefaults[ConvertArgs]
	st     *store.Store
	blobs  blob.Store
	conv   *document.Converter
	logger *slog.Logger
	cfg    Config
}

// NewWorker returns the conversion worker. conv is the process's shared
// converter; cfg should be the Config given to New.
func NewWorker(st *store.Store, blobs blob.Store, conv *document.Converter, logger *slog.Logger, cfg Config) *Worker {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Worker{st: st, blobs: blobs, conv: conv, logger: logger.With("job", KindConvert), cfg: cfg.withDefaults()}
}

// Register adds the worker to workers (before jobs.New).
func (w *Worker) Register(workers *river.Workers) { river.AddWorker(workers, w) }

// Timeout bounds one run.
func (w *Worker) Timeout(*river.Job[ConvertArgs]) time.Duration { return w.cfg.JobTimeout }

// rendered is the outcome of a successful render.
type rendered struct {
	key   string
	pages int
	size  int64
	// conv holds the pages T.6-coded when they were converted in this run
	// (nil when reused): thumbnails decode them one at a time.
	conv *document.Result
}

// Work renders the job's revision of the document. It is idempotent: a
// document deleted, re-rendered since or already finished makes it a
// no-op, and pages written by an earlier run that died before recording
// them are reused. Bad input marks the document failed at once (no retry);
// other errors are retried, and the last attempt marks it failed too.
func (w *Worker) Work(ctx context.Context, job *river.Job[ConvertArgs]) error {
	a := job.Args
	scope := model.TenantScope(a.TenantID)
	doc, err := w.st.GetDocument(ctx, scope, a.DocumentID)
	if errors.Is(err, model.ErrNotFound) {
		w.logger.Info("document gone; nothing to convert", "document", a.DocumentID)
		return nil
	}
	if err != nil {
		return err
	}
	if doc.Revision != a.Revision || doc.Status != model.DocumentProcessing {
		w.logger.Info("stale conversion job skipped", "document", doc.ID, "job_revision", a.Revision,
			"revision", doc.Revision, "status", doc.Status)
		return nil
	}
	started := time.Now()
	res, err := w.render(ctx, doc)
	if err != nil {
		return w.fail(ctx, job, doc, err)
	}
	w.thumbnails(ctx, doc, res)
	err = w.st.FinishDocument(ctx, scope, doc.ID, doc.Revision, store.DocumentResult{
		Status: model.DocumentReady, Pages: res.pages, SizeBytes: res.size, FileKey: res.key})
	if errors.Is(err, model.ErrNotFound) {
		// Deleted or re-rendered while we worked: our files are nobody's.
		w.discard(ctx, doc)
		return nil
	}
	if err != nil {
		return err // retried; the next run reuses the pages already stored
	}
	w.logger.Info("document converted", "document", doc.ID, "revision", doc.Revision, "pages", res.pages,
		"bytes", res.size, "took", time.Since(started).Round(time.Millisecond), "reused", res.conv == nil)
	w.dropOlder(ctx, doc)
	return nil
}

// render produces the TIFF-F pages of doc's revision in the blob store, or
// finds them there from an earlier run.
func (w *Worker) render(ctx context.Context, doc model.Document) (_ rendered, err error) {
	defer func() {
		if r := recover(); r != nil {
			w.logger.Error("conversion panicked", "document", doc.ID, "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("documents: conversion panicked: %v", r)
		}
	}()
	key := pagesKey(doc)
	if res, ok := w.reuse(ctx, key); ok {
		return res, nil
	}
	inputs, release, err := w.inputs(ctx, doc)
	defer release()
	if err != nil {
		return rendered{}, err
	}
	out, err := w.conv.Convert(ctx, inputs, document.Options{
		Resolution:    resolution(doc.Quality),
		MaxPages:      w.cfg.MaxPages,
		MaxInputBytes: w.cfg.MaxUploadBytes,
		PageTimeout:   w.cfg.PageTimeout,
		Progress:      w.progress(ctx, doc),
		// Pages held T.6-coded as they are rendered: 50-80 KB a fine page of
		// text instead of 494 KB of pixels, so a 200-page document no longer
		// needs hundreds of megabytes (docs/benchmarks.md).
		Encoded: true,
	})
	if err != nil {
		return rendered{}, err
	}
	size, err := putFrom(ctx, w.blobs, key, out.Write)
	if err != nil {
		return rendered{}, err
	}
	return rendered{key: key, pages: out.Len(), size: size, conv: out}, nil
}

// reuse accepts pages an earlier run stored (Put is atomic, so a file
// there is complete) if they still validate.
func (w *Worker) reuse(ctx context.Context, key string) (rendered, bool) {
	p, release, err := w.blobs.LocalPath(ctx, key)
	if err != nil {
		return rendered{}, false
	}
	defer release()
	info, err := faxtiff.ValidateWith(p, faxtiff.ValidateOptions{MaxPages: w.cfg.MaxPages})
	if err != nil {
		w.logger.Warn("stored pages unusable; converting again", "key", key, "err", err)
		return rendered{}, false
	}
	return rendered{key: key, pages: info.Pages, size: info.Bytes}, true
}

// sourceMissingError is a source file that vanished from the blob store:
// converting again cannot help.
type sourceMissingError struct{ name string }

func (e *sourceMissingError) Error() string {
	return e.name + ": the uploaded file is missing; upload the document again"
}

// inputs opens the document's source files as conversion inputs.
func (w *Worker) inputs(ctx context.Context, doc model.Document) ([]document.Input, func(), error) {
	var releases []func()
	release := func() {
		for _, r := range releases {
			r()
		}
	}
	inputs := make([]document.Input, 0, len(doc.Sources))
	for _, src := range doc.Sources {
		p, rel, err := w.blobs.LocalPath(ctx, src.BlobKey)
		if errors.Is(err, model.ErrNotFound) {
			return nil, release, &sourceMissingError{name: src.Filename}
		}
		if err != nil {
			return nil, release, err
		}
		releases = append(releases, rel)
		inputs = append(inputs, document.Input{Name: src.Filename, Path: p})
	}
	return inputs, release, nil
}

// progress returns the converter's progress callback: it records pages
// done, at most once per ProgressInterval. The total is not known while
// converting (PagesTotal stays 0 until the document is ready).
func (w *Worker) progress(ctx context.Context, doc model.Document) func(int) {
	var last time.Time
	return func(pages int) {
		if time.Since(last) < w.cfg.ProgressInterval {
			return
		}
		last = time.Now()
		err := w.st.SetDocumentProgress(ctx, model.TenantScope(doc.TenantID), doc.ID, doc.Revision, pages, 0)
		if err != nil && !errors.Is(err, model.ErrNotFound) {
			w.logger.Debug("progress not recorded", "document", doc.ID, "err", err)
		}
	}
}

// putFrom stores what write produces under key, streaming through a pipe;
// a write error leaves nothing stored.
func putFrom(ctx context.Context, blobs blob.Store, key string, write func(io.Writer) error) (int64, error) {
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		pw.CloseWithError(write(pw))
	}()
	n, err := blobs.Put(ctx, key, pr)
	pr.CloseWithError(errors.New("documents: blob store stopped reading")) // unblocks write if Put gave up early
	<-done
	return n, err
}

// fail handles a failed render: bad input (or a source file gone) marks the
// document failed at once; other errors are retried until the last
// attempt, which marks it failed as an internal error.
func (w *Worker) fail(ctx context.Context, job *river.Job[ConvertArgs], doc model.Document, err error) error {
	code, msg := failure(err)
	final := code != "" || job.Attempt >= job.MaxAttempts
	if !final {
		w.logger.Warn("conversion failed; will retry", "document", doc.ID, "attempt", job.Attempt, "err", err)
		return err
	}
	switch {
	case code == "" && errors.Is(err, context.DeadlineExceeded):
		code = string(document.KindTimeout)
		msg = fmt.Sprintf("the conversion took longer than %s; split the document or choose a lower quality",
			w.cfg.JobTimeout)
	case code == "":
		code, msg = ErrorCodeInternal, "the conversion failed repeatedly because of a server problem; try again later"
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	ferr := w.st.FinishDocument(rctx, model.TenantScope(doc.TenantID), doc.ID, doc.Revision,
		store.DocumentResult{Status: model.DocumentFailed, Error: msg, ErrorCode: code})
	if ferr != nil && !errors.Is(ferr, model.ErrNotFound) {
		return errors.Join(err, ferr) // retried: the failure must be recorded
	}
	w.logger.Info("document conversion failed", "document", doc.ID, "code", code, "reason", msg, "err", err)
	if document.KindOf(err) == "" && !errors.As(err, new(*sourceMissingError)) {
		return err // River records it and discards the job (last attempt)
	}
	return nil // bad input: the job did its work
}

// failure classifies a render error: the conversion error kind and its
// message for people, or "" for errors worth retrying.
func failure(err error) (code, msg string) {
	var missing *sourceMissingError
	if errors.As(err, &missing) {
		return "source_missing", missing.Error()
	}
	if kind := document.KindOf(err); kind != "" {
		return string(kind), err.Error()
	}
	return "", ""
}

// thumbnails stores the page thumbnails while the coded pages are in
// memory, before the document turns ready, so that lists can show them at
// once. Pages are decoded one at a time (one page of pixels at most). A
// failure only costs a render on first request.
func (w *Worker) thumbnails(ctx context.Context, doc model.Document, res rendered) {
	if res.conv == nil {
		return
	}
	for i := range res.conv.Len() {
		if err := putPNG(ctx, w.blobs, imageKey(doc, Thumbnail, i+1), func() ([]byte, error) {
			p, err := res.conv.Page(i)
			if err != nil {
				return nil, err
			}
			return document.Thumbnail(p, w.cfg.ThumbnailWidth)
		}); err != nil {
			w.logger.Warn("thumbnail not stored", "document", doc.ID, "page", i+1, "err", err)
			return
		}
	}
}

// dropOlder deletes the files of the document's earlier revisions.
func (w *Worker) dropOlder(ctx context.Context, doc model.Document) {
	for rev := 1; rev < doc.Revision; rev++ {
		if err := w.blobs.DeletePrefix(ctx, revFolder(doc, rev)); err != nil {
			w.logger.Warn("old render not deleted", "document", doc.ID, "revision", rev, "err", err)
		}
	}
}

// discard deletes the files of doc's revision if nobody references them
// any more (see dropStale).
func (w *Worker) discard(ctx context.Context, doc model.Document) {
	dropStale(context.WithoutCancel(ctx), w.st, w.blobs, w.logger, doc)
}

// dropStale deletes files written for revision d.Revision of a document
// that was deleted meanwhile (then its whole folder, which the delete may
// have removed before these files were written) or rendered again (then
// that revision's folder). A document still at that revision keeps them:
// another run of the same job may have finished with them.
func dropStale(ctx context.Context, st *store.Store, blobs blob.Store, logger *slog.Logger, d model.Document) {
	cur, err := st.GetDocument(ctx, model.TenantScope(d.TenantID), d.ID)
	folder := ""
	switch {
	case errors.Is(err, model.ErrNotFound):
		folder = docFolder(d.TenantID, d.ID)
	case err == nil && cur.Revision != d.Revision:
		folder = revFolder(d, d.Revision)
	case err != nil:
		logger.Warn("cannot check for stale files", "document", d.ID, "err", err)
	}
	if folder == "" {
		return
	}
	if err := blobs.DeletePrefix(ctx, folder); err != nil {
		logger.Warn("unreferenced files not deleted", "document", d.ID, "folder", folder, "err", err)
	}
}

// resolution maps a document quality to the fax resolution.
func resolution(q model.Quality) faxtiff.Resolution {
	switch q {
	case model.QualityStandard:
		return faxtiff.Standard
	case model.QualitySuperfine:
		return faxtiff.Superfine
	}
	return faxtiff.Fine
}
