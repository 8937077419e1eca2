package ui

import "net/http"

// trunkListData is the data of the trunk list.
type trunkListData struct {
	Rows []trunkView
}

// trunkList is Administration > Trunks: every trunk in dialling order
// (lowest priority first), with its kind, channels and state.
func (h *Handler) trunkList(w http.ResponseWriter, r *http.Request) {
	actor, ctx := actorOf(r), r.Context()
	ts, err := h.fax.ListTrunks(ctx, actor)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	names := h.tenantNamer(ctx, actor)
	var d trunkListData
	for _, t := range ts {
		d.Rows = append(d.Rows, trunkView{Trunk: t, TenantNames: tenantNames(names, t.TenantIDs)})
	}
	v := h.newView(w, r, "Trunks", "trunks")
	v.Data = d
	h.render(w, r, http.StatusOK, "trunks", v)
}
