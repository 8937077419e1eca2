package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"faxgate/internal/app"
	"faxgate/internal/documents"
	"faxgate/internal/faxout"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// runFaxTools is the "fax" command: "send" is here, the other tools (and
// the usage, which lists send) are runFax's (fax.go).
func runFaxTools(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "send" {
		return runFaxSend(ctx, args[1:], stdout, stderr)
	}
	return runFax(ctx, args, stdout, stderr)
}

const faxSendUsage = `usage: faxgate fax send --to N --file F [--caller-id C] [--tenant T] [--title S]
                       [--retries N] [--quality Q] [--wait] [--timeout D] [--data DIR] [--db DSN]

Converts F (PDF, TIFF, images, text, office files) into a document of the
tenant, queues it as a fax to N (source "api", audited as the operator's
CLI) and prints the fax as JSON. The tenant is the only one, or the one named
by --tenant (id or exact name) when there are several.

The fax is sent by a running 'faxgate serve' on the same database (--data,
--db): without one it stays queued until a server starts. --wait follows the
fax until it is delivered, failed or canceled (exit status 0 only when
delivered); with no server running it gives up after --timeout with a message
saying so, and the fax stays queued.

flags:
`

// sendFlags are fax send's own flags.
type sendFlags struct {
	to, file, callerID, tenant, title, quality string
	retries                                    int
	wait                                       bool
	timeout                                    time.Duration
}

// cliActor is the operator at the command line: a platform admin without
// a user account; audit lines show it as "cli".
var cliActor = model.Actor{Role: model.RoleAdmin, Email: "operator", Via: "cli"}

func runFaxSend(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("fax send", stderr)
	var f sendFlags
	fs.StringVar(&f.to, "to", "", "destination number, E.164 (+12025550100) or national in the tenant's country (required)")
	fs.StringVar(&f.file, "file", "", "the file to fax (required)")
	fs.StringVar(&f.callerID, "caller-id", "", "one of the tenant's caller IDs (default: the tenant's default)")
	fs.StringVar(&f.tenant, "tenant", "", "tenant id or name (required when there are several tenants)")
	fs.StringVar(&f.title, "title", "", "title of the fax (default: the file name)")
	fs.IntVar(&f.retries, "retries", -1, "retries after a failed try, 0 to 10 (default: the tenant's setting)")
	fs.StringVar(&f.quality, "quality", "fine", "standard, fine or superfine")
	fs.BoolVar(&f.wait, "wait", false, "wait until the fax is final (needs a running 'faxgate serve')")
	fs.DurationVar(&f.timeout, "timeout", 15*time.Minute, "with --wait: how long to wait")
	fs.Usage = func() {
		fmt.Fprint(stderr, faxSendUsage)
		fs.PrintDefaults()
	}
	cfg, err := loadConfig(fs, args)
	if err != nil {
		return err
	}
	if err := f.check(); err != nil {
		fmt.Fprintf(stderr, "faxgate fax send: %v\n", err)
		return exitError{2}
	}
	a, err := app.New(cfg, app.WithLogger(cfg.NewLogger(stderr)))
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	fax, err := f.send(ctx, a)
	if err != nil {
		return err
	}
	var waitErr error
	if f.wait {
		fax, waitErr = waitFinal(ctx, a, fax, f.timeout)
	}
	if err := printFax(stdout, fax); err != nil {
		return err
	}
	if waitErr != nil {
		return waitErr
	}
	if f.wait && fax.Status != model.FaxDelivered {
		return exitError{1}
	}
	return nil
}

func (f *sendFlags) check() error {
	switch {
	case strings.TrimSpace(f.to) == "":
		return errors.New("--to is required")
	case f.file == "":
		return errors.New("--file is required")
	case !model.Quality(f.quality).Valid():
		return fmt.Errorf("--quality must be standard, fine or superfine, not %q", f.quality)
	case f.retries < -1 || f.retries > faxout.MaxRetries:
		return fmt.Errorf("--retries must be 0 to %d", faxout.MaxRetries)
	case f.timeout <= 0:
		return errors.New("--timeout must be positive")
	}
	return nil
}

// send converts the file into a ready document of the tenant and submits
// the fax.
func (f *sendFlags) send(ctx context.Context, a *app.App) (model.Fax, error) {
	tenant, err := findTenant(ctx, a, f.tenant)
	if err != nil {
		return model.Fax{}, err
	}
	doc, err := f.document(ctx, a, tenant.ID)
	if err != nil {
		return model.Fax{}, err
	}
	in := faxout.SubmitInput{TenantID: tenant.ID, To: f.to, DocumentID: doc.ID, CallerID: f.callerID,
		Title: f.title, Source: model.SourceAPI}
	if in.Title == "" {
		in.Title = filepath.Base(f.file)
	}
	if f.retries >= 0 {
		in.Retries = &f.retries
	}
	fax, _, err := a.Faxout().Submit(ctx, cliActor, in)
	return fax, err
}

// findTenant resolves --tenant (an id or an exact name, case-insensitive),
// or the only tenant when it is empty.
func findTenant(ctx context.Context, a *app.App, want string) (model.Tenant, error) {
	if model.ValidID(model.PrefixTenant, want) {
		return a.Tenancy().GetTenant(ctx, cliActor, want)
	}
	var all []model.Tenant
	o := model.ListOptions{Limit: 500}
	for {
		page, next, err := a.Tenancy().ListTenants(ctx, cliActor, store.TenantFilter{Query: want}, o)
		if err != nil {
			return model.Tenant{}, err
		}
		all = append(all, page...)
		if next == "" {
			break
		}
		o.Cursor = next
	}
	var names []string
	for _, t := range all {
		if want != "" && strings.EqualFold(t.Name, want) {
			return t, nil
		}
		names = append(names, fmt.Sprintf("%q (%s)", t.Name, t.ID))
	}
	slices.Sort(names)
	switch {
	case want != "":
		return model.Tenant{}, fmt.Errorf("no tenant named %q", want)
	case len(all) == 0:
		return model.Tenant{}, errors.New("there is no tenant yet: create one in the portal (Administration > Tenants) first")
	case len(all) > 1:
		return model.Tenant{}, fmt.Errorf("there are %d tenants: name one with --tenant: %s", len(all), strings.Join(names, ", "))
	}
	return all[0], nil
}

// document stores the file as a new document of the tenant and converts it
// here and now (the conversion job a server would run finds it done and
// skips it), so that the fax can be queued even while no server runs.
func (f *sendFlags) document(ctx context.Context, a *app.App, tenantID string) (model.Document, error) {
	fh, err := os.Open(f.file)
	if err != nil {
		return model.Document{}, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return model.Document{}, err
	}
	name := filepath.Base(f.file)
	doc, err := a.Documents().Create(ctx, cliActor, documents.CreateInput{TenantID: tenantID, Name: name,
		Quality: model.Quality(f.quality),
		Files:   []documents.Upload{{Filename: name, Size: st.Size(), Body: fh}}})
	if err != nil {
		return model.Document{}, err
	}
	w := documents.NewWorker(a.Store(), a.Blobs(), a.Converter(), nil, documents.Config{Queue: app.DocumentsQueue})
	job := &river.Job[documents.ConvertArgs]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 1},
		Args: documents.ConvertArgs{DocumentID: doc.ID, TenantID: tenantID, Revision: doc.Revision}}
	werr := w.Work(ctx, job)
	doc, err = a.Documents().Get(ctx, cliActor, doc.ID)
	switch {
	case err != nil:
		return model.Document{}, err
	case doc.Status == model.DocumentFailed:
		return model.Document{}, fmt.Errorf("%s cannot be faxed: %s", name, doc.Error)
	case !doc.Ready():
		return model.Document{}, fmt.Errorf("%s was not converted: %v", name, werr)
	}
	return doc, nil
}

// waitFinal polls the fax until it is final or timeout passes.
func waitFinal(ctx context.Context, a *app.App, fax model.Fax, timeout time.Duration) (model.Fax, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for !fax.Status.Final() {
		select {
		case <-ctx.Done():
			if fax.Status == model.FaxQueued && fax.Tries == 0 {
				return fax, fmt.Errorf("fax %s is still queued after %s: no server has taken it. Is 'faxgate serve' "+
					"running on this database? The fax stays queued and is sent when a server runs", fax.ID, timeout)
			}
			return fax, fmt.Errorf("fax %s is still %s after %s (it carries on; see GET /api/v1/faxes/%s)",
				fax.ID, fax.Status, timeout, fax.ID)
		case <-tick.C:
		}
		f, err := a.Faxout().Get(ctx, cliActor, fax.ID)
		switch {
		case err == nil:
			fax = f
		case ctx.Err() == nil:
			return fax, err
		}
	}
	return fax, nil
}

// faxJSON is what fax send prints: the fields of GET /api/v1/faxes/{id}
// an operator needs.
type faxJSON struct {
	ID              string     `json:"id"`
	Status          string     `json:"status"`
	TenantID        string     `json:"tenant_id"`
	To              string     `json:"to"`
	CallerID        string     `json:"caller_id"`
	Title           string     `json:"title"`
	DocumentID      string     `json:"document_id"`
	Pages           int        `json:"pages"`
	PagesSent       int        `json:"pages_sent"`
	Tries           int        `json:"tries"`
	Cause           string     `json:"cause,omitempty"`
	ResultText      string     `json:"result_text,omitempty"`
	RemoteStationID string     `json:"remote_station_id,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
	CompletedAt     *time.Time `json:"completed_at,omitempty"`
}

func printFax(w io.Writer, f model.Fax) error {
	out := faxJSON{ID: f.ID, Status: string(f.Status), TenantID: f.TenantID, To: f.To, CallerID: f.CallerID,
		Title: f.Title, DocumentID: f.DocumentID, Pages: f.Pages, PagesSent: f.PagesSent, Tries: f.Tries,
		Cause: string(f.Cause), ResultText: f.ResultText, RemoteStationID: f.RemoteStationID,
		CreatedAt: f.CreatedAt.UTC()}
	if !f.CompletedAt.IsZero() {
		c := f.CompletedAt.UTC()
		out.CompletedAt = &c
	}
	enc := json.NewEncoder(w)
	return enc.Encode(out)
}
