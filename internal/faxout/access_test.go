package faxout_test

import (
	"errors"
	"testing"
	"time"

	"faxgate/internal/faxout"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/tenancy"
)

// TestFaxIsolation: faxes of another tenant (and, for users, of other
// users) do not exist for the actor: Get, Cancel and Timeline answer
// model.ErrNotFound; lists leave them out.
func TestFaxIsolation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := newEnv(t, open(t), envOptions{})
		_, userA2 := e.ae.User(t, e.w.A.ID, model.RoleUser, "second@a.example")
		fa := e.wait(t, e.submit(t, e.w.UserAActor, e.doc(t, e.w.UserA, 1), "+12025550100", 0).ID, nil)
		fb := e.wait(t, e.submit(t, e.w.UserBActor, e.doc(t, e.w.UserB, 1), "+12025550100", 0).ID, nil)

		for _, tc := range []struct {
			name  string
			actor model.Actor
			id    string
		}{
			{"tenant B admin, A's fax", e.w.TenantBActor, fa.ID},
			{"user B, A's fax", e.w.UserBActor, fa.ID},
			{"another user of A", userA2, fa.ID},
			{"user A, B's fax", e.w.UserAActor, fb.ID},
			{"garbage id", e.w.AdminActor, "fax_../../etc"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if _, err := e.svc.Get(e.ctx, tc.actor, tc.id); !errors.Is(err, model.ErrNotFound) {
					t.Errorf("Get: %v", err)
				}
				if _, err := e.svc.Timeline(e.ctx, tc.actor, tc.id); !errors.Is(err, model.ErrNotFound) {
					t.Errorf("Timeline: %v", err)
				}
				if _, err := e.svc.Cancel(e.ctx, tc.actor, tc.id); !errors.Is(err, model.ErrNotFound) {
					t.Errorf("Cancel: %v", err)
				}
			})
		}
		for _, tc := range []struct {
			name  string
			actor model.Actor
			want  []string
		}{
			{"user A", e.w.UserAActor, []string{fa.ID}},
			{"another user of A", userA2, nil},
			{"tenant A admin", e.w.TenantAActor, []string{fa.ID}},
			{"tenant B admin", e.w.TenantBActor, []string{fb.ID}},
			{"platform admin", e.w.AdminActor, []string{fb.ID, fa.ID}},
		} {
			list, _, err := e.svc.List(e.ctx, tc.actor, faxout.ListFilter{}, model.ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range list {
				got = append(got, f.ID)
			}
			if len(got) != len(tc.want) || len(got) > 0 && got[0] != tc.want[0] {
				t.Errorf("%s lists %v, want %v", tc.name, got, tc.want)
			}
		}
		if f, err := e.svc.Get(e.ctx, e.w.TenantAActor, fa.ID); err != nil || len(f.Attempts) != 1 {
			t.Errorf("tenant admin Get of a user's fax: %v", err)
		}
	})
}

// TestCallerIDs: the pool is admin business; tenants see and use only
// theirs.
func TestCallerIDs(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := newEnv(t, open(t), envOptions{})
		cidA, err := e.svc.CreateCID(e.ctx, e.w.AdminActor, faxout.CIDInput{Number: "(202) 555-0150", TenantID: e.w.A.ID,
			Label: "A main"})
		if err != nil || cidA.Number != "+12025550150" {
			t.Fatalf("CreateCID: %+v %v", cidA, err)
		}
		cidB, err := e.svc.CreateCID(e.ctx, e.w.AdminActor, faxout.CIDInput{Number: "+442079460150", TenantID: e.w.B.ID})
		if err != nil {
			t.Fatal(err)
		}
		spare, err := e.svc.CreateCID(e.ctx, e.w.AdminActor, faxout.CIDInput{Number: "+12025550151"})
		if err != nil {
			t.Fatal(err)
		}
		var ce *model.ConflictError
		if _, err := e.svc.CreateCID(e.ctx, e.w.AdminActor, faxout.CIDInput{Number: "+1 202 555 0150"}); !errors.As(err, &ce) || ce.Field != "number" {
			t.Errorf("duplicate number: %v", err)
		}
		var ve *model.ValidationError
		if _, err := e.svc.CreateCID(e.ctx, e.w.AdminActor, faxout.CIDInput{Number: "555"}); !errors.As(err, &ve) || ve.Fields["number"] == "" {
			t.Errorf("bad number: %v", err)
		}
		if _, err := e.svc.CreateCID(e.ctx, e.w.AdminActor, faxout.CIDInput{Number: "+12025550152", TenantID: "ten_nosuchtenant2222"}); !errors.As(err, &ve) || ve.Fields["tenant_id"] == "" {
			t.Errorf("unknown tenant: %v", err)
		}
		for _, actor := range []model.Actor{e.w.TenantAActor, e.w.UserAActor} {
			if _, err := e.svc.CreateCID(e.ctx, actor, faxout.CIDInput{Number: "+12025550153", TenantID: actor.TenantID}); !errors.Is(err, model.ErrForbidden) {
				t.Errorf("%s created a CID: %v", actor.Role, err)
			}
			if _, err := e.svc.UpdateCID(e.ctx, actor, cidB.ID, faxout.CIDPatch{TenantID: &actor.TenantID}); !errors.Is(err, model.ErrForbidden) {
				t.Errorf("%s reassigned a CID: %v", actor.Role, err)
			}
		}
		// My CIDs: the tenant's only; another tenant's CID does not exist.
		mine, _, err := e.svc.ListCIDs(e.ctx, e.w.UserAActor, store.CIDFilter{Unassigned: true}, model.ListOptions{})
		if err != nil || len(mine) != 1 || mine[0].ID != cidA.ID {
			t.Errorf("user A's CIDs: %v %v", mine, err)
		}
		if _, err := e.svc.GetCID(e.ctx, e.w.UserAActor, cidB.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("GetCID(B's) as A: %v", err)
		}
		if _, err := e.svc.GetCID(e.ctx, e.w.UserAActor, spare.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("GetCID(spare) as A: %v", err)
		}
		pool, _, err := e.svc.ListCIDs(e.ctx, e.w.AdminActor, store.CIDFilter{Unassigned: true}, model.ListOptions{})
		if err != nil || len(pool) != 1 || pool[0].ID != spare.ID {
			t.Errorf("spare pool: %v %v", pool, err)
		}
		// A fax with the tenant's CID carries it as caller ID and station id.
		f, _, err := e.svc.Submit(e.ctx, e.w.UserAActor, faxout.SubmitInput{To: "+12025550100",
			DocumentID: e.doc(t, e.w.UserA, 1).ID, CallerID: "202-555-0150"})
		if err != nil || f.CallerID != "+12025550150" {
			t.Fatalf("submit with own CID: %v %v", f.CallerID, err)
		}
		e.wait(t, f.ID, nil)
		calls := e.lines.callsTo("+12025550100")
		if len(calls) != 1 || calls[0].CallerID != "+12025550150" || calls[0].StationID != "+12025550150" {
			t.Errorf("call caller ID/station: %+v", calls)
		}
		// Unassigning moves it back to the pool: the tenant can no longer use it.
		none := ""
		if _, err := e.svc.UpdateCID(e.ctx, e.w.AdminActor, cidA.ID, faxout.CIDPatch{TenantID: &none}); err != nil {
			t.Fatal(err)
		}
		_, _, err = e.svc.Submit(e.ctx, e.w.UserAActor, faxout.SubmitInput{To: "+12025550100",
			DocumentID: e.doc(t, e.w.UserA, 1).ID, CallerID: "+12025550150"})
		if !errors.As(err, &ve) || ve.Fields["caller_id"] == "" {
			t.Errorf("unassigned CID still usable: %v", err)
		}
		if err := e.svc.DeleteCID(e.ctx, e.w.AdminActor, cidA.ID); err != nil {
			t.Error(err)
		}
		if evs := e.ae.Events(t, model.ActionCIDCreated); len(evs) != 3 {
			t.Errorf("%d cid.created audit events, want 3", len(evs))
		}
	})
}

// TestTrunkAdmin: trunk management is for platform admins, validated, and
// audited; the password is kept unless replaced or cleared.
func TestTrunkAdmin(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := newEnv(t, open(t), envOptions{noStart: true})
		for _, actor := range []model.Actor{e.w.TenantAActor, e.w.UserAActor} {
			if _, err := e.svc.ListTrunks(e.ctx, actor); !errors.Is(err, model.ErrForbidden) {
				t.Errorf("%s listed trunks: %v", actor.Role, err)
			}
			if _, err := e.svc.CreateTrunk(e.ctx, actor, faxout.TrunkInput{Name: "x", Kind: model.TrunkTest, MaxChannels: 1}); !errors.Is(err, model.ErrForbidden) {
				t.Errorf("%s created a trunk: %v", actor.Role, err)
			}
		}
		bad := []struct {
			in    faxout.TrunkInput
			field string
		}{
			{faxout.TrunkInput{Kind: model.TrunkTest, MaxChannels: 1}, "name"},
			{faxout.TrunkInput{Name: "k", Kind: "isdn", MaxChannels: 1}, "kind"},
			{faxout.TrunkInput{Name: "c", Kind: model.TrunkTest}, "max_channels"},
			{faxout.TrunkInput{Name: "s", Kind: model.TrunkTest, MaxChannels: 1, Speed: "warp"}, "speed"},
			{faxout.TrunkInput{Name: "h", Kind: model.TrunkSIP, MaxChannels: 1}, "host"},
			{faxout.TrunkInput{Name: "p", Kind: model.TrunkSIP, MaxChannels: 1, Host: "h", Port: 70000}, "port"},
			{faxout.TrunkInput{Name: "t", Kind: model.TrunkSIP, MaxChannels: 1, Host: "h", Transport: "sctp"}, "transport"},
			{faxout.TrunkInput{Name: "38", Kind: model.TrunkSIP, MaxChannels: 1, Host: "h", T38: "maybe"}, "t38"},
			{faxout.TrunkInput{Name: "d", Kind: model.TrunkTest, MaxChannels: 1, DialRules: model.DialRules{Allow: []string{"+1 2"}}}, "dial_rules"},
			{faxout.TrunkInput{Name: "tn", Kind: model.TrunkTest, MaxChannels: 1, TenantIDs: []string{"ten_nosuchtenant2222"}}, "tenant_ids"},
			{faxout.TrunkInput{Name: "src", Kind: model.TrunkTest, MaxChannels: 1, FaxSources: []model.FaxSource{"fax"}}, "fax_sources"},
			{sipIn(func(in *faxout.TrunkInput) { in.AllowedSources = []string{"api"} }), "allowed_sources"},
			{sipIn(func(in *faxout.TrunkInput) { in.AllowedSources = []string{"192.0.2.1", "192.0.2.256"} }), "allowed_sources"},
			{sipIn(func(in *faxout.TrunkInput) { in.AllowedSources = []string{"2001:db8::/129"} }), "allowed_sources"},
			{sipIn(func(in *faxout.TrunkInput) { in.AllowedSources = make([]string, faxout.MaxAllowedSources+1) }), "allowed_sources"},
			{faxout.TrunkInput{Name: "tsrc", Kind: model.TrunkTest, MaxChannels: 1, AllowedSources: []string{"192.0.2.1"}}, "allowed_sources"},
			{sipIn(func(in *faxout.TrunkInput) { in.OutboundProxy = "proxy example" }), "outbound_proxy"},
			{sipIn(func(in *faxout.TrunkInput) { in.OutboundProxy = "proxy.example:0" }), "outbound_proxy"},
			{sipIn(func(in *faxout.TrunkInput) { in.OutboundProxy = "2001:db8::1" }), "outbound_proxy"},
			{sipIn(func(in *faxout.TrunkInput) { in.OutboundProxy = "-bad-.example" }), "outbound_proxy"},
			{sipIn(func(in *faxout.TrunkInput) { in.CallerIDFormat = "national" }), "caller_id_format"},
			{sipIn(func(in *faxout.TrunkInput) { in.Codecs = []string{"G722"} }), "codecs"},
			{sipIn(func(in *faxout.TrunkInput) { in.Codecs = []string{"PCMA", "pcma"} }), "codecs"},
			{sipIn(func(in *faxout.TrunkInput) { in.Codecs = []string{"PCMU", "PCMA", "PCMU"} }), "codecs"},
			{sipIn(func(in *faxout.TrunkInput) { in.UDPTLRedundancy = ptr(-1) }), "udptl_redundancy"},
			{sipIn(func(in *faxout.TrunkInput) { in.UDPTLRedundancy = ptr(faxout.MaxUDPTLRedundancy + 1) }), "udptl_redundancy"},
			{sipIn(func(in *faxout.TrunkInput) { in.T38MaxDatagram = faxout.MinT38MaxDatagram - 1 }), "t38_max_datagram"},
			{sipIn(func(in *faxout.TrunkInput) { in.T38MaxDatagram = faxout.MaxT38MaxDatagram + 1 }), "t38_max_datagram"},
			{sipIn(func(in *faxout.TrunkInput) { in.T38MaxDatagram = -400 }), "t38_max_datagram"},
			{faxout.TrunkInput{Name: "r", Kind: model.TrunkTest, MaxChannels: 1, RingTimeout: 1}, "ring_timeout_s"},
		}
		for _, tc := range bad {
			var ve *model.ValidationError
			if _, err := e.svc.CreateTrunk(e.ctx, e.w.AdminActor, tc.in); !errors.As(err, &ve) || ve.Fields[tc.field] == "" {
				t.Errorf("CreateTrunk(%+v): %v, want a %s error", tc.in, err, tc.field)
			}
		}
		tr, err := e.svc.CreateTrunk(e.ctx, e.w.AdminActor, faxout.TrunkInput{Name: "Carrier", Kind: model.TrunkSIP,
			Host: "sip.example.net", MaxChannels: 10, Username: "u", Password: "secret", TenantIDs: []string{e.w.A.ID}})
		if err != nil || tr.Port != 5060 || tr.Transport != "udp" || tr.T38 != model.T38Request || !tr.Enabled || !tr.ECM {
			t.Fatalf("CreateTrunk defaults: %+v %v", tr, err)
		}
		var ce *model.ConflictError
		if _, err := e.svc.CreateTrunk(e.ctx, e.w.AdminActor, faxout.TrunkInput{Name: "carrier", Kind: model.TrunkTest, MaxChannels: 1}); !errors.As(err, &ce) {
			t.Errorf("duplicate name: %v", err)
		}
		prio, empty := 7, ""
		tr, err = e.svc.UpdateTrunk(e.ctx, e.w.AdminActor, tr.ID, faxout.TrunkPatch{Priority: &prio, Password: &empty})
		if err != nil || tr.Priority != 7 || tr.Password != "secret" {
			t.Errorf("UpdateTrunk keeps the password: %+v %v", tr, err)
		}
		tr, err = e.svc.UpdateTrunk(e.ctx, e.w.AdminActor, tr.ID, faxout.TrunkPatch{ClearPassword: true})
		if err != nil || tr.Password != "" {
			t.Errorf("ClearPassword: %v", err)
		}
		list, err := e.svc.ListTrunks(e.ctx, e.w.AdminActor)
		if err != nil || len(list) != 3 {
			t.Errorf("ListTrunks: %d %v", len(list), err)
		}
		if err := e.svc.DeleteTrunk(e.ctx, e.w.AdminActor, tr.ID); err != nil {
			t.Error(err)
		}
		if _, err := e.svc.GetTrunk(e.ctx, e.w.AdminActor, tr.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("GetTrunk(deleted): %v", err)
		}
		for _, action := range []string{model.ActionTrunkCreated, model.ActionTrunkUpdated, model.ActionTrunkDeleted} {
			if len(e.ae.Events(t, action)) == 0 {
				t.Errorf("no %s audit event", action)
			}
		}
	})
}

// TestTenantSettings: submissions read the tenant's fax settings (kept by
// tenancy): the default country reads numbers, default retries, retry
// delay and caller ID apply; the channel cap is a platform admin's.
func TestTenantSettings(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := newEnv(t, open(t), envOptions{})
		gb, retries, delay := "GB", 5, 90*time.Second
		if _, err := e.svc.CreateCID(e.ctx, e.w.AdminActor, faxout.CIDInput{Number: "+442079460150", TenantID: e.w.A.ID}); err != nil {
			t.Fatal(err)
		}
		cid := "020 7946 0150"
		if _, err := e.ae.Tenancy.UpdateFaxSettings(e.ctx, e.w.TenantAActor, "", tenancy.FaxSettingsInput{
			DefaultCountry: &gb, DefaultRetries: &retries, RetryDelay: &delay, DefaultCallerID: &cid}); err != nil {
			t.Fatal(err)
		}
		f, _, err := e.svc.Submit(e.ctx, e.w.UserAActor, faxout.SubmitInput{To: "020 7946 0100", DocumentID: e.doc(t, e.w.UserA, 1).ID})
		if err != nil || f.To != "+442079460100" || f.Retries != 5 || f.RetryDelay != delay || f.CallerID != "+442079460150" {
			t.Errorf("submission with GB settings: %+v %v", f, err)
		}
		var ve *model.ValidationError
		_, _, err = e.svc.Submit(e.ctx, e.w.UserBActor, faxout.SubmitInput{To: "020 7946 0100", DocumentID: e.doc(t, e.w.UserB, 1).ID})
		if !errors.As(err, &ve) || ve.Fields["to"] != "not a valid phone number for US: 020 7946 0100" {
			t.Errorf("the same number for a US tenant: %v", err)
		}
		// The default caller ID no longer counts once it left the tenant.
		cids, _, err := e.svc.ListCIDs(e.ctx, e.w.AdminActor, store.CIDFilter{TenantID: e.w.A.ID}, model.ListOptions{})
		if err != nil || len(cids) != 1 {
			t.Fatal(cids, err)
		}
		none := ""
		if _, err := e.svc.UpdateCID(e.ctx, e.w.AdminActor, cids[0].ID, faxout.CIDPatch{TenantID: &none}); err != nil {
			t.Fatal(err)
		}
		f, _, err = e.svc.Submit(e.ctx, e.w.UserAActor, faxout.SubmitInput{To: "020 7946 0100", DocumentID: e.doc(t, e.w.UserA, 1).ID})
		if err != nil || f.CallerID != "" {
			t.Errorf("stale default caller ID: %q %v", f.CallerID, err)
		}

		for _, actor := range []model.Actor{e.w.TenantAActor, e.w.UserAActor} {
			if err := e.svc.SetChannelCap(e.ctx, actor, e.w.A.ID, 9); !errors.Is(err, model.ErrForbidden) {
				t.Errorf("%s set the channel cap: %v", actor.Role, err)
			}
		}
		if err := e.svc.SetChannelCap(e.ctx, e.w.AdminActor, e.w.A.ID, -1); !errors.As(err, &ve) {
			t.Errorf("negative cap: %v", err)
		}
		if err := e.svc.SetChannelCap(e.ctx, e.w.AdminActor, e.w.A.ID, 2); err != nil {
			t.Fatal(err)
		}
		if n, err := e.svc.ChannelCap(e.ctx, e.w.TenantAActor, ""); err != nil || n != 2 {
			t.Errorf("ChannelCap = %d, %v", n, err)
		}
		if _, err := e.svc.ChannelCap(e.ctx, e.w.TenantBActor, e.w.A.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("B read A's cap: %v", err)
		}
		if len(e.ae.Events(t, model.ActionChannelCapSet)) != 1 {
			t.Error("the cap change is not audited")
		}
	})
}
