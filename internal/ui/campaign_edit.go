package ui

import (
	"net/http"

	"faxgate/internal/campaign"
)

// campaignZero is "no campaign yet" for the form.
var campaignZero = campaign.Campaign{}

// campaignEdit shows the form of a draft campaign; started campaigns go
// back to their page with the reason.
func (h *Handler) campaignEdit(w http.ResponseWriter, r *http.Request) {
	c, ok := h.loadCampaign(w, r)
	if !ok {
		return
	}
	if !c.Editable() {
		h.failure(w, r, "Only draft campaigns can be edited; this one is "+string(c.Status)+".")
		redirect(w, r, "/campaigns/"+c.ID)
		return
	}
	h.renderCampaignForm(w, r, http.StatusOK, campaignForm(c), c)
}
