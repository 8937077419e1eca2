package ui

import (
	"net/http"
	"strings"
	"time"

	"faxgate/internal/faxout"
	"faxgate/internal/model"
)

// faxListData is the data of the outbound list.
type faxListData struct {
	Rows       []faxView
	Pager      pager
	Filter     *form
	Statuses   []option
	Tenants    []option // admins only
	AllTenants bool
	Filtered   bool   // a search or filter is applied (empty state wording)
	Polling    bool   // a fax is not final: the list refreshes itself
	Self       string // the list's current URL, polled while faxes move
	NewURL     string
	Quota      quotaBanner
}

// faxList is Send Single Fax: the outbound faxes the actor may see, newest
// first, with their live status.
func (h *Handler) faxList(w http.ResponseWriter, r *http.Request) {
	actor, ctx := actorOf(r), r.Context()
	filter, lf := faxFilter(r, actor)
	faxes, next, err := h.fax.List(ctx, actor, lf, listOptions(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := faxListData{Filter: filter, Statuses: outboundStatusOptions(), AllTenants: actor.IsAdmin(),
		Filtered: len(filter.Values) > 0, Self: r.URL.RequestURI(), Pager: newPager(r, next),
		NewURL: "/outbound/new", Quota: h.quotaFor(ctx, actor)}
	if actor.IsAdmin() {
		if d.Tenants, err = h.tenantOptions(ctx, actor, "All tenants"); err != nil {
			h.fail(w, r, err)
			return
		}
		if lf.TenantID != "" {
			d.NewURL += "?tenant_id=" + lf.TenantID
		}
	}
	if h.docs == nil {
		d.NewURL = "" // sending needs the documents service
	}
	names := h.tenantNamer(ctx, actor)
	for _, f := range faxes {
		row := faxView{Fax: f, Tenant: names(f.TenantID)}
		d.Rows = append(d.Rows, row)
		d.Polling = d.Polling || !row.Final()
	}
	v := h.newView(w, r, "Send Single Fax", "outbound")
	v.Data = d
	h.render(w, r, http.StatusOK, "faxes", v)
}

// faxFilter reads the list filters; unknown or malformed values are
// ignored. Only the filters applied end up in the form.
func faxFilter(r *http.Request, actor model.Actor) (*form, faxout.ListFilter) {
	q := r.URL.Query()
	f := newForm()
	var lf faxout.ListFilter
	if s := strings.TrimSpace(q.Get("q")); s != "" && len(s) <= 100 {
		lf.Query = s
		f.Set("q", s)
	}
	if st := model.FaxStatus(q.Get("status")); st != "" && hasOption(outboundStatusOptions(), string(st)) {
		lf.Status = []model.FaxStatus{st}
		f.Set("status", string(st))
	}
	if d, err := time.Parse(time.DateOnly, q.Get("from")); err == nil {
		lf.From = d
		f.Set("from", q.Get("from"))
	}
	if d, err := time.Parse(time.DateOnly, q.Get("to")); err == nil {
		lf.To = d.AddDate(0, 0, 1) // the whole day
		f.Set("to", q.Get("to"))
	}
	if actor.IsAdmin() && model.ValidID(model.PrefixTenant, q.Get("tenant_id")) {
		lf.TenantID = q.Get("tenant_id")
		f.Set("tenant_id", lf.TenantID)
	}
	return f, lf
}
