package announce_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"faxgate/internal/announce"
	"faxgate/internal/auth/authtest"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

func TestAnnouncements(t *testing.T) {
	authtest.ForEachEngine(t, func(t *testing.T, open func(t *testing.T) *store.Store) {
		st := open(t)
		e := authtest.NewEnv(t, st, nil)
		w := e.NewWorld(t)
		clock := time.Now().UTC()
		now := func() time.Time { return clock }
		svc := announce.New(st, e.Audit, now)
		ctx := context.Background()

		// A tenant admin posts for its own tenant, whatever TenantID says.
		a, err := svc.Create(ctx, w.TenantAActor, announce.Input{TenantID: w.B.ID, Message: "  Maintenance tonight \r\n",
			ExpiresAt: clock.Add(2 * time.Hour)})
		authtest.Must(t, "tenant create", err)
		if a.TenantID != w.A.ID || a.Message != "Maintenance tonight" || a.Level != model.AnnouncementInfo ||
			a.CreatedBy != "boss@a.example" {
			t.Fatalf("created %+v", a)
		}
		plat, err := svc.Create(ctx, w.AdminActor, announce.Input{Message: "New fax line", Level: model.AnnouncementWarning})
		authtest.Must(t, "platform create", err)
		forB, err := svc.Create(ctx, w.AdminActor, announce.Input{TenantID: w.B.ID, Message: "Hello B"})
		authtest.Must(t, "admin create for B", err)
		later, err := svc.Create(ctx, w.TenantAActor, announce.Input{Message: "Tomorrow", StartsAt: clock.Add(24 * time.Hour)})
		authtest.Must(t, "scheduled create", err)

		active := func(tenantID string) string {
			t.Helper()
			as, err := svc.Active(ctx, tenantID)
			authtest.Must(t, "Active", err)
			var ids []string
			for _, x := range as {
				ids = append(ids, x.ID)
			}
			return strings.Join(ids, ",")
		}
		if got, want := active(w.A.ID), plat.ID+","+a.ID; got != want {
			t.Fatalf("tenant A sees %s, want %s", got, want)
		}
		if got, want := active(w.B.ID), plat.ID+","+forB.ID; got != want {
			t.Fatalf("tenant B sees %s, want %s", got, want)
		}
		if got := active(""); got != plat.ID {
			t.Fatalf("platform login page sees %s", got)
		}

		// Three hours on: A's announcement expired, the scheduled one shows
		// the next day.
		clock = clock.Add(3 * time.Hour)
		if got := active(w.A.ID); got != plat.ID {
			t.Fatalf("after expiry tenant A sees %s", got)
		}
		clock = clock.Add(24 * time.Hour)
		if got := active(w.A.ID); got != plat.ID+","+later.ID {
			t.Fatalf("next day tenant A sees %s", got)
		}

		// Isolation: tenant A cannot read, change or delete B's or the
		// platform's; users manage nothing.
		for _, id := range []string{forB.ID, plat.ID} {
			if _, err := svc.Get(ctx, w.TenantAActor, id); !errors.Is(err, model.ErrNotFound) {
				t.Errorf("tenant A gets %s: %v", id, err)
			}
			if _, err := svc.Update(ctx, w.TenantAActor, id, announce.Input{Message: "x"}); !errors.Is(err, model.ErrNotFound) {
				t.Errorf("tenant A updates %s: %v", id, err)
			}
			if err := svc.Delete(ctx, w.TenantAActor, id); !errors.Is(err, model.ErrNotFound) {
				t.Errorf("tenant A deletes %s: %v", id, err)
			}
		}
		if _, err := svc.Create(ctx, w.UserAActor, announce.Input{Message: "x"}); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("user creates: %v", err)
		}
		if _, _, err := svc.List(ctx, w.UserAActor, announce.Filter{}, model.ListOptions{}); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("user lists: %v", err)
		}
		list, _, err := svc.List(ctx, w.TenantAActor, announce.Filter{PlatformOnly: true}, model.ListOptions{})
		authtest.Must(t, "tenant list", err)
		if len(list) != 2 || list[0].ID != later.ID || list[1].ID != a.ID {
			t.Fatalf("tenant A lists %+v", list)
		}
		all, _, err := svc.List(ctx, w.AdminActor, announce.Filter{}, model.ListOptions{})
		authtest.Must(t, "admin list", err)
		onlyPlat, _, err := svc.List(ctx, w.AdminActor, announce.Filter{PlatformOnly: true}, model.ListOptions{})
		authtest.Must(t, "admin list platform", err)
		if len(all) != 4 || len(onlyPlat) != 1 || onlyPlat[0].ID != plat.ID {
			t.Fatalf("admin lists %d, platform-only %+v", len(all), onlyPlat)
		}

		// Update and delete, audited.
		up, err := svc.Update(ctx, w.TenantAActor, later.ID, announce.Input{Message: "Moved", Level: model.AnnouncementWarning})
		authtest.Must(t, "update", err)
		if up.Message != "Moved" || up.Level != model.AnnouncementWarning || !up.StartsAt.Equal(later.StartsAt) {
			t.Fatalf("updated %+v", up)
		}
		authtest.Must(t, "delete", svc.Delete(ctx, w.TenantAActor, later.ID))
		if _, err := svc.Get(ctx, w.TenantAActor, later.ID); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("deleted announcement: %v", err)
		}
		for _, action := range []string{model.ActionAnnouncementCreated, model.ActionAnnouncementUpdated, model.ActionAnnouncementDeleted} {
			if len(e.Events(t, action, later.ID)) != 1 {
				t.Errorf("no %s event", action)
			}
		}
	})
}

func TestAnnouncementValidation(t *testing.T) {
	authtest.ForEachEngine(t, func(t *testing.T, open func(t *testing.T) *store.Store) {
		st := open(t)
		e := authtest.NewEnv(t, st, nil)
		w := e.NewWorld(t)
		now := time.Now().UTC()
		svc := announce.New(st, e.Audit, func() time.Time { return now })
		for _, c := range []struct {
			name  string
			in    announce.Input
			field string
		}{
			{"empty", announce.Input{Message: " \n "}, "message"},
			{"too long", announce.Input{Message: strings.Repeat("é", announce.MaxMessage+1)}, "message"},
			{"bad level", announce.Input{Message: "x", Level: "loud"}, "level"},
			{"expired", announce.Input{Message: "x", StartsAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour)}, "expires_at"},
			{"ends before start", announce.Input{Message: "x", StartsAt: now.Add(2 * time.Hour), ExpiresAt: now.Add(time.Hour)}, "expires_at"},
		} {
			_, err := svc.Create(context.Background(), w.TenantAActor, c.in)
			var ve *model.ValidationError
			if !errors.As(err, &ve) || ve.Fields[c.field] == "" {
				t.Errorf("%s: %v", c.name, err)
			}
		}
		if _, err := svc.Create(context.Background(), w.AdminActor, announce.Input{TenantID: "ten_nope", Message: "x"}); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("unknown tenant: %v", err)
		}
	})
}
