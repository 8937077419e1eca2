package faxoutsubmit_test

import (
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"faxgate/internal/audit"
	"faxgate/internal/auth"
	"faxgate/internal/auth/authtest"
	"faxgate/internal/blob"
	"faxgate/internal/document"
	"faxgate/internal/documents"
	"faxgate/internal/faxout"
	"faxgate/internal/jobs"
	"faxgate/internal/mail/smtpd"
	"faxgate/internal/mail/smtpd/faxoutsubmit"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/tenancy"
)

// pipeline is the email-to-fax path on real services: the SMTP server on
// 127.0.0.1, documents, and faxout on a fast test line with River running.
type pipeline struct {
	w  authtest.World
	fo *faxout.Service
	ln net.Listener
}

// startPipeline builds it on st; the rate limits are out of the way.
func startPipeline(t testing.TB, st *store.Store) *pipeline {
	t.Helper()
	must := func(what string, err error) {
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	ctx := context.Background()
	// authtest.NewEnv wants a *testing.T; benchmarks have a *testing.B.
	au := audit.NewService(st, nil, time.Now)
	as := auth.NewService(st, au, auth.Config{Argon2: authtest.CheapArgon2(), FailureDelay: -1}, time.Now)
	ae := &authtest.Env{St: st, Audit: au, Auth: as, Ctx: ctx,
		Tenancy: tenancy.NewService(st, au, time.Now, tenancy.WithHasher(as.Hasher()))}
	p := &pipeline{}
	p.w = newWorld(t, ae)
	logger := slog.New(slog.DiscardHandler)
	blobs, err := blob.NewFS(filepath.Join(t.TempDir(), "blobs"))
	must("blob", err)
	conv, err := document.NewConverter(document.Config{Workers: 2,
		CompilationCacheDir: filepath.Join(os.TempDir(), "faxgate-test-pdfium-cache")})
	must("converter", err)

	p.fo, err = faxout.New(faxout.Deps{Store: st, Blob: blobs, Audit: ae.Audit, Logger: logger}, faxout.Config{})
	must("faxout.New", err)
	off := false
	_, err = p.fo.UpdateTrunk(ctx, p.w.AdminActor, model.TestTrunkID, faxout.TrunkPatch{Enabled: &off})
	must("disable realtime test line", err)
	_, err = p.fo.CreateTrunk(ctx, p.w.AdminActor, faxout.TrunkInput{Name: "Fast", Kind: model.TrunkTest,
		Speed: model.SpeedFast, MaxChannels: 2, T38: model.T38Request})
	must("CreateTrunk", err)

	workers := river.NewWorkers()
	documents.NewWorker(st, blobs, conv, logger, documents.Config{}).Register(workers)
	periodic := p.fo.AddWorkers(workers)
	j, err := jobs.New(st, logger, workers, map[string]river.QueueConfig{
		river.QueueDefault: {MaxWorkers: 2}, faxout.Queue: faxout.QueueConfig(4)},
		jobs.WithFetchPollInterval(50*time.Millisecond), jobs.WithPeriodicJobs(periodic...),
		jobs.WithRiverConfig(faxout.RiverConfig))
	must("jobs.New", err)
	p.fo.UseJobs(j)
	must("jobs.Start", j.Start(ctx))
	t.Cleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = j.Stop(c)
	})
	docs, err := documents.New(documents.Deps{Store: st, Blobs: blobs, Jobs: j, Audit: ae.Audit, Logger: logger}, documents.Config{})
	must("documents.New", err)

	srv, err := smtpd.New(smtpd.Deps{Store: st, Auth: ae.Auth, Tenancy: ae.Tenancy, Documents: docs,
		Submitter: faxoutsubmit.New(p.fo), Audit: ae.Audit, Logger: logger},
		smtpd.Config{Domain: "fax.test", Hostname: "127.0.0.1", DataDir: t.TempDir(),
			MessagesPerMinuteIP: 1e6, MessagesPerMinuteTenant: 1e6})
	must("smtpd.New", err)
	p.ln, err = net.Listen("tcp", "127.0.0.1:0")
	must("listen", err)
	go func() { _ = srv.Serve(p.ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return p
}

// newWorld makes the one tenant and user the pipeline needs (the user's
// password is authtest.Password); the admin is the system actor.
func newWorld(t testing.TB, ae *authtest.Env) authtest.World {
	t.Helper()
	var w authtest.World
	w.A = model.Tenant{Name: "Tenant A", Status: model.TenantActive, RetentionDays: 30}
	h, err := ae.Auth.Hasher().Hash(ae.Ctx, authtest.Password)
	if err == nil {
		err = ae.St.CreateTenant(ae.Ctx, &w.A)
	}
	if err != nil {
		t.Fatal(err)
	}
	w.UserA = model.User{TenantID: w.A.ID, Role: model.RoleUser, Email: "user@a.example", PasswordHash: h, Status: model.UserActive}
	if err := ae.St.CreateUser(ae.Ctx, &w.UserA); err != nil {
		t.Fatal(err)
	}
	w.UserAActor, w.AdminActor = authtest.ActorOf(w.UserA), model.SystemActor()
	return w
}
