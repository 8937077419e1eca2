package ui

import (
	"net/http"

	"faxgate/internal/httpx"
)

// inboundRoutes are the pages of Receive Fax, My DIDs and the DID pool.
// Downloads are the API's (GET /api/v1/faxes/{id}/file, same origin, the
// session cookie authenticates them); page images are served here.
func (h *Handler) inboundRoutes() []route {
	return []route{
		{"GET /inbox", anyUser, h.inboxList},
		{"GET /inbox/{id}", anyUser, h.inboxShow},
		{"GET /inbox/{id}/pages/{n}/{kind}", anyUser, h.inboxPage},
		{"POST /inbox/{id}/unread", anyUser, h.inboxUnread},
		{"GET /inbox/{id}/delete", anyUser, h.inboxDeleteConfirm},
		{"POST /inbox/{id}/delete", anyUser, h.inboxDelete},

		{"GET /dids", anyUser, h.didList},
		{"GET /dids/{id}/forward", manager, h.didForward},
		{"POST /dids/{id}/forward", manager, h.didForwardSubmit},
		{"GET /dids/{id}/webhook-secret", manager, h.didSecretConfirm},
		{"POST /dids/{id}/webhook-secret", manager, h.didSecretRotate},

		{"GET /admin/dids", adminOnly, h.didPool},
		{"POST /admin/dids", adminOnly, h.didPoolAdd},
		{"POST /admin/dids/range", adminOnly, h.didPoolRange},
		{"POST /admin/dids/import", adminOnly, httpx.LimitBody(didImportMaxBody, http.HandlerFunc(h.didPoolImport)).ServeHTTP},
		{"POST /admin/dids/{id}/assign", adminOnly, h.didPoolAssign},
		{"GET /admin/dids/{id}/release", adminOnly, h.didPoolReleaseConfirm},
		{"POST /admin/dids/{id}/release", adminOnly, h.didPoolRelease},
		{"GET /admin/dids/{id}/delete", adminOnly, h.didPoolDeleteConfirm},
		{"POST /admin/dids/{id}/delete", adminOnly, h.didPoolDelete},

		{"GET /settings/fax-email", tenantAdmin, h.mailTemplateShow},
		{"POST /settings/fax-email", tenantAdmin, h.mailTemplateSubmit},
		{"POST /settings/fax-email/preview", tenantAdmin, h.mailTemplatePreview},
	}
}

// inboundMenuKeys are the menu entries of these pages, dropped when the
// services are absent.
var inboundMenuKeys = []string{"inbox", "dids", "did-pool", "fax-email"}
