package campaign

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"faxgate/internal/model"
	"faxgate/internal/phone"
	"faxgate/internal/store"
)

// DNCInput is a number to put on a do-not-contact list: the tenant's
// (TenantID: platform admins only; others their own) or, with Global, the
// platform-wide list (platform admins only). Numbers without "+" use the
// tenant's default country (the platform default for the global list).
type DNCInput struct {
	TenantID string
	Global   bool
	Number   string
	Note     string
}

// dncTarget resolves the list an actor writes to: the tenant id, "" for
// the global list.
func dncTarget(actor model.Actor, tenantID string, global bool) (string, error) {
	if global {
		if !actor.IsAdmin() {
			return "", model.ErrForbidden
		}
		return "", nil
	}
	return tenantFor(actor, tenantID)
}

// dncCountry is the default country for numbers of a list.
func (s *Service) dncCountry(ctx context.Context, tenantID string) (string, error) {
	if tenantID == "" {
		return model.DefaultFaxCountry, nil
	}
	return s.country(ctx, tenantID)
}

// AddDNC puts a number on a do-not-contact list. A number already there
// is a *model.ConflictError{"number"}.
func (s *Service) AddDNC(ctx context.Context, actor model.Actor, in DNCInput) (model.DNCEntry, error) {
	tenantID, err := dncTarget(actor, in.TenantID, in.Global)
	if err != nil {
		return model.DNCEntry{}, err
	}
	country, err := s.dncCountry(ctx, tenantID)
	if err != nil {
		return model.DNCEntry{}, err
	}
	d := model.DNCEntry{TenantID: tenantID, Number: in.Number, Note: in.Note, CreatedBy: actor.Email}
	if err := validateDNC(&d, country); err != nil {
		return model.DNCEntry{}, err
	}
	if err := s.st.AddDNC(ctx, &d); err != nil {
		return model.DNCEntry{}, err
	}
	s.au.Record(ctx, actor, model.ActionDNCAdded, "dnc", d.ID, dncDetail(d), tenantID)
	return d, nil
}

func dncDetail(d model.DNCEntry) string {
	if d.TenantID == "" {
		return d.Number + " (global list)"
	}
	return d.Number
}

// validateDNC normalises the number and checks the note.
func validateDNC(d *model.DNCEntry, country string) error {
	ve := &model.ValidationError{}
	d.Note = strings.TrimSpace(d.Note)
	if !utf8.ValidString(d.Note) || utf8.RuneCountInString(d.Note) > model.MaxDNCNote {
		ve.Add("note", fmt.Sprintf("at most %d characters of text", model.MaxDNCNote))
	}
	if strings.TrimSpace(d.Number) == "" {
		ve.Add("number", "required")
	} else if e164, err := phone.Normalize(d.Number, country); err != nil {
		ve.Add("number", err.Error())
	} else {
		d.Number = e164
	}
	return ve.OrNil()
}

// GetDNC returns an entry the actor may see: tenant members their
// tenant's, platform admins any (the global list included).
func (s *Service) GetDNC(ctx context.Context, actor model.Actor, id string) (model.DNCEntry, error) {
	scope, err := scopeOf(actor)
	if err != nil {
		return model.DNCEntry{}, err
	}
	return s.st.GetDNC(ctx, scope, id)
}

// RemoveDNC takes an entry off its list: tenant admins their tenant's
// entries, platform admins any entry (the global list included). Users
// get ErrForbidden; other tenants' entries are ErrNotFound.
func (s *Service) RemoveDNC(ctx context.Context, actor model.Actor, id string) error {
	scope, err := scopeOf(actor)
	if err != nil {
		return err
	}
	d, err := s.st.GetDNC(ctx, scope, id)
	if err != nil {
		return err
	}
	if actor.Role == model.RoleUser {
		return model.ErrForbidden
	}
	if err := s.st.RemoveDNC(ctx, scope, id); err != nil {
		return err
	}
	s.au.Record(ctx, actor, model.ActionDNCRemoved, "dnc", d.ID, dncDetail(d), d.TenantID)
	return nil
}

// ListDNC lists a do-not-contact list newest first: tenant members their
// tenant's; platform admins the global list (f.Global) or all tenants'
// entries. Only platform admins may ask for the global list.
func (s *Service) ListDNC(ctx context.Context, actor model.Actor, f store.DNCFilter, o model.ListOptions) ([]model.DNCEntry, string, error) {
	scope, err := scopeOf(actor)
	if err != nil {
		return nil, "", err
	}
	if f.Global && !actor.IsAdmin() {
		return nil, "", model.ErrForbidden
	}
	return s.st.ListDNC(ctx, scope, f, o)
}

// IsBlocked reports whether a send from the tenant to the E.164 number
// must be refused, and why (a sentence for people and the fax record).
// The tenant's list is checked, then the global list. It fails closed: if
// the lists cannot be read the number counts as blocked.
func (s *Service) IsBlocked(ctx context.Context, tenantID, e164 string) (bool, string) {
	d, ok, err := s.st.FindDNC(ctx, tenantID, e164)
	switch {
	case err != nil:
		s.logger.Error("do-not-contact check failed", "err", err, "tenant", tenantID, "number", e164)
		return true, "the do-not-contact lists could not be checked; try again later"
	case !ok:
		return false, ""
	case d.TenantID == "":
		return true, blockedReason(e164, "the global do-not-contact list", d.Note)
	default:
		return true, blockedReason(e164, "the do-not-contact list", d.Note)
	}
}

func blockedReason(number, list, note string) string {
	r := number + " is on " + list
	if note != "" {
		r += " (" + note + ")"
	}
	return r
}

// DNCImportResult sums up a do-not-contact CSV import. Total = Added +
// AlreadyListed + Invalid.
type DNCImportResult struct {
	Encoding      string     `json:"encoding"`
	Delimiter     string     `json:"delimiter"`
	Total         int        `json:"total"`
	Added         int        `json:"added"`
	AlreadyListed int        `json:"already_listed"` // on the list before, or repeated in the file
	Invalid       int        `json:"invalid"`
	Errors        []RowError `json:"errors"`
}

var (
	dncNumberAliases = []string{"number", "fax", "faxnumber", "phone", "phonenumber", "telephone", "tel"}
	dncNoteAliases   = []string{"note", "notes", "reason", "comment", "comments", "description"}
)

// ImportDNCCSV adds the numbers of a CSV file to a do-not-contact list
// (in.TenantID / in.Global pick the list as for AddDNC; in.Number is
// ignored and in.Note is the note of rows without one). The file has a
// header row with a number column (Number, Fax, Phone, ...) and an
// optional note column, or no header at all: number first, note second.
// It streams like ImportGroupCSV.
func (s *Service) ImportDNCCSV(ctx context.Context, actor model.Actor, in DNCInput, r io.Reader, o CSVOptions) (DNCImportResult, error) {
	tenantID, err := dncTarget(actor, in.TenantID, in.Global)
	if err != nil {
		return DNCImportResult{}, err
	}
	country, err := s.dncCountry(ctx, tenantID)
	if err != nil {
		return DNCImportResult{}, err
	}
	f, err := openCSV(r, o)
	if err != nil {
		return DNCImportResult{}, err
	}
	res := DNCImportResult{Encoding: f.encoding, Delimiter: string(f.delimiter), Errors: []RowError{}}
	imp := dncImport{s: s, f: f, res: &res, country: country, tmpl: model.DNCEntry{TenantID: tenantID,
		Note: strings.TrimSpace(in.Note), CreatedBy: actor.Email}}
	err = imp.run(ctx)
	if res.Total > 0 || err == nil {
		detail := fmt.Sprintf("%d rows: %d added, %d already listed, %d invalid", res.Total, res.Added, res.AlreadyListed, res.Invalid)
		if tenantID == "" {
			detail += " (global list)"
		}
		s.au.Record(ctx, actor, model.ActionDNCImported, "dnc", "", detail, tenantID)
	}
	return res, err
}

type dncImport struct {
	s            *Service
	f            *csvFile
	res          *DNCImportResult
	country      string
	tmpl         model.DNCEntry
	numCol, note int
	batch        []model.DNCEntry
}

func (d *dncImport) run(ctx context.Context) error {
	first, line, err := d.f.next()
	if err != nil {
		return model.Invalid("file", "the first row cannot be read: "+err.Error())
	}
	d.numCol, d.note = findCol(first, dncNumberAliases), findCol(first, dncNoteAliases)
	if d.numCol < 0 {
		if _, err := phone.Normalize(first[0], d.country); err != nil {
			return model.Invalid("file", "no number column in the header row: name one Number, Fax or Phone")
		}
		d.numCol, d.note = 0, 1 // no header: the first row is data
		d.row(first, line)
	}
	for {
		rec, line, err := d.f.next()
		var pe *csv.ParseError
		switch {
		case errors.Is(err, io.EOF):
			return d.flush(ctx)
		case errors.As(err, &pe):
			d.res.Total++
			d.invalid(line, "unreadable CSV: "+pe.Err.Error())
			continue
		case err != nil:
			return err
		case blank(rec):
			continue
		}
		d.row(rec, line)
		if len(d.batch) >= 500 {
			if err := d.flush(ctx); err != nil {
				return err
			}
		}
	}
}

func findCol(header []string, aliases []string) int {
	for _, a := range aliases {
		for i, h := range header {
			if normHeader(h) == a {
				return i
			}
		}
	}
	return -1
}

func (d *dncImport) row(rec []string, line int) {
	d.res.Total++
	e := d.tmpl
	if d.numCol < len(rec) {
		e.Number = rec[d.numCol]
	}
	if d.note >= 0 && d.note < len(rec) && strings.TrimSpace(rec[d.note]) != "" {
		e.Note = rec[d.note]
	}
	if err := validateDNC(&e, d.country); err != nil {
		d.invalid(line, strings.TrimPrefix(err.Error(), "invalid input: "))
		return
	}
	d.batch = append(d.batch, e)
}

func (d *dncImport) invalid(line int, reason string) {
	d.res.Invalid++
	if len(d.res.Errors) < 100 {
		d.res.Errors = append(d.res.Errors, RowError{Line: line, Reason: reason})
	}
}

func (d *dncImport) flush(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(d.batch) == 0 {
		return nil
	}
	n, err := d.s.st.ImportDNC(ctx, d.batch)
	if err != nil {
		return err
	}
	d.res.Added += n
	d.res.AlreadyListed += len(d.batch) - n
	d.batch = d.batch[:0]
	return nil
}
