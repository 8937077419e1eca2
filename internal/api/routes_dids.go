package api

import (
	"net/http"

	"faxgate/internal/faxin"
)

// didImportTypes are the request bodies POST /dids/import accepts.
var didImportTypes = []string{"text/csv", "text/plain", "multipart/form-data"}

// didRoutes are the endpoints of the DID pool (admins) and My DIDs.
func (a *API) didRoutes() []Route {
	poolParams := withPage(Param{Name: "q", Desc: "Number or label contains."},
		Param{Name: "tenant_id", Desc: "The DIDs of this tenant."},
		Param{Name: "unassigned", Enum: []string{"true", "false"}, Desc: "Only the spare ones."})
	return []Route{
		{Method: "GET", Path: Prefix + "/dids", ID: "listDIDs", Tag: "dids", Roles: adminOnly, Resp: DIDList{},
			Query: poolParams, Summary: "The DID pool, newest first.", handle: a.listDIDs},
		{Method: "POST", Path: Prefix + "/dids", ID: "createDID", Tag: "dids", Roles: adminOnly, Body: DIDInput{},
			Resp: DID{}, Status: http.StatusCreated, Errors: []int{409},
			Summary: "Add a number to the pool, optionally assigned to a tenant.", handle: a.createDID},
		{Method: "POST", Path: Prefix + "/dids/range", ID: "createDIDRange", Tag: "dids", Roles: adminOnly,
			Body: DIDRange{}, Resp: DIDImport{}, Status: http.StatusCreated,
			Summary:     "Add every number from..to (inclusive, same number of digits).",
			Description: "At most 10,000 numbers. Numbers already in the pool are skipped and listed in existing.",
			handle:      a.createDIDRange},
		{Method: "POST", Path: Prefix + "/dids/import", ID: "importDIDs", Tag: "dids", Roles: adminOnly,
			Query:     []Param{{Name: "tenant_id", Desc: "Assign every imported number to this tenant."}},
			BodyTypes: didImportTypes, Resp: DIDImport{}, Status: http.StatusCreated, MaxBody: faxin.MaxImportBytes + 64<<10,
			Summary: "Import numbers from CSV: the raw body or multipart field \"file\".",
			Description: "One number per line in the first column, an optional label in the second; a header line " +
				"is skipped; at most 10,000 lines and 2 MiB. Valid lines are added, each invalid line is reported " +
				"in invalid with its line number.",
			handle: a.importDIDs},
		{Method: "GET", Path: Prefix + "/dids/{id}", ID: "getDID", Tag: "dids", Roles: adminOnly, Resp: DID{},
			Summary: "Get a DID of the pool.", handle: a.getDID},
		{Method: "PATCH", Path: Prefix + "/dids/{id}", ID: "updateDID", Tag: "dids", Roles: adminOnly,
			Body: DIDPatch{}, Resp: DID{},
			Summary: "Assign a DID to a tenant, or release it (tenant_id \"\"); both clear its routing.",
			handle:  a.patchDID},
		{Method: "DELETE", Path: Prefix + "/dids/{id}", ID: "deleteDID", Tag: "dids", Roles: adminOnly,
			Status: http.StatusNoContent, Summary: "Remove a DID from the pool (received faxes keep the number).",
			handle: a.deleteDID},

		{Method: "GET", Path: Prefix + "/my/dids", ID: "listMyDIDs", Tag: "dids", Resp: DIDList{},
			Query:   withPage(Param{Name: "q", Desc: "Number or label contains."}),
			Summary: "My DIDs: the tenant's DIDs with their routing (users: the DIDs routed to them).",
			handle:  a.listMyDIDs},
		{Method: "GET", Path: Prefix + "/my/dids/{id}", ID: "getMyDID", Tag: "dids", Resp: DID{},
			Summary: "Get one of My DIDs.", handle: a.getDID},
		{Method: "PATCH", Path: Prefix + "/my/dids/{id}", ID: "routeMyDID", Tag: "dids", Roles: tenantAdmins,
			Body: DIDRouting{}, Resp: DIDRouted{},
			Summary: "Route a DID: action email|inbox|reject, forward_emails, user_id, webhook_url, station_id.",
			Description: "Only the fields present change. Action email needs at least one address; user_id must " +
				"be a user of the tenant (\"\" = tenant admins only); webhook_url \"\" removes the webhook.",
			handle: a.routeMyDID},
	}
}
