package ui

import (
	"net/http"
	"strings"

	"faxgate/internal/store"
)

// groupListData is the data of the group list.
type groupListData struct {
	Rows       []groupView
	Pager      pager
	Filter     *form
	AllTenants bool
	Filtered   bool
}

// groupList is Groups: the tenant's contact groups with their member
// counts, newest first.
func (h *Handler) groupList(w http.ResponseWriter, r *http.Request) {
	actor, ctx := actorOf(r), r.Context()
	f := newForm()
	gf := store.GroupFilter{Query: strings.TrimSpace(r.URL.Query().Get("q"))}
	if len(gf.Query) > 200 {
		gf.Query = gf.Query[:200]
	}
	f.Set("q", gf.Query)
	gs, next, err := h.camp.ListGroups(ctx, actor, gf, listOptions(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := groupListData{Filter: f, AllTenants: actor.IsAdmin(), Filtered: gf.Query != "", Pager: newPager(r, next)}
	names := h.tenantNamer(ctx, actor)
	for _, g := range gs {
		d.Rows = append(d.Rows, groupView{Group: g, Tenant: names(g.TenantID)})
	}
	v := h.newView(w, r, "Groups", "groups")
	v.Data = d
	h.render(w, r, http.StatusOK, "groups", v)
}
