package faxout_test

import (
	"slices"
	"testing"

	"faxgate/internal/faxout"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// sipIn is a valid SIP trunk input changed by edit (for validation tables).
func sipIn(edit func(*faxout.TrunkInput)) faxout.TrunkInput {
	in := faxout.TrunkInput{Name: "sip", Kind: model.TrunkSIP, MaxChannels: 1, Host: "sip.example.net"}
	edit(&in)
	return in
}

func ptr[T any](v T) *T { return &v }

// TestTrunkSIPOptions: the SIP call options and inbound sources take their
// defaults, are canonicalised (codec case, IPs, masked CIDRs, duplicates
// dropped), and survive a patch of other fields.
func TestTrunkSIPOptions(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := newEnv(t, open(t), envOptions{noStart: true})
		def, err := e.svc.CreateTrunk(e.ctx, e.w.AdminActor, sipIn(func(*faxout.TrunkInput) {}))
		if err != nil || def.CallerIDFormat != model.CallerIDE164 || def.PAI || !def.V17 ||
			def.UDPTLRedundancy != model.DefaultUDPTLRedundancy || def.T38MaxDatagram != model.DefaultT38MaxDatagram ||
			!slices.Equal(def.Codecs, []string{"PCMU", "PCMA"}) || def.AllowedSources != nil || def.OutboundProxy != "" {
			t.Fatalf("defaults: %+v %v", def, err)
		}
		in := sipIn(func(in *faxout.TrunkInput) {
			in.Name = "sip options"
			in.AllowedSources = []string{" 192.0.2.7 ", "198.51.100.77/24", "192.0.2.7/32", "::ffff:203.0.113.5",
				"2001:DB8::1/64"}
			in.OutboundProxy, in.CallerIDFormat, in.PAI = " [2001:db8::5]:5070 ", model.CallerIDDigits, true
			in.Codecs, in.V17 = []string{"pcma"}, ptr(false)
			in.UDPTLRedundancy, in.T38MaxDatagram = ptr(0), faxout.MaxT38MaxDatagram
		})
		tr, err := e.svc.CreateTrunk(e.ctx, e.w.AdminActor, in)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"192.0.2.7", "198.51.100.0/24", "203.0.113.5", "2001:db8::/64"}
		if !slices.Equal(tr.AllowedSources, want) || tr.OutboundProxy != "[2001:db8::5]:5070" ||
			!slices.Equal(tr.Codecs, []string{"PCMA"}) || tr.V17 || tr.UDPTLRedundancy != 0 || !tr.PAI ||
			tr.T38MaxDatagram != faxout.MaxT38MaxDatagram || tr.CallerIDFormat != model.CallerIDDigits {
			t.Fatalf("created %+v, want sources %v", tr, want)
		}
		got, err := e.svc.UpdateTrunk(e.ctx, e.w.AdminActor, tr.ID, faxout.TrunkPatch{MaxChannels: ptr(2)})
		if err != nil {
			t.Fatal(err)
		}
		got2, err := e.svc.GetTrunk(e.ctx, e.w.AdminActor, tr.ID)
		if err != nil || !slices.Equal(got2.AllowedSources, want) || got2.V17 || got2.UDPTLRedundancy != 0 ||
			got2.MaxChannels != 2 || got.UpdatedAt.IsZero() {
			t.Fatalf("after an unrelated patch: %+v %v", got2, err)
		}
	})
}
