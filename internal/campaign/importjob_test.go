package campaign_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"faxgate/internal/blob"
	"faxgate/internal/campaign"
	"faxgate/internal/jobs"
	"faxgate/internal/model"
)

// TestImportJob runs a CSV import as a real River job and follows its
// persisted progress to the end.
func TestImportJob(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		blobs, err := blob.NewFS(filepath.Join(t.TempDir(), "blobs"))
		if err != nil {
			t.Fatal(err)
		}
		workers := river.NewWorkers()
		campaign.NewImportWorker(e.svc).Register(workers)
		j, err := jobs.New(e.st, nil, workers, nil, jobs.WithFetchPollInterval(50*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		e.svc.EnableImportJobs(blobs, j)
		if err := j.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if err := j.Stop(c); err != nil {
				t.Errorf("jobs.Stop: %v", err)
			}
		})
		g, _ := e.svc.CreateGroup(ctx(t), e.userA, campaign.GroupInput{Name: "Job"})
		var b strings.Builder
		b.WriteString("Kolumn;Namn\n")
		for i := range 3000 {
			b.WriteString(fax(i) + ";P\n")
		}
		b.WriteString("bad;X\n")
		im, err := e.svc.StartImport(ctx(t), e.userA, g.ID, "list.csv", strings.NewReader(b.String()),
			campaign.ImportOptions{Mapping: map[string]string{"Kolumn": "fax", "Namn": "first_name"}})
		if err != nil {
			t.Fatal(err)
		}
		if im.Status != model.ImportQueued || im.FileBytes != int64(b.Len()) {
			t.Errorf("queued import %+v", im)
		}
		_, err = e.svc.GetImport(ctx(t), e.userB, im.ID)
		wantIs(t, "other tenant's import", err, model.ErrNotFound)
		deadline := time.Now().Add(time.Minute)
		for im.Status != model.ImportDone && im.Status != model.ImportFailed && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
			if im, err = e.svc.GetImport(ctx(t), e.userA, im.ID); err != nil {
				t.Fatal(err)
			}
		}
		if im.Status != model.ImportDone || im.RowsDone != 3001 || im.FileKey != "" {
			t.Fatalf("import ended %+v", im)
		}
		var res campaign.ImportResult
		if err := json.Unmarshal([]byte(im.Result), &res); err != nil {
			t.Fatal(err)
		}
		if res.Imported != 3000 || res.Invalid != 1 || res.Delimiter != ";" || res.Errors[0].Line != 3002 {
			t.Errorf("result %+v", res)
		}
		got, _ := e.svc.GetGroup(ctx(t), e.userA, g.ID)
		if got.MemberCount != 3000 {
			t.Errorf("members %d", got.MemberCount)
		}
		if _, err := blobs.Stat(ctx(t), blob.Join("t", e.tenantA.ID, "imports", im.ID+".csv")); err == nil {
			t.Error("uploaded file kept after the import")
		}

		// A file the import refuses fails the job with the reason.
		bad, err := e.svc.StartImport(ctx(t), e.userA, g.ID, "bad.csv", strings.NewReader("Name\nx\n"), campaign.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for bad.Status != model.ImportFailed && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
			bad, _ = e.svc.GetImport(ctx(t), e.userA, bad.ID)
		}
		if bad.Status != model.ImportFailed || !strings.Contains(bad.Error, "no fax number column") {
			t.Errorf("bad import %+v", bad)
		}
	})
}
