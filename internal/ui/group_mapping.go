package ui

import (
	"net/http"
	"strconv"
	"strings"

	"faxgate/internal/campaign"
	"faxgate/internal/model"
)

// mappingColumn is one column of the uploaded file on the mapping page.
type mappingColumn struct {
	Name     string // form field: col0, col1, ...
	Header   string
	Samples  []string
	Detected bool // recognised automatically
}

// groupMappingData is the data of the column mapping step.
type groupMappingData struct {
	Group     groupView
	Stage     campaign.StagedImport
	Columns   []mappingColumn
	Fields    []option
	Filename  string
	Delimiter string
	Encoding  string
	Action    string
	SizeText  string
	Undecided int // columns not recognised automatically
}

// mappingFieldOptions are the contact fields a column can go to.
func mappingFieldOptions() []option {
	return []option{{campaign.FieldIgnore, "— Skip this column —"},
		{campaign.FieldFax, "Fax number"}, {campaign.FieldFirstName, "First name"},
		{campaign.FieldLastName, "Last name"}, {campaign.FieldName, "Full name (split into first and last)"},
		{campaign.FieldEmail, "Email"}, {campaign.FieldCompany, "Company"}, {campaign.FieldAddress, "Address"},
		{campaign.FieldDescription, "Description"}, {"custom1", "Custom 1"}, {"custom2", "Custom 2"},
		{"custom3", "Custom 3"}, {"custom4", "Custom 4"}, {"custom5", "Custom 5"}}
}

// loadStage reads the group and the staged file of the mapping step; it
// answers the error page itself and returns false then.
func (h *Handler) loadStage(w http.ResponseWriter, r *http.Request, f *form) (model.Group, campaign.StagedImport, bool) {
	g, ok := h.loadGroup(w, r)
	if !ok {
		return g, campaign.StagedImport{}, false
	}
	o, err := csvFormOptions(f)
	if err != nil {
		h.errorPage(w, r, http.StatusBadRequest)
		return g, campaign.StagedImport{}, false
	}
	p, err := h.camp.PreviewImport(r.Context(), actorOf(r), g.ID, r.PathValue("stage"), o)
	if err != nil {
		if f.absorb(err) { // the chosen encoding or delimiter does not read it
			h.failure(w, r, "The file cannot be read that way: "+f.Err)
			redirect(w, r, "/groups/"+g.ID+"/import")
			return g, p, false
		}
		h.fail(w, r, err)
		return g, p, false
	}
	return g, p, true
}

// groupMappingShow is the mapping step: every column of the file with its
// first values and the field it goes to, recognised columns preselected.
func (h *Handler) groupMappingShow(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := newForm()
	for _, n := range []string{"filename", "delimiter", "encoding"} {
		f.Set(n, q.Get(n))
	}
	g, p, ok := h.loadStage(w, r, f)
	if !ok {
		return
	}
	for i, hd := range p.Header {
		f.Set(colName(i), p.Detected[hd])
	}
	h.renderMapping(w, r, http.StatusOK, f, g, p)
}

func colName(i int) string { return "col" + strconv.Itoa(i) }

func (h *Handler) renderMapping(w http.ResponseWriter, r *http.Request, status int, f *form, g model.Group, p campaign.StagedImport) {
	d := groupMappingData{Group: groupView{Group: g}, Stage: p, Fields: mappingFieldOptions(),
		Filename: f.Get("filename"), Delimiter: f.Get("delimiter"), Encoding: f.Get("encoding"),
		Action: "/groups/" + g.ID + "/import/" + p.ID, SizeText: humanSize(p.FileBytes)}
	for i, hd := range p.Header {
		c := mappingColumn{Name: colName(i), Header: hd, Detected: p.Detected[hd] != ""}
		for _, row := range p.Sample {
			if i < len(row) && strings.TrimSpace(row[i]) != "" {
				c.Samples = append(c.Samples, clip(row[i], 60))
			}
		}
		if !c.Detected {
			d.Undecided++
		}
		d.Columns = append(d.Columns, c)
	}
	v := h.newView(w, r, "Map the columns", "groups")
	v.Form = f
	v.Data = d
	h.render(w, r, status, "group_mapping", v)
}

// groupMappingSubmit checks the mapping and starts the import in the
// background, then shows its progress.
func (h *Handler) groupMappingSubmit(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	f := formFrom(r, "filename", "delimiter", "encoding")
	g, p, ok := h.loadStage(w, r, f)
	if !ok {
		return
	}
	mapping := readMapping(r, f, p.Header)
	o, _ := csvFormOptions(f) // loadStage checked them
	if !f.HasErrors() {
		im, err := h.camp.QueueImport(r.Context(), actorOf(r), g.ID, p.ID, f.Get("filename"),
			campaign.ImportOptions{CSV: o, Mapping: mapping})
		if err == nil {
			redirect(w, r, "/groups/"+g.ID+"/imports/"+im.ID)
			return
		}
		if !f.absorb(err) {
			h.fail(w, r, err)
			return
		}
		f.Err = mappingMessage(f)
	}
	h.renderMapping(w, r, http.StatusUnprocessableEntity, f, g, p)
}

// readMapping reads the column choices into f and the header -> field
// mapping, marking a field chosen twice and a missing fax column.
func readMapping(r *http.Request, f *form, header []string) map[string]string {
	mapping, used := map[string]string{}, map[string]bool{}
	valid := map[string]bool{}
	for _, o := range mappingFieldOptions() {
		valid[o.Value] = true
	}
	for i, hd := range header {
		field := r.PostFormValue(colName(i))
		f.Set(colName(i), field)
		switch {
		case !valid[field]:
			f.Invalid(colName(i), "choose a field from the list")
		case field == campaign.FieldIgnore:
		case used[field]:
			f.Invalid(colName(i), "another column goes to this field already")
		default:
			used[field] = true
			if _, dup := mapping[hd]; !dup {
				mapping[hd] = field
			}
		}
	}
	if !used[campaign.FieldFax] {
		f.Err = "Choose the column that holds the fax numbers."
	} else if f.HasErrors() {
		f.Err = "Please correct the columns marked below."
	}
	return mapping
}

// mappingMessage is the form-level message of an import the service
// refused.
func mappingMessage(f *form) string {
	var msg string
	for _, k := range []string{"mapping", "file"} {
		if m := f.Error(k); m != "" {
			msg = m
			delete(f.Errors, k)
		}
	}
	if msg == "" {
		return f.Err
	}
	return sentence(msg)
}

// groupImportCancel drops the staged file.
func (h *Handler) groupImportCancel(w http.ResponseWriter, r *http.Request) {
	g, ok := h.loadGroup(w, r)
	if !ok {
		return
	}
	if err := h.camp.DiscardImport(r.Context(), actorOf(r), g.ID, r.PathValue("stage")); err != nil {
		h.fail(w, r, err)
		return
	}
	h.success(w, r, "Import cancelled.")
	redirect(w, r, "/groups/"+g.ID)
}
