package api

import (
	"time"

	"faxgate/internal/campaign"
	"faxgate/internal/model"
)

// Campaign is a bulk fax campaign with its progress.
type Campaign struct {
	ID              string     `json:"id" api:"required,readonly"`
	TenantID        string     `json:"tenant_id" api:"required,readonly"`
	UserID          string     `json:"user_id" api:"required,readonly" doc:"Creator; the faxes are sent in this user's name."`
	Title           string     `json:"title" api:"required"`
	DocumentID      string     `json:"document_id" api:"required"`
	GroupID         string     `json:"group_id" api:"required" doc:"The contact group; its members are copied when the campaign starts."`
	CallerID        string     `json:"caller_id" api:"required" doc:"One of the tenant's caller IDs; empty = the tenant's default."`
	Retries         int        `json:"retries" api:"required,min=0,max=10"`
	RetryDelayS     int        `json:"retry_delay_s" api:"required" doc:"Pause before each retry; 0 = the tenant's setting."`
	CallsPerMinute  int        `json:"calls_per_minute" api:"required,min=1,max=600"`
	MaxLines        int        `json:"max_lines" api:"required,min=1,max=1000" doc:"Most faxes of the campaign in progress at once."`
	WindowDays      []string   `json:"window_days" api:"required" doc:"Days it may send on (sun, mon, tue, wed, thu, fri, sat), in the tenant's time zone."`
	WindowStartHour int        `json:"window_start_hour" api:"required,min=0,max=23"`
	WindowEndHour   int        `json:"window_end_hour" api:"required,min=1,max=24" doc:"Sends while start <= hour < end."`
	CoverPage       bool       `json:"cover_page" api:"required"`
	OptOut          string     `json:"opt_out" api:"required" doc:"Opt-out line printed on the first page (the cover page, which it turns on)."`
	Status          string     `json:"status" api:"required,readonly" enum:"draft,running,paused,completed,stopped"`
	StatusReason    string     `json:"status_reason" api:"required,readonly" doc:"Why it paused or stopped."`
	Total           int        `json:"total" api:"required,readonly"`
	Pending         int        `json:"pending" api:"required,readonly" doc:"Recipients not submitted yet."`
	Sent            int        `json:"sent" api:"required,readonly" doc:"Recipients a fax was submitted to."`
	InProgress      int        `json:"in_progress" api:"required,readonly"`
	Delivered       int        `json:"delivered" api:"required,readonly"`
	Failed          int        `json:"failed" api:"required,readonly"`
	Skipped         int        `json:"skipped" api:"required,readonly" doc:"Do-not-contact, duplicate or invalid numbers."`
	Canceled        int        `json:"canceled" api:"required,readonly" doc:"Not submitted because the campaign stopped."`
	Progress        int        `json:"progress" api:"required,readonly" doc:"Percent of recipients final."`
	ETASeconds      int        `json:"eta_s" api:"required,readonly" doc:"Estimated seconds until every recipient is submitted, at the campaign's pace."`
	CreatedAt       time.Time  `json:"created_at" api:"required,readonly"`
	UpdatedAt       time.Time  `json:"updated_at" api:"required,readonly"`
	StartedAt       *time.Time `json:"started_at" api:"required,readonly"`
	CompletedAt     *time.Time `json:"completed_at" api:"required,readonly"`
}

// CampaignInput is the body of POST /api/v1/campaigns.
type CampaignInput struct {
	TenantID        string   `json:"tenant_id,omitempty" doc:"Admins: the tenant. Others: omit."`
	Title           string   `json:"title" api:"required"`
	DocumentID      string   `json:"document_id" api:"required"`
	GroupID         string   `json:"group_id" api:"required"`
	CallerID        string   `json:"caller_id,omitempty"`
	Retries         int      `json:"retries,omitempty" api:"min=0,max=10"`
	RetryDelayS     int      `json:"retry_delay_s,omitempty"`
	CallsPerMinute  int      `json:"calls_per_minute,omitempty" doc:"Default 10."`
	MaxLines        int      `json:"max_lines,omitempty" doc:"Default 5."`
	WindowDays      []string `json:"window_days,omitempty" doc:"Default every day."`
	WindowStartHour *int     `json:"window_start_hour,omitempty" doc:"Default 0."`
	WindowEndHour   *int     `json:"window_end_hour,omitempty" doc:"Default 24."`
	CoverPage       bool     `json:"cover_page,omitempty"`
	OptOut          string   `json:"opt_out,omitempty"`
}

// CampaignPatch changes a draft campaign; only the fields present change.
type CampaignPatch struct {
	Title           *string   `json:"title,omitempty"`
	DocumentID      *string   `json:"document_id,omitempty"`
	GroupID         *string   `json:"group_id,omitempty"`
	CallerID        *string   `json:"caller_id,omitempty"`
	Retries         *int      `json:"retries,omitempty"`
	RetryDelayS     *int      `json:"retry_delay_s,omitempty"`
	CallsPerMinute  *int      `json:"calls_per_minute,omitempty"`
	MaxLines        *int      `json:"max_lines,omitempty"`
	WindowDays      *[]string `json:"window_days,omitempty"`
	WindowStartHour *int      `json:"window_start_hour,omitempty"`
	WindowEndHour   *int      `json:"window_end_hour,omitempty"`
	CoverPage       *bool     `json:"cover_page,omitempty"`
	OptOut          *string   `json:"opt_out,omitempty"`
}

// CampaignList is one page of campaigns, newest first.
type CampaignList struct {
	Items      []Campaign `json:"items" api:"required"`
	NextCursor string     `json:"next_cursor" api:"required" doc:"Empty on the last page."`
}

// CampaignRecipient is one recipient of a campaign and its result.
type CampaignRecipient struct {
	Seq         int64      `json:"seq" api:"required" doc:"Position in the campaign's list."`
	ContactID   string     `json:"contact_id" api:"required"`
	Name        string     `json:"name" api:"required"`
	Fax         string     `json:"fax" api:"required"`
	State       string     `json:"state" api:"required" enum:"pending,submitting,in_progress,delivered,failed,skipped,canceled"`
	Reason      string     `json:"reason" api:"required" doc:"Why it was skipped or failed."`
	Sends       int        `json:"sends" api:"required" doc:"Faxes submitted to it (retry-failed adds one)."`
	FaxID       string     `json:"fax_id" api:"required" doc:"The latest fax; see /faxes/{id}."`
	SubmittedAt *time.Time `json:"submitted_at" api:"required"`
	CompletedAt *time.Time `json:"completed_at" api:"required"`
}

// CampaignRecipientList is one page of recipients in list order.
type CampaignRecipientList struct {
	Items      []CampaignRecipient `json:"items" api:"required"`
	NextCursor string              `json:"next_cursor" api:"required" doc:"Empty on the last page."`
}

func campaignDTO(c campaign.Campaign) Campaign {
	w := c.Window
	return Campaign{ID: c.ID, TenantID: c.TenantID, UserID: c.UserID, Title: c.Title, DocumentID: c.DocumentID,
		GroupID: c.GroupID, CallerID: c.CallerID, Retries: c.Retries, RetryDelayS: int(c.RetryDelay / time.Second),
		CallsPerMinute: c.CallsPerMinute, MaxLines: c.MaxLines, WindowDays: nonNil(w.DayNames()),
		WindowStartHour: w.StartHour, WindowEndHour: w.EndHour, CoverPage: c.CoverPage, OptOut: c.OptOut,
		Status: string(c.Status), StatusReason: c.StatusReason, Total: c.Total, Pending: c.Pending, Sent: c.Sent(),
		InProgress: c.InProgress, Delivered: c.Delivered, Failed: c.Failed, Skipped: c.Skipped,
		Canceled: c.Canceled, Progress: c.Percent(), ETASeconds: int(c.ETA() / time.Second),
		CreatedAt: utc(c.CreatedAt), UpdatedAt: utc(c.UpdatedAt), StartedAt: optTime(c.StartedAt),
		CompletedAt: optTime(c.CompletedAt)}
}

func recipientDTO(r campaign.Recipient) CampaignRecipient {
	return CampaignRecipient{Seq: r.Seq, ContactID: r.ContactID, Name: r.Name, Fax: r.Fax, State: string(r.State),
		Reason: r.Reason, Sends: r.Sends, FaxID: r.FaxID, SubmittedAt: optTime(r.SubmittedAt),
		CompletedAt: optTime(r.CompletedAt)}
}

// window builds a schedule window from the JSON fields (nil: defaults).
func window(days *[]string, start, end *int, base campaign.Window) (campaign.Window, error) {
	w := base
	if w == (campaign.Window{}) {
		w = campaign.Always()
	}
	if days != nil {
		d, ok := campaign.DaysFromNames(*days)
		if !ok {
			return w, model.Invalid("window_days", "days are sun, mon, tue, wed, thu, fri, sat")
		}
		w.Days = d
	}
	if start != nil {
		w.StartHour = *start
	}
	if end != nil {
		w.EndHour = *end
	}
	return w, nil
}
