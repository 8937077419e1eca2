package api

import "net/http"

// previewQuery documents the cover page preview's parameters.
var previewQuery = []Param{tenantParam,
	{Name: "subject", Desc: "Subject to show (default: a sample subject)."},
	{Name: "comments", Desc: "Comments to show instead of the saved ones (at most 2000 characters)."},
	{Name: "sender_name", Desc: "Unsaved sender name, for a live preview of the settings form."},
	{Name: "company", Desc: "Unsaved company."},
	{Name: "phone", Desc: "Unsaved phone."},
	{Name: "email", Desc: "Unsaved email."},
	{Name: "show_logo", Enum: []string{"true", "false"}, Desc: "Unsaved logo choice."},
	{Name: "quality", Enum: []string{"standard", "fine", "superfine"}, Desc: "Resolution the page is drawn at (default fine)."},
}

// settingsRoutes are the endpoints of fax settings, cover-page settings and
// the cover-page preview. Everyone of a tenant reads them (the send form
// needs the defaults); tenant admins change them; platform admins name the
// tenant with tenant_id.
func (a *API) settingsRoutes() []Route {
	return []Route{
		{Method: "GET", Path: Prefix + "/settings/fax", ID: "getFaxSettings", Tag: "settings", Resp: FaxSettings{},
			Query: []Param{tenantParam}, Summary: "The tenant's fax settings (defaults until saved).", handle: a.getFaxSettings},
		{Method: "PUT", Path: Prefix + "/settings/fax", ID: "updateFaxSettings", Tag: "settings", Roles: tenantAdmins,
			Query: []Param{tenantParam}, Body: FaxSettingsInput{}, Resp: FaxSettings{},
			Summary: "Change fax settings; absent fields keep their value.", handle: a.putFaxSettings},
		{Method: "GET", Path: Prefix + "/settings/cover-page", ID: "getCoverPageSettings", Tag: "settings", Resp: CoverPageSettings{},
			Query: []Param{tenantParam}, Summary: "The tenant's cover page settings.", handle: a.getCoverPage},
		{Method: "PUT", Path: Prefix + "/settings/cover-page", ID: "updateCoverPageSettings", Tag: "settings", Roles: tenantAdmins,
			Query: []Param{tenantParam}, Body: CoverPageInput{}, Resp: CoverPageSettings{},
			Summary: "Change cover page settings; absent fields keep their value.", handle: a.putCoverPage},
		{Method: "GET", Path: Prefix + "/settings/cover-page/preview", ID: "previewCoverPage", Tag: "settings",
			Query: previewQuery, RespTypes: []string{"image/png"}, Errors: []int{http.StatusUnprocessableEntity},
			Summary:     "PNG of the cover page with the tenant's settings and logo, for a sample recipient.",
			Description: "Square pixels at 204 dpi. Query parameters override the saved values, so a form can show the page before it is saved.",
			handle:      a.previewCoverPage},
	}
}
