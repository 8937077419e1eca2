package campaign

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"faxgate/internal/csvcell"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// GroupInput is a new group; TenantID is for platform admins only.
type GroupInput struct {
	TenantID    string
	Name        string
	Description string
}

// GroupPatch changes the non-nil fields of a group.
type GroupPatch struct {
	Name, Description *string
}

// MaxMembersPerCall bounds the contact ids of one Add/RemoveMembers call.
const MaxMembersPerCall = 1000

func validateGroup(g *model.Group) error {
	ve := &model.ValidationError{}
	g.Name, g.Description = strings.TrimSpace(g.Name), strings.TrimSpace(g.Description)
	switch n := utf8.RuneCountInString(g.Name); {
	case n == 0:
		ve.Add("name", "required")
	case n > model.MaxGroupName:
		ve.Add("name", fmt.Sprintf("at most %d characters", model.MaxGroupName))
	}
	if utf8.RuneCountInString(g.Description) > model.MaxGroupDesc {
		ve.Add("description", fmt.Sprintf("at most %d characters", model.MaxGroupDesc))
	}
	return ve.OrNil()
}

// CreateGroup adds a group; a name the tenant uses already (any case) is
// a *model.ConflictError{"name"}.
func (s *Service) CreateGroup(ctx context.Context, actor model.Actor, in GroupInput) (model.Group, error) {
	tenantID, err := tenantFor(actor, in.TenantID)
	if err != nil {
		return model.Group{}, err
	}
	g := model.Group{TenantID: tenantID, Name: in.Name, Description: in.Description}
	if err := validateGroup(&g); err != nil {
		return model.Group{}, err
	}
	if err := s.st.CreateGroup(ctx, &g); err != nil {
		return model.Group{}, err
	}
	s.au.Record(ctx, actor, model.ActionGroupCreated, "group", g.ID, g.Name, tenantID)
	return g, nil
}

// GetGroup returns a group (with its member count) the actor may see.
func (s *Service) GetGroup(ctx context.Context, actor model.Actor, id string) (model.Group, error) {
	scope, err := scopeOf(actor)
	if err != nil {
		return model.Group{}, err
	}
	return s.st.GetGroup(ctx, scope, id)
}

// UpdateGroup renames or redescribes a group.
func (s *Service) UpdateGroup(ctx context.Context, actor model.Actor, id string, p GroupPatch) (model.Group, error) {
	g, err := s.GetGroup(ctx, actor, id)
	if err != nil {
		return model.Group{}, err
	}
	if p.Name != nil {
		g.Name = *p.Name
	}
	if p.Description != nil {
		g.Description = *p.Description
	}
	if err := validateGroup(&g); err != nil {
		return model.Group{}, err
	}
	if err := s.st.UpdateGroup(ctx, actor.Scope(), &g); err != nil {
		return model.Group{}, err
	}
	s.au.Record(ctx, actor, model.ActionGroupUpdated, "group", g.ID, g.Name, g.TenantID)
	return g, nil
}

// DeleteGroup removes a group; its contacts stay in the address book.
func (s *Service) DeleteGroup(ctx context.Context, actor model.Actor, id string) error {
	g, err := s.GetGroup(ctx, actor, id)
	if err != nil {
		return err
	}
	if err := s.st.DeleteGroup(ctx, actor.Scope(), id); err != nil {
		return err
	}
	s.au.Record(ctx, actor, model.ActionGroupDeleted, "group", g.ID, g.Name, g.TenantID)
	return nil
}

// ListGroups lists the actor's groups newest first with member counts.
func (s *Service) ListGroups(ctx context.Context, actor model.Actor, f store.GroupFilter, o model.ListOptions) ([]model.Group, string, error) {
	scope, err := scopeOf(actor)
	if err != nil {
		return nil, "", err
	}
	return s.st.ListGroups(ctx, scope, f, o)
}

// AddMembers puts contacts of the group's tenant into the group and returns
// how many were not members yet. Any unknown id is ErrNotFound (nothing is
// added).
func (s *Service) AddMembers(ctx context.Context, actor model.Actor, groupID string, contactIDs []string) (int, error) {
	return s.changeMembers(ctx, actor, groupID, contactIDs, true)
}

// RemoveMembers takes contacts out of the group (they stay in the address
// book) and returns how many were members.
func (s *Service) RemoveMembers(ctx context.Context, actor model.Actor, groupID string, contactIDs []string) (int, error) {
	return s.changeMembers(ctx, actor, groupID, contactIDs, false)
}

func (s *Service) changeMembers(ctx context.Context, actor model.Actor, groupID string, ids []string, add bool) (int, error) {
	if len(ids) == 0 || len(ids) > MaxMembersPerCall {
		return 0, model.Invalid("contact_ids", fmt.Sprintf("give 1 to %d contact ids", MaxMembersPerCall))
	}
	g, err := s.GetGroup(ctx, actor, groupID)
	if err != nil {
		return 0, err
	}
	var n int
	verb := "added"
	if add {
		n, err = s.st.AddGroupMembers(ctx, actor.Scope(), groupID, ids)
	} else {
		verb = "removed"
		n, err = s.st.RemoveGroupMembers(ctx, actor.Scope(), groupID, ids)
	}
	if err != nil {
		return 0, err
	}
	s.au.Record(ctx, actor, model.ActionGroupMembers, "group", g.ID, fmt.Sprintf("%s %d contacts", verb, n), g.TenantID)
	return n, nil
}

// ListMembers lists one page of a group's contacts (filter and sort as
// ListContacts).
func (s *Service) ListMembers(ctx context.Context, actor model.Actor, groupID string, f store.ContactFilter, o model.ListOptions) ([]model.Contact, string, error) {
	f.GroupID = groupID
	return s.ListContacts(ctx, actor, f, o)
}

// ExportColumns is the header row of exported CSV files; the import
// recognises every one of them.
var ExportColumns = []string{"first_name", "last_name", "fax", "email", "company", "address", "description",
	"custom1", "custom2", "custom3", "custom4", "custom5"}

// ExportGroupCSV writes the group's contacts (oldest first) as CSV to w,
// streaming row by row. Text cells that a spreadsheet would run as a
// formula (starting with = + - @) are prefixed with a quote; fax numbers
// are E.164 and left as they are so the file imports again.
func (s *Service) ExportGroupCSV(ctx context.Context, actor model.Actor, groupID string, w io.Writer) error {
	g, err := s.GetGroup(ctx, actor, groupID)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(ExportColumns); err != nil {
		return err
	}
	rec := make([]string, len(ExportColumns))
	err = s.st.EachContact(ctx, model.TenantScope(g.TenantID), g.ID, func(c model.Contact) error {
		rec = append(rec[:0], csvcell.Safe(c.FirstName), csvcell.Safe(c.LastName), c.Fax, csvcell.Safe(c.Email),
			csvcell.Safe(c.Company), csvcell.Safe(c.Address), csvcell.Safe(c.Description))
		for _, v := range c.Custom {
			rec = append(rec, csvcell.Safe(v))
		}
		return cw.Write(rec)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}
