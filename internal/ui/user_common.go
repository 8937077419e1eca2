package ui

import (
	"context"
	"net/http"
	"net/url"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// userFormFrom reads the add/edit user inputs. Their names are the API's
// field names, so the services' field errors land next to them.
func userFormFrom(r *http.Request) *form {
	return formFrom(r, "email", "api_username", "first_name", "last_name", "phone", "role", "tenant_id",
		"password", "password_confirm")
}

// usersHome is the user list of the actor's role.
func usersHome(actor model.Actor, tenantID string) string {
	if !actor.IsAdmin() {
		return "/admin/users"
	}
	if tenantID == "" {
		return "/admin/all-users"
	}
	return "/admin/all-users?tenant_id=" + url.QueryEscape(tenantID)
}

// roleOptions are the roles the actor may hand out.
func roleOptions(actor model.Actor, withAll bool) []option {
	var opts []option
	if withAll {
		opts = append(opts, option{"", "All roles"})
	}
	if actor.IsAdmin() {
		opts = append(opts, option{string(model.RoleAdmin), roleLabel(model.RoleAdmin)})
	}
	return append(opts,
		option{string(model.RoleTenant), roleLabel(model.RoleTenant)},
		option{string(model.RoleUser), roleLabel(model.RoleUser)})
}

func userStatusOptions() []option {
	return []option{{"", "Any status"}, {string(model.UserActive), "Active"}, {string(model.UserDisabled), "Disabled"}}
}

// tenantOptions lists tenants for a select (admins only), first blank
// entry labelled blank.
func (h *Handler) tenantOptions(ctx context.Context, actor model.Actor, blank string) ([]option, error) {
	opts := []option{{"", blank}}
	if !actor.IsAdmin() {
		return opts, nil
	}
	cursor := ""
	for {
		ts, next, err := h.ten.ListTenants(ctx, actor, store.TenantFilter{}, model.ListOptions{Limit: 500, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			opts = append(opts, option{t.ID, t.Name})
		}
		if next == "" || len(opts) > 2000 {
			return opts, nil
		}
		cursor = next
	}
}

// loadUser reads the {id} user the actor may see; it answers 404 itself
// (also for other tenants' users) and returns false then.
func (h *Handler) loadUser(w http.ResponseWriter, r *http.Request) (model.User, bool) {
	id := r.PathValue("id")
	if !model.ValidID(model.PrefixUser, id) {
		h.notFoundPage(w, r)
		return model.User{}, false
	}
	u, err := h.ten.GetUser(r.Context(), actorOf(r), id)
	if err != nil {
		h.fail(w, r, err)
		return model.User{}, false
	}
	return u, true
}

// userFormData is the data of the add/edit user page.
type userFormData struct {
	User    model.User // zero when adding
	Editing bool
	Roles   []option
	Tenants []option // admins only
	Back    string
}

// renderUserForm shows the add or edit form with the form's values/errors.
func (h *Handler) renderUserForm(w http.ResponseWriter, r *http.Request, status int, f *form, u model.User) {
	actor := actorOf(r)
	tenants, err := h.tenantOptions(r.Context(), actor, "— none (platform admin) —")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	title := "Add user"
	if u.ID != "" {
		title = "Edit user " + u.Email
	}
	v := h.newView(w, r, title, activeUsers(actor))
	v.Form = f
	v.Data = userFormData{User: u, Editing: u.ID != "", Roles: roleOptions(actor, false), Tenants: tenants,
		Back: usersHome(actor, f.Get("tenant_id"))}
	h.render(w, r, status, "user_form", v)
}

// activeUsers is the nav key of the user pages for the actor's role.
func activeUsers(actor model.Actor) string {
	if actor.IsAdmin() {
		return "all-users"
	}
	return "users"
}
