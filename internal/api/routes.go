package api

import (
	"net/http"

	"faxgate/internal/documents"
	"faxgate/internal/model"
)

var (
	adminOnly    = []model.Role{model.RoleAdmin}
	tenantAdmins = []model.Role{model.RoleAdmin, model.RoleTenant}
)

var pageParams = []Param{
	{Name: "limit", Type: "integer", Desc: "Page size, 1 to 500 (default 50)."},
	{Name: "cursor", Desc: "next_cursor of the previous page."},
}

var tenantParam = Param{Name: "tenant_id", Desc: "Admins: the tenant to act on. Others may omit it or pass their own."}

// versionParam is the cache buster of page images (the render revision).
var versionParam = Param{Name: "v", Desc: "Render revision, as in the URLs the API gives; with it the image may be cached for good."}

func withPage(ps ...Param) []Param { return append(ps, pageParams...) }

// logoTypes are the raw request bodies PUT /branding/logo accepts.
var logoTypes = []string{"image/png", "image/jpeg", "image/svg+xml", "multipart/form-data"}

// routeTable is THE list of endpoints: Register and the OpenAPI document are
// both generated from it.
func (a *API) routeTable() []Route {
	rs := a.coreRoutes()
	rs = append(rs, a.settingsRoutes()...)
	rs = append(rs, a.emailRoutes()...)
	if a.d.Faxout != nil && a.d.Faxin != nil {
		rs = append(rs, a.faxRoutes()...)
		rs = append(rs, a.trunkRoutes()...)
		rs = append(rs, a.didRoutes()...)
	}
	if a.d.Reports != nil {
		rs = append(rs, a.reportRoutes()...)
	}
	if a.d.Announcements != nil {
		rs = append(rs, a.announcementRoutes()...)
	}
	rs = append(rs, a.platformRoutes()...)
	if a.d.Health != nil {
		rs = append(rs, a.healthRoutes()...)
	}
	if a.d.Webhooks != nil {
		rs = append(rs, a.webhookRoutes()...)
	}
	if a.d.Campaigns != nil {
		rs = append(rs, a.contactRoutes()...)
		rs = append(rs, a.campaignRoutes()...)
	}
	return rs
}

func (a *API) trunkRoutes() []Route {
	cidParams := withPage(Param{Name: "q", Desc: "Number or label contains."},
		Param{Name: "tenant_id", Desc: "Admins: the caller IDs of this tenant."},
		Param{Name: "unassigned", Enum: []string{"true", "false"}, Desc: "Admins: only the spare ones."})
	return []Route{
		{Method: "GET", Path: Prefix + "/trunks", ID: "listTrunks", Tag: "trunks", Roles: adminOnly,
			Resp: TrunkList{}, Summary: "List trunks in dialling order.", handle: a.listTrunks},
		{Method: "POST", Path: Prefix + "/trunks", ID: "createTrunk", Tag: "trunks", Roles: adminOnly,
			Body: TrunkInput{}, Resp: Trunk{}, Status: http.StatusCreated, Errors: []int{409},
			Summary: "Add a trunk (kind test or sip).", handle: a.createTrunk},
		{Method: "GET", Path: Prefix + "/trunks/{id}", ID: "getTrunk", Tag: "trunks", Roles: adminOnly,
			Resp: Trunk{}, Summary: "Get a trunk (the password is never shown).", handle: a.getTrunk},
		{Method: "PATCH", Path: Prefix + "/trunks/{id}", ID: "updateTrunk", Tag: "trunks", Roles: adminOnly,
			Body: TrunkInput{}, Resp: Trunk{}, Errors: []int{409},
			Summary: "Change a trunk; only the fields present change.", handle: a.patchTrunk},
		{Method: "DELETE", Path: Prefix + "/trunks/{id}", ID: "deleteTrunk", Tag: "trunks", Roles: adminOnly,
			Status: http.StatusNoContent, Errors: []int{409}, Summary: "Delete a trunk.", handle: a.deleteTrunk},

		{Method: "GET", Path: Prefix + "/cids", ID: "listCIDs", Tag: "cids", Roles: adminOnly,
			Resp: CallerIDList{}, Query: cidParams, Summary: "The caller-ID pool.", handle: a.listCIDs},
		{Method: "POST", Path: Prefix + "/cids", ID: "createCID", Tag: "cids", Roles: adminOnly,
			Body: CallerIDInput{}, Resp: CallerIDNumber{}, Status: http.StatusCreated, Errors: []int{409},
			Summary: "Add a caller ID to the pool, optionally assigned to a tenant.", handle: a.createCID},
		{Method: "GET", Path: Prefix + "/cids/{id}", ID: "getCID", Tag: "cids", Roles: adminOnly,
			Resp: CallerIDNumber{}, Summary: "Get a caller ID of the pool.", handle: a.getCID},
		{Method: "PATCH", Path: Prefix + "/cids/{id}", ID: "updateCID", Tag: "cids", Roles: adminOnly,
			Body: CallerIDInput{}, Resp: CallerIDNumber{}, Errors: []int{409},
			Summary: "Change a caller ID (tenant_id \"\" unassigns).", handle: a.patchCID},
		{Method: "DELETE", Path: Prefix + "/cids/{id}", ID: "deleteCID", Tag: "cids", Roles: adminOnly,
			Status: http.StatusNoContent, Summary: "Remove a caller ID from the pool.", handle: a.deleteCID},
		{Method: "GET", Path: Prefix + "/my/cids", ID: "listMyCIDs", Tag: "cids", Resp: CallerIDList{},
			Query:   withPage(Param{Name: "q", Desc: "Number or label contains."}),
			Summary: "The caller IDs the own tenant may send with.", handle: a.listCIDs},
	}
}

var faxIdempotency = "Send an Idempotency-Key header to make retries safe: a repeat of the same request with the " +
	"same key answers 200 (instead of 201) with the fax first created; the key reused for another request is refused (409)."

func (a *API) faxRoutes() []Route {
	return []Route{
		{Method: "POST", Path: Prefix + "/faxes", ID: "sendFax", Tag: "faxes", Body: FaxSend{}, Resp: Fax{},
			Status: http.StatusCreated, AltStatus: []int{http.StatusOK}, Errors: []int{409, 429},
			Summary: "Send a fax: queue a ready document to a number.", Description: faxIdempotency +
				" Over the tenant's daily or monthly page limit answers 429.", handle: a.sendFax},
		{Method: "GET", Path: Prefix + "/faxes", ID: "listFaxes", Tag: "faxes", Resp: FaxList{},
			Summary: "List faxes, newest first (users: their own).", handle: a.listFaxes,
			Query: withPage(Param{Name: "direction", Enum: []string{"outbound", "inbound"}, Desc: "Default outbound."},
				Param{Name: "status", Desc: "Status, or several separated by commas."},
				Param{Name: "q", Desc: "Outbound: number, caller ID or title contains."},
				Param{Name: "from", Desc: "Created from this time (RFC 3339) or day (YYYY-MM-DD), inclusive."},
				Param{Name: "to", Desc: "Until this time (RFC 3339, exclusive) or day (YYYY-MM-DD, inclusive)."},
				Param{Name: "user_id", Desc: "Tenant admins and admins: the faxes of one user."},
				Param{Name: "did_id", Desc: "Inbound: received on this DID."},
				Param{Name: "read", Enum: []string{"true", "false"}, Desc: "Inbound: opened or not."},
				tenantParam)},
		{Method: "GET", Path: Prefix + "/faxes/{id}", ID: "getFax", Tag: "faxes", Resp: Fax{},
			Summary: "Get a fax with its attempts (calls).", handle: a.getFax},
		{Method: "POST", Path: Prefix + "/faxes/{id}/cancel", ID: "cancelFax", Tag: "faxes", Resp: Fax{},
			Errors:  []int{409},
			Summary: "Cancel a queued, retrying or sending fax (409 once it is final).", handle: a.cancelFax},
		{Method: "GET", Path: Prefix + "/faxes/{id}/file", ID: "downloadFax", Tag: "faxes",
			RespTypes: []string{"application/pdf", "image/tiff"},
			Query:     []Param{{Name: "format", Enum: []string{"pdf", "tiff"}, Desc: "Default pdf."}},
			Errors:    []int{http.StatusGone},
			Summary:   "Download the fax: the sent document, or the received pages (410 once retention purged them).",
			handle:    a.downloadFax},
		{Method: "GET", Path: Prefix + "/faxes/{id}/report", ID: "getFaxReport", Tag: "faxes",
			RespTypes: []string{"application/pdf"}, Errors: []int{http.StatusConflict, http.StatusGone},
			Summary: "The transmission report (PDF): first-page thumbnail, recipient, remote station, pages, " +
				"duration, result and every attempt (409 while the fax is not final).",
			handle: a.faxReport},
	}
}

func (a *API) coreRoutes() []Route {
	return []Route{
		{Method: "GET", Path: Prefix + "/openapi.json", ID: "getOpenAPI", Tag: "meta", Public: true,
			Summary: "This OpenAPI 3.0 document.", handle: a.serveDocument},

		{Method: "GET", Path: Prefix + "/me", ID: "getMe", Tag: "me", Resp: User{},
			Summary: "The authenticated user.", handle: a.getMe},
		{Method: "PATCH", Path: Prefix + "/me", ID: "updateMe", Tag: "me", Body: UserPatch{}, Resp: User{},
			Errors: []int{409}, Summary: "Change the own profile (name, phone, email, api username).",
			Description: "Role, status and tenant cannot be changed here (403).", handle: a.patchMe},
		{Method: "POST", Path: Prefix + "/me/password", ID: "changeMyPassword", Tag: "me", Body: PasswordChange{},
			Status: http.StatusNoContent, Summary: "Change the own password; signs out the other sessions.",
			handle: a.changeMyPassword},

		{Method: "GET", Path: Prefix + "/tenants", ID: "listTenants", Tag: "tenants", Roles: adminOnly,
			Resp: TenantList{}, Summary: "List tenants, newest first.", handle: a.listTenants,
			Query: withPage(Param{Name: "q", Desc: "Name contains."},
				Param{Name: "status", Enum: []string{"active", "suspended"}})},
		{Method: "POST", Path: Prefix + "/tenants", ID: "createTenant", Tag: "tenants", Roles: adminOnly,
			Body: TenantInput{}, Resp: Tenant{}, Status: http.StatusCreated, Errors: []int{409},
			Summary: "Create a tenant.", handle: a.createTenant},
		{Method: "GET", Path: Prefix + "/tenants/{id}", ID: "getTenant", Tag: "tenants", Resp: Tenant{},
			Summary: "Get a tenant (admins: any; others: their own).", handle: a.getTenant},
		{Method: "PATCH", Path: Prefix + "/tenants/{id}", ID: "updateTenant", Tag: "tenants", Roles: adminOnly,
			Body: TenantInput{}, Resp: Tenant{}, Errors: []int{409},
			Summary: "Change a tenant (suspend: status=suspended).", handle: a.patchTenant},

		{Method: "GET", Path: Prefix + "/users", ID: "listUsers", Tag: "users", Roles: tenantAdmins,
			Resp: UserList{}, Summary: "List users (tenants: their own), newest first.", handle: a.listUsers,
			Query: withPage(Param{Name: "q", Desc: "Email or name contains."},
				Param{Name: "role", Enum: []string{"admin", "tenant", "user"}},
				Param{Name: "status", Enum: []string{"active", "disabled"}}, tenantParam)},
		{Method: "POST", Path: Prefix + "/users", ID: "createUser", Tag: "users", Roles: tenantAdmins,
			Body: UserCreate{}, Resp: User{}, Status: http.StatusCreated, Errors: []int{404, 409},
			Summary: "Create a user (tenants: roles tenant or user in their own tenant).", handle: a.createUser},
		{Method: "GET", Path: Prefix + "/users/{id}", ID: "getUser", Tag: "users", Resp: User{},
			Summary: "Get a user.", handle: a.getUser},
		{Method: "PATCH", Path: Prefix + "/users/{id}", ID: "updateUser", Tag: "users", Body: UserPatch{},
			Resp: User{}, Errors: []int{409}, Summary: "Change a user; only the fields present change.",
			handle: a.patchUser},
		{Method: "DELETE", Path: Prefix + "/users/{id}", ID: "deleteUser", Tag: "users", Roles: tenantAdmins,
			Status: http.StatusNoContent, Summary: "Delete a user, its sessions and API keys.", handle: a.deleteUser},
		{Method: "POST", Path: Prefix + "/users/{id}/password", ID: "resetUserPassword", Tag: "users",
			Roles: tenantAdmins, Body: PasswordReset{}, Status: http.StatusNoContent,
			Summary: "Set another user's password.", handle: a.resetPassword},

		{Method: "GET", Path: Prefix + "/api-keys", ID: "listAPIKeys", Tag: "api-keys", Resp: APIKeyList{},
			Summary: "List the own API keys.", handle: a.listAPIKeys},
		{Method: "POST", Path: Prefix + "/api-keys", ID: "createAPIKey", Tag: "api-keys", Body: APIKeyCreate{},
			Resp: APIKeyCreated{}, Status: http.StatusCreated,
			Summary: "Create an API key; the secret is in the answer, only this once.", handle: a.createAPIKey},
		{Method: "DELETE", Path: Prefix + "/api-keys/{id}", ID: "revokeAPIKey", Tag: "api-keys",
			Status: http.StatusNoContent, Summary: "Revoke an own API key.", handle: a.revokeAPIKey},

		{Method: "GET", Path: Prefix + "/branding", ID: "getBranding", Tag: "branding", Resp: Branding{},
			Query: []Param{tenantParam}, Summary: "The tenant's branding (defaults until set).", handle: a.getBranding},
		{Method: "PUT", Path: Prefix + "/branding", ID: "updateBranding", Tag: "branding", Roles: tenantAdmins,
			Query: []Param{tenantParam}, Body: BrandingInput{}, Resp: Branding{}, Errors: []int{409},
			Summary: "Set branding fields; absent fields keep their value.", handle: a.putBranding},
		{Method: "GET", Path: Prefix + "/branding/logo", ID: "getBrandingLogo", Tag: "branding",
			Query: []Param{tenantParam}, RespTypes: []string{"image/png", "image/jpeg", "image/svg+xml"},
			Summary: "The tenant's logo image (404 when none).", handle: a.getLogo},
		{Method: "PUT", Path: Prefix + "/branding/logo", ID: "setBrandingLogo", Tag: "branding",
			Roles: tenantAdmins, Query: []Param{tenantParam}, BodyTypes: logoTypes, Resp: Branding{},
			MaxBody: logoMaxBody,
			Summary: "Upload the logo: PNG, JPEG or SVG (sanitised), at most 512 KiB, as the raw body or multipart field \"logo\".",
			handle:  a.putLogo},
		{Method: "DELETE", Path: Prefix + "/branding/logo", ID: "deleteBrandingLogo", Tag: "branding",
			Roles: tenantAdmins, Query: []Param{tenantParam}, Status: http.StatusNoContent,
			Summary: "Remove the logo.", handle: a.deleteLogo},

		{Method: "GET", Path: Prefix + "/documents", ID: "listDocuments", Tag: "documents", Resp: FaxDocumentList{},
			Summary: "List the tenant's fax documents (admins: all tenants'), newest first.", handle: a.listDocuments,
			Query: withPage(Param{Name: "q", Desc: "Name contains."},
				Param{Name: "status", Enum: []string{"processing", "ready", "failed"}},
				Param{Name: "user_id", Desc: "Only documents this user uploaded."}, tenantParam)},
		{Method: "POST", Path: Prefix + "/documents", ID: "createDocument", Tag: "documents", Form: FaxDocumentUpload{},
			Resp: FaxDocument{}, Status: http.StatusCreated, Query: []Param{tenantParam}, MaxBody: a.uploadMaxBody(),
			Summary: "Upload a document: multipart fields name, description, quality and one or more file parts.",
			Description: "Files are stored as they arrive and appended in order; the answer comes at once with status " +
				"processing while a job converts them into fax pages (poll GET /documents/{id}). A file type that " +
				"cannot be faxed, whatever its name, is refused with 422 (fields.files names the file); more than the " +
				"size limit in total answers 413. Problems found while converting (a corrupt or encrypted PDF, too " +
				"many pages) make the document failed, with error and error_code.",
			handle: a.createDocument},
		{Method: "GET", Path: Prefix + "/documents/{id}", ID: "getDocument", Tag: "documents", Resp: FaxDocument{},
			Summary: "Get a document, with its conversion progress or error.", handle: a.getDocument},
		{Method: "PATCH", Path: Prefix + "/documents/{id}", ID: "updateDocument", Tag: "documents",
			Body: FaxDocumentPatch{}, Resp: FaxDocument{}, Errors: []int{409},
			Summary:     "Rename, describe, or change the quality (converts it again); only the fields present change.",
			Description: "Users change only the documents they uploaded (403); tenant administrators any of their tenant's.",
			handle:      a.patchDocument},
		{Method: "DELETE", Path: Prefix + "/documents/{id}", ID: "deleteDocument", Tag: "documents",
			Status: http.StatusNoContent, Errors: []int{409},
			Summary: "Delete a document and all its files (409 while a fax uses it).", handle: a.deleteDocument},
		{Method: "GET", Path: Prefix + "/documents/{id}/pages", ID: "listDocumentPages", Tag: "documents",
			Resp: FaxDocumentPages{}, Errors: []int{409},
			Summary: "The pages of a ready document with their image addresses (409 while processing or when failed).",
			handle:  a.listDocumentPages},
		{Method: "GET", Path: Prefix + "/documents/{id}/pages/{n}/thumbnail", ID: "getDocumentThumbnail",
			Tag: "documents", RespTypes: []string{"image/png"}, Errors: []int{409}, Query: []Param{versionParam},
			Summary: "PNG thumbnail of page n (1-based).", handle: a.documentImage(documents.Thumbnail)},
		{Method: "GET", Path: Prefix + "/documents/{id}/pages/{n}/preview", ID: "getDocumentPreview",
			Tag: "documents", RespTypes: []string{"image/png"}, Errors: []int{409}, Query: []Param{versionParam},
			Summary: "Page n exactly as the recipient gets it, as a PNG.", handle: a.documentImage(documents.Preview)},
		{Method: "GET", Path: Prefix + "/documents/{id}/file", ID: "downloadDocument", Tag: "documents",
			RespTypes: []string{"application/pdf", "image/tiff"}, Errors: []int{409},
			Query:   []Param{{Name: "format", Enum: []string{"pdf", "tiff"}, Desc: "Default pdf. tiff is the TIFF-F file that is sent."}},
			Summary: "Download the fax pages as PDF or TIFF-F.", handle: a.downloadDocument},

		{Method: "GET", Path: Prefix + "/activities", ID: "listActivities", Tag: "activities",
			Resp: ActivityList{}, RespTypes: []string{"text/csv"}, handle: a.listActivities,
			Summary: "System Activities, newest first (tenants: their tenant; users: their own actions).",
			Query: withPage(
				Param{Name: "from", Desc: "From this time (RFC 3339) or day (YYYY-MM-DD), inclusive."},
				Param{Name: "to", Desc: "Until this time (RFC 3339, exclusive) or day (YYYY-MM-DD, inclusive)."},
				Param{Name: "user_id", Desc: "Only actions of this user."},
				Param{Name: "action", Desc: "Action or action prefix, e.g. auth. or user.created."},
				Param{Name: "q", Desc: "Detail, actor email, target id or address contains (case-insensitive)."},
				csvFormat, tzParam, tenantParam)},
	}
}
