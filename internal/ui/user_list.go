package ui

import (
	"net/http"
	"strings"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// userListData is the data of the user list.
type userListData struct {
	Rows       []userRow
	Pager      pager
	Filter     *form
	Roles      []option
	Statuses   []option
	Tenants    []option // admins only
	AllTenants bool
	Action     string // the list's own URL path (search form target)
	Back       string // the current list URL, to come back to after an action
	NewURL     string
}

type userRow struct {
	model.User
	Tenant string
}

// userList is Administration > User Management of a tenant admin.
func (h *Handler) userList(w http.ResponseWriter, r *http.Request) {
	h.listUsers(w, r, "User Management", "/admin/users")
}

// allUserList is the admins' list of users across all tenants.
func (h *Handler) allUserList(w http.ResponseWriter, r *http.Request) {
	h.listUsers(w, r, "Users (all tenants)", "/admin/all-users")
}

func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request, title, path string) {
	actor, ctx := actorOf(r), r.Context()
	filter, sf := userFilter(r, actor)
	users, next, err := h.ten.ListUsers(ctx, actor, sf, listOptions(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := userListData{Filter: filter, Roles: roleOptions(actor, true), Statuses: userStatusOptions(),
		AllTenants: actor.IsAdmin(), Action: path, Back: r.URL.RequestURI(), Pager: newPager(r, next),
		NewURL: "/admin/users/new"}
	if actor.IsAdmin() {
		if d.Tenants, err = h.tenantOptions(ctx, actor, "All tenants"); err != nil {
			h.fail(w, r, err)
			return
		}
		if sf.TenantID != "" {
			d.NewURL += "?tenant_id=" + sf.TenantID
		}
	}
	names := h.tenantNamer(ctx, actor)
	for _, u := range users {
		d.Rows = append(d.Rows, userRow{User: u, Tenant: names(u.TenantID)})
	}
	v := h.newView(w, r, title, activeUsers(actor))
	v.Data = d
	h.render(w, r, http.StatusOK, "users", v)
}

// userFilter reads the list filters; unknown values are ignored.
func userFilter(r *http.Request, actor model.Actor) (*form, store.UserFilter) {
	q := r.URL.Query()
	f := newForm()
	var sf store.UserFilter
	sf.Query = strings.TrimSpace(q.Get("q"))
	f.Set("q", sf.Query)
	if role := model.Role(q.Get("role")); role.Valid() {
		sf.Role = role
		f.Set("role", string(role))
	}
	if st := model.UserStatus(q.Get("status")); st.Valid() {
		sf.Status = st
		f.Set("status", string(st))
	}
	if actor.IsAdmin() && model.ValidID(model.PrefixTenant, q.Get("tenant_id")) {
		sf.TenantID = q.Get("tenant_id")
		f.Set("tenant_id", sf.TenantID)
	}
	return f, sf
}
