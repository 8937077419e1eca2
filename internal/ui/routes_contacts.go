package ui

import (
	"net/http"

	"faxgate/internal/api"
	"faxgate/internal/campaign"
	"faxgate/internal/httpx"
)

// contactRoutes are the pages of contacts, groups and do-not-contact. Every
// member of a tenant manages its contacts and groups and adds numbers to
// its do-not-contact list; removing a number takes a tenant administrator
// (the service decides). The global list is the platform admins'.
func (h *Handler) contactRoutes() []route {
	upload := func(n int64, next http.HandlerFunc) http.HandlerFunc {
		return httpx.LimitBody(n+api.UploadOverhead, next).ServeHTTP
	}
	csvMax := int64(campaign.MaxImportFileBytes)
	return []route{
		{"GET /contacts", anyUser, h.contactList},
		{"GET /contacts/new", anyUser, h.contactNew},
		{"POST /contacts", anyUser, h.contactCreate},
		{"GET /contacts/{id}/edit", anyUser, h.contactEdit},
		{"POST /contacts/{id}", anyUser, h.contactUpdate},
		{"GET /contacts/{id}/delete", anyUser, h.contactDeleteConfirm},
		{"POST /contacts/{id}/delete", anyUser, h.contactDelete},

		{"GET /groups", anyUser, h.groupList},
		{"GET /groups/new", anyUser, h.groupNew},
		{"POST /groups", anyUser, upload(csvMax, h.groupCreate)},
		{"GET /groups/{id}", anyUser, h.groupShow},
		{"GET /groups/{id}/edit", anyUser, h.groupEdit},
		{"POST /groups/{id}", anyUser, h.groupUpdate},
		{"GET /groups/{id}/delete", anyUser, h.groupDeleteConfirm},
		{"POST /groups/{id}/delete", anyUser, h.groupDelete},
		{"POST /groups/{id}/members", anyUser, h.groupMemberAdd},
		{"POST /groups/{id}/members/{contact_id}/remove", anyUser, h.groupMemberRemove},
		{"GET /groups/{id}/import", anyUser, h.groupImportNew},
		{"POST /groups/{id}/import", anyUser, upload(csvMax, h.groupImportUpload)},
		{"GET /groups/{id}/import/{stage}", anyUser, h.groupMappingShow},
		{"POST /groups/{id}/import/{stage}", anyUser, h.groupMappingSubmit},
		{"POST /groups/{id}/import/{stage}/cancel", anyUser, h.groupImportCancel},
		{"GET /groups/{id}/imports/{import_id}", anyUser, h.groupImportStatus},

		{"GET /dnc", anyUser, h.dncList},
		{"POST /dnc", anyUser, h.dncAdd},
		{"POST /dnc/import", anyUser, upload(api.MaxDNCImportBytes, h.dncImport)},
		{"GET /dnc/{id}/delete", manager, h.dncDeleteConfirm},
		{"POST /dnc/{id}/delete", manager, h.dncDelete},
		{"GET /admin/dnc", adminOnly, h.dncList},
		{"POST /admin/dnc", adminOnly, h.dncAdd},
		{"POST /admin/dnc/import", adminOnly, upload(api.MaxDNCImportBytes, h.dncImport)},
	}
}
