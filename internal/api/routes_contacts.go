package api

import (
	"net/http"
	"strings"

	"faxgate/internal/campaign"
)

var contactSortParam = Param{Name: "sort", Enum: []string{"created", "name"},
	Desc: "created: newest first (default); name: by last name, then first name."}

var importDescription = "Send the CSV as the part named file of a multipart/form-data body (after the other fields) " +
	"or as a text/csv body with the options as query parameters. The header row is mapped automatically " +
	"(Fax, Fax Number, Phone, First Name, Last Name, Name, Email, Company, Address, Notes, Custom1..5) unless " +
	"mapping is given; a file without a fax column (after the mapping) answers 422 at once. The import then runs " +
	"in the background: follow it at the Location answered. Duplicates (by E.164 fax number) merge, invalid rows " +
	"are reported with their line and reason while the valid rows import."

// contactRoutes are the endpoints of contacts, groups and do-not-contact.
func (a *API) contactRoutes() []Route {
	importBody := int64(campaign.MaxImportFileBytes) + UploadOverhead
	members := withPage(Param{Name: "q", Desc: "Name, fax, email or company contains."}, contactSortParam)
	return []Route{
		{Method: "GET", Path: Prefix + "/contacts", ID: "listContacts", Tag: "contacts", Resp: ContactList{},
			Summary: "List the tenant's contacts (admins: all tenants').", handle: a.listContacts,
			Query: append(members, Param{Name: "group_id", Desc: "Only members of this group."})},
		{Method: "POST", Path: Prefix + "/contacts", ID: "createContact", Tag: "contacts", Body: ContactInput{},
			Resp: Contact{}, Status: http.StatusCreated, Errors: []int{409},
			Summary: "Add a contact; the fax number is normalised to E.164 (409 when the tenant has it).",
			handle:  a.createContact},
		{Method: "GET", Path: Prefix + "/contacts/{id}", ID: "getContact", Tag: "contacts", Resp: Contact{},
			Summary: "Get a contact.", handle: a.getContact},
		{Method: "PATCH", Path: Prefix + "/contacts/{id}", ID: "updateContact", Tag: "contacts", Body: ContactPatch{},
			Resp: Contact{}, Errors: []int{409}, Summary: "Change a contact; only the fields present change.",
			handle: a.patchContact},
		{Method: "DELETE", Path: Prefix + "/contacts/{id}", ID: "deleteContact", Tag: "contacts",
			Status: http.StatusNoContent, Summary: "Delete a contact (and its group memberships).", handle: a.deleteContact},

		{Method: "GET", Path: Prefix + "/groups", ID: "listGroups", Tag: "groups", Resp: GroupList{},
			Query:   withPage(Param{Name: "q", Desc: "Name or description contains."}),
			Summary: "List contact groups, newest first, with member counts.", handle: a.listGroups},
		{Method: "POST", Path: Prefix + "/groups", ID: "createGroup", Tag: "groups", Body: GroupInput{}, Resp: Group{},
			Status: http.StatusCreated, Errors: []int{409}, Summary: "Create a contact group.", handle: a.createGroup},
		{Method: "GET", Path: Prefix + "/groups/{id}", ID: "getGroup", Tag: "groups", Resp: Group{},
			Summary: "Get a group.", handle: a.getGroup},
		{Method: "PATCH", Path: Prefix + "/groups/{id}", ID: "updateGroup", Tag: "groups", Body: GroupPatch{},
			Resp: Group{}, Errors: []int{409}, Summary: "Rename or redescribe a group.", handle: a.patchGroup},
		{Method: "DELETE", Path: Prefix + "/groups/{id}", ID: "deleteGroup", Tag: "groups", Status: http.StatusNoContent,
			Summary: "Delete a group; its contacts stay in the address book.", handle: a.deleteGroup},
		{Method: "GET", Path: Prefix + "/groups/{id}/members", ID: "listGroupMembers", Tag: "groups",
			Resp: ContactList{}, Query: members, Summary: "List a group's contacts.", handle: a.listMembers},
		{Method: "POST", Path: Prefix + "/groups/{id}/members", ID: "addGroupMembers", Tag: "groups",
			Body: GroupMembers{}, Resp: GroupMembersChanged{},
			Summary: "Add contacts to a group (any unknown id: 404, nothing added).", handle: a.changeMembers(true)},
		{Method: "POST", Path: Prefix + "/groups/{id}/members/remove", ID: "removeGroupMembers", Tag: "groups",
			Body: GroupMembers{}, Resp: GroupMembersChanged{},
			Summary: "Take contacts out of a group (they stay in the address book).", handle: a.changeMembers(false)},
		{Method: "DELETE", Path: Prefix + "/groups/{id}/members/{contact_id}", ID: "removeGroupMember", Tag: "groups",
			Resp: GroupMembersChanged{}, Summary: "Take one contact out of a group.", handle: a.removeMember},
		{Method: "POST", Path: Prefix + "/groups/{id}/import", ID: "importGroup", Tag: "groups",
			Form: ContactImportUpload{}, BodyTypes: []string{"text/csv"}, Resp: ContactImport{},
			Status: http.StatusAccepted, MaxBody: importBody,
			Query: []Param{{Name: "mapping", Desc: "text/csv bodies: the mapping (see the multipart field)."},
				{Name: "delimiter", Enum: []string{"comma", "semicolon", "tab", "pipe"}},
				{Name: "encoding", Enum: []string{"utf-8", "latin1"}}},
			Summary: "Import a CSV file of contacts into the group (background job).", Description: importDescription,
			handle: a.importGroup},
		{Method: "GET", Path: Prefix + "/groups/{id}/imports/{import_id}", ID: "getGroupImport", Tag: "groups",
			Resp: ContactImport{}, Summary: "Progress and, when done, the report of an import.", handle: a.getImport},
		{Method: "GET", Path: Prefix + "/groups/{id}/export", ID: "exportGroup", Tag: "groups",
			RespTypes: []string{"text/csv"}, Summary: "Download the group's contacts as CSV (UTF-8, comma).",
			Description: "Columns: " + strings.Join(campaign.ExportColumns, ", ") + ". The file imports again as it is.",
			handle:      a.exportGroup},

		{Method: "GET", Path: Prefix + "/dnc", ID: "listDNC", Tag: "dnc", Resp: DNCList{},
			Query:   withPage(Param{Name: "q", Desc: "Number or note contains."}, scopeParam),
			Summary: "List a do-not-contact list, newest first (admins without scope: every tenant's entries).",
			handle:  a.listDNC},
		{Method: "POST", Path: Prefix + "/dnc", ID: "createDNC", Tag: "dnc", Body: DNCInput{}, Resp: DNCEntry{},
			Status: http.StatusCreated, Errors: []int{409}, Query: []Param{scopeParam},
			Summary: "Put a number on the do-not-contact list: every send to it is refused.", handle: a.createDNC},
		{Method: "GET", Path: Prefix + "/dnc/{id}", ID: "getDNC", Tag: "dnc", Resp: DNCEntry{},
			Summary: "Get a do-not-contact entry.", handle: a.getDNC},
		{Method: "DELETE", Path: Prefix + "/dnc/{id}", ID: "deleteDNC", Tag: "dnc", Status: http.StatusNoContent,
			Summary: "Take a number off its list (tenant administrators and admins).", handle: a.deleteDNC},
		{Method: "POST", Path: Prefix + "/dnc/import", ID: "importDNC", Tag: "dnc", Form: DNCImportUpload{},
			BodyTypes: []string{"text/csv"}, Resp: DNCImportResult{}, MaxBody: MaxDNCImportBytes + UploadOverhead,
			Query: []Param{scopeParam, tenantParam, {Name: "note", Desc: "text/csv bodies: note of rows without one."},
				{Name: "delimiter", Enum: []string{"comma", "semicolon", "tab", "pipe"}},
				{Name: "encoding", Enum: []string{"utf-8", "latin1"}}},
			Summary: "Add the numbers of a CSV file to a do-not-contact list.", handle: a.importDNC},
	}
}
