package ui

import (
	"net/http"
)

// cidPool is Administration > Caller IDs: the platform's pool of caller-ID
// numbers with their tenants, the form to add one, and per number the
// assignment to a tenant and delete.
func (h *Handler) cidPool(w http.ResponseWriter, r *http.Request) {
	h.renderCIDPool(w, r, http.StatusOK, newForm())
}

// renderCIDPool shows the pool with the add form's values and errors.
func (h *Handler) renderCIDPool(w http.ResponseWriter, r *http.Request, status int, add *form) {
	actor, ctx := actorOf(r), r.Context()
	filter, cf := cidFilter(r, actor)
	cids, next, err := h.fax.ListCIDs(ctx, actor, cf, listOptions(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	tenants, err := h.tenantOptions(ctx, actor, "Not assigned")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := cidListData{Filter: filter, Filtered: cf.Query != "" || cf.TenantID != "" || cf.Unassigned,
		Pager: newPager(r, next), Tenants: tenants,
		Scopes: append([]option{{"", "All numbers"}, {"spare", "Not assigned"}}, tenants[1:]...)}
	names := h.tenantNamer(ctx, actor)
	for _, c := range cids {
		d.Rows = append(d.Rows, cidRow{CallerID: c, Tenant: names(c.TenantID)})
	}
	v := h.newView(w, r, "Caller IDs", "cid-pool")
	v.Form = add
	v.Data = d
	h.render(w, r, status, "cid_pool", v)
}
