package ui

import (
	"net/http"

	"faxgate/internal/model"
)

// groupView is a group as the pages show it.
type groupView struct {
	model.Group
	Tenant string // tenant name, for admins
}

// URL is the group's page.
func (g groupView) URL() string { return "/groups/" + g.ID }

// ExportURL downloads the group as CSV (the API's, same origin).
func (g groupView) ExportURL() string { return "/api/v1/groups/" + g.ID + "/export" }

// loadGroup reads the {id} group the actor may see; it answers 404 itself
// (other tenants' groups too) and returns false then.
func (h *Handler) loadGroup(w http.ResponseWriter, r *http.Request) (model.Group, bool) {
	id := r.PathValue("id")
	if !model.ValidID(model.PrefixGroup, id) {
		h.notFoundPage(w, r)
		return model.Group{}, false
	}
	g, err := h.camp.GetGroup(r.Context(), actorOf(r), id)
	if err != nil {
		h.fail(w, r, err)
		return model.Group{}, false
	}
	return g, true
}

// groupFormData is the data of the add and edit group pages.
type groupFormData struct {
	Group   model.Group // zero when adding
	Tenants []option    // admins adding: the tenant
	Action  string
	Back    string
}

// renderGroupForm shows the add form (with the optional CSV file) or the
// edit form, with the form's values and errors.
func (h *Handler) renderGroupForm(w http.ResponseWriter, r *http.Request, status int, f *form, g model.Group) {
	actor := actorOf(r)
	d := groupFormData{Group: g, Action: "/groups", Back: "/groups"}
	title := "Add group"
	if g.ID != "" {
		title, d.Action, d.Back = "Edit group", "/groups/"+g.ID, "/groups/"+g.ID
	} else if actor.IsAdmin() {
		var err error
		if d.Tenants, err = h.tenantOptions(r.Context(), actor, "Choose a tenant"); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	v := h.newView(w, r, title, "groups")
	v.Form = f
	v.Data = d
	h.render(w, r, status, "group_form", v)
}
