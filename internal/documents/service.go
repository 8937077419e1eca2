package documents

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"golang.org/x/sync/singleflight"

	"faxgate/internal/audit"
	"faxgate/internal/blob"
	"faxgate/internal/jobs"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// Defaults of Config.
const (
	DefaultMaxUploadBytes   = 50 << 20
	DefaultMaxFiles         = 20
	DefaultMaxPages         = 200
	DefaultJobTimeout       = 15 * time.Minute
	DefaultThumbnailWidth   = 200
	DefaultProgressInterval = 500 * time.Millisecond
	// MaxAttempts is how often a conversion runs before a document is
	// marked failed; bad input fails at once, without retries.
	MaxAttempts = 3
	// MaxNameLen and MaxDescriptionLen bound the texts, in characters.
	MaxNameLen        = 200
	MaxDescriptionLen = 2000
)

// Config tunes the service and the conversion worker; zero values take the
// defaults.
type Config struct {
	MaxUploadBytes int64 // total size of one document's files (413 beyond)
	MaxFiles       int   // files per document
	MaxPages       int   // fax pages per document
	// PageTimeout bounds the rendering of one page (conversion engine
	// default when zero); JobTimeout bounds one whole conversion run.
	PageTimeout time.Duration
	JobTimeout  time.Duration
	// ThumbnailWidth is the width of page thumbnails in pixels.
	ThumbnailWidth int
	// ProgressInterval is the least time between two progress writes.
	ProgressInterval time.Duration
	// Queue is the River queue of conversion jobs ("" = River's default
	// queue). A dedicated queue lets the composition root bound how many
	// conversions (CPU- and memory-heavy) run at once.
	Queue string
}

func (c Config) withDefaults() Config {
	if c.MaxUploadBytes <= 0 {
		c.MaxUploadBytes = DefaultMaxUploadBytes
	}
	if c.MaxFiles <= 0 {
		c.MaxFiles = DefaultMaxFiles
	}
	if c.MaxPages <= 0 {
		c.MaxPages = DefaultMaxPages
	}
	if c.JobTimeout <= 0 {
		c.JobTimeout = DefaultJobTimeout
	}
	if c.ThumbnailWidth <= 0 {
		c.ThumbnailWidth = DefaultThumbnailWidth
	}
	if c.ProgressInterval <= 0 {
		c.ProgressInterval = DefaultProgressInterval
	}
	if c.Queue == "" {
		c.Queue = river.QueueDefault
	}
	return c
}

// Deps are the service's collaborators.
type Deps struct {
	Store  *store.Store
	Blobs  blob.Store
	Jobs   jobs.Inserter
	Audit  *audit.Service
	Logger *slog.Logger
	// InUse, when set, is asked before a document is deleted or rendered
	// again; an error refuses the change and is returned as it is (make it
	// a *model.ConflictError{Field: "document"}, HTTP 409). Sending plugs
	// in here to protect documents of queued faxes; a foreign key with ON
	// DELETE RESTRICT on documents(id) protects deletes too (the store
	// answers the same ConflictError).
	InUse func(ctx context.Context, d model.Document) error
}

// Service manages tenants' documents. It is safe for concurrent use.
type Service struct {
	st     *store.Store
	blobs  blob.Store
	jobs   jobs.Inserter
	audit  *audit.Service
	logger *slog.Logger
	inUse  func(ctx context.Context, d model.Document) error
	cfg    Config
	render singleflight.Group // one render per cached image set at a time
}

// New returns the service. Register the conversion worker (NewWorker) in
// the River workers of the jobs.Jobs given here, or conversions never run.
func New(d Deps, cfg Config) (*Service, error) {
	if d.Store == nil || d.Blobs == nil || d.Jobs == nil || d.Audit == nil {
		return nil, errors.New("documents: store, blobs, jobs and audit are required")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{st: d.Store, blobs: d.Blobs, jobs: d.Jobs, audit: d.Audit, logger: d.Logger,
		inUse: d.InUse, cfg: cfg.withDefaults()}, nil
}

// Limits are the upload limits, for the HTTP layer (request body limits,
// form hints).
type Limits struct {
	MaxUploadBytes int64
	MaxFiles       int
	MaxPages       int
}

// Limits returns the effective upload limits.
func (s *Service) Limits() Limits {
	return Limits{MaxUploadBytes: s.cfg.MaxUploadBytes, MaxFiles: s.cfg.MaxFiles, MaxPages: s.cfg.MaxPages}
}

// NotReadyError says a document has no pages to show or send yet (still
// processing) or at all (failed). It unwraps to model.ErrConflict (409).
type NotReadyError struct {
	Status model.DocumentStatus
	Reason string // the conversion error when failed
}

func (e *NotReadyError) Error() string {
	if e.Status == model.DocumentFailed {
		return "the document could not be converted: " + e.Reason
	}
	return "the document is still being converted; try again in a moment"
}

// Unwrap makes errors.Is(err, model.ErrConflict) true.
func (e *NotReadyError) Unwrap() error { return model.ErrConflict }

// TooLargeError says an upload is over the size limit. It unwraps to
// model.ErrTooLarge (413).
type TooLargeError struct {
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("the files total more than %s, the upload limit", humanBytes(e.Limit))
}

// Unwrap makes errors.Is(err, model.ErrTooLarge) true.
func (e *TooLargeError) Unwrap() error { return model.ErrTooLarge }

// checkActor refuses actors that did not come from authentication.
func checkActor(a model.Actor) error {
	switch {
	case !a.Role.Valid():
		return model.ErrUnauthenticated
	case a.Role != model.RoleAdmin && (a.TenantID == "" || a.UserID == ""):
		return fmt.Errorf("%w: actor without tenant", model.ErrUnauthenticated)
	}
	return nil
}

// canModify applies the change rule: admins and tenant administrators
// change any document they can see; users only the ones they uploaded.
func canModify(a model.Actor, d model.Document) error {
	if a.Role == model.RoleAdmin || a.Role == model.RoleTenant || d.UserID == a.UserID {
		return nil
	}
	return fmt.Errorf("%w: only the person who uploaded this document or a tenant administrator may change it",
		model.ErrForbidden)
}

// Get returns a document the actor may see: its tenant's (every user sees
// all of the tenant's documents), or any for admins. Other tenants'
// documents are model.ErrNotFound.
func (s *Service) Get(ctx context.Context, actor model.Actor, id string) (model.Document, error) {
	if err := checkActor(actor); err != nil {
		return model.Document{}, err
	}
	if !model.ValidID(model.PrefixDocument, id) {
		return model.Document{}, model.ErrNotFound
	}
	return s.st.GetDocument(ctx, actor.Scope(), id)
}

// List returns one page of the documents the actor may see, newest first.
// For non-admins f.TenantID can only narrow to their own tenant.
func (s *Service) List(ctx context.Context, actor model.Actor, f store.DocumentFilter, o model.ListOptions) ([]model.Document, string, error) {
	if err := checkActor(actor); err != nil {
		return nil, "", err
	}
	if f.Status != "" && !f.Status.Valid() {
		return nil, "", model.Invalid("status", "must be processing, ready or failed")
	}
	return s.st.ListDocuments(ctx, actor.Scope(), f, o.Normalize(store.DefaultLimit, store.MaxLimit))
}

// Count counts the documents the actor may see that match f.
func (s *Service) Count(ctx context.Context, actor model.Actor, f store.DocumentFilter) (int, error) {
	if err := checkActor(actor); err != nil {
		return 0, err
	}
	return s.st.CountDocuments(ctx, actor.Scope(), f)
}

// UpdateInput changes a document; nil fields stay as they are.
type UpdateInput struct {
	Name        *string
	Description *string
	Quality     *model.Quality // a different quality renders the document again
}

// Update renames or re-describes a document and, if the quality changes
// (or a failed document is given any quality), renders it again. Users may
// change only the documents they uploaded.
func (s *Service) Update(ctx context.Context, actor model.Actor, id string, in UpdateInput) (model.Document, error) {
	d, err := s.Get(ctx, actor, id)
	if err != nil {
		return model.Document{}, err
	}
	if err := canModify(actor, d); err != nil {
		return model.Document{}, err
	}
	if in.Name != nil || in.Description != nil {
		if d, err = s.updateInfo(ctx, actor, d, in); err != nil {
			return model.Document{}, err
		}
	}
	if in.Quality != nil {
		return s.ChangeQuality(ctx, actor, id, *in.Quality)
	}
	return d, nil
}

func (s *Service) updateInfo(ctx context.Context, actor model.Actor, d model.Document, in UpdateInput) (model.Document, error) {
	name, desc := d.Name, d.Description
	if in.Name != nil {
		name = *in.Name
	}
	if in.Description != nil {
		desc = *in.Description
	}
	name, desc, err := validateInfo(name, desc)
	if err != nil {
		return model.Document{}, err
	}
	if name == d.Name && desc == d.Description {
		return d, nil
	}
	old := d.Name
	d.Name, d.Description = name, desc
	if err := s.st.UpdateDocument(ctx, actor.Scope(), &d); err != nil {
		return model.Document{}, err
	}
	detail := "description changed"
	if old != name {
		detail = fmt.Sprintf("renamed %q to %q", old, name)
	}
	s.audit.Record(ctx, actor, model.ActionDocumentUpdated, "document", d.ID, detail, d.TenantID)
	return d, nil
}

// ChangeQuality renders the document again at quality q: it goes back to
// processing (the old pages are no longer sendable) and a new conversion
// job is queued in the same transaction. Asking for the current quality
// retries a failed document, or one stuck in processing for longer than
// its conversion can take (its job was lost, e.g. the process died during
// the last attempt), and changes nothing otherwise.
func (s *Service) ChangeQuality(ctx context.Context, actor model.Actor, id string, q model.Quality) (model.Document, error) {
	if !q.Valid() {
		return model.Document{}, model.Invalid("quality", "must be standard, fine or superfine")
	}
	d, err := s.Get(ctx, actor, id)
	if err != nil {
		return model.Document{}, err
	}
	if err := canModify(actor, d); err != nil {
		return model.Document{}, err
	}
	if q == d.Quality && d.Status != model.DocumentFailed && !s.stuck(d) {
		return d, nil
	}
	if err := s.checkInUse(ctx, d); err != nil {
		return model.Document{}, err
	}
	old, rev, err := s.rerender(ctx, actor.Scope(), d.ID, q)
	if err != nil {
		return model.Document{}, err
	}
	s.dropRevision(ctx, old, old.Revision)
	s.audit.Record(ctx, actor, model.ActionDocumentUpdated, "document", d.ID,
		fmt.Sprintf("quality %s -> %s (render %d)", old.Quality, q, rev), d.TenantID)
	return s.st.GetDocument(ctx, actor.Scope(), id)
}

// stuck reports whether d has been processing for longer than all its
// conversion attempts can take.
func (s *Service) stuck(d model.Document) bool {
	return d.Status == model.DocumentProcessing && time.Since(d.UpdatedAt) > (MaxAttempts+1)*s.cfg.JobTimeout
}

// rerender moves the document to a new revision and queues its job, both
// or neither.
func (s *Service) rerender(ctx context.Context, scope model.Scope, id string, q model.Quality) (model.Document, int, error) {
	tx, err := s.st.DB().BeginTx(ctx, nil)
	if err != nil {
		return model.Document{}, 0, fmt.Errorf("documents: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	old, rev, err := s.st.RerenderDocumentTx(ctx, tx, scope, id, q)
	if err != nil {
		return model.Document{}, 0, err
	}
	args := ConvertArgs{DocumentID: id, TenantID: old.TenantID, Revision: rev}
	if err := s.jobs.InsertTx(ctx, tx, args, s.insertOpts()); err != nil {
		return model.Document{}, 0, err
	}
	if err := tx.Commit(); err != nil {
		return model.Document{}, 0, fmt.Errorf("documents: %w", err)
	}
	return old, rev, nil
}

// insertOpts are the options of every conversion job.
func (s *Service) insertOpts() *river.InsertOpts {
	opts := ConvertArgs{}.InsertOpts()
	opts.Queue = s.cfg.Queue
	return &opts
}

// Delete deletes a document, its rows and all its files. Users may delete
// only the documents they uploaded. A document still needed (see
// Deps.InUse) is refused with a *model.ConflictError.
func (s *Service) Delete(ctx context.Context, actor model.Actor, id string) error {
	d, err := s.Get(ctx, actor, id)
	if err != nil {
		return err
	}
	if err := canModify(actor, d); err != nil {
		return err
	}
	if err := s.checkInUse(ctx, d); err != nil {
		return err
	}
	keys, err := s.st.DeleteDocument(ctx, actor.Scope(), id)
	if err != nil {
		return err
	}
	s.removeFiles(ctx, d, keys)
	s.audit.Record(ctx, actor, model.ActionDocumentDeleted, "document", d.ID,
		fmt.Sprintf("%q (%d pages)", d.Name, d.Pages), d.TenantID)
	return nil
}

func (s *Service) checkInUse(ctx context.Context, d model.Document) error {
	if s.inUse == nil {
		return nil
	}
	return s.inUse(ctx, d)
}

// removeFiles deletes the document's blob folder (sources, every render
// and the caches) and any listed key outside it. The row is already gone,
// so a failure here only leaves unreferenced files; it is logged, not
// returned.
func (s *Service) removeFiles(ctx context.Context, d model.Document, keys []string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	folder := docFolder(d.TenantID, d.ID)
	if err := s.blobs.DeletePrefix(ctx, folder); err != nil {
		s.logger.Error("document files not deleted", "document", d.ID, "folder", folder, "err", err)
	}
	for _, k := range keys {
		if len(k) > len(folder) && k[:len(folder)+1] == folder+"/" {
			continue
		}
		if err := s.blobs.Delete(ctx, k); err != nil {
			s.logger.Error("document file not deleted", "document", d.ID, "key", k, "err", err)
		}
	}
}

// dropRevision deletes the files of one render revision (best effort: the
// worker sweeps older revisions again after each successful render).
func (s *Service) dropRevision(ctx context.Context, d model.Document, rev int) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if err := s.blobs.DeletePrefix(ctx, revFolder(d, rev)); err != nil {
		s.logger.Warn("old render not deleted", "document", d.ID, "revision", rev, "err", err)
	}
}

// humanBytes formats a size for messages: "50 MB", "1.5 GB", "300 KB".
func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return trimZero(float64(n)/(1<<30)) + " GB"
	case n >= 1<<20:
		return trimZero(float64(n)/(1<<20)) + " MB"
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

func trimZero(v float64) string {
	s := fmt.Sprintf("%.1f", v)
	if len(s) > 2 && s[len(s)-2:] == ".0" {
		return s[:len(s)-2]
	}
	return s
}
