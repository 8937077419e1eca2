package ui

// campaignRoutes are the pages of Send Bulk Fax (campaigns). Every member
// of a tenant runs the tenant's campaigns; platform admins any tenant's.
// Stop and delete confirm first (GET shows the question, POST acts).
func (h *Handler) campaignRoutes() []route {
	if h.fax == nil || h.docs == nil {
		return nil // a campaign is a document faxed: both services are needed
	}
	return []route{
		{"GET /campaigns", anyUser, h.campaignList},
		{"GET /campaigns/new", anyUser, h.campaignNew},
		{"POST /campaigns", anyUser, h.campaignCreate},
		{"GET /campaigns/{id}", anyUser, h.campaignShow},
		{"GET /campaigns/{id}/edit", anyUser, h.campaignEdit},
		{"POST /campaigns/{id}", anyUser, h.campaignUpdate},
		{"GET /campaigns/{id}/stop", anyUser, h.campaignStopConfirm},
		{"GET /campaigns/{id}/delete", anyUser, h.campaignDeleteConfirm},
		{"POST /campaigns/{id}/delete", anyUser, h.campaignDelete},
		{"POST /campaigns/{id}/{action}", anyUser, h.campaignAction},
	}
}
