package ui

import (
	"net/http"

	"faxgate/internal/campaign"
)

// campaignNew shows the empty campaign form with the defaults. Admins
// choose the tenant first (?tenant_id=).
func (h *Handler) campaignNew(w http.ResponseWriter, r *http.Request) {
	c := campaign.Campaign{CallsPerMinute: campaign.DefaultCallsPerMinute, MaxLines: campaign.DefaultMaxLines,
		Retries: 2, Window: campaign.Always()}
	if actorOf(r).IsAdmin() {
		c.TenantID = r.URL.Query().Get("tenant_id")
	}
	h.renderCampaignForm(w, r, http.StatusOK, campaignForm(c), campaign.Campaign{})
}
