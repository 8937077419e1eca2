package campaign_test

import (
	"slices"
	"strings"
	"testing"

	"faxgate/internal/campaign"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

func TestDNC(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		d, err := e.svc.AddDNC(ctx(t), e.userA, campaign.DNCInput{Number: "(202) 555-0123", Note: "asked by phone"})
		if err != nil || d.Number != "+12025550123" || d.TenantID != e.tenantA.ID || d.CreatedBy != "user@a.example" {
			t.Fatalf("add: %+v %v", d, err)
		}
		_, err = e.svc.AddDNC(ctx(t), e.adminA, campaign.DNCInput{Number: "+12025550123"})
		wantConflict(t, "already listed", err, "number")
		_, err = e.svc.AddDNC(ctx(t), e.userA, campaign.DNCInput{Number: "12"})
		wantField(t, "bad number", err, "number")
		_, err = e.svc.AddDNC(ctx(t), e.adminA, campaign.DNCInput{Global: true, Number: "2025550199"})
		wantIs(t, "tenant admin adds to the global list", err, model.ErrForbidden)
		global, err := e.svc.AddDNC(ctx(t), e.root, campaign.DNCInput{Global: true, Number: "2025550199", Note: "regulator"})
		if err != nil || global.TenantID != "" {
			t.Fatalf("global add: %+v %v", global, err)
		}

		for _, tc := range []struct {
			tenant, number string
			blocked        bool
			reason         string
		}{
			{e.tenantA.ID, "+12025550123", true, "+12025550123 is on the do-not-contact list (asked by phone)"},
			{e.tenantB.ID, "+12025550123", false, ""},
			{e.tenantA.ID, "+12025550199", true, "+12025550199 is on the global do-not-contact list (regulator)"},
			{e.tenantB.ID, "+12025550199", true, "+12025550199 is on the global do-not-contact list (regulator)"},
			{e.tenantA.ID, "+12025550100", false, ""},
		} {
			blocked, reason := e.svc.IsBlocked(ctx(t), tc.tenant, tc.number)
			if blocked != tc.blocked || reason != tc.reason {
				t.Errorf("IsBlocked(%s, %s) = %v %q, want %v %q", tc.tenant, tc.number, blocked, reason, tc.blocked, tc.reason)
			}
		}

		list, _, err := e.svc.ListDNC(ctx(t), e.userB, store.DNCFilter{}, model.ListOptions{})
		if err != nil || len(list) != 0 {
			t.Errorf("tenant B list: %v %v", list, err)
		}
		_, _, err = e.svc.ListDNC(ctx(t), e.userA, store.DNCFilter{Global: true}, model.ListOptions{})
		wantIs(t, "tenant lists the global list", err, model.ErrForbidden)
		wantIs(t, "user removes", e.svc.RemoveDNC(ctx(t), e.userA, d.ID), model.ErrForbidden)
		wantIs(t, "other tenant removes", e.svc.RemoveDNC(ctx(t), e.userB, d.ID), model.ErrNotFound)
		wantIs(t, "tenant admin removes a global entry", e.svc.RemoveDNC(ctx(t), e.adminA, global.ID), model.ErrNotFound)
		if err := e.svc.RemoveDNC(ctx(t), e.adminA, d.ID); err != nil {
			t.Fatal(err)
		}
		if blocked, _ := e.svc.IsBlocked(ctx(t), e.tenantA.ID, "+12025550123"); blocked {
			t.Error("still blocked after removal")
		}

		// CSV import: with a header (semicolons) and headerless.
		res, err := e.svc.ImportDNCCSV(ctx(t), e.userB, campaign.DNCInput{Note: "import"},
			strings.NewReader("Phone;Reason\n2025550140;lawyer\n2025550141;\nnope;\n+1 202 555 0140;again\n"), campaign.CSVOptions{})
		if err != nil || res.Total != 4 || res.Added != 2 || res.AlreadyListed != 1 || res.Invalid != 1 || res.Errors[0].Line != 4 {
			t.Errorf("dnc import: %+v %v", res, err)
		}
		if _, reason := e.svc.IsBlocked(ctx(t), e.tenantB.ID, "+12025550141"); !strings.Contains(reason, "(import)") {
			t.Errorf("default note not applied: %q", reason)
		}
		res, err = e.svc.ImportDNCCSV(ctx(t), e.root, campaign.DNCInput{Global: true},
			strings.NewReader("2025550150\n2025550151,note\n"), campaign.CSVOptions{})
		if err != nil || res.Added != 2 {
			t.Errorf("headerless global import: %+v %v", res, err)
		}
		if blocked, _ := e.svc.IsBlocked(ctx(t), e.tenantA.ID, "+12025550151"); !blocked {
			t.Error("global import does not block tenant A")
		}
		_, err = e.svc.ImportDNCCSV(ctx(t), e.userA, campaign.DNCInput{}, strings.NewReader("Name,Email\na,b\n"), campaign.CSVOptions{})
		wantField(t, "no number column", err, "file")

		want := []string{model.ActionDNCAdded, model.ActionDNCRemoved}
		if got := auditActions(t, e, e.tenantA.ID, "dnc"); !slices.Equal(got, want) {
			t.Errorf("tenant A audit %v, want %v", got, want)
		}
		evs, _, _ := e.st.ListAuditEvents(ctx(t), model.PlatformScope(), store.AuditFilter{Action: "dnc", UserID: e.root.UserID}, model.ListOptions{})
		if len(evs) != 2 {
			t.Errorf("admin's dnc events: %d, want 2 (add global, import global)", len(evs))
		}
	})
}
