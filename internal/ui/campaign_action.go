package ui

import (
	"context"
	"net/http"

	"faxgate/internal/campaign"
	"faxgate/internal/model"
)

// campaignActions are the lifecycle buttons: what they call and what the
// flash says afterwards.
var campaignActions = map[string]struct {
	do   func(*campaign.Service, context.Context, model.Actor, string) (campaign.Campaign, error)
	done string
}{
	"start":        {(*campaign.Service).StartCampaign, "Campaign started."},
	"pause":        {(*campaign.Service).PauseCampaign, "Campaign paused. Faxes already queued still go out."},
	"resume":       {(*campaign.Service).ResumeCampaign, "Campaign resumed where it stopped."},
	"retry-failed": {(*campaign.Service).RetryFailedCampaign, "The failed recipients are queued again."},
	"stop":         {(*campaign.Service).StopCampaign, "Campaign stopped. Recipients not yet sent are canceled."},
}

// campaignAction runs a lifecycle button (POST /campaigns/{id}/{action});
// a refusal (wrong status, empty group, document not ready) is a flash.
func (h *Handler) campaignAction(w http.ResponseWriter, r *http.Request) {
	a, ok := campaignActions[r.PathValue("action")]
	if !ok {
		h.notFoundPage(w, r)
		return
	}
	c, ok := h.loadCampaign(w, r)
	if !ok {
		return
	}
	if _, err := a.do(h.camp, r.Context(), actorOf(r), c.ID); err != nil {
		if !refusal(err) {
			h.fail(w, r, err)
			return
		}
		h.failure(w, r, sentence(refusalText(err)))
	} else {
		h.success(w, r, a.done)
	}
	redirect(w, r, "/campaigns/"+c.ID)
}

// refusalText is a refusal for people: field errors by their message.
func refusalText(err error) string {
	f := newForm()
	if f.absorb(err) {
		for _, msg := range f.Errors {
			return msg
		}
	}
	return err.Error()
}

// campaignStopConfirm asks before stopping a campaign for good.
func (h *Handler) campaignStopConfirm(w http.ResponseWriter, r *http.Request) {
	c, ok := h.loadCampaign(w, r)
	if !ok {
		return
	}
	v := h.newView(w, r, "Stop campaign", "campaigns")
	v.Data = confirmData{Heading: "Stop the campaign “" + c.Title + "”?",
		Text: "Stopping is final: recipients not yet sent are canceled (faxes already queued still go out). " +
			"Pause instead to continue later.",
		Action: "/campaigns/" + c.ID + "/stop", Button: "Stop campaign", Back: "/campaigns/" + c.ID}
	h.render(w, r, http.StatusOK, "confirm", v)
}

// campaignDeleteConfirm asks before deleting a campaign.
func (h *Handler) campaignDeleteConfirm(w http.ResponseWriter, r *http.Request) {
	c, ok := h.loadCampaign(w, r)
	if !ok {
		return
	}
	v := h.newView(w, r, "Delete campaign", "campaigns")
	v.Data = confirmData{Heading: "Delete the campaign “" + c.Title + "”?",
		Text:   "The campaign and its recipient list are deleted. The faxes it sent stay in Send Single Fax.",
		Action: "/campaigns/" + c.ID + "/delete", Button: "Delete campaign", Back: "/campaigns/" + c.ID}
	h.render(w, r, http.StatusOK, "confirm", v)
}

// campaignDelete deletes a draft, completed or stopped campaign.
func (h *Handler) campaignDelete(w http.ResponseWriter, r *http.Request) {
	c, ok := h.loadCampaign(w, r)
	if !ok {
		return
	}
	if err := h.camp.DeleteCampaign(r.Context(), actorOf(r), c.ID); err != nil {
		if !refusal(err) {
			h.fail(w, r, err)
			return
		}
		h.failure(w, r, sentence(err.Error()))
		redirect(w, r, "/campaigns/"+c.ID)
		return
	}
	h.success(w, r, "Campaign “"+c.Title+"” deleted.")
	redirect(w, r, "/campaigns")
}
