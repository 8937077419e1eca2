package faxout_test

import (
	"strings"
	"testing"
	"time"

	"faxgate/internal/faxout"
	"faxgate/internal/model"
	"faxgate/internal/store/storetest"
	"faxgate/internal/telephony/sip"
)

// TestSIPTrunkOptionsOnTheWire sends real faxes through SIP trunks whose
// stored call options differ from the defaults, and checks what the far
// user agent saw: the caller ID without "+" in From, P-Asserted-Identity,
// PCMA chosen from our offer (PCMA first), V.17 off (9600 bit/s), and our
// T38FaxMaxDatagram and UDPTL redundancy depth in the T.38 session.
func TestSIPTrunkOptionsOnTheWire(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*faxout.TrunkInput)
		check func(t *testing.T, s *sipEnv, far farCall, cdr faxout.SIPCall)
	}{
		{"g711: caller ID digits, PAI, PCMA first, no V.17", func(in *faxout.TrunkInput) {
			in.T38, in.CallerIDFormat, in.PAI = model.T38Off, model.CallerIDDigits, true
			in.Codecs, in.V17 = []string{"PCMA", "PCMU"}, ptr(false)
		}, func(t *testing.T, s *sipEnv, far farCall, cdr faxout.SIPCall) {
			if far.in.FromUser != "12025550150" {
				t.Errorf("From user %q, want the caller ID without +", far.in.FromUser)
			}
			if !strings.Contains(far.in.AssertedIdentity, "12025550150") {
				t.Errorf("P-Asserted-Identity %q, want the caller ID", far.in.AssertedIdentity)
			}
			if far.res.Codec != "PCMA" || cdr.Codec != "PCMA" {
				t.Errorf("codec far %q, ours %q; want PCMA (first in our offer)", far.res.Codec, cdr.Codec)
			}
			if far.res.Fax.BitRate != 9600 {
				t.Errorf("far end received at %d bit/s, want 9600 (V.17 off)", far.res.Fax.BitRate)
			}
		}},
		{"t38: default caller ID, no PAI, redundancy 5, max datagram 600", func(in *faxout.TrunkInput) {
			in.T38, in.UDPTLRedundancy, in.T38MaxDatagram = model.T38Request, ptr(5), 600
		}, func(t *testing.T, s *sipEnv, far farCall, cdr faxout.SIPCall) {
			if far.in.FromUser != "+12025550150" || far.in.AssertedIdentity != "" {
				t.Errorf("From user %q, PAI %q; want +E.164 and no PAI", far.in.FromUser, far.in.AssertedIdentity)
			}
			if far.res.T38 == nil || far.res.T38.FarMaxDatagram != 600 {
				t.Errorf("far end T.38 %+v, want our T38FaxMaxDatagram 600", far.res.T38)
			}
			if cdr.T38 == nil || cdr.T38.Redundancy != 5 || cdr.T38.UDPEC != "t38UDPRedundancy" {
				t.Errorf("our T.38 %+v, want UDPTL redundancy depth 5", cdr.T38)
			}
			if far.res.Fax.BitRate != 14400 {
				t.Errorf("far end received at %d bit/s, want 14400 (V.17 on)", far.res.Fax.BitRate)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := storetest.OpenSQLite(t)
			s := newSIPEnv(t, st, sip.T38Accept, tc.edit)
			if _, err := s.svc.CreateCID(s.ctx, s.w.AdminActor, faxout.CIDInput{Number: "+12025550150",
				TenantID: s.w.A.ID}); err != nil {
				t.Fatal(err)
			}
			retries := 0
			f, _, err := s.svc.Submit(s.ctx, s.w.UserAActor, faxout.SubmitInput{To: "+12025550100",
				DocumentID: s.doc(t, s.w.UserA, 1).ID, CallerID: "+12025550150", Retries: &retries,
				Source: model.SourceAPI})
			if err != nil {
				t.Fatal(err)
			}
			if f = s.wait(t, f.ID, nil); f.Status != model.FaxDelivered {
				t.Fatalf("fax %s (%s), want delivered", f.Status, f.ResultText)
			}
			rows, err := s.cdr.List(s.ctx, f.TenantID, f.ID)
			if err != nil || len(rows) != 1 {
				t.Fatalf("CDR rows %v, %v", rows, err)
			}
			far := waitFarCall(t, s.far, rows[0].CallID)
			tc.check(t, s, far, rows[0])
		})
	}
}

// waitFarCall waits for the far end to finish recording a call (its end
// runs on the far end's goroutine, just after ours).
func waitFarCall(t *testing.T, f *farEnd, callID string) farCall {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if c, ok := f.call(callID); ok {
			return c
		}
	}
	t.Fatalf("the far end never recorded call %s", callID)
	return farCall{}
}
