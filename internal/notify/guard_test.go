package notify_test

import (
	"strings"
	"testing"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/model"
	"faxgate/internal/notify"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
)

// TestRegistrationSSRFGuard registers URLs whose host is, or resolves (via
// a real DNS server started by the test) to, a non-public address: every
// one is refused with a clear message on "url", and public ones pass.
func TestRegistrationSSRFGuard(t *testing.T) {
	dns := startDNS(t)
	dns.set("public.test", "93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c")
	dns.set("internal.test", "192.168.1.20")
	dns.set("mixed.test", "8.8.8.8", "10.0.0.5")
	dns.set("v6loop.test", "::1")
	dns.set("metadata.test", "169.254.169.254")
	dns.set("mapped.test", "::ffff:127.0.0.1")
	dns.set("cgnat.test", "100.64.3.4")
	cfg := testConfig()
	cfg.AllowPrivateTargets, cfg.AllowInsecureHTTP, cfg.Resolver = false, false, dns.resolver()
	e := newEnv(t, storetest.OpenSQLite(t), cfg)

	tests := []struct {
		url  string
		want string // substring of the "url" error; "" = accepted
	}{
		{"https://127.0.0.1/hook", "127.0.0.1, which is a loopback address"},
		{"https://127.0.0.2:8443/hook", "loopback"},
		{"https://[::1]/hook", "::1, which is a loopback address"},
		{"https://[::ffff:127.0.0.1]/hook", "127.0.0.1, which is a loopback address"},
		{"https://[::ffff:7f00:1]/hook", "loopback"},
		{"https://169.254.169.254/latest/meta-data/", "link-local"},
		{"https://10.1.2.3/", "private"},
		{"https://172.16.5.4/", "private"},
		{"https://192.168.0.10/", "private"},
		{"https://[fd00:ec2::254]/", "private"},
		{"https://[fe80::1%25eth0]/", "link-local"},
		{"https://100.64.1.1/", "carrier-grade NAT"},
		{"https://224.0.0.1/", "multicast"},
		{"https://0.0.0.0/", "unspecified"},
		{"https://[::]/", "unspecified"},
		{"https://internal.test/hook", "internal.test) that resolves to 192.168.1.20, which is a private address"},
		{"https://INTERNAL.test./hook", "private"},
		{"https://mixed.test/hook", "10.0.0.5, which is a private address"},
		{"https://v6loop.test/hook", "loopback"},
		{"https://metadata.test/hook", "link-local"},
		{"https://mapped.test/hook", "loopback"},
		{"https://cgnat.test/hook", "carrier-grade NAT"},
		{"https://nowhere.test/hook", "does not resolve"},
		{"https://2130706433/hook", "does not resolve"}, // 127.0.0.1 as a decimal number is a name to Go: no bypass
		{"http://public.test/hook", "plain http is not allowed"},
		{"https://public.test/hook", ""},
		{"https://public.test:8443/fax?x=1", ""},
		{"https://8.8.8.8/hook", ""},
		{"https://[2606:4700:4700::1111]/hook", ""},
	}
	for _, tc := range tests {
		_, err := e.WH.Create(e.Ctx, e.W.TenantAActor, notify.WebhookInput{URL: tc.url, Events: []string{"*"}})
		if tc.want == "" {
			if err != nil {
				t.Errorf("Create(%s): %v, want accepted", tc.url, err)
			}
			continue
		}
		wantInvalid(t, "Create("+tc.url+")", err, "url", tc.want)
		if err != nil && !strings.Contains(err.Error(), "public addresses") && !strings.Contains(err.Error(), "resolve") &&
			!strings.Contains(err.Error(), "http") {
			t.Errorf("Create(%s) message %q does not explain the rule", tc.url, err)
		}
	}

	// Updating to a private URL is refused the same way; CheckURL (for DID
	// webhook URLs) applies the same rules under the caller's field name.
	ep := e.endpoint(t, e.W.TenantAActor, "https://public.test/ok", "*")
	priv := "https://internal.test/x"
	_, err := e.WH.Update(e.Ctx, e.W.TenantAActor, ep.ID, notify.WebhookPatch{URL: &priv})
	wantInvalid(t, "Update to a private URL", err, "url", "private")
	_, err = e.WH.CheckURL(e.Ctx, "webhook_url", "https://[::1]/x")
	wantInvalid(t, "CheckURL(::1)", err, "webhook_url", "loopback")
	u, err := e.WH.CheckURL(e.Ctx, "webhook_url", " https://PUBLIC.test/x ")
	authtest.Must(t, "CheckURL(public)", err)
	if u != "https://PUBLIC.test/x" {
		t.Errorf("CheckURL normalised to %q", u)
	}

	// The platform admin may allow private targets and plain http.
	cfg.AllowPrivateTargets, cfg.AllowInsecureHTTP = true, true
	open := newEnv(t, storetest.OpenSQLite(t), cfg)
	for _, u := range []string{"http://127.0.0.1:8080/x", "https://internal.test/x", "https://[::1]/x"} {
		if _, err := open.WH.Create(open.Ctx, open.W.TenantAActor, notify.WebhookInput{URL: u, Events: []string{model.EventFaxFailed}}); err != nil {
			t.Errorf("Create(%s) with private targets allowed: %v", u, err)
		}
	}
}

// TestPlatformSettingWithoutRestart flips the platform admin's "allow
// private webhook targets" setting in the database under running services:
// registration and delivery follow it at once.
func TestPlatformSettingWithoutRestart(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		cfg := testConfig()
		cfg.AllowPrivateTargets = false
		e := newEnv(t, st, cfg)
		e.start(t)
		rc := newReceiver(t, nil)
		allow := func(on bool) {
			t.Helper()
			ps, err := st.GetPlatformSettings(e.Ctx, model.PlatformScope())
			authtest.Must(t, "GetPlatformSettings", err)
			ps.AllowPrivateWebhookTargets = on
			authtest.Must(t, "PutPlatformSettings", st.PutPlatformSettings(e.Ctx, model.PlatformScope(), &ps))
		}
		in := notify.WebhookInput{URL: rc.url("/hook"), Events: []string{"*"}}
		_, err := e.WH.Create(e.Ctx, e.W.TenantAActor, in)
		wantInvalid(t, "Create(loopback) with the setting off", err, "url", "loopback")

		allow(true)
		ep, err := e.WH.Create(e.Ctx, e.W.TenantAActor, in)
		authtest.Must(t, "Create(loopback) with the setting on", err)
		d, err := e.WH.SendTest(e.Ctx, e.W.TenantAActor, ep.ID)
		authtest.Must(t, "SendTest", err)
		if d = e.waitFinal(t, d.ID); d.Status != model.WebhookSucceeded {
			t.Fatalf("test event with the setting on: %+v", d)
		}

		// Turned off again: the next connection is refused by the guard.
		allow(false)
		d, err = e.WH.Redeliver(e.Ctx, e.W.TenantAActor, d.ID)
		authtest.Must(t, "Redeliver", err)
		if d = e.waitFinal(t, d.ID); d.Status != model.WebhookFailed || !strings.Contains(d.LastError, "SSRF guard") {
			t.Fatalf("redelivery with the setting off: %s %q", d.Status, d.LastError)
		}
		if n := len(rc.got("/hook")); n != 1 {
			t.Errorf("receiver got %d requests, want 1", n)
		}
	})
}
