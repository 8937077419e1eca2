package ui

import (
	"net/http"

	"faxgate/internal/faxout"
)

// trunkListData is the data of the trunk list.
type trunkListData struct {
	Rows []trunkView
	Live bool // the rows carry channels in use and registration (a health service is wired)
}

// trunkList is Administration > Trunks: every trunk in dialling order
// (lowest priority first), with its kind, channels and state, and, live,
// its channels in use (leases of every node) and its registration.
func (h *Handler) trunkList(w http.ResponseWriter, r *http.Request) {
	actor, ctx := actorOf(r), r.Context()
	ts, err := h.fax.ListTrunks(ctx, actor)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	type live struct {
		inUse int
		reg   *faxout.TrunkRegistration
	}
	status := map[string]live{}
	var d trunkListData
	if h.health != nil {
		st, err := h.health.Trunks(ctx, actor)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, t := range st {
			status[t.ID] = live{t.InUse, t.Registration}
		}
		d.Live = true
	}
	names := h.tenantNamer(ctx, actor)
	for _, t := range ts {
		s := status[t.ID]
		d.Rows = append(d.Rows, trunkView{Trunk: t, TenantNames: tenantNames(names, t.TenantIDs),
			InUse: s.inUse, Registration: s.reg})
	}
	v := h.newView(w, r, "Trunks", "trunks")
	v.Data = d
	h.render(w, r, http.StatusOK, "trunks", v)
}
