package campaign

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/riverqueue/river"

	"faxgate/internal/blob"
	"faxgate/internal/jobs"
	"faxgate/internal/model"
)

// KindImport is the River job kind of background CSV imports.
const KindImport = "contact_import"

// MaxImportFileBytes bounds an uploaded CSV file (about 1,000,000 rows
// of ordinary contacts fit in a quarter of it).
const MaxImportFileBytes = 1 << 30

// importProgressEvery is how often a running import saves its progress.
const importProgressEvery = time.Second

// EnableImportJobs lets the service run CSV imports in the background:
// StartImport keeps the file in blobs and enqueues a KindImport job with
// q. Call it once, before the service is used and before q's jobs start;
// register NewImportWorker(s) in the River workers given to jobs.New.
func (s *Service) EnableImportJobs(blobs blob.Store, q jobs.Inserter) {
	s.blobs, s.jobs = blobs, q
}

// ImportArgs asks for the import ImportID to run.
type ImportArgs struct {
	ImportID string `json:"import_id"`
}

// Kind implements river.JobArgs.
func (ImportArgs) Kind() string { return KindImport }

// importSpec is the JSON form of the options of a background import.
type importSpec struct {
	Mapping   map[string]string `json:"mapping,omitempty"`
	Delimiter string            `json:"delimiter,omitempty"`
	Encoding  string            `json:"encoding,omitempty"`
	MaxErrors int               `json:"max_errors,omitempty"`
}

// StartImport stores the CSV file and queues its import into the group as
// a background job; GetImport shows its progress and, when done, its
// ImportResult (JSON in Result). It needs EnableImportJobs. The header is
// checked before anything is queued: a file without a fax column (after
// o.Mapping) is a *model.ValidationError and nothing is kept.
func (s *Service) StartImport(ctx context.Context, actor model.Actor, groupID, filename string, r io.Reader, o ImportOptions) (model.ContactImport, error) {
	p, err := s.StageImport(ctx, actor, groupID, r, o.CSV)
	if err != nil {
		return model.ContactImport{}, err
	}
	im, err := s.QueueImport(ctx, actor, groupID, p.ID, filename, o)
	if err != nil {
		_ = s.DiscardImport(context.WithoutCancel(ctx), actor, groupID, p.ID)
	}
	return im, err
}

// QueueImport starts the background import of a staged file (StageImport)
// with the options of the confirmed mapping. The mapping is checked
// against the header first (*model.ValidationError, the file is kept so
// the user can correct it); a staged id that is unknown or queued already
// is model.ErrNotFound.
func (s *Service) QueueImport(ctx context.Context, actor model.Actor, groupID, id, filename string, o ImportOptions) (model.ContactImport, error) {
	if s.blobs == nil || s.jobs == nil {
		return model.ContactImport{}, errors.New("campaign: background imports are not configured")
	}
	if !model.ValidID(model.PrefixImport, id) {
		return model.ContactImport{}, model.ErrNotFound
	}
	g, err := s.GetGroup(ctx, actor, groupID)
	if err != nil {
		return model.ContactImport{}, err
	}
	if _, err := s.st.GetContactImport(ctx, model.TenantScope(g.TenantID), id); err == nil {
		return model.ContactImport{}, model.ErrNotFound // queued already
	}
	key := importKey(g.TenantID, g.ID, id)
	size, err := s.checkHeader(ctx, key, o)
	if err != nil {
		return model.ContactImport{}, err
	}
	spec := importSpec{Mapping: o.Mapping, Encoding: o.CSV.Encoding, MaxErrors: o.MaxErrors}
	if o.CSV.Delimiter != 0 {
		spec.Delimiter = string(o.CSV.Delimiter)
	}
	opts, _ := json.Marshal(spec)
	im := model.ContactImport{ID: id, TenantID: g.TenantID, GroupID: g.ID, FileKey: key, FileBytes: size,
		UserID: actor.UserID, UserEmail: actor.Email, Filename: clipRunes(filename, 255), Options: string(opts)}
	if err := s.st.CreateContactImport(ctx, &im); err != nil {
		if errors.Is(err, model.ErrConflict) {
			return model.ContactImport{}, model.ErrNotFound // queued already
		}
		return model.ContactImport{}, err
	}
	if err := s.jobs.Insert(ctx, ImportArgs{ImportID: im.ID}, &river.InsertOpts{MaxAttempts: 3}); err != nil {
		_ = s.st.FinishContactImport(ctx, im.ID, model.ImportFailed, 0, 0, "", "could not be queued")
		return model.ContactImport{}, err
	}
	return im, nil
}

// checkHeader opens the staged file and maps its header as the import
// will, returning the file size.
func (s *Service) checkHeader(ctx context.Context, key string, o ImportOptions) (int64, error) {
	info, err := s.blobs.Stat(ctx, key)
	if err != nil {
		return 0, err
	}
	rc, err := s.blobs.Open(ctx, key)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	if _, err := newImporter(rc, o); err != nil {
		return 0, err
	}
	return info.Size, nil
}

func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// GetImport returns a background import the actor may see.
func (s *Service) GetImport(ctx context.Context, actor model.Actor, id string) (model.ContactImport, error) {
	scope, err := scopeOf(actor)
	if err != nil {
		return model.ContactImport{}, err
	}
	return s.st.GetContactImport(ctx, scope, id)
}

// ImportWorker runs background imports: River's worker for KindImport.
type ImportWorker struct {
	river.WorkerDefaults[ImportArgs]
	s *Service
}

// NewImportWorker returns the worker of s's background imports.
func NewImportWorker(s *Service) *ImportWorker { return &ImportWorker{s: s} }

// Register adds the worker, and the one that drops abandoned staged
// files, to workers (before jobs.New).
func (w *ImportWorker) Register(workers *river.Workers) {
	river.AddWorker(workers, w)
	river.AddWorker(workers, &discardWorker{s: w.s})
}

// Timeout bounds one run (a million rows take minutes).
func (w *ImportWorker) Timeout(*river.Job[ImportArgs]) time.Duration { return 2 * time.Hour }

// Work runs the import. A file the import refuses (or any failure) marks
// it failed for good; only an interrupted run (shutdown) is retried, and
// a retry counts the rows the interrupted run wrote as updated.
func (w *ImportWorker) Work(ctx context.Context, job *river.Job[ImportArgs]) error {
	s := w.s
	im, err := s.st.GetContactImport(ctx, model.PlatformScope(), job.Args.ImportID)
	if errors.Is(err, model.ErrNotFound) || err == nil && (im.Status == model.ImportDone || im.Status == model.ImportFailed) {
		return nil // deleted with its tenant or group, or finished already
	}
	if err != nil {
		return err
	}
	res, runErr := w.run(ctx, im)
	if runErr != nil && ctx.Err() != nil {
		return runErr // interrupted: River runs it again
	}
	status, errText, out := model.ImportDone, "", ""
	if runErr != nil {
		status, errText = model.ImportFailed, runErr.Error()
		s.logger.Warn("contact import failed", "import", im.ID, "err", runErr)
	} else {
		b, _ := json.Marshal(res)
		out = string(b)
	}
	if err := s.st.FinishContactImport(context.WithoutCancel(ctx), im.ID, status, int64(res.Total), im.FileBytes, out, errText); err != nil {
		return err
	}
	_ = s.blobs.Delete(context.WithoutCancel(ctx), im.FileKey)
	return nil
}

func (w *ImportWorker) run(ctx context.Context, im model.ContactImport) (ImportResult, error) {
	s := w.s
	var spec importSpec
	if err := json.Unmarshal([]byte(im.Options), &spec); err != nil {
		return ImportResult{}, fmt.Errorf("bad import options: %w", err)
	}
	o := ImportOptions{Mapping: spec.Mapping, MaxErrors: spec.MaxErrors, CSV: CSVOptions{Encoding: spec.Encoding}}
	if spec.Delimiter != "" {
		o.CSV.Delimiter = []rune(spec.Delimiter)[0]
	}
	last := time.Time{}
	o.Progress = func(p Progress) {
		if p.Done || time.Since(last) < importProgressEvery {
			return
		}
		last = time.Now()
		if err := s.st.SetContactImportProgress(ctx, im.ID, model.ImportRunning, int64(p.Rows), p.BytesRead); err != nil {
			s.logger.Warn("import progress not saved", "import", im.ID, "err", err)
		}
	}
	if err := s.st.SetContactImportProgress(ctx, im.ID, model.ImportRunning, 0, 0); err != nil {
		return ImportResult{}, err
	}
	f, err := s.blobs.Open(ctx, im.FileKey)
	if err != nil {
		return ImportResult{}, fmt.Errorf("the uploaded file is gone: %w", err)
	}
	defer f.Close()
	actor := model.Actor{UserID: im.UserID, TenantID: im.TenantID, Role: model.RoleTenant, Email: im.UserEmail, Via: "system"}
	return s.ImportGroupCSV(ctx, actor, im.GroupID, f, o)
}

// DecodeImportResult reads the summary of a finished background import;
// ok is false until the import is done.
func DecodeImportResult(im model.ContactImport) (res ImportResult, ok bool, err error) {
	if im.Status != model.ImportDone || im.Result == "" {
		return ImportResult{}, false, nil
	}
	if err := json.Unmarshal([]byte(im.Result), &res); err != nil {
		return ImportResult{}, false, fmt.Errorf("import %s: bad result: %w", im.ID, err)
	}
	return res, true, nil
}
