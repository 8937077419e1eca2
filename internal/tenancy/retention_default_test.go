package tenancy_test

import (
	"testing"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/store"
	"faxgate/internal/tenancy"
)

// TestTenantRetentionFollowsPlatform: a new tenant's retention period is
// the platform default (30 days out of the box, then what the admin set),
// and creating or changing a tenant accepts only periods within the
// platform's minimum and maximum.
func TestTenantRetentionFollowsPlatform(t *testing.T) {
	authtest.ForEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := authtest.NewEnv(t, open(t), nil)
		w := e.NewWorld(t)
		tn, err := e.Tenancy.CreateTenant(e.Ctx, w.AdminActor, tenancy.TenantInput{Name: "Default retention"})
		authtest.Must(t, "create", err)
		if tn.RetentionDays != 30 {
			t.Fatalf("new tenant retention = %d, want 30", tn.RetentionDays)
		}
		_, err = e.Tenancy.UpdatePlatformSettings(e.Ctx, w.AdminActor, tenancy.PlatformSettingsInput{
			RetentionMinDays: ptr(7), RetentionMaxDays: ptr(60), RetentionDefaultDays: ptr(14)})
		authtest.Must(t, "platform bounds", err)
		tn2, err := e.Tenancy.CreateTenant(e.Ctx, w.AdminActor, tenancy.TenantInput{Name: "After change"})
		authtest.Must(t, "create after change", err)
		if tn2.RetentionDays != 14 {
			t.Fatalf("retention after the admin changed the default = %d, want 14", tn2.RetentionDays)
		}
		tests := []struct {
			name string
			days int
			ok   bool
		}{
			{"below minimum", 6, false},
			{"minimum", 7, true},
			{"maximum", 60, true},
			{"above maximum", 61, false},
		}
		for i, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.Tenancy.CreateTenant(e.Ctx, w.AdminActor, tenancy.TenantInput{
					Name: "Bounded " + string(rune('a'+i)), RetentionDays: ptr(tc.days)})
				_, uerr := e.Tenancy.UpdateTenant(e.Ctx, w.AdminActor, tn.ID, tenancy.TenantInput{RetentionDays: ptr(tc.days)})
				if tc.ok {
					authtest.Must(t, "create", err)
					authtest.Must(t, "update", uerr)
					return
				}
				invalid("retention_days").check(t, err)
				invalid("retention_days").check(t, uerr)
			})
		}
		got, err := e.Tenancy.GetTenant(e.Ctx, w.AdminActor, tn.ID)
		authtest.Must(t, "get", err)
		if got.RetentionDays != 60 {
			t.Fatalf("refused updates changed the tenant: retention %d, want 60", got.RetentionDays)
		}
	})
}
