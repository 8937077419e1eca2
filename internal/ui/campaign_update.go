package ui

import (
	"net/http"

	"faxgate/internal/campaign"
)

// campaignUpdate saves the form of a draft campaign.
func (h *Handler) campaignUpdate(w http.ResponseWriter, r *http.Request) {
	c, ok := h.loadCampaign(w, r)
	if !ok || !h.parseForm(w, r) {
		return
	}
	f, in := campaignFormFrom(r)
	f.Set("tenant_id", c.TenantID)
	if !f.HasErrors() {
		p := campaign.Patch{Title: &in.Title, DocumentID: &in.DocumentID, GroupID: &in.GroupID,
			CallerID: &in.CallerID, OptOut: &in.OptOut, Retries: &in.Retries, CallsPerMinute: &in.CallsPerMinute,
			MaxLines: &in.MaxLines, RetryDelay: &in.RetryDelay, Window: &in.Window, CoverPage: &in.CoverPage}
		_, err := h.camp.UpdateCampaign(r.Context(), actorOf(r), c.ID, p)
		if err == nil {
			h.success(w, r, "Campaign saved.")
			redirect(w, r, "/campaigns/"+c.ID)
			return
		}
		if !campaignAbsorb(f, err) {
			if refusal(err) {
				h.failure(w, r, sentence(err.Error()))
				redirect(w, r, "/campaigns/"+c.ID)
				return
			}
			h.fail(w, r, err)
			return
		}
	}
	f.Err = "Please correct the fields marked below."
	h.renderCampaignForm(w, r, http.StatusUnprocessableEntity, f, c)
}
