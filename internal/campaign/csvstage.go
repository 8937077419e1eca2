package campaign

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/riverqueue/river"

	"faxgate/internal/blob"
	"faxgate/internal/model"
)

// StagedImport is a CSV file uploaded for a group and kept until its
// column mapping is confirmed: the portal shows the header, the columns
// recognised automatically and a few rows, the user maps the rest, and
// QueueImport starts the background import on the same file (no second
// upload).
type StagedImport struct {
	ID        string // the import's id once queued
	GroupID   string
	FileBytes int64
	Encoding  string
	Delimiter string
	Header    []string
	Detected  map[string]string // header cell -> field, as detection maps it
	Sample    [][]string        // the first data rows (at most stagedSampleRows)
	HasFax    bool              // detection found a fax column
}

// stagedSampleRows is how many data rows a preview shows.
const stagedSampleRows = 3

// maxPreviewCells bounds the header cells a preview returns (a "CSV" with
// thousands of columns is not a contact list).
const maxPreviewCells = 200

// importKey is the blob key of an uploaded import file: under the tenant,
// named by group and import so a staged id is useless for another group.
func importKey(tenantID, groupID, id string) string {
	return blob.Join("t", tenantID, "imports", groupID+"-"+id+".csv")
}

// StageImport stores an uploaded CSV file for the group and returns its
// preview. The file is bounded by MaxImportFileBytes (model.ErrTooLarge);
// an empty or unreadable file is a *model.ValidationError and is not kept.
// A file never queued is deleted after StagedImportTTL by a background
// job (or at once by DiscardImport).
func (s *Service) StageImport(ctx context.Context, actor model.Actor, groupID string, r io.Reader, o CSVOptions) (StagedImport, error) {
	if s.blobs == nil || s.jobs == nil {
		return StagedImport{}, errors.New("campaign: background imports are not configured")
	}
	g, err := s.GetGroup(ctx, actor, groupID)
	if err != nil {
		return StagedImport{}, err
	}
	id := model.NewID(model.PrefixImport)
	key := importKey(g.TenantID, g.ID, id)
	n, err := s.blobs.Put(ctx, key, io.LimitReader(r, MaxImportFileBytes+1))
	if err != nil {
		return StagedImport{}, err
	}
	if n > MaxImportFileBytes {
		_ = s.blobs.Delete(ctx, key)
		return StagedImport{}, model.ErrTooLarge
	}
	p, err := s.preview(ctx, g, id, o)
	if err == nil {
		err = s.jobs.Insert(ctx, discardArgs{TenantID: g.TenantID, GroupID: g.ID, ImportID: id},
			&river.InsertOpts{ScheduledAt: s.now().Add(StagedImportTTL), MaxAttempts: 5})
	}
	if err != nil {
		_ = s.blobs.Delete(ctx, key)
		return StagedImport{}, err
	}
	return p, nil
}

// StagedImportTTL is how long a staged file waits for its mapping to be
// confirmed.
const StagedImportTTL = 24 * time.Hour

// KindImportDiscard is the River job kind that deletes a staged file
// left unconfirmed.
const KindImportDiscard = "contact_import_discard"

// discardArgs names a staged file.
type discardArgs struct {
	TenantID string `json:"tenant_id"`
	GroupID  string `json:"group_id"`
	ImportID string `json:"import_id"`
}

func (discardArgs) Kind() string { return KindImportDiscard }

// discardWorker deletes a staged file unless it was queued meanwhile (the
// import job deletes that one when done).
type discardWorker struct {
	river.WorkerDefaults[discardArgs]
	s *Service
}

func (w *discardWorker) Work(ctx context.Context, job *river.Job[discardArgs]) error {
	a := job.Args
	_, err := w.s.st.GetContactImport(ctx, model.TenantScope(a.TenantID), a.ImportID)
	switch {
	case err == nil:
		return nil
	case !errors.Is(err, model.ErrNotFound):
		return err
	}
	return w.s.blobs.Delete(ctx, importKey(a.TenantID, a.GroupID, a.ImportID))
}

// PreviewImport reads the header and first rows of a staged file again
// (o may force the delimiter or encoding). A staged id that is unknown,
// queued already or of another group is model.ErrNotFound.
func (s *Service) PreviewImport(ctx context.Context, actor model.Actor, groupID, id string, o CSVOptions) (StagedImport, error) {
	if s.blobs == nil || !model.ValidID(model.PrefixImport, id) {
		return StagedImport{}, model.ErrNotFound
	}
	g, err := s.GetGroup(ctx, actor, groupID)
	if err != nil {
		return StagedImport{}, err
	}
	return s.preview(ctx, g, id, o)
}

func (s *Service) preview(ctx context.Context, g model.Group, id string, o CSVOptions) (StagedImport, error) {
	key := importKey(g.TenantID, g.ID, id)
	info, err := s.blobs.Stat(ctx, key)
	if err != nil {
		return StagedImport{}, err
	}
	rc, err := s.blobs.Open(ctx, key)
	if err != nil {
		return StagedImport{}, err
	}
	defer rc.Close()
	f, err := openCSV(rc, o)
	if err != nil {
		return StagedImport{}, err
	}
	header, _, err := f.next()
	if err != nil {
		return StagedImport{}, model.Invalid("file", "the header row cannot be read: "+err.Error())
	}
	if len(header) > maxPreviewCells {
		return StagedImport{}, model.Invalid("file", "the header row has more than 200 columns")
	}
	p := StagedImport{ID: id, GroupID: g.ID, FileBytes: info.Size, Encoding: f.encoding,
		Delimiter: string(f.delimiter), Header: append([]string(nil), header...)}
	p.Detected = DetectMapping(p.Header)
	for _, field := range p.Detected {
		p.HasFax = p.HasFax || field == FieldFax
	}
	for len(p.Sample) < stagedSampleRows {
		rec, _, err := f.next()
		if err != nil {
			break // end of file or a bad record: the import reports it
		}
		if !blank(rec) {
			p.Sample = append(p.Sample, append([]string(nil), rec[:min(len(rec), maxPreviewCells)]...))
		}
	}
	return p, nil
}

// DiscardImport deletes a staged file that will not be imported.
func (s *Service) DiscardImport(ctx context.Context, actor model.Actor, groupID, id string) error {
	if s.blobs == nil || !model.ValidID(model.PrefixImport, id) {
		return model.ErrNotFound
	}
	g, err := s.GetGroup(ctx, actor, groupID)
	if err != nil {
		return err
	}
	return s.blobs.Delete(ctx, importKey(g.TenantID, g.ID, id))
}
