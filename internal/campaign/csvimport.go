package campaign

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// Contact fields a CSV column can map to. FieldName is a full name split
// at its last space into first and last name (when those have no column).
const (
	FieldFirstName   = "first_name"
	FieldLastName    = "last_name"
	FieldName        = "name"
	FieldFax         = "fax"
	FieldEmail       = "email"
	FieldCompany     = "company"
	FieldAddress     = "address"
	FieldDescription = "description"
	FieldIgnore      = "" // in ImportOptions.Mapping: skip the column
)

// fieldAliases lists, per field in order of preference, the normalised
// header names (see normHeader) recognised automatically.
var fieldAliases = []struct {
	field   string
	aliases []string
}{
	{FieldFax, []string{"fax", "faxnumber", "faxno", "faxnr", "fax1", "phone", "phonenumber", "telephone", "tel", "number"}},
	{FieldFirstName, []string{"firstname", "first", "givenname", "forename"}},
	{FieldLastName, []string{"lastname", "last", "surname", "familyname"}},
	{FieldName, []string{"name", "fullname", "contactname", "contact"}},
	{FieldEmail, []string{"email", "emailaddress", "mail"}},
	{FieldCompany, []string{"company", "companyname", "organisation", "organization", "org", "business"}},
	{FieldAddress, []string{"address", "streetaddress", "postaladdress", "street"}},
	{FieldDescription, []string{"description", "notes", "note", "comments", "comment"}},
	{"custom1", []string{"custom1", "customfield1"}},
	{"custom2", []string{"custom2", "customfield2"}},
	{"custom3", []string{"custom3", "customfield3"}},
	{"custom4", []string{"custom4", "customfield4"}},
	{"custom5", []string{"custom5", "customfield5"}},
}

func knownField(f string) bool {
	for _, a := range fieldAliases {
		if a.field == f {
			return true
		}
	}
	return false
}

// DetectMapping proposes a field for each header cell it recognises
// (header text -> field), for the portal's mapping form.
func DetectMapping(header []string) map[string]string {
	out := map[string]string{}
	for i, f := range detectColumns(header) {
		out[header[i]] = f
	}
	return out
}

// detectColumns maps column index -> field by the aliases.
func detectColumns(header []string) map[int]string {
	norm := make([]string, len(header))
	for i, h := range header {
		norm[i] = normHeader(h)
	}
	cols := map[int]string{}
	for _, fa := range fieldAliases {
	next:
		for _, alias := range fa.aliases {
			for i, h := range norm {
				if _, taken := cols[i]; !taken && h == alias {
					cols[i] = fa.field
					break next
				}
			}
		}
	}
	return cols
}

// explicitColumns applies a header -> field mapping (headers compared
// case-insensitively, trimmed).
func explicitColumns(header []string, mapping map[string]string) (map[int]string, error) {
	idx := map[string]int{}
	for i, h := range header {
		if _, dup := idx[strings.ToLower(strings.TrimSpace(h))]; !dup {
			idx[strings.ToLower(strings.TrimSpace(h))] = i
		}
	}
	cols, used := map[int]string{}, map[string]string{}
	for h, f := range mapping {
		i, ok := idx[strings.ToLower(strings.TrimSpace(h))]
		switch {
		case !ok:
			return nil, model.Invalid("mapping", fmt.Sprintf("the file has no column %q", h))
		case f == FieldIgnore:
			continue
		case !knownField(f):
			return nil, model.Invalid("mapping", fmt.Sprintf("unknown field %q for column %q", f, h))
		case used[f] != "":
			return nil, model.Invalid("mapping", fmt.Sprintf("columns %q and %q both map to %s", used[f], h, f))
		}
		used[f] = h
		cols[i] = f
	}
	return cols, nil
}

// ImportOptions tunes ImportGroupCSV.
type ImportOptions struct {
	CSV CSVOptions
	// Mapping (header text -> field) replaces the automatic detection;
	// columns it does not name are ignored. Nil detects.
	Mapping map[string]string
	// MaxErrors bounds ImportResult.Errors (default 100); every invalid
	// row is still counted.
	MaxErrors int
	// BatchSize is the rows written per transaction (default 500, at most
	// store.MaxImportBatch).
	BatchSize int
	// Progress, when set, is called after every batch and at the end.
	Progress func(Progress)
}

// Progress is how far an import is.
type Progress struct {
	Rows      int   // data rows read so far
	BytesRead int64 // of the input, for a percentage against its size
	Done      bool
}

// RowError is why one row was not imported. Line is the file's line
// number (1 = the header) where the record starts.
type RowError struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// ImportResult sums up an import. Total = Imported + Updated +
// Duplicates + Invalid; blank lines are not counted.
type ImportResult struct {
	Encoding   string            `json:"encoding"`
	Delimiter  string            `json:"delimiter"`
	Columns    map[string]string `json:"columns"` // field -> header used
	Total      int               `json:"total"`
	Imported   int               `json:"imported"`   // new contacts
	Updated    int               `json:"updated"`    // existing contacts (same fax) merged
	Duplicates int               `json:"duplicates"` // later rows repeating a fax of the same file
	Invalid    int               `json:"invalid"`
	Errors     []RowError        `json:"errors"` // the first MaxErrors invalid rows
}

// Summary is a one-line account of the result (for the audit log).
func (r ImportResult) Summary() string {
	return fmt.Sprintf("%d rows: %d imported, %d updated, %d duplicates, %d invalid",
		r.Total, r.Imported, r.Updated, r.Duplicates, r.Invalid)
}

// ImportGroupCSV imports a CSV file into the group's tenant address book
// and the group, streaming: rows are read one by one and written in
// batches (one transaction each), so memory stays bounded whatever the
// file size.
//
// Merge rule (by fax number, after E.164 normalisation): a new number
// creates a contact; a number the tenant has updates that contact with the
// row's non-empty cells (empty cells keep the stored values) and counts as
// Updated; a number repeated within the file keeps the first row and
// counts the later ones as Duplicates. Every imported, updated or
// duplicate row's contact is a member of the group afterwards.
//
// Invalid rows are counted and reported with line and reason while the
// valid rows import. A file problem (empty, no fax column, a record over
// MaxRecordBytes, a read error) is an error; batches written before a
// mid-file error stay, and the result returned with the error counts them.
func (s *Service) ImportGroupCSV(ctx context.Context, actor model.Actor, groupID string, r io.Reader, o ImportOptions) (ImportResult, error) {
	g, err := s.GetGroup(ctx, actor, groupID)
	if err != nil {
		return ImportResult{}, err
	}
	country, err := s.country(ctx, g.TenantID)
	if err != nil {
		return ImportResult{}, err
	}
	im, err := newImporter(r, o)
	if err != nil {
		return ImportResult{}, err
	}
	im.tenantID, im.groupID, im.country = g.TenantID, g.ID, country
	im.importID = model.NewID(model.PrefixImport)
	err = im.run(ctx, s.st)
	if im.res.Total > 0 || err == nil {
		s.au.Record(ctx, actor, model.ActionGroupImported, "group", g.ID, im.res.Summary(), g.TenantID)
	}
	return im.res, err
}

// importer is one running CSV import.
type importer struct {
	f                                    *csvFile
	o                                    ImportOptions
	cols                                 map[int]string
	tenantID, groupID, country, importID string
	batch                                []model.Contact
	res                                  ImportResult
}

func newImporter(r io.Reader, o ImportOptions) (*importer, error) {
	if o.MaxErrors <= 0 {
		o.MaxErrors = 100
	}
	if o.BatchSize <= 0 || o.BatchSize > store.MaxImportBatch {
		o.BatchSize = 500
	}
	f, err := openCSV(r, o.CSV)
	if err != nil {
		return nil, err
	}
	header, _, err := f.next()
	if err != nil {
		return nil, model.Invalid("file", "the header row cannot be read: "+err.Error())
	}
	header = append([]string(nil), header...) // the reader reuses its slice
	cols, err := mapColumns(header, o.Mapping)
	if err != nil {
		return nil, err
	}
	im := &importer{f: f, o: o, cols: cols, batch: make([]model.Contact, 0, o.BatchSize)}
	im.res.Encoding, im.res.Delimiter = f.encoding, string(f.delimiter)
	im.res.Columns = map[string]string{}
	for i, field := range cols {
		im.res.Columns[field] = header[i]
	}
	im.res.Errors = []RowError{}
	return im, nil
}

// mapColumns maps the header and insists on a fax column.
func mapColumns(header []string, mapping map[string]string) (map[int]string, error) {
	cols := detectColumns(header)
	if mapping != nil {
		var err error
		if cols, err = explicitColumns(header, mapping); err != nil {
			return nil, err
		}
	}
	for _, f := range cols {
		if f == FieldFax {
			return cols, nil
		}
	}
	names := make([]string, len(header))
	for i, h := range header {
		names[i] = strconv.Quote(h)
	}
	return nil, model.Invalid("file", "no fax number column in the header row ("+strings.Join(names, ", ")+
		"): name one Fax, Fax Number or Phone, or map the columns")
}

func (im *importer) run(ctx context.Context, st *store.Store) error {
	for {
		rec, line, err := im.f.next()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		switch {
		case errors.As(err, &pe):
			im.res.Total++
			im.invalid(line, "unreadable CSV: "+pe.Err.Error())
			continue
		case err != nil:
			return err
		case blank(rec):
			continue
		}
		im.row(rec, line)
		if len(im.batch) == cap(im.batch) {
			if err := im.flush(ctx, st); err != nil {
				return err
			}
		}
	}
	if err := im.flush(ctx, st); err != nil {
		return err
	}
	im.progress(true)
	return nil
}

// row converts and validates one record, queueing it or reporting it.
func (im *importer) row(rec []string, line int) {
	im.res.Total++
	c := model.Contact{TenantID: im.tenantID}
	var full string
	for i, v := range rec {
		switch f := im.cols[i]; f {
		case FieldFirstName:
			c.FirstName = v
		case FieldLastName:
			c.LastName = v
		case FieldName:
			full = strings.TrimSpace(v)
		case FieldFax:
			c.Fax = v
		case FieldEmail:
			c.Email = v
		case FieldCompany:
			c.Company = v
		case FieldAddress:
			c.Address = v
		case FieldDescription:
			c.Description = v
		case "custom1", "custom2", "custom3", "custom4", "custom5":
			c.Custom[f[6]-'1'] = v
		}
	}
	if full != "" && c.FirstName == "" && c.LastName == "" {
		c.FirstName, c.LastName = splitName(full)
	}
	if err := validateContact(&c, im.country, &model.ValidationError{}); err != nil {
		im.invalid(line, strings.TrimPrefix(err.Error(), "invalid input: "))
		return
	}
	im.batch = append(im.batch, c)
}

func splitName(full string) (string, string) {
	if i := strings.LastIndexByte(full, ' '); i > 0 {
		return strings.TrimSpace(full[:i]), full[i+1:]
	}
	return full, ""
}

// invalid counts an invalid row and keeps its reason among the first
// MaxErrors.
func (im *importer) invalid(line int, reason string) {
	im.res.Invalid++
	if len(im.res.Errors) < im.o.MaxErrors {
		im.res.Errors = append(im.res.Errors, RowError{Line: line, Reason: reason})
	}
}

func (im *importer) flush(ctx context.Context, st *store.Store) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(im.batch) > 0 {
		n, err := st.ImportContacts(ctx, im.tenantID, im.groupID, im.importID, im.batch)
		if err != nil {
			return fmt.Errorf("import batch: %w", err)
		}
		im.res.Imported += n.Imported
		im.res.Updated += n.Updated
		im.res.Duplicates += n.Duplicates
		im.batch = im.batch[:0]
	}
	im.progress(false)
	return nil
}

func (im *importer) progress(done bool) {
	if im.o.Progress != nil {
		im.o.Progress(Progress{Rows: im.res.Total, BytesRead: im.f.bytesRead(), Done: done})
	}
}
