package documents

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"os"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"faxgate/internal/document"
	"faxgate/internal/model"
)

// Upload is one file of a new document.
type Upload struct {
	Filename    string    // as the client named it; shown to people, never used as a path
	ContentType string    // as the client declared it; informational (the content decides)
	Size        int64     // declared size, or -1 when unknown; checked against the limit early
	Body        io.Reader // the bytes
}

// CreateInput is a new document.
type CreateInput struct {
	TenantID    string // admins only: the tenant the document is for; others: "" or their own
	Name        string
	Description string
	Quality     model.Quality // "" = fine
	Files       []Upload
}

// Create validates the input, stores the files, then inserts the document
// (status processing) and its conversion job in one transaction, and
// returns the document. Files of a type the converter does not handle are
// refused here (422); problems found while converting mark the document
// failed with the reason. Over the size limit: *TooLargeError (413).
func (s *Service) Create(ctx context.Context, actor model.Actor, in CreateInput) (model.Document, error) {
	name, desc, err := validateInfo(in.Name, in.Description)
	if err != nil {
		return model.Document{}, err
	}
	if err := s.checkFiles(in.Files); err != nil {
		return model.Document{}, err
	}
	dr, err := s.Begin(ctx, actor, in.TenantID)
	if err != nil {
		return model.Document{}, err
	}
	for _, f := range in.Files {
		if err := dr.AddFile(ctx, f); err != nil {
			dr.Abort(ctx)
			return model.Document{}, err
		}
	}
	return dr.Commit(ctx, name, desc, in.Quality)
}

// checkFiles checks the number of files and their declared sizes, before
// anything is stored.
func (s *Service) checkFiles(files []Upload) error {
	if len(files) == 0 {
		return model.Invalid("files", "add at least one file")
	}
	if len(files) > s.cfg.MaxFiles {
		return model.Invalid("files", fmt.Sprintf("at most %d files per document", s.cfg.MaxFiles))
	}
	var total int64
	for _, f := range files {
		if f.Body == nil {
			return model.Invalid("files", "a file has no content")
		}
		if f.Size > 0 {
			total += f.Size
		}
	}
	if total > s.cfg.MaxUploadBytes {
		return &TooLargeError{Limit: s.cfg.MaxUploadBytes}
	}
	return nil
}

// Draft is a document being uploaded: files are streamed into the blob
// store one by one (as multipart parts arrive), then Commit creates the
// document, or Abort deletes the files. The HTTP layer can use it to avoid
// spooling uploads; Create is the one-call form.
type Draft struct {
	s        *Service
	actor    model.Actor
	tenantID string
	id       string
	sources  []model.DocumentSource
	total    int64
	done     bool // committed or aborted
	created  bool // committed: the files belong to the document now
}

// Begin starts a draft for the actor's tenant (admins name the tenant).
func (s *Service) Begin(ctx context.Context, actor model.Actor, tenantID string) (*Draft, error) {
	if err := checkActor(actor); err != nil {
		return nil, err
	}
	tenantID, err := s.tenantFor(ctx, actor, tenantID)
	if err != nil {
		return nil, err
	}
	return &Draft{s: s, actor: actor, tenantID: tenantID, id: model.NewID(model.PrefixDocument)}, nil
}

// tenantFor decides the tenant of a new document: the actor's own, or for
// admins the one they name (which must exist). Naming another tenant as a
// non-admin answers like an unknown tenant.
func (s *Service) tenantFor(ctx context.Context, actor model.Actor, tenantID string) (string, error) {
	if !actor.IsAdmin() {
		if tenantID != "" && tenantID != actor.TenantID {
			return "", model.Invalid("tenant_id", "no such tenant")
		}
		return actor.TenantID, nil
	}
	if tenantID == "" {
		return "", model.Invalid("tenant_id", "choose the tenant the document is for")
	}
	if _, err := s.st.GetTenant(ctx, model.PlatformScope(), tenantID); err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return "", model.Invalid("tenant_id", "no such tenant")
		}
		return "", err
	}
	return tenantID, nil
}

// AddFile stores the next file. An empty file, a file type the converter
// cannot handle or going over the total size limit fails (the draft stays
// usable for Abort).
func (d *Draft) AddFile(ctx context.Context, u Upload) error {
	if d.done {
		return errors.New("documents: draft already committed or aborted")
	}
	if len(d.sources) >= d.s.cfg.MaxFiles {
		return model.Invalid("files", fmt.Sprintf("at most %d files per document", d.s.cfg.MaxFiles))
	}
	if u.Body == nil {
		return model.Invalid("files", "a file has no content")
	}
	left := d.s.cfg.MaxUploadBytes - d.total
	if u.Size > left {
		return &TooLargeError{Limit: d.s.cfg.MaxUploadBytes}
	}
	pos := len(d.sources) + 1
	src := model.DocumentSource{Position: pos, Filename: cleanFilename(u.Filename, pos),
		ContentType: cleanContentType(u.ContentType), BlobKey: sourceKey(d.tenantID, d.id, pos)}
	// One byte more than allowed tells "exactly at the limit" from "over".
	n, err := d.s.blobs.Put(ctx, src.BlobKey, io.LimitReader(u.Body, left+1))
	if err != nil {
		return fmt.Errorf("documents: storing %s: %w", src.Filename, err)
	}
	d.sources = append(d.sources, src) // stored: Abort must delete it
	switch {
	case n > left:
		return &TooLargeError{Limit: d.s.cfg.MaxUploadBytes}
	case n == 0:
		return model.Invalid("files", src.Filename+": the file is empty")
	}
	d.sources[pos-1].SizeBytes = n
	d.total += n
	return d.detect(ctx, d.sources[pos-1])
}

// detect refuses content the converter would refuse anyway (an executable
// renamed .pdf, an encrypted office file), from the stored bytes, so the
// uploader hears it at once instead of through a failed document.
func (d *Draft) detect(ctx context.Context, src model.DocumentSource) error {
	p, release, err := d.s.blobs.LocalPath(ctx, src.BlobKey)
	if err != nil {
		return fmt.Errorf("documents: %w", err)
	}
	defer release()
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("documents: %w", err)
	}
	defer f.Close()
	if _, err := document.Detect(f, src.SizeBytes); err != nil {
		if document.KindOf(err) != "" {
			return model.Invalid("files", src.Filename+": "+userMessage(err))
		}
		return fmt.Errorf("documents: %w", err)
	}
	return nil
}

// userMessage is a conversion error's message without the input name
// (callers add the file name themselves).
func userMessage(err error) string {
	var e *document.Error
	if errors.As(err, &e) {
		c := *e
		c.Name = ""
		return c.Error()
	}
	return err.Error()
}

// Abort deletes the draft's stored files. It is safe to call twice, after
// a failed Commit, and after a successful one (then it does nothing).
func (d *Draft) Abort(ctx context.Context) {
	if d.created {
		return
	}
	d.done = true
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if err := d.s.blobs.DeletePrefix(ctx, docFolder(d.tenantID, d.id)); err != nil {
		d.s.logger.Error("aborted upload not deleted", "document", d.id, "err", err)
	}
	d.sources = nil
}

// Commit validates the texts and quality, then inserts the document and
// its conversion job in one transaction. On any error the stored files are
// deleted and the draft is finished.
func (d *Draft) Commit(ctx context.Context, name, description string, q model.Quality) (model.Document, error) {
	if d.done {
		return model.Document{}, errors.New("documents: draft already committed or aborted")
	}
	doc, err := d.commit(ctx, name, description, q)
	if err != nil {
		d.Abort(ctx)
		return model.Document{}, err
	}
	d.done, d.created = true, true
	s := d.s
	s.audit.Record(ctx, d.actor, model.ActionDocumentCreated, "document", doc.ID,
		fmt.Sprintf("%q: %d file(s), %s, %s", doc.Name, len(doc.Sources), humanBytes(d.total), doc.Quality), doc.TenantID)
	return doc, nil
}

func (d *Draft) commit(ctx context.Context, name, description string, q model.Quality) (model.Document, error) {
	name, description, err := validateInfo(name, description)
	if err != nil {
		return model.Document{}, err
	}
	if q == "" {
		q = model.QualityFine
	}
	if !q.Valid() {
		return model.Document{}, model.Invalid("quality", "must be standard, fine or superfine")
	}
	if len(d.sources) == 0 {
		return model.Document{}, model.Invalid("files", "add at least one file")
	}
	doc := model.Document{ID: d.id, TenantID: d.tenantID, UserID: d.actor.UserID, Name: name,
		Description: description, Quality: q, Status: model.DocumentProcessing, Sources: d.sources, Revision: 1}
	if err := d.s.insert(ctx, &doc); err != nil {
		return model.Document{}, err
	}
	return doc, nil
}

// insert writes the row and enqueues its conversion job in one
// transaction: a crash leaves both or neither. (On SQLite the transaction
// holds the only writer connection, so nothing else touches the store
// until it ends.)
func (s *Service) insert(ctx context.Context, doc *model.Document) error {
	tx, err := s.st.DB().BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("documents: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := s.st.CreateDocumentTx(ctx, tx, doc); err != nil {
		return err
	}
	args := ConvertArgs{DocumentID: doc.ID, TenantID: doc.TenantID, Revision: doc.Revision}
	if err := s.jobs.InsertTx(ctx, tx, args, s.insertOpts()); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("documents: %w", err)
	}
	return nil
}

// validateInfo trims and checks a document's name and description.
func validateInfo(name, desc string) (string, string, error) {
	name, desc = strings.TrimSpace(name), strings.TrimSpace(desc)
	v := &model.ValidationError{}
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		v.Add("name", "enter a name")
	case n > MaxNameLen:
		v.Add("name", fmt.Sprintf("at most %d characters", MaxNameLen))
	case !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0:
		v.Add("name", "must be printable text on one line")
	}
	switch {
	case utf8.RuneCountInString(desc) > MaxDescriptionLen:
		v.Add("description", fmt.Sprintf("at most %d characters", MaxDescriptionLen))
	case !utf8.ValidString(desc) || strings.IndexFunc(desc, badDescRune) >= 0:
		v.Add("description", "must be printable text")
	}
	return name, desc, v.OrNil()
}

func badDescRune(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }

// maxFilenameLen bounds stored file names (bytes).
const maxFilenameLen = 200

// cleanFilename keeps the last path element of a client's file name,
// without control and format characters, at most maxFilenameLen bytes; "file N" when
// nothing is left. It is only ever shown, never used as a path.
func cleanFilename(name string, pos int) string {
	name = strings.ToValidUTF8(name, "")
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) { // Cf: bidi overrides, zero-width marks
			return -1
		}
		return r
	}, name))
	if name == "." || name == ".." || name == "/" || name == "" {
		return fmt.Sprintf("file %d", pos)
	}
	for len(name) > maxFilenameLen {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}

// cleanContentType keeps the media type of a declared Content-Type, or ""
// when it does not parse.
func cleanContentType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || len(mt) > 100 {
		return ""
	}
	return mt
}
