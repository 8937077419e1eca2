package ui

import (
	"net/http"

	"faxgate/internal/api"
	"faxgate/internal/httpx"
)

// outboundRoutes are the pages of Send Single Fax, My CIDs and the trunk
// and caller-ID pools. Sending needs the documents service (a fax is a
// document); without it only the lists and administration remain.
func (h *Handler) outboundRoutes() []route {
	rs := []route{
		{"GET /outbound", anyUser, h.faxList},
		{"GET /outbound/{id}", anyUser, h.faxShow},
		{"GET /outbound/{id}/cancel", anyUser, h.faxCancelConfirm},
		{"POST /outbound/{id}/cancel", anyUser, h.faxCancel},
		{"GET /outbound/{id}/report", anyUser, h.faxReport},

		{"GET /cids", anyUser, h.cidList},

		{"GET /admin/trunks", adminOnly, h.trunkList},
		{"GET /admin/trunks/new", adminOnly, h.trunkNew},
		{"POST /admin/trunks", adminOnly, h.trunkCreate},
		{"GET /admin/trunks/{id}/edit", adminOnly, h.trunkEdit},
		{"POST /admin/trunks/{id}", adminOnly, h.trunkUpdate},
		{"POST /admin/trunks/{id}/status", adminOnly, h.trunkStatus},
		{"GET /admin/trunks/{id}/delete", adminOnly, h.trunkDeleteConfirm},
		{"POST /admin/trunks/{id}/delete", adminOnly, h.trunkDelete},

		{"GET /admin/cids", adminOnly, h.cidPool},
		{"POST /admin/cids", adminOnly, h.cidCreate},
		{"POST /admin/cids/{id}/assign", adminOnly, h.cidAssign},
		{"GET /admin/cids/{id}/delete", adminOnly, h.cidDeleteConfirm},
		{"POST /admin/cids/{id}/delete", adminOnly, h.cidDelete},
	}
	if h.docs != nil {
		limit := h.docs.Limits().MaxUploadBytes + api.UploadOverhead
		rs = append(rs,
			route{"GET /outbound/new", anyUser, h.faxNew},
			route{"POST /outbound", anyUser, httpx.LimitBody(limit, http.HandlerFunc(h.faxCreate)).ServeHTTP})
	}
	return rs
}

// outboundMenuKeys are the menu entries of these pages, dropped when the
// fax services are absent.
var outboundMenuKeys = []string{"outbound", "cids", "trunks", "cid-pool"}
