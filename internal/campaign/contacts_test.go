package campaign_test

import (
	"context"
	"slices"
	"testing"

	"faxgate/internal/campaign"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

func ptr[T any](v T) *T { return &v }

func TestContacts(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		c, err := e.svc.CreateContact(ctx(t), e.userA, campaign.ContactInput{FirstName: " Ada ", LastName: "Lovelace",
			Fax: "(202) 555-0123", Email: "ada@example.org", Custom: []string{"a", "b"}})
		if err != nil {
			t.Fatal(err)
		}
		if c.Fax != "+12025550123" || c.FirstName != "Ada" || c.TenantID != e.tenantA.ID || c.Custom[1] != "b" {
			t.Errorf("created %+v", c)
		}
		_, err = e.svc.CreateContact(ctx(t), e.adminA, campaign.ContactInput{Fax: "+1 202 555 0123"})
		wantConflict(t, "same number, other formatting", err, "fax")
		_, err = e.svc.CreateContact(ctx(t), e.userB, campaign.ContactInput{Fax: "2025550123"})
		if err != nil {
			t.Errorf("other tenant, same number: %v", err)
		}
		for _, tc := range []struct {
			name  string
			in    campaign.ContactInput
			field string
		}{
			{"no fax", campaign.ContactInput{FirstName: "X"}, "fax"},
			{"bad fax", campaign.ContactInput{Fax: "555"}, "fax"},
			{"letters in fax", campaign.ContactInput{Fax: "call me"}, "fax"},
			{"bad email", campaign.ContactInput{Fax: "2025550124", Email: "not-an-email"}, "email"},
			{"long name", campaign.ContactInput{Fax: "2025550124", FirstName: string(make([]byte, 101))}, "first_name"},
			{"six custom", campaign.ContactInput{Fax: "2025550124", Custom: make([]string, 6)}, "custom"},
		} {
			_, err := e.svc.CreateContact(ctx(t), e.userA, tc.in)
			wantField(t, tc.name, err, tc.field)
		}
		_, err = e.svc.CreateContact(ctx(t), e.root, campaign.ContactInput{Fax: "2025550125"})
		wantField(t, "admin without tenant", err, "tenant_id")
		_, err = e.svc.CreateContact(ctx(t), e.userA, campaign.ContactInput{TenantID: e.tenantB.ID, Fax: "2025550125"})
		wantIs(t, "user naming another tenant", err, model.ErrNotFound)
		byAdmin, err := e.svc.CreateContact(ctx(t), e.root, campaign.ContactInput{TenantID: e.tenantB.ID, Fax: "+442079460480"})
		if err != nil || byAdmin.TenantID != e.tenantB.ID {
			t.Errorf("admin creates for tenant B: %+v %v", byAdmin, err)
		}

		_, err = e.svc.GetContact(ctx(t), e.userB, c.ID)
		wantIs(t, "cross-tenant get", err, model.ErrNotFound)
		_, err = e.svc.UpdateContact(ctx(t), e.userB, c.ID, campaign.ContactPatch{Company: ptr("x")})
		wantIs(t, "cross-tenant update", err, model.ErrNotFound)
		wantIs(t, "cross-tenant delete", e.svc.DeleteContact(ctx(t), e.userB, c.ID), model.ErrNotFound)

		up, err := e.svc.UpdateContact(ctx(t), e.userA, c.ID, campaign.ContactPatch{Company: ptr("Engines"), Fax: ptr("202-555-0199")})
		if err != nil || up.Company != "Engines" || up.Fax != "+12025550199" || up.Email != "ada@example.org" {
			t.Errorf("update: %+v %v", up, err)
		}
		_, err = e.svc.UpdateContact(ctx(t), e.userA, c.ID, campaign.ContactPatch{Fax: ptr("12")})
		wantField(t, "update with a bad fax", err, "fax")

		second, err := e.svc.CreateContact(ctx(t), e.userA, campaign.ContactInput{FirstName: "Bob", LastName: "Adams", Fax: "2025550140", Company: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			f    store.ContactFilter
			want []string
		}{
			{store.ContactFilter{}, []string{second.ID, c.ID}},
			{store.ContactFilter{Sort: store.SortName}, []string{second.ID, c.ID}},
			{store.ContactFilter{Query: "acme"}, []string{second.ID}},
			{store.ContactFilter{Query: "ada@"}, []string{c.ID}},
			{store.ContactFilter{Query: "0199"}, []string{c.ID}},
		} {
			got, err := listIDs(e, e.userA, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("list %+v = %v, want %v", tc.f, got, tc.want)
			}
		}
		if got, _ := listIDs(e, e.userB, store.ContactFilter{Query: "ada"}); len(got) != 0 {
			t.Errorf("tenant B sees %v", got)
		}
		if err := e.svc.DeleteContact(ctx(t), e.userA, second.ID); err != nil {
			t.Fatal(err)
		}
		want := []string{model.ActionContactCreated, model.ActionContactCreated, model.ActionContactUpdated, model.ActionContactDeleted}
		slices.Sort(want)
		if got := auditActions(t, e, e.tenantA.ID, "contact"); !slices.Equal(got, want) {
			t.Errorf("audit = %v, want %v", got, want)
		}
	})
}

func listIDs(e *env, actor model.Actor, f store.ContactFilter) ([]string, error) {
	items, _, err := e.svc.ListContacts(context.Background(), actor, f, model.ListOptions{})
	ids := make([]string, len(items))
	for i, c := range items {
		ids[i] = c.ID
	}
	return ids, err
}
