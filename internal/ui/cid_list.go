package ui

import (
	"net/http"
	"strings"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// cidListData is the data of My CIDs and of the caller-ID pool.
type cidListData struct {
	Rows     []cidRow
	Pager    pager
	Filter   *form
	Filtered bool
	Tenants  []option // pool only: assign to / filter by tenant
	Scopes   []option // pool only: all, assigned, spare
}

// cidRow is a caller ID with its tenant's name.
type cidRow struct {
	model.CallerID
	Tenant string
}

// cidList is My CIDs: the caller IDs of the actor's tenant, the numbers
// its faxes may show to the recipient. Platform admins manage the whole
// pool instead.
func (h *Handler) cidList(w http.ResponseWriter, r *http.Request) {
	actor := actorOf(r)
	if actor.IsAdmin() {
		redirect(w, r, "/admin/cids")
		return
	}
	filter, cf := cidFilter(r, actor)
	cids, next, err := h.fax.ListCIDs(r.Context(), actor, cf, listOptions(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := cidListData{Filter: filter, Filtered: cf.Query != "", Pager: newPager(r, next)}
	for _, c := range cids {
		d.Rows = append(d.Rows, cidRow{CallerID: c})
	}
	v := h.newView(w, r, "My CIDs", "cids")
	v.Data = d
	h.render(w, r, http.StatusOK, "cids", v)
}

// cidFilter reads the search (and for admins the tenant and spare
// filters); unknown values are ignored.
func cidFilter(r *http.Request, actor model.Actor) (*form, store.CIDFilter) {
	q := r.URL.Query()
	f := newForm()
	var cf store.CIDFilter
	if s := strings.TrimSpace(q.Get("q")); len(s) <= 100 {
		cf.Query = s
		f.Set("q", s)
	}
	if !actor.IsAdmin() {
		return f, cf
	}
	switch t := q.Get("tenant_id"); {
	case t == "spare":
		cf.Unassigned = true
		f.Set("tenant_id", t)
	case model.ValidID(model.PrefixTenant, t):
		cf.TenantID = t
		f.Set("tenant_id", t)
	}
	return f, cf
}
