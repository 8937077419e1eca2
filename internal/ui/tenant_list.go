package ui

import (
	"net/http"
	"strings"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// tenantListData is the data of the admins' tenant list.
type tenantListData struct {
	Rows     []tenantRow
	Usage    bool // the rows carry today's and this month's pages (a health service is wired)
	Pager    pager
	Filter   *form
	Statuses []option
	Back     string
}

// tenantRow is a tenant with its delivered pages of today and this month
// against its limits (UTC periods, as the quotas count them).
type tenantRow struct {
	model.Tenant
	Day, Month usageBar
}

// tenantList lists tenants with search and status filter, their limits
// and use (admins only).
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
	d := tenantListData{Pager: newPager(r, next), Filter: f, Back: r.URL.RequestURI(),
		Statuses: []option{{"", "Any status"}, {string(model.TenantActive), "Active"}, {string(model.TenantSuspended), "Suspended"}}}
	var usage map[string]store.TenantUsage
	if h.health != nil {
		ids := make([]string, len(ts))
		for i, t := range ts {
			ids[i] = t.ID
		}
		if usage, err = h.health.TenantUsages(r.Context(), actorOf(r), ids); err != nil {
			h.fail(w, r, err)
			return
		}
		d.Usage = true
	}
	for _, t := range ts {
		u := usage[t.ID]
		d.Rows = append(d.Rows, tenantRow{Tenant: t, Day: newUsageBar(u.DayPages, t.DailyPageLimit),
			Month: newUsageBar(u.MonthPages, t.MonthlyPageLimit)})
	}
	v := h.newView(w, r, "Tenants", "tenants")
	v.Data = d
	h.render(w, r, http.StatusOK, "tenants", v)
}
