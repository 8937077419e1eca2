package campaign_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"faxgate/internal/audit"
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
		queued, _ := e.svc.GetImport(ctx(t), e.userA, im.ID)
		if _, err := blobs.Stat(ctx(t), blob.Join("t", e.tenantA.ID, "imports", g.ID+"-"+im.ID+".csv")); err == nil || queued.FileKey != "" {
			t.Error("uploaded file kept after the import")
		}

		// A file without a fax column is refused before anything is
		// queued or kept.
		_, err = e.svc.StartImport(ctx(t), e.userA, g.ID, "bad.csv", strings.NewReader("Name\nx\n"), campaign.ImportOptions{})
		wantErrText(t, err, "no fax number column")
	})
}

// TestImportStaged follows the portal's mapping step: stage, preview,
// refuse a mapping without a fax column, queue with a mapping, and keep
// staged files private to their tenant and group.
func TestImportStaged(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		blobs, err := blob.NewFS(filepath.Join(t.TempDir(), "blobs"))
		if err != nil {
			t.Fatal(err)
		}
		// A real queue that is not started: the job stays queued.
		workers := river.NewWorkers()
		campaign.NewImportWorker(e.svc).Register(workers)
		j, err := jobs.New(e.st, nil, workers, nil)
		if err != nil {
			t.Fatal(err)
		}
		e.svc.EnableImportJobs(blobs, j)
		g, _ := e.svc.CreateGroup(ctx(t), e.userA, campaign.GroupInput{Name: "Staged"})
		other, _ := e.svc.CreateGroup(ctx(t), e.userA, campaign.GroupInput{Name: "Other"})
		csv := "Nom;Telecopie;Email\nAda;+12025550101;ada@example.com\nBob;+12025550102;\n"
		p, err := e.svc.StageImport(ctx(t), e.userA, g.ID, strings.NewReader(csv), campaign.CSVOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if p.HasFax || p.Delimiter != ";" || len(p.Header) != 3 || len(p.Sample) != 2 || p.Detected["Email"] != "email" {
			t.Errorf("preview %+v", p)
		}
		for _, tc := range []struct {
			name  string
			actor model.Actor
			group string
		}{{"other tenant", e.userB, g.ID}, {"other group", e.userA, other.ID}} {
			_, err := e.svc.PreviewImport(ctx(t), tc.actor, tc.group, p.ID, campaign.CSVOptions{})
			wantIs(t, tc.name, err, model.ErrNotFound)
		}
		_, err = e.svc.QueueImport(ctx(t), e.userA, g.ID, p.ID, "x.csv", campaign.ImportOptions{
			Mapping: map[string]string{"Nom": "first_name"}})
		wantErrText(t, err, "no fax number column")
		im, err := e.svc.QueueImport(ctx(t), e.userA, g.ID, p.ID, "x.csv", campaign.ImportOptions{
			Mapping: map[string]string{"Nom": "first_name", "Telecopie": "fax", "Email": "email"}})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := e.svc.GetImport(ctx(t), e.userA, im.ID); im.ID != p.ID || got.Status != model.ImportQueued ||
			got.FileBytes != int64(len(csv)) {
			t.Errorf("queued %+v", got)
		}
		_, err = e.svc.QueueImport(ctx(t), e.userA, g.ID, p.ID, "x.csv", campaign.ImportOptions{})
		wantIs(t, "queued twice", err, model.ErrNotFound)

		d, err := e.svc.StageImport(ctx(t), e.userA, g.ID, strings.NewReader(csv), campaign.CSVOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DiscardImport(ctx(t), e.userA, g.ID, d.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.PreviewImport(ctx(t), e.userA, g.ID, d.ID, campaign.CSVOptions{})
		wantIs(t, "discarded", err, model.ErrNotFound)
		_, err = e.svc.StageImport(ctx(t), e.userA, g.ID, strings.NewReader(""), campaign.CSVOptions{})
		wantErrText(t, err, "empty")
	})
}

func wantErrText(t *testing.T, err error, part string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), part) {
		t.Errorf("error %v, want one saying %q", err, part)
	}
}

// TestImportStagedFilesExpire: a staged file never confirmed is deleted by a
// background job after StagedImportTTL, while one confirmed in time is
// imported normally. The service's clock runs a day behind, so the
// clean-up jobs are due at once.
func TestImportStagedFilesExpire(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		blobs, err := blob.NewFS(filepath.Join(t.TempDir(), "blobs"))
		if err != nil {
			t.Fatal(err)
		}
		late := func() time.Time { return time.Now().Add(-campaign.StagedImportTTL - time.Minute) }
		svc := campaign.NewService(e.st, audit.NewService(e.st, nil, nil), nil, late)
		workers := river.NewWorkers()
		campaign.NewImportWorker(svc).Register(workers)
		j, err := jobs.New(e.st, nil, workers, nil, jobs.WithFetchPollInterval(50*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		svc.EnableImportJobs(blobs, j)
		g, _ := svc.CreateGroup(ctx(t), e.userA, campaign.GroupInput{Name: "Expiring"})
		csv := "Fax\n+12025550101\n"
		kept, err := svc.StageImport(ctx(t), e.userA, g.ID, strings.NewReader(csv), campaign.CSVOptions{})
		if err != nil {
			t.Fatal(err)
		}
		dropped, err := svc.StageImport(ctx(t), e.userA, g.ID, strings.NewReader(csv), campaign.CSVOptions{})
		if err != nil {
			t.Fatal(err)
		}
		im, err := svc.QueueImport(ctx(t), e.userA, g.ID, kept.ID, "k.csv", campaign.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := j.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_ = j.Stop(c)
		})
		droppedKey := blob.Join("t", e.tenantA.ID, "imports", g.ID+"-"+dropped.ID+".csv")
		deadline := time.Now().Add(time.Minute)
		for {
			im, _ = svc.GetImport(ctx(t), e.userA, im.ID)
			_, statErr := blobs.Stat(ctx(t), droppedKey)
			if (im.Status == model.ImportDone || im.Status == model.ImportFailed) && statErr != nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("import %s, staged file: %v", im.Status, statErr)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if im.Status != model.ImportDone || im.RowsDone != 1 {
			t.Errorf("the confirmed import %+v", im)
		}
		_, err = svc.PreviewImport(ctx(t), e.userA, g.ID, dropped.ID, campaign.CSVOptions{})
		wantIs(t, "expired staged file", err, model.ErrNotFound)
	})
}
