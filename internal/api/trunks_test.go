package api_test

import (
	"slices"
	"strings"
	"testing"

	"faxgate/internal/api"
)

// TestTrunkSIPOptionsAPI: every SIP call option and the inbound allowed
// sources round-trip through POST, GET and PATCH (the password stays
// write-only), bad values answer 422 naming the field, and the fax sources
// have their own field.
func TestTrunkSIPOptionsAPI(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn func(*testing.T) string) {
		e := newEnv(t, dsn(t))
		ad := e.adminCred()
		pw, red, dg, no := "s3cret-pass", 0, 1200, false
		in := api.TrunkInput{Name: strPtr("Carrier opts"), Kind: "sip", MaxChannels: intPtr(2),
			Host: strPtr("sip.example.com"), Password: &pw,
			AllowedSources: &[]string{"192.0.2.7", "198.51.100.9/24"}, FaxSources: &[]string{"api"},
			OutboundProxy: strPtr("proxy.example.com:5070"), CallerIDFormat: strPtr("digits"), PAI: ptrTo(true),
			Codecs: &[]string{"pcma", "PCMU"}, V17: &no, Redundancy: &red, MaxDatagram: &dg}
		var tr api.Trunk
		r := e.must(t, ad, "POST", "/api/v1/trunks", in, 201, &tr)
		want := api.Trunk{AllowedSources: []string{"192.0.2.7", "198.51.100.0/24"}, FaxSources: []string{"api"},
			OutboundProxy: "proxy.example.com:5070", CallerIDFormat: "digits", PAI: true,
			Codecs: []string{"PCMA", "PCMU"}, V17: false, Redundancy: 0, MaxDatagram: 1200}
		checkTrunkOptions(t, "created", tr, want)
		if strings.Contains(string(r.body), pw) || !tr.HasPassword {
			t.Fatalf("password shown or lost: %s", r.body)
		}
		var got api.Trunk
		e.must(t, ad, "GET", "/api/v1/trunks/"+tr.ID, nil, 200, &got)
		checkTrunkOptions(t, "read back", got, want)

		e.must(t, ad, "PATCH", "/api/v1/trunks/"+tr.ID, api.TrunkInput{AllowedSources: &[]string{},
			CallerIDFormat: strPtr("e164"), Codecs: &[]string{"PCMU"}, Redundancy: intPtr(5)}, 200, &got)
		want.AllowedSources, want.CallerIDFormat, want.Codecs, want.Redundancy = []string{}, "e164", []string{"PCMU"}, 5
		checkTrunkOptions(t, "patched", got, want)

		var def api.Trunk
		e.must(t, ad, "POST", "/api/v1/trunks", api.TrunkInput{Name: strPtr("Carrier defaults"), Kind: "sip",
			MaxChannels: intPtr(1), Host: strPtr("192.0.2.1")}, 201, &def)
		checkTrunkOptions(t, "defaults", def, api.Trunk{AllowedSources: []string{}, FaxSources: []string{},
			CallerIDFormat: "e164", Codecs: []string{"PCMU", "PCMA"}, V17: true, Redundancy: 3, MaxDatagram: 400})

		bad := []struct {
			name  string
			in    api.TrunkInput
			field string
		}{
			{"fax source in allowed_sources", api.TrunkInput{AllowedSources: &[]string{"api"}}, "allowed_sources"},
			{"not an address", api.TrunkInput{AllowedSources: &[]string{"10.0.0.300"}}, "allowed_sources"},
			{"bad prefix", api.TrunkInput{AllowedSources: &[]string{"10.0.0.0/33"}}, "allowed_sources"},
			{"unknown fax source", api.TrunkInput{FaxSources: &[]string{"fax"}}, "fax_sources"},
			{"proxy with path", api.TrunkInput{OutboundProxy: strPtr("proxy.example.com/x")}, "outbound_proxy"},
			{"proxy port", api.TrunkInput{OutboundProxy: strPtr("proxy.example.com:70000")}, "outbound_proxy"},
			{"caller-ID format", api.TrunkInput{CallerIDFormat: strPtr("national")}, "caller_id_format"},
			{"codec", api.TrunkInput{Codecs: &[]string{"G729"}}, "codecs"},
			{"codec twice", api.TrunkInput{Codecs: &[]string{"PCMU", "PCMU"}}, "codecs"},
			{"redundancy", api.TrunkInput{Redundancy: intPtr(9)}, "udptl_redundancy"},
			{"negative redundancy", api.TrunkInput{Redundancy: intPtr(-1)}, "udptl_redundancy"},
			{"datagram too small", api.TrunkInput{MaxDatagram: intPtr(100)}, "t38_max_datagram"},
			{"datagram too big", api.TrunkInput{MaxDatagram: intPtr(1500)}, "t38_max_datagram"},
		}
		for _, tc := range bad {
			t.Run(tc.name, func(t *testing.T) {
				r := e.call(t, ad, "PATCH", "/api/v1/trunks/"+tr.ID, tc.in)
				if r.status != 422 || r.fields()[tc.field] == "" {
					t.Fatalf("PATCH %+v: %d %s, want 422 on %s", tc.in, r.status, r.body, tc.field)
				}
			})
		}
		// A test line takes no inbound calls: addresses are refused there.
		r = e.call(t, ad, "POST", "/api/v1/trunks", api.TrunkInput{Name: strPtr("Test with sources"), Kind: "test",
			MaxChannels: intPtr(1), AllowedSources: &[]string{"192.0.2.1"}})
		if r.status != 422 || r.fields()["allowed_sources"] == "" {
			t.Fatalf("test trunk with allowed sources: %d %s", r.status, r.body)
		}
		e.must(t, ad, "GET", "/api/v1/trunks/"+tr.ID, nil, 200, &got)
		checkTrunkOptions(t, "after refused changes", got, want)
	})
}

func ptrTo[T any](v T) *T { return &v }

func checkTrunkOptions(t *testing.T, what string, got, want api.Trunk) {
	t.Helper()
	if !slices.Equal(got.AllowedSources, want.AllowedSources) || !slices.Equal(got.FaxSources, want.FaxSources) ||
		got.OutboundProxy != want.OutboundProxy || got.CallerIDFormat != want.CallerIDFormat || got.PAI != want.PAI ||
		!slices.Equal(got.Codecs, want.Codecs) || got.V17 != want.V17 || got.Redundancy != want.Redundancy ||
		got.MaxDatagram != want.MaxDatagram || got.AllowedSources == nil || got.FaxSources == nil {
		t.Errorf("%s trunk options %+v, want %+v", what, got, want)
	}
}
