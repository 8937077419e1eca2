package ui

import (
	"net/http"
	"strings"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// tenantListData is the data of the admins' tenant list.
type tenantListData struct {
	Rows     []model.Tenant
	Pager    pager
	Filter   *form
	Statuses []option
	Back     string
}

// tenantList lists tenants with search and status filter (admins only).
func (h *Handler) tenantList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := newForm()
	tf := store.TenantFilter{Query: strings.TrimSpace(q.Get("q"))}
	f.Set("q", tf.Query)
	if st := model.TenantStatus(q.Get("status")); st.Valid() {
		tf.Status = st
		f.Set("status", string(st))
	}
	ts, next, err := h.ten.ListTenants(r.Context(), actorOf(r), tf, listOptions(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := h.newView(w, r, "Tenants", "tenants")
	v.Data = tenantListData{Rows: ts, Pager: newPager(r, next), Filter: f, Back: r.URL.RequestURI(),
		Statuses: []option{{"", "Any status"}, {string(model.TenantActive), "Active"}, {string(model.TenantSuspended), "Suspended"}}}
	h.render(w, r, http.StatusOK, "tenants", v)
}
