package senders_test

import (
	"errors"
	"net"
	"testing"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/mail/senders"
	"faxgate/internal/model"
	"faxgate/internal/store/storetest"
)

// TestAllowlist runs on every engine: validation, the kinds, conflicts,
// who may manage which tenant's list, matching and removal.
func TestAllowlist(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			st := eng.Open(t)
			e := authtest.NewEnv(t, st, nil)
			w := e.NewWorld(t)
			s := senders.New(st, e.Audit)
			ctx := t.Context()

			add := []struct {
				value, user string
				kind        senders.Kind
				norm        string
				wantErr     string // field with an error
			}{
				{"Scanner@Office.Example", "", senders.KindAddress, "scanner@office.example", ""},
				{"office.example.", "", senders.KindDomain, "office.example", ""},
				{"203.0.113.7", w.UserA.ID, senders.KindNetwork, "203.0.113.7/32", ""},
				{"198.51.100.77/24", "", senders.KindNetwork, "198.51.100.0/24", ""},
				{"2001:db8::1/48", "", senders.KindNetwork, "2001:db8::/48", ""},
				{"10.0.0.0/8", "", senders.KindNetwork, "", "value"},
				{"::/0", "", senders.KindNetwork, "", "value"},
				{"300.1.1.1", "", senders.KindNetwork, "", "value"},
				{"not an address@", "", senders.KindAddress, "", "value"},
				{"localhost", "", senders.KindDomain, "", "value"},
				{"", "", "", "", "value"},
				{"x.example", w.UserB.ID, senders.KindDomain, "", "user_id"},
				{"y.example", "usr_nonexistent", senders.KindDomain, "", "user_id"},
			}
			for _, tt := range add {
				got, err := s.Add(ctx, w.TenantAActor, "", senders.Input{Value: tt.value, UserID: tt.user, Note: "n"})
				if tt.wantErr != "" {
					var ve *model.ValidationError
					if !errors.As(err, &ve) || ve.Fields[tt.wantErr] == "" {
						t.Errorf("Add(%q) = %v, want an error on %s", tt.value, err, tt.wantErr)
					}
					continue
				}
				authtest.Must(t, "Add "+tt.value, err)
				wantUser := tt.user
				if wantUser == "" {
					wantUser = w.TenantA.ID
				}
				if got.Kind != tt.kind || got.Value != tt.norm || got.UserID != wantUser || got.TenantID != w.A.ID {
					t.Errorf("Add(%q) = %+v", tt.value, got)
				}
			}
			if _, err := s.Add(ctx, w.TenantAActor, "", senders.Input{Value: "scanner@office.example"}); !errors.Is(err, model.ErrConflict) {
				t.Errorf("duplicate: %v, want a conflict", err)
			}
			if _, err := s.Add(ctx, w.UserAActor, "", senders.Input{Value: "z.example"}); !errors.Is(err, model.ErrForbidden) {
				t.Errorf("user adds: %v, want forbidden", err)
			}
			if _, err := s.List(ctx, w.TenantBActor, w.A.ID); !errors.Is(err, model.ErrNotFound) {
				t.Errorf("other tenant lists: %v, want not found", err)
			}
			list, err := s.List(ctx, w.TenantAActor, "")
			authtest.Must(t, "List", err)
			if len(list) != 5 {
				t.Fatalf("%d entries, want 5: %+v", len(list), list)
			}
			if adminList, err := s.List(ctx, w.AdminActor, w.A.ID); err != nil || len(adminList) != 5 {
				t.Errorf("admin lists tenant A: %d, %v", len(adminList), err)
			}
			if err := s.Remove(ctx, w.TenantBActor, "", list[0].ID); !errors.Is(err, model.ErrNotFound) {
				t.Errorf("other tenant removes: %v, want not found", err)
			}

			match := []struct {
				ip, sender string
				want       []string // values, most specific first
			}{
				{"192.0.2.1", "scanner@office.example", []string{"scanner@office.example", "office.example"}},
				{"192.0.2.1", "someone@office.example", []string{"office.example"}},
				{"203.0.113.7", "x@elsewhere.example", []string{"203.0.113.7/32"}},
				{"::ffff:198.51.100.200", "x@elsewhere.example", []string{"198.51.100.0/24"}},
				{"2001:db8:0:1::5", "x@elsewhere.example", []string{"2001:db8::/48"}},
				{"203.0.113.8", "x@elsewhere.example", nil},
			}
			for _, tt := range match {
				got, err := s.Match(ctx, net.ParseIP(tt.ip), tt.sender)
				authtest.Must(t, "Match", err)
				var vals []string
				for _, e := range got {
					vals = append(vals, e.Value)
				}
				if len(vals) != len(tt.want) || (len(vals) > 0 && vals[0] != tt.want[0]) {
					t.Errorf("Match(%s, %s) = %v, want %v", tt.ip, tt.sender, vals, tt.want)
				}
			}
			// A suspended tenant's list matches nothing.
			a := w.A
			a.Status = model.TenantSuspended
			authtest.Must(t, "suspend", st.UpdateTenant(ctx, w.AdminActor.Scope(), &a))
			if got, _ := s.Match(ctx, net.ParseIP("203.0.113.7"), "x@y.example"); len(got) != 0 {
				t.Errorf("suspended tenant matched: %+v", got)
			}
			authtest.Must(t, "Remove", s.Remove(ctx, w.TenantAActor, "", list[0].ID))
			if n := len(e.Events(t, senders.ActionAllowlistAdded)); n != 5 {
				t.Errorf("%d added events, want 5", n)
			}
			if n := len(e.Events(t, senders.ActionAllowlistRemoved)); n != 1 {
				t.Errorf("%d removed events, want 1", n)
			}
		})
	}
}

func TestOrigins(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			st := eng.Open(t)
			e := authtest.NewEnv(t, st, nil)
			w := e.NewWorld(t)
			s := senders.New(st, e.Audit)
			ctx := t.Context()
			o := senders.Origin{FaxID: "fax_1", TenantID: w.A.ID, NotifyTo: "user@a.example", MessageID: "m1@x", Subject: "S"}
			authtest.Must(t, "RecordOrigin", s.RecordOrigin(ctx, o))
			o2 := o
			o2.NotifyTo = "other@a.example"
			authtest.Must(t, "RecordOrigin again", s.RecordOrigin(ctx, o2))
			got, err := s.Origin(ctx, w.A.ID, "fax_1")
			authtest.Must(t, "Origin", err)
			if got.NotifyTo != "user@a.example" || got.MessageID != "m1@x" || got.Subject != "S" {
				t.Errorf("origin %+v: the first one must stay", got)
			}
			if _, err := s.Origin(ctx, w.B.ID, "fax_1"); !errors.Is(err, model.ErrNotFound) {
				t.Errorf("other tenant: %v, want not found", err)
			}
		})
	}
}
