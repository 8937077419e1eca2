package app_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"faxgate/internal/app/apptest"
	"faxgate/internal/faxtiff"
	"faxgate/internal/model"
	"faxgate/internal/telephony/linesim/testdoc"
	"faxgate/internal/telephony/rtp"
	"faxgate/internal/telephony/sip"
)

// TestSIPInboundAllowedSources: a running node refuses with 403 an INVITE
// from an address outside its SIP trunks' allowed sources, even from the
// trunk's own host when the trunk lists other addresses; once the trunk
// allows the caller's address the call gets past the source check (404:
// the DID is unknown).
func TestSIPInboundAllowedSources(t *testing.T) {
	apptest.ForEachEngine(t, func(t *testing.T, dsn func(*testing.T) string) {
		a := newApp(t, testConfig(t, dsn(t)), nil)
		ctx := t.Context()
		tr := model.Trunk{Name: "Carrier", Kind: model.TrunkSIP, Speed: model.SpeedFast, MaxChannels: 2, Enabled: true, Host: "127.0.0.1",
			Port: 5999, Transport: "udp", T38: model.T38Request, ECM: true, V17: true, UDPTLRedundancy: 3,
			AllowedSources: []string{"192.0.2.0/24"}}
		if err := a.Store().CreateTrunk(ctx, &tr); err != nil {
			t.Fatal(err)
		}
		rctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- a.Run(rctx) }()
		t.Cleanup(func() { cancel(); <-done })
		waitHealthy(t, a)

		caller := callerUA(t)
		doc := filepath.Join(t.TempDir(), "page.tif")
		if err := testdoc.WriteFile(doc, faxtiff.Standard, 1, testdoc.Options{TextLines: 5, Seed: 3}); err != nil {
			t.Fatal(err)
		}
		call := func() int {
			r, _ := caller.SendFax(ctx, sip.Dial{Target: a.SIPAddr(), User: "+12025550199", TIFFPath: doc,
				Policy: sip.DefaultPolicy(), Timeout: 10 * time.Second})
			return r.SIPCode
		}
		if code := call(); code != 403 {
			t.Fatalf("INVITE from 127.0.0.1 outside allowed sources 192.0.2.0/24: SIP %d, want 403", code)
		}

		tr.AllowedSources = []string{"192.0.2.0/24", "127.0.0.1"}
		if err := a.Store().UpdateTrunk(ctx, &tr); err != nil {
			t.Fatal(err)
		}
		// The node reloads its trunks every few seconds.
		code := 403
		for deadline := time.Now().Add(30 * time.Second); code == 403 && time.Now().Before(deadline); {
			time.Sleep(500 * time.Millisecond)
			code = call()
		}
		if code != 404 {
			t.Fatalf("INVITE from an allowed source to an unknown DID: SIP %d, want 404", code)
		}
	})
}

// callerUA is a user agent on 127.0.0.1 placing test calls.
func callerUA(t *testing.T) *sip.UA {
	t.Helper()
	pool, err := rtp.NewPortPool(45000, 45999)
	if err != nil {
		t.Fatal(err)
	}
	ua, err := sip.NewUA(sip.Config{ListenAddr: "127.0.0.1:0", RTPPorts: pool, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := ua.Start(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); ua.Close() })
	return ua
}
