package app

import (
	"net/netip"
	"slices"
	"testing"

	"faxgate/internal/model"
	"faxgate/internal/telephony/sip"
)

func TestCalledNumber(t *testing.T) {
	cases := []struct {
		name        string
		reqUser, to string
		want        string
	}{
		{"E.164 in the Request-URI", "+12025550123", "anything", "+12025550123"},
		{"escaped plus", "%2B12025550123", "", "+12025550123"},
		{"national digits", "2025550123", "", "2025550123"},
		{"registered contact: the DID is in To", "nodeb", "+12025550123", "+12025550123"},
		{"contact user, national To", "nodeb", "2025550123", "2025550123"},
		{"visual separators", "+1 (202) 555-0123", "", "+12025550123"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			did, _ := sip.ExtractDID(tc.reqUser, tc.to)
			got := calledNumber(sip.IncomingCall{DID: did, RequestUser: tc.reqUser, ToUser: tc.to})
			if got != tc.want {
				t.Errorf("calledNumber(%q, %q) = %q, want %q", tc.reqUser, tc.to, got, tc.want)
			}
		})
	}
}

func TestInboundPolicy(t *testing.T) {
	cases := []struct {
		name    string
		trunk   model.Trunk
		wantT38 sip.T38Mode
		wantECM bool
	}{
		{"no trunk: request with ECM", model.Trunk{}, sip.T38Request, true},
		{"trunk off, no ECM", model.Trunk{ID: "trk_1", T38: model.T38Off, ECM: false, UDPTLRedundancy: 3}, sip.T38Off, false},
		{"trunk require", model.Trunk{ID: "trk_2", T38: model.T38Require, ECM: true, UDPTLRedundancy: 3}, sip.T38Require, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := inboundPolicy(tc.trunk)
			if p.T38 != tc.wantT38 || p.ECM != tc.wantECM || p.Redundancy != 3 {
				t.Errorf("policy %+v, want T.38 %s, ECM %v, redundancy 3", p, tc.wantT38, tc.wantECM)
			}
		})
	}
	// The trunk's media settings answer its calls too.
	p := inboundPolicy(model.Trunk{ID: "trk_3", T38: model.T38Accept, V17: false, UDPTLRedundancy: 0,
		T38MaxDatagram: 800, Codecs: []string{"PCMA"}})
	if p.V17 || p.Redundancy != 0 || p.MaxDatagram != 800 || !slices.Equal(p.Codecs, []string{"PCMA"}) {
		t.Errorf("policy %+v, want the trunk's V.17 off, redundancy 0, datagram 800, PCMA", p)
	}
}

func TestAllowedSources(t *testing.T) {
	trunks := []model.Trunk{
		{ID: "trk_wide", Host: "carrier.example", AllowedSources: []string{"192.0.2.0/24", "2001:db8::/32"}},
		{ID: "trk_narrow", Host: "ignored.example", AllowedSources: []string{"192.0.2.128/25"}},
		{ID: "trk_host", Host: "pbx.example"},
	}
	resolve := func(host string) []netip.Addr {
		if host == "pbx.example" {
			return []netip.Addr{netip.MustParseAddr("198.51.100.5")}
		}
		t.Errorf("resolved %s, which lists its allowed sources", host)
		return nil
	}
	allowed := allowedSources(trunks, resolve)
	cases := []struct {
		src   string
		trunk string // "" = refused
	}{
		{"192.0.2.1", "trk_wide"},
		{"192.0.2.200", "trk_narrow"}, // the most specific prefix wins
		{"::ffff:192.0.2.200", "trk_narrow"},
		{"2001:db8:1::9", "trk_wide"},
		{"198.51.100.5", "trk_host"}, // no list: the host's address
		{"198.51.100.6", ""},
		{"127.0.0.1", ""},
	}
	for _, tc := range cases {
		id, ok := sourceTrunkID(allowed, netip.MustParseAddr(tc.src))
		if id != tc.trunk || ok != (tc.trunk != "") {
			t.Errorf("source %s: trunk %q (%v), want %q", tc.src, id, ok, tc.trunk)
		}
	}
}
