package ui

import (
	"net/http"
	"strings"

	"faxgate/internal/store"
)

// didListData is the data of My DIDs.
type didListData struct {
	Rows       []didView
	Pager      pager
	Filter     *form
	AllTenants bool
	CanRoute   bool // tenant admins (and admins) see the forward arrow
	Filtered   bool
}

// didList is My DIDs: the tenant's numbers with where their faxes go
// (users: the numbers routed to them). Tenant admins open the routing
// form with the forward arrow.
func (h *Handler) didList(w http.ResponseWriter, r *http.Request) {
	actor, ctx := actorOf(r), r.Context()
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	filter := newForm()
	filter.Set("q", q)
	dids, next, err := h.inbox.ListDIDs(ctx, actor, store.DIDFilter{Query: q}, listOptions(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := didListData{Filter: filter, AllTenants: actor.IsAdmin(), CanRoute: allowed(manager, actor.Role),
		Filtered: q != "", Pager: newPager(r, next)}
	tenants, users := h.tenantNamer(ctx, actor), h.userNamer(ctx, actor)
	for _, did := range dids {
		if actor.IsAdmin() && !did.Assigned() {
			continue // spare numbers are the pool's business
		}
		d.Rows = append(d.Rows, didView{DID: did, Tenant: tenants(did.TenantID), User: users(did.UserID)})
	}
	v := h.newView(w, r, "My DIDs", "dids")
	v.Data = d
	h.render(w, r, http.StatusOK, "dids", v)
}
