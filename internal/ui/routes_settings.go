package ui

// settingsRoutes are the Configuration pages Fax Settings and Cover Page
// (tenant admins; the API serves the same settings to every role).
func (h *Handler) settingsRoutes() []route {
	return []route{
		{"GET /settings/fax", tenantAdmin, h.faxSettingsShow},
		{"POST /settings/fax", tenantAdmin, h.faxSettingsSubmit},
		{"GET /settings/cover-page", tenantAdmin, h.coverShow},
		{"POST /settings/cover-page", tenantAdmin, h.coverSubmit},
		{"POST /settings/cover-page/preview", tenantAdmin, h.coverPreview},
	}
}
