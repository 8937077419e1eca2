package app_test

import (
	"context"
	"testing"
	"time"

	"faxgate/internal/app"
	"faxgate/internal/faxout"
	"faxgate/internal/model"
)

// TestFaxWorkers: the fax queue is sized at start by --fax-workers, or,
// when it is 0, by the trunks' channels in total plus headroom (at least
// 40): a node with a 500-channel trunk runs 510 calls at once.
func TestFaxWorkers(t *testing.T) {
	start := func(t *testing.T, a *app.App) int {
		t.Helper()
		if err := a.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := a.Stop(ctx); err != nil {
				t.Errorf("stop: %v", err)
			}
		})
		return a.FaxWorkers()
	}
	channels := func(t *testing.T, a *app.App) int {
		t.Helper()
		trunks, err := a.Store().ListTrunks(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, tr := range trunks {
			n += tr.MaxChannels
		}
		return n
	}
	t.Run("flag", func(t *testing.T) {
		cfg := testConfig(t, "")
		cfg.FaxWorkers = 7
		if got := start(t, newApp(t, cfg, nil)); got != 7 {
			t.Errorf("fax workers = %d, want 7 (--fax-workers)", got)
		}
	})
	t.Run("fresh install", func(t *testing.T) {
		a := newApp(t, testConfig(t, ""), nil)
		want := max(channels(t, a)+10, 40)
		if got := start(t, a); got != want {
			t.Errorf("fax workers = %d, want %d (the default trunks' channels + 10, at least 40)", got, want)
		}
	})
	t.Run("from the trunks", func(t *testing.T) {
		a := newApp(t, testConfig(t, ""), nil)
		ctx := t.Context()
		root, err := a.CreateAdmin(ctx, app.AdminInput{Email: "root@example.com", Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		admin := model.Actor{Role: model.RoleAdmin, UserID: root.ID, Email: root.Email, Via: "cli"}
		on := true
		if _, err := a.Faxout().CreateTrunk(ctx, admin, faxout.TrunkInput{Name: "Carrier", Kind: model.TrunkSIP,
			Host: "192.0.2.1", Port: 5060, Priority: 1, MaxChannels: 500, Enabled: &on, T38: model.T38Request}); err != nil {
			t.Fatal(err)
		}
		want := channels(t, a) + 10
		if want < 510 {
			t.Fatalf("trunks' channels %d after adding a 500-channel trunk", want-10)
		}
		if got := start(t, a); got != want {
			t.Errorf("fax workers = %d, want %d (the trunks' channels + 10)", got, want)
		}
	})
}
