package ui

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"faxgate/internal/campaign"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// campaignView is a campaign as the pages show it.
type campaignView struct {
	campaign.Campaign
	Tenant string // tenant name, for admins
}

// URL is the campaign's page.
func (c campaignView) URL() string { return "/campaigns/" + c.ID }

// CSVURL downloads every recipient as CSV (the API's, same origin).
func (c campaignView) CSVURL() string { return "/api/v1/campaigns/" + c.ID + "/recipients?format=csv" }

// StatusLabel is the status in words.
func (c campaignView) StatusLabel() string {
	return strings.ToUpper(string(c.Status[:1])) + string(c.Status[1:])
}

// BadgeClass colours the status.
func (c campaignView) BadgeClass() string {
	switch c.Status {
	case campaign.StatusRunning:
		return "badge-processing"
	case campaign.StatusCompleted:
		return "badge-ready"
	case campaign.StatusStopped:
		return "badge-failed"
	}
	return "badge-off"
}

// Live reports whether the numbers still move (the page polls then).
func (c campaignView) Live() bool {
	return c.Status == campaign.StatusRunning || c.InProgress > 0
}

// Can* say which lifecycle buttons apply.
func (c campaignView) CanStart() bool  { return c.Status == campaign.StatusDraft }
func (c campaignView) CanPause() bool  { return c.Status == campaign.StatusRunning }
func (c campaignView) CanResume() bool { return c.Status == campaign.StatusPaused }
func (c campaignView) CanStop() bool {
	return c.Status == campaign.StatusRunning || c.Status == campaign.StatusPaused
}
func (c campaignView) CanRetry() bool {
	return c.Failed > 0 && c.Status != campaign.StatusDraft && c.Status != campaign.StatusStopped
}

// ETAText is the time left to submit everything at the campaign's pace
// (closed schedule windows not counted).
func (c campaignView) ETAText() string {
	d := c.ETA()
	switch {
	case c.Status != campaign.StatusRunning && c.Status != campaign.StatusPaused:
		return "—"
	case d == 0:
		return "0 min"
	case d < time.Minute:
		return "< 1 min"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Round(time.Minute)/time.Minute))
	}
	return fmt.Sprintf("%.1f h", d.Hours())
}

// WindowText describes the schedule window.
func (c campaignView) WindowText() string {
	w := c.Window
	if w.IsAlways() {
		return "any time"
	}
	return fmt.Sprintf("%s, %02d:00–%02d:00 (tenant time)", strings.Join(w.DayNames(), " "), w.StartHour, w.EndHour)
}

// loadCampaign reads the {id} campaign the actor may see; it answers 404
// itself (other tenants' too) and returns false then.
func (h *Handler) loadCampaign(w http.ResponseWriter, r *http.Request) (campaign.Campaign, bool) {
	id := r.PathValue("id")
	if !model.ValidID(campaign.PrefixCampaign, id) {
		h.notFoundPage(w, r)
		return campaign.Campaign{}, false
	}
	c, err := h.camp.GetCampaign(r.Context(), actorOf(r), id)
	if err != nil {
		h.fail(w, r, err)
		return campaign.Campaign{}, false
	}
	return c, true
}

// campaignFields are the fields of the campaign form.
var campaignFields = []string{"tenant_id", "title", "document_id", "group_id", "caller_id", "retries",
	"retry_delay_s", "calls_per_minute", "max_lines", "start_hour", "end_hour", "cover_page", "opt_out"}

// campaignFormData is the data of the new and edit pages.
type campaignFormData struct {
	TenantChosen bool
	Tenants      []option // admins adding
	Documents    []option
	Groups       []option
	CallerIDs    []option
	Retries      []option
	Hours        []option
	EndHours     []option
	Days         []dayBox
	Action       string
	Back         string
	Editing      bool
}

// dayBox is one weekday checkbox.
type dayBox struct {
	Name, Label string
	Checked     bool
}

// campaignForm fills a form from a campaign (new: the defaults).
func campaignForm(c campaign.Campaign) *form {
	f := newForm()
	f.Set("tenant_id", c.TenantID)
	f.Set("title", c.Title)
	f.Set("document_id", c.DocumentID)
	f.Set("group_id", c.GroupID)
	f.Set("caller_id", c.CallerID)
	f.Set("retries", strconv.Itoa(c.Retries))
	f.Set("retry_delay_s", strconv.Itoa(int(c.RetryDelay/time.Second)))
	f.Set("calls_per_minute", strconv.Itoa(c.CallsPerMinute))
	f.Set("max_lines", strconv.Itoa(c.MaxLines))
	w := c.Window
	if w == (campaign.Window{}) {
		w = campaign.Always()
	}
	f.Set("start_hour", strconv.Itoa(w.StartHour))
	f.Set("end_hour", strconv.Itoa(w.EndHour))
	for _, d := range w.DayNames() {
		f.Set("day_"+d, "on")
	}
	if c.CoverPage {
		f.Set("cover_page", "on")
	}
	f.Set("opt_out", c.OptOut)
	return f
}

// campaignFormFrom reads the posted form and the input it describes;
// unreadable numbers become field errors.
func campaignFormFrom(r *http.Request) (*form, campaign.Input) {
	f := formFrom(r, campaignFields...)
	in := campaign.Input{TenantID: f.Get("tenant_id"), Title: f.Get("title"), DocumentID: f.Get("document_id"),
		GroupID: f.Get("group_id"), CallerID: f.Get("caller_id"), CoverPage: f.Get("cover_page") == "on",
		OptOut: f.Get("opt_out")}
	num := func(name string) int {
		n, err := strconv.Atoi(f.Get(name))
		if err != nil {
			f.Invalid(name, "must be a whole number")
		}
		return n
	}
	in.Retries, in.CallsPerMinute, in.MaxLines = num("retries"), num("calls_per_minute"), num("max_lines")
	in.RetryDelay = time.Duration(num("retry_delay_s")) * time.Second
	in.Window.StartHour, in.Window.EndHour = num("start_hour"), num("end_hour")
	for i, d := range campaign.WeekdayNames() {
		if r.PostFormValue("day_"+d) == "on" {
			f.Set("day_"+d, "on")
			in.Window.Days |= 1 << uint(i)
		}
	}
	if in.Window.Days == 0 {
		f.Invalid("window_days", "choose at least one day")
	}
	return f, in
}

// renderCampaignForm shows the new or edit form with its values and errors.
func (h *Handler) renderCampaignForm(w http.ResponseWriter, r *http.Request, status int, f *form, c campaign.Campaign) {
	actor, ctx := actorOf(r), r.Context()
	d := campaignFormData{Action: "/campaigns", Back: "/campaigns", Retries: retryOptions(), Editing: c.ID != ""}
	title := "New fax campaign"
	if d.Editing {
		title, d.Action, d.Back = "Edit campaign", "/campaigns/"+c.ID, "/campaigns/"+c.ID
	}
	tenantID := formTenant(actor, f)
	var err error
	if actor.IsAdmin() && !d.Editing {
		if d.Tenants, err = h.tenantOptions(ctx, actor, "Choose a tenant"); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	d.TenantChosen = tenantID != ""
	if d.TenantChosen {
		if err := h.fillCampaignChoices(ctx, actor, tenantID, &d); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	for i := 0; i <= 24; i++ {
		o := option{strconv.Itoa(i), fmt.Sprintf("%02d:00", i)}
		if i < 24 {
			d.Hours = append(d.Hours, o)
		}
		if i > 0 {
			d.EndHours = append(d.EndHours, o)
		}
	}
	labels := []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	for i, n := range campaign.WeekdayNames() {
		d.Days = append(d.Days, dayBox{Name: "day_" + n, Label: labels[i], Checked: f.Get("day_"+n) == "on"})
	}
	v := h.newView(w, r, title, "campaigns")
	v.Form = f
	v.Data = d
	h.render(w, r, status, "campaign_form", v)
}

// fillCampaignChoices loads the tenant's ready documents, groups and
// caller IDs.
func (h *Handler) fillCampaignChoices(ctx context.Context, actor model.Actor, tenantID string, d *campaignFormData) error {
	var faxData faxFormData
	if err := h.fillFaxChoices(ctx, actor, tenantID, &faxData); err != nil {
		return err
	}
	d.Documents = append([]option{{"", "Choose a document"}}, faxData.Documents[1:]...)
	d.CallerIDs = faxData.CallerIDs
	d.CallerIDs[0].Label = "Tenant default"
	groups, _, err := h.camp.ListGroups(ctx, actor, store.GroupFilter{}, model.ListOptions{Limit: 200})
	if err != nil {
		return err
	}
	d.Groups = []option{{"", "Choose a contact group"}}
	for _, g := range groups {
		if g.TenantID == tenantID {
			d.Groups = append(d.Groups, option{g.ID, fmt.Sprintf("%s (%d contacts)", g.Name, g.MemberCount)})
		}
	}
	return nil
}

// formAbsorb maps a campaign error on the form: the window fields of the
// domain have their own names in the form.
func campaignAbsorb(f *form, err error) bool {
	if !f.absorb(err) {
		return false
	}
	if msg := f.Error("window_hours"); msg != "" {
		f.Invalid("start_hour", msg)
	}
	return true
}
