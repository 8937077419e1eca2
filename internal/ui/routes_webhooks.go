package ui

// webhookRoutes are the pages of Configuration > Webhooks (tenant admins).
func (h *Handler) webhookRoutes() []route {
	return []route{
		{"GET " + webhookPath, tenantAdmin, h.webhookList},
		{"GET " + webhookPath + "/new", tenantAdmin, h.webhookNew},
		{"POST " + webhookPath, tenantAdmin, h.webhookCreate},
		{"GET " + deliveryPath + "/{id}", tenantAdmin, h.webhookDeliveryShow},
		{"POST " + deliveryPath + "/{id}/redeliver", tenantAdmin, h.webhookRedeliver},
		{"GET " + webhookPath + "/{id}/edit", tenantAdmin, h.webhookEdit},
		{"POST " + webhookPath + "/{id}", tenantAdmin, h.webhookUpdate},
		{"GET " + webhookPath + "/{id}/delete", tenantAdmin, h.webhookDeleteConfirm},
		{"POST " + webhookPath + "/{id}/delete", tenantAdmin, h.webhookDelete},
		{"POST " + webhookPath + "/{id}/test", tenantAdmin, h.webhookPing},
		{"GET " + webhookPath + "/{id}/rotate", tenantAdmin, h.webhookRotateConfirm},
		{"POST " + webhookPath + "/{id}/rotate", tenantAdmin, h.webhookRotate},
		{"GET " + webhookPath + "/{id}/deliveries", tenantAdmin, h.webhookDeliveries},
	}
}
