package ui

import (
	"net/http"
	"strings"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// didPoolData is the data of Administration > DID Pool.
type didPoolData struct {
	Rows     []didView
	Pager    pager
	Filter   *form
	Tenants  []option // filter choices ("All tenants" first)
	Assign   []option // assignment choices ("Choose a tenant" first)
	Add      *form    // one number
	Range    *form    // from..to
	Import   *form    // CSV file
	Filtered bool
	Self     string // the page's URL, where row actions come back to
}

// didPool is the admins' DID pool: every number with its tenant, the
// forms to add one number, a range or a CSV file, and per number assign,
// release and delete.
func (h *Handler) didPool(w http.ResponseWriter, r *http.Request) {
	h.renderDIDPool(w, r, http.StatusOK, didPoolData{Add: newForm(), Range: newForm(), Import: newForm()})
}

// renderDIDPool renders the pool with d's add forms (kept with their
// errors when one was refused).
func (h *Handler) renderDIDPool(w http.ResponseWriter, r *http.Request, status int, d didPoolData) {
	actor, ctx := actorOf(r), r.Context()
	filter, df := didPoolFilter(r)
	dids, next, err := h.inbox.ListDIDs(ctx, actor, df, listOptions(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Filter, d.Filtered, d.Pager = filter, df != (store.DIDFilter{}), newPager(r, next)
	d.Self = r.URL.RequestURI()
	if d.Tenants, err = h.tenantOptions(ctx, actor, "All tenants"); err != nil {
		h.fail(w, r, err)
		return
	}
	d.Assign = append([]option{{"", "Choose a tenant"}}, d.Tenants[1:]...)
	names := h.tenantNamer(ctx, actor)
	for _, did := range dids {
		d.Rows = append(d.Rows, didView{DID: did, Tenant: names(did.TenantID)})
	}
	v := h.newView(w, r, "DID Pool", "did-pool")
	v.Data = d
	h.render(w, r, status, "did_pool", v)
}

// didPoolFilter reads the pool's filters: search, tenant, spare only.
func didPoolFilter(r *http.Request) (*form, store.DIDFilter) {
	q := r.URL.Query()
	f := newForm()
	var df store.DIDFilter
	df.Query = strings.TrimSpace(q.Get("q"))
	f.Set("q", df.Query)
	if id := q.Get("tenant_id"); model.ValidID(model.PrefixTenant, id) {
		df.TenantID = id
		f.Set("tenant_id", id)
	}
	if q.Get("unassigned") == "1" {
		df.Unassigned = true
		f.Set("unassigned", "1")
	}
	return f, df
}
