package ui

import (
	"net/http"
	"strings"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// documentListData is the data of the document list.
type documentListData struct {
	Rows       []docView
	Pager      pager
	Filter     *form
	Statuses   []option
	Tenants    []option // admins only
	AllTenants bool
	Filtered   bool   // a search or filter is applied (empty state wording)
	Polling    bool   // a document is processing: the list refreshes itself
	Self       string // the list's current URL, polled while processing
	NewURL     string
}

// documentList is Fax Documents: the tenant's documents (admins: every
// tenant's, with a tenant filter) with their first page, page count,
// quality and status.
func (h *Handler) documentList(w http.ResponseWriter, r *http.Request) {
	actor, ctx := actorOf(r), r.Context()
	filter, df := documentFilter(r, actor)
	docs, next, err := h.docs.List(ctx, actor, df, listOptions(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := documentListData{Filter: filter, Statuses: documentStatusOptions(), AllTenants: actor.IsAdmin(),
		Filtered: df.Query != "" || df.Status != "", Self: r.URL.RequestURI(), Pager: newPager(r, next),
		NewURL: "/documents/new"}
	if actor.IsAdmin() {
		if d.Tenants, err = h.tenantOptions(ctx, actor, "All tenants"); err != nil {
			h.fail(w, r, err)
			return
		}
		if df.TenantID != "" {
			d.NewURL += "?tenant_id=" + df.TenantID
		}
	}
	names := h.tenantNamer(ctx, actor)
	for _, doc := range docs {
		row := newDocView(actor, doc)
		row.Tenant = names(doc.TenantID)
		d.Rows = append(d.Rows, row)
		d.Polling = d.Polling || row.Processing()
	}
	v := h.newView(w, r, "Fax Documents", "documents")
	v.Data = d
	h.render(w, r, http.StatusOK, "documents", v)
}

// documentFilter reads the list filters; unknown values are ignored.
func documentFilter(r *http.Request, actor model.Actor) (*form, store.DocumentFilter) {
	q := r.URL.Query()
	f := newForm()
	var df store.DocumentFilter
	df.Query = strings.TrimSpace(q.Get("q"))
	f.Set("q", df.Query)
	if st := model.DocumentStatus(q.Get("status")); st.Valid() {
		df.Status = st
		f.Set("status", string(st))
	}
	if actor.IsAdmin() && model.ValidID(model.PrefixTenant, q.Get("tenant_id")) {
		df.TenantID = q.Get("tenant_id")
		f.Set("tenant_id", df.TenantID)
	}
	return f, df
}
