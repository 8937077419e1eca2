package audit_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"faxgate/internal/audit"
	"faxgate/internal/auth/authtest"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
)

func TestVisibility(t *testing.T) {
	authtest.ForEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := authtest.NewEnv(t, open(t), nil)
		w := e.NewWorld(t)
		rec := func(a model.Actor, action, tenant string) {
			e.Clock.Advance(time.Minute)
			e.Audit.Record(e.Ctx, a, action, "user", a.UserID, action+" by "+a.Email, tenant)
		}
		rec(w.AdminActor, model.ActionTenantCreated, "")              // platform-level
		rec(w.AdminActor, model.ActionUserCreated, w.A.ID)            // admin acting in A
		rec(w.TenantAActor, model.ActionUserUpdated, w.A.ID)          // tenant A
		rec(w.UserAActor, model.ActionPasswordChanged, w.A.ID)        // user A
		rec(w.UserAActor, model.ActionAPIKeyCreated, w.A.ID)          // user A
		rec(w.TenantBActor, model.ActionBrandingUpdated, w.B.ID)      // tenant B
		rec(w.UserBActor, model.ActionLoginSucceeded, w.B.ID)         // user B
		rec(model.Actor{Email: "ghost"}, model.ActionLoginFailed, "") // anonymous

		tests := []struct {
			name  string
			actor model.Actor
			f     store.AuditFilter
			want  []string // actions, newest first
		}{
			{"admin sees all", w.AdminActor, store.AuditFilter{}, []string{"auth.login_failed", "auth.login", "branding.updated", "api_key.created", "auth.password_changed", "user.updated", "user.created", "tenant.created"}},
			{"admin filters by tenant", w.AdminActor, store.AuditFilter{TenantID: w.B.ID}, []string{"auth.login", "branding.updated"}},
			{"admin filters by user", w.AdminActor, store.AuditFilter{UserID: w.UserA.ID}, []string{"api_key.created", "auth.password_changed"}},
			{"admin filters by action prefix", w.AdminActor, store.AuditFilter{Action: "auth"}, []string{"auth.login_failed", "auth.login", "auth.password_changed"}},
			{"tenant sees its tenant", w.TenantAActor, store.AuditFilter{}, []string{"api_key.created", "auth.password_changed", "user.updated", "user.created"}},
			{"tenant asks for another tenant", w.TenantAActor, store.AuditFilter{TenantID: w.B.ID}, nil},
			{"tenant asks for another tenant's user", w.TenantAActor, store.AuditFilter{UserID: w.UserB.ID}, nil},
			{"user sees own actions", w.UserAActor, store.AuditFilter{}, []string{"api_key.created", "auth.password_changed"}},
			{"user asks for its tenant admin's", w.UserAActor, store.AuditFilter{UserID: w.TenantA.ID}, nil},
			{"user filters own by action", w.UserAActor, store.AuditFilter{Action: "api_key"}, []string{"api_key.created"}},
			{"search", w.AdminActor, store.AuditFilter{Query: " BY " + strings.ToUpper(w.UserAActor.Email) + " "}, []string{"api_key.created", "auth.password_changed"}},
			{"search within the tenant", w.TenantBActor, store.AuditFilter{Query: w.UserAActor.Email}, nil},
			{"time range", w.AdminActor, store.AuditFilter{From: e.Clock.Now().Add(-3 * time.Minute), To: e.Clock.Now()}, []string{"auth.login", "branding.updated", "api_key.created"}}, // From inclusive, To exclusive
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				evs, _, err := e.Audit.List(e.Ctx, tc.actor, tc.f, model.ListOptions{})
				authtest.Must(t, "list", err)
				var got []string
				for _, ev := range evs {
					got = append(got, ev.Action)
				}
				if !slices.Equal(got, tc.want) {
					t.Fatalf("List = %v, want %v", got, tc.want)
				}
			})
		}
		var ve *model.ValidationError
		if _, _, err := e.Audit.List(e.Ctx, w.AdminActor, store.AuditFilter{From: e.Clock.Now(), To: e.Clock.Now().Add(-time.Hour)}, model.ListOptions{}); !errors.As(err, &ve) {
			t.Fatalf("to before from = %v", err)
		}
		if _, _, err := e.Audit.List(e.Ctx, w.AdminActor, store.AuditFilter{Query: strings.Repeat("é", audit.MaxQuery+1)}, model.ListOptions{}); !errors.As(err, &ve) || ve.Fields["q"] == "" {
			t.Fatalf("search too long = %v", err)
		}
		if _, _, err := e.Audit.List(e.Ctx, model.Actor{}, store.AuditFilter{}, model.ListOptions{}); !errors.Is(err, model.ErrUnauthenticated) {
			t.Fatalf("zero actor = %v", err)
		}
	})
}

func TestRecordFields(t *testing.T) {
	e := authtest.NewEnv(t, storetest.OpenSQLite(t), nil)
	w := e.NewWorld(t)
	a := w.TenantAActor
	a.IP = "2001:db8::1"
	e.Audit.Record(e.Ctx, a, model.ActionUserCreated, "user", "usr_x", "line one\nline two "+strings.Repeat("é", 400), w.A.ID)
	evs, _, err := e.Audit.List(e.Ctx, w.AdminActor, store.AuditFilter{}, model.ListOptions{})
	authtest.Must(t, "list", err)
	ev := evs[0]
	if ev.ActorID != a.UserID || ev.ActorEmail != a.Email || ev.IP != "2001:db8::1" || ev.TenantID != w.A.ID ||
		ev.TargetType != "user" || ev.TargetID != "usr_x" || !ev.At.Equal(e.Clock.Now()) {
		t.Fatalf("event %+v", ev)
	}
	if strings.ContainsAny(ev.Detail, "\n\r") || len(ev.Detail) > 510 || !strings.HasPrefix(ev.Detail, "line one line two") || !strings.HasSuffix(ev.Detail, "…") {
		t.Fatalf("detail not one bounded line: %q (%d bytes)", ev.Detail, len(ev.Detail))
	}
}

func TestRecordSurvivesCancelledRequestAndLogsFailures(t *testing.T) {
	st := storetest.OpenSQLite(t)
	var logs bytes.Buffer
	au := audit.NewService(st, slog.New(slog.NewTextHandler(&logs, nil)), nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	au.Record(ctx, model.SystemActor(), model.ActionTenantCreated, "tenant", "ten_x", "made after the client left", "")
	evs, _, err := st.ListAuditEvents(context.Background(), model.PlatformScope(), store.AuditFilter{}, model.ListOptions{})
	if err != nil || len(evs) != 1 {
		t.Fatalf("event of a cancelled request not stored: %v %v", evs, err)
	}
	authtest.Must(t, "close", st.Close())
	au.Record(context.Background(), model.SystemActor(), model.ActionTenantUpdated, "tenant", "ten_x", "lost write", "")
	if !strings.Contains(logs.String(), "audit event not stored") || !strings.Contains(logs.String(), "lost write") {
		t.Fatalf("store failure not logged with the event: %q", logs.String())
	}
}
