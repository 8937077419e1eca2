package app

import (
	"fmt"
	"path/filepath"
	"runtime"
	"time"

	"github.com/riverqueue/river"

	"faxgate/internal/blob"
	"faxgate/internal/campaign"
	"faxgate/internal/document"
	"faxgate/internal/documents"
	"faxgate/internal/jobs"
	"faxgate/internal/notify"
	"faxgate/internal/store"
)

// DocumentsQueue is the River queue of document conversions. Its own queue
// bounds how many conversions (CPU- and memory-heavy) run at once, apart
// from the light jobs of the default queue.
const DocumentsQueue = "documents"

// maxConversions bounds concurrent conversions per node. One conversion
// holds at most about 400 MB (200 superfine pages of 1 bit, plus one
// decoded image of at most 50 megapixels), so two keep a node's peak under
// a gigabyte while using both cores of a small machine.
const maxConversions = 2

// campaignWorkers bounds campaigns sending at the same time per node (one
// worker each while it sends).
const campaignWorkers = 20

// sqlitePollInterval is how often workers look for new jobs on SQLite,
// which has no LISTEN/NOTIFY: an uploaded document starts converting
// within this time instead of River's default second.
const sqlitePollInterval = 250 * time.Millisecond

// buildConverter creates the blob store (<data>/blobs) and the process's one
// document converter (PDFium's compiled code cached in <data>/cache/pdfium,
// so only the first start ever compiles it), and returns the documents
// configuration.
func (a *App) buildConverter() (documents.Config, error) {
	var err error
	if a.blobs, err = blob.NewFS(filepath.Join(a.cfg.DataDir, "blobs")); err != nil {
		return documents.Config{}, fmt.Errorf("blob store: %w", err)
	}
	dcfg := documents.Config{Queue: DocumentsQueue}
	ccfg := document.Config{CompilationCacheDir: filepath.Join(a.cfg.DataDir, "cache", "pdfium")}
	if a.o.docsConfig != nil {
		a.o.docsConfig(&dcfg, &ccfg)
	}
	if a.conv, err = document.NewConverter(ccfg); err != nil {
		return documents.Config{}, fmt.Errorf("document converter: %w", err)
	}
	return dcfg, nil
}

// Converter is the process's document converter (the CLI converts a file
// in-process, without waiting for a server's worker).
func (a *App) Converter() *document.Converter { return a.conv }

// queues are River's queues: the default one for light jobs, and the
// conversions' own.
func (a *App) queues() map[string]river.QueueConfig {
	n := jobs.DefaultWorkersSQLite
	if a.store.Engine() == store.Postgres {
		n = jobs.DefaultWorkersPostgres
	}
	return map[string]river.QueueConfig{
		river.QueueDefault:  {MaxWorkers: n},
		DocumentsQueue:      {MaxWorkers: min(runtime.GOMAXPROCS(0), maxConversions)},
		notify.WebhookQueue: {MaxWorkers: webhookWorkers},
		campaign.Queue:      campaign.QueueConfig(campaignWorkers),
	}
}

func (a *App) jobOptions(periodic ...*river.PeriodicJob) []jobs.Option {
	opts := []jobs.Option{jobs.WithPeriodicJobs(periodic...)}
	if a.store.Engine() == store.SQLite {
		opts = append(opts, jobs.WithFetchPollInterval(sqlitePollInterval))
	}
	return opts
}
