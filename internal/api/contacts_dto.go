package api

import (
	"time"

	"faxgate/internal/campaign"
	"faxgate/internal/model"
)

// Contact is an entry of a tenant's address book.
type Contact struct {
	ID          string    `json:"id" api:"required,readonly"`
	TenantID    string    `json:"tenant_id" api:"required,readonly"`
	FirstName   string    `json:"first_name" api:"required"`
	LastName    string    `json:"last_name" api:"required"`
	Fax         string    `json:"fax" api:"required" doc:"E.164; unique in the tenant."`
	Email       string    `json:"email" api:"required"`
	Company     string    `json:"company" api:"required"`
	Address     string    `json:"address" api:"required"`
	Description string    `json:"description" api:"required"`
	Custom      []string  `json:"custom" api:"required" doc:"Custom fields 1 to 5 (trailing empty ones left out)."`
	CreatedAt   time.Time `json:"created_at" api:"required,readonly"`
	UpdatedAt   time.Time `json:"updated_at" api:"required,readonly"`
}

// ContactInput is the body of POST /api/v1/contacts.
type ContactInput struct {
	TenantID    string   `json:"tenant_id,omitempty" doc:"Admins: the tenant (required for them). Others: omit or their own."`
	FirstName   string   `json:"first_name,omitempty" doc:"At most 100 characters."`
	LastName    string   `json:"last_name,omitempty" doc:"At most 100 characters."`
	Fax         string   `json:"fax" api:"required" doc:"Fax number: E.164 (+12025550100) or national, read with the tenant's default country."`
	Email       string   `json:"email,omitempty"`
	Company     string   `json:"company,omitempty" doc:"At most 200 characters."`
	Address     string   `json:"address,omitempty" doc:"At most 500 characters."`
	Description string   `json:"description,omitempty" doc:"At most 1000 characters."`
	Custom      []string `json:"custom,omitempty" doc:"Up to 5 custom fields of at most 200 characters."`
}

// ContactPatch is the body of PATCH /api/v1/contacts/{id}: only the fields
// present change.
type ContactPatch struct {
	FirstName   *string   `json:"first_name,omitempty"`
	LastName    *string   `json:"last_name,omitempty"`
	Fax         *string   `json:"fax,omitempty"`
	Email       *string   `json:"email,omitempty"`
	Company     *string   `json:"company,omitempty"`
	Address     *string   `json:"address,omitempty"`
	Description *string   `json:"description,omitempty"`
	Custom      *[]string `json:"custom,omitempty" doc:"Replaces all custom fields (up to 5)."`
}

// ContactList is one page of contacts.
type ContactList struct {
	Items      []Contact `json:"items" api:"required"`
	NextCursor string    `json:"next_cursor" api:"required" doc:"Pass as ?cursor= for the next page; empty on the last page."`
}

// Group is a named set of a tenant's contacts, the recipients of a campaign.
type Group struct {
	ID          string    `json:"id" api:"required,readonly"`
	TenantID    string    `json:"tenant_id" api:"required,readonly"`
	Name        string    `json:"name" api:"required" doc:"Unique in the tenant (any case)."`
	Description string    `json:"description" api:"required"`
	MemberCount int       `json:"member_count" api:"required,readonly"`
	CreatedAt   time.Time `json:"created_at" api:"required,readonly"`
	UpdatedAt   time.Time `json:"updated_at" api:"required,readonly"`
}

// GroupInput is the body of POST /api/v1/groups.
type GroupInput struct {
	TenantID    string `json:"tenant_id,omitempty" doc:"Admins: the tenant (required for them)."`
	Name        string `json:"name" api:"required" doc:"1 to 100 characters."`
	Description string `json:"description,omitempty" doc:"At most 1000 characters."`
}

// GroupPatch is the body of PATCH /api/v1/groups/{id}.
type GroupPatch struct {
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
}

// GroupList is one page of groups.
type GroupList struct {
	Items      []Group `json:"items" api:"required"`
	NextCursor string  `json:"next_cursor" api:"required"`
}

// GroupMembers is the body of POST /api/v1/groups/{id}/members and
// /members/remove.
type GroupMembers struct {
	ContactIDs []string `json:"contact_ids" api:"required" doc:"1 to 1000 contact ids of the group's tenant."`
}

// GroupMembersChanged says how many memberships changed.
type GroupMembersChanged struct {
	Changed     int `json:"changed" api:"required" doc:"Contacts added (not members before) or removed (members before)."`
	MemberCount int `json:"member_count" api:"required"`
}

// ContactImportUpload is the multipart/form-data body of POST
// /api/v1/groups/{id}/import (a text/csv body takes the same options as
// query parameters).
type ContactImportUpload struct {
	Mapping   string `json:"mapping,omitempty" doc:"JSON object: CSV header -> field (first_name, last_name, name, fax, email, company, address, description, custom1..custom5, or \"\" to skip). Columns it does not name are skipped. Omit to detect common header names."`
	Delimiter string `json:"delimiter,omitempty" enum:"comma,semicolon,tab,pipe" doc:"Default: detected."`
	Encoding  string `json:"encoding,omitempty" enum:"utf-8,latin1" doc:"Default: detected (UTF-8 with or without BOM, else Latin-1)."`
	File      Binary `json:"file" api:"required" doc:"The CSV file with a header row, at most 1 GiB. It must come after the other fields."`
}

// ContactImport is a CSV import into a group running in the background.
type ContactImport struct {
	ID        string               `json:"id" api:"required,readonly"`
	TenantID  string               `json:"tenant_id" api:"required,readonly"`
	GroupID   string               `json:"group_id" api:"required,readonly"`
	Filename  string               `json:"filename" api:"required,readonly"`
	Status    string               `json:"status" api:"required,readonly" enum:"queued,running,done,failed" doc:"result is null until done."`
	FileBytes int64                `json:"file_bytes" api:"required,readonly"`
	BytesRead int64                `json:"bytes_read" api:"required,readonly" doc:"Progress: bytes of the file read so far."`
	RowsDone  int64                `json:"rows_done" api:"required,readonly" doc:"Progress: data rows read so far."`
	Result    *ContactImportReport `json:"result" api:"required"`
	Error     string               `json:"error" api:"required,readonly" doc:"Why the import failed; empty unless failed."`
	CreatedAt time.Time            `json:"created_at" api:"required,readonly"`
	UpdatedAt time.Time            `json:"updated_at" api:"required,readonly"`
}

// ContactImportReport sums up a finished import. total = imported +
// updated + duplicates + invalid.
type ContactImportReport struct {
	Encoding   string            `json:"encoding" api:"required"`
	Delimiter  string            `json:"delimiter" api:"required"`
	Columns    map[string]string `json:"columns" api:"required" doc:"Field -> CSV header used."`
	Total      int               `json:"total" api:"required" doc:"Data rows (blank lines not counted)."`
	Imported   int               `json:"imported" api:"required" doc:"New contacts."`
	Updated    int               `json:"updated" api:"required" doc:"Contacts of the tenant with the same fax number, merged."`
	Duplicates int               `json:"duplicates" api:"required" doc:"Rows repeating a fax number of an earlier row."`
	Invalid    int               `json:"invalid" api:"required"`
	Errors     []RowError        `json:"errors" api:"required" doc:"The first 100 invalid rows."`
}

// RowError is why one CSV row was not imported.
type RowError struct {
	Line   int    `json:"line" api:"required" doc:"Line of the file where the row starts (1 = the header)."`
	Reason string `json:"reason" api:"required"`
}

// DNCEntry is a number on a do-not-contact list.
type DNCEntry struct {
	ID        string    `json:"id" api:"required,readonly"`
	TenantID  string    `json:"tenant_id" api:"required,readonly" doc:"Empty on the global list."`
	Scope     string    `json:"scope" api:"required,readonly" enum:"tenant,global"`
	Number    string    `json:"number" api:"required" doc:"E.164."`
	Note      string    `json:"note" api:"required"`
	CreatedBy string    `json:"created_by" api:"required,readonly" doc:"Email of who added it."`
	CreatedAt time.Time `json:"created_at" api:"required,readonly"`
}

// DNCInput is the body of POST /api/v1/dnc.
type DNCInput struct {
	TenantID string `json:"tenant_id,omitempty" doc:"Admins adding to a tenant's list: the tenant."`
	Number   string `json:"number" api:"required" doc:"E.164 or national (the tenant's default country)."`
	Note     string `json:"note,omitempty" doc:"At most 500 characters."`
}

// DNCList is one page of a do-not-contact list.
type DNCList struct {
	Items      []DNCEntry `json:"items" api:"required"`
	NextCursor string     `json:"next_cursor" api:"required"`
}

// DNCImportUpload is the multipart/form-data body of POST /api/v1/dnc/import.
type DNCImportUpload struct {
	TenantID string `json:"tenant_id,omitempty" doc:"Admins importing into a tenant's list."`
	Note     string `json:"note,omitempty" doc:"Note of the rows without one."`
	File     Binary `json:"file" api:"required" doc:"CSV with a Number (or Fax, Phone) column and an optional Note column, or no header: number, note. At most 32 MiB; after the other fields."`
}

// DNCImportResult sums up a do-not-contact import. total = added +
// already_listed + invalid.
type DNCImportResult struct {
	Total         int        `json:"total" api:"required"`
	Added         int        `json:"added" api:"required"`
	AlreadyListed int        `json:"already_listed" api:"required" doc:"On the list before, or repeated in the file."`
	Invalid       int        `json:"invalid" api:"required"`
	Errors        []RowError `json:"errors" api:"required" doc:"The first 100 invalid rows."`
}

func contactDTO(c model.Contact) Contact {
	custom := c.Custom[:]
	for len(custom) > 0 && custom[len(custom)-1] == "" {
		custom = custom[:len(custom)-1]
	}
	return Contact{ID: c.ID, TenantID: c.TenantID, FirstName: c.FirstName, LastName: c.LastName, Fax: c.Fax,
		Email: c.Email, Company: c.Company, Address: c.Address, Description: c.Description,
		Custom: append([]string{}, custom...), CreatedAt: utc(c.CreatedAt), UpdatedAt: utc(c.UpdatedAt)}
}

func groupDTO(g model.Group) Group {
	return Group{ID: g.ID, TenantID: g.TenantID, Name: g.Name, Description: g.Description,
		MemberCount: g.MemberCount, CreatedAt: utc(g.CreatedAt), UpdatedAt: utc(g.UpdatedAt)}
}

func dncDTO(d model.DNCEntry) DNCEntry {
	scope := "tenant"
	if d.TenantID == "" {
		scope = "global"
	}
	return DNCEntry{ID: d.ID, TenantID: d.TenantID, Scope: scope, Number: d.Number, Note: d.Note,
		CreatedBy: d.CreatedBy, CreatedAt: utc(d.CreatedAt)}
}

func rowErrorDTO(e campaign.RowError) RowError { return RowError{Line: e.Line, Reason: e.Reason} }

func importDTO(im model.ContactImport) (ContactImport, error) {
	out := ContactImport{ID: im.ID, TenantID: im.TenantID, GroupID: im.GroupID, Filename: im.Filename,
		Status: string(im.Status), FileBytes: im.FileBytes, BytesRead: im.BytesRead, RowsDone: im.RowsDone,
		Error: im.Error, CreatedAt: utc(im.CreatedAt), UpdatedAt: utc(im.UpdatedAt)}
	res, ok, err := campaign.DecodeImportResult(im)
	if err != nil || !ok {
		return out, err
	}
	out.Result = &ContactImportReport{Encoding: res.Encoding, Delimiter: res.Delimiter, Columns: res.Columns,
		Total: res.Total, Imported: res.Imported, Updated: res.Updated, Duplicates: res.Duplicates,
		Invalid: res.Invalid, Errors: mapSlice(res.Errors, rowErrorDTO)}
	return out, nil
}
