package api

import (
	"net/http"

	"faxgate/internal/campaign"
)

// campaignDescription explains the lifecycle once for the action routes.
const campaignDescription = "Lifecycle: draft -> running <-> paused -> completed | stopped. Starting copies the " +
	"group's members into the recipient list (numbers on a do-not-contact list and repeated numbers are skipped " +
	"and counted); the sender then submits one fax per recipient at calls_per_minute, with at most max_lines in " +
	"progress, inside the schedule window. An action in the wrong status answers 409 with the reason."

// campaignRoutes are the endpoints of bulk fax campaigns.
func (a *API) campaignRoutes() []Route {
	conflict := []int{http.StatusConflict}
	return []Route{
		{Method: "GET", Path: Prefix + "/campaigns", ID: "listCampaigns", Tag: "campaigns", Resp: CampaignList{},
			Query: withPage(Param{Name: "status", Enum: []string{"draft", "running", "paused", "completed", "stopped"}},
				Param{Name: "q", Desc: "Title contains (case-insensitive)."}),
			Summary: "List campaigns, newest first, with their progress.", handle: a.listCampaigns},
		{Method: "POST", Path: Prefix + "/campaigns", ID: "createCampaign", Tag: "campaigns", Body: CampaignInput{},
			Resp: Campaign{}, Status: http.StatusCreated, Summary: "Create a draft campaign.",
			Description: campaignDescription, handle: a.createCampaign},
		{Method: "GET", Path: Prefix + "/campaigns/{id}", ID: "getCampaign", Tag: "campaigns", Resp: Campaign{},
			Summary: "Get a campaign and its progress.", handle: a.getCampaign},
		{Method: "PATCH", Path: Prefix + "/campaigns/{id}", ID: "updateCampaign", Tag: "campaigns",
			Body: CampaignPatch{}, Resp: Campaign{}, Errors: conflict,
			Summary: "Change a draft campaign (409 once started).", handle: a.patchCampaign},
		{Method: "DELETE", Path: Prefix + "/campaigns/{id}", ID: "deleteCampaign", Tag: "campaigns",
			Status: http.StatusNoContent, Errors: conflict,
			Summary: "Delete a draft, completed or stopped campaign (its faxes stay in the fax list).",
			handle:  a.deleteCampaign},
		{Method: "POST", Path: Prefix + "/campaigns/{id}/start", ID: "startCampaign", Tag: "campaigns",
			Resp: Campaign{}, Errors: conflict, Description: campaignDescription,
			Summary: "Start a draft campaign.", handle: a.campaignAction((*campaign.Service).StartCampaign)},
		{Method: "POST", Path: Prefix + "/campaigns/{id}/pause", ID: "pauseCampaign", Tag: "campaigns",
			Resp: Campaign{}, Errors: conflict, Summary: "Pause a running campaign; faxes in progress finish.",
			handle: a.campaignAction((*campaign.Service).PauseCampaign)},
		{Method: "POST", Path: Prefix + "/campaigns/{id}/resume", ID: "resumeCampaign", Tag: "campaigns",
			Resp: Campaign{}, Errors: conflict, Summary: "Resume a paused campaign where it stopped.",
			handle: a.campaignAction((*campaign.Service).ResumeCampaign)},
		{Method: "POST", Path: Prefix + "/campaigns/{id}/stop", ID: "stopCampaign", Tag: "campaigns",
			Resp: Campaign{}, Errors: conflict,
			Summary: "Stop a running or paused campaign for good; recipients not yet sent are canceled.",
			handle:  a.campaignAction((*campaign.Service).StopCampaign)},
		{Method: "POST", Path: Prefix + "/campaigns/{id}/retry-failed", ID: "retryFailedCampaign", Tag: "campaigns",
			Resp: Campaign{}, Errors: conflict,
			Summary: "Send again to every recipient whose fax failed (a completed campaign runs again).",
			handle:  a.campaignAction((*campaign.Service).RetryFailedCampaign)},
		{Method: "GET", Path: Prefix + "/campaigns/{id}/recipients", ID: "listCampaignRecipients", Tag: "campaigns",
			Resp: CampaignRecipientList{}, RespTypes: []string{"text/csv"},
			Query: withPage(Param{Name: "state", Enum: []string{"pending", "submitting", "in_progress", "delivered",
				"failed", "skipped", "canceled"}},
				Param{Name: "q", Desc: "Fax number or name contains (case-insensitive)."},
				Param{Name: "format", Enum: []string{"json", "csv"}, Desc: "csv streams the whole list (no paging)."}),
			Summary: "List a campaign's recipients and their results.", handle: a.listCampaignRecipients},
	}
}
