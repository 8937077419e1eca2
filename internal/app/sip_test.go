package app

import (
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
		{"trunk off, no ECM", model.Trunk{ID: "trk_1", T38: model.T38Off, ECM: false}, sip.T38Off, false},
		{"trunk require", model.Trunk{ID: "trk_2", T38: model.T38Require, ECM: true}, sip.T38Require, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := inboundPolicy(tc.trunk)
			if p.T38 != tc.wantT38 || p.ECM != tc.wantECM || p.Redundancy != 3 {
				t.Errorf("policy %+v, want T.38 %s, ECM %v, redundancy 3", p, tc.wantT38, tc.wantECM)
			}
		})
	}
}
