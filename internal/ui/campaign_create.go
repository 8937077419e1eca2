package ui

import (
	"net/http"
)

// campaignCreate saves a new draft campaign and shows it.
func (h *Handler) campaignCreate(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	f, in := campaignFormFrom(r)
	if !f.HasErrors() {
		c, err := h.camp.CreateCampaign(r.Context(), actorOf(r), in)
		if err == nil {
			h.success(w, r, "Campaign “"+c.Title+"” saved as a draft. Start it when you are ready.")
			redirect(w, r, "/campaigns/"+c.ID)
			return
		}
		if !campaignAbsorb(f, err) {
			h.fail(w, r, err)
			return
		}
	}
	f.Err = "Please correct the fields marked below."
	h.renderCampaignForm(w, r, http.StatusUnprocessableEntity, f, campaignZero)
}
