package ui

import (
	"errors"
	"io"
	"net/http"
	"net/url"

	"faxgate/internal/api"
	"faxgate/internal/campaign"
	"faxgate/internal/model"
)

// groupImportData is the data of the CSV upload page.
type groupImportData struct {
	Group      groupView
	Delimiters []option
	Encodings  []option
	MaxSize    string
}

func delimiterOptions() []option {
	return []option{{"", "Detect"}, {"comma", "Comma ,"}, {"semicolon", "Semicolon ;"}, {"tab", "Tab"}, {"pipe", "Pipe |"}}
}

func encodingOptions() []option {
	return []option{{"", "Detect"}, {"utf-8", "UTF-8"}, {"latin1", "Latin-1 (Windows-1252)"}}
}

// groupImportNew shows the CSV upload form of a group.
func (h *Handler) groupImportNew(w http.ResponseWriter, r *http.Request) {
	g, ok := h.loadGroup(w, r)
	if !ok {
		return
	}
	h.renderGroupImport(w, r, http.StatusOK, newForm(), g)
}

func (h *Handler) renderGroupImport(w http.ResponseWriter, r *http.Request, status int, f *form, g model.Group) {
	v := h.newView(w, r, "Import contacts into “"+g.Name+"”", "groups")
	v.Form = f
	v.Data = groupImportData{Group: groupView{Group: g}, Delimiters: delimiterOptions(), Encodings: encodingOptions(),
		MaxSize: humanSize(campaign.MaxImportFileBytes)}
	h.render(w, r, status, "group_import", v)
}

// groupImportUpload receives the CSV file (multipart: delimiter and
// encoding before the file), keeps it in staging and goes on to the column
// mapping.
func (h *Handler) groupImportUpload(w http.ResponseWriter, r *http.Request) {
	g, ok := h.loadGroup(w, r)
	if !ok {
		return
	}
	f := newForm()
	up, ok := h.readUpload(w, r, f, "delimiter", "encoding")
	if !ok {
		return
	}
	if up.File == nil {
		f.Invalid("file", "choose a CSV file")
		f.Err = "Please correct the fields marked below."
		h.renderGroupImport(w, r, http.StatusUnprocessableEntity, f, g)
		return
	}
	o, err := csvFormOptions(f)
	if err != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		f.absorb(err)
		h.renderGroupImport(w, r, statusFor(err), f, g)
		return
	}
	h.stageAndMap(w, r, g, up.File, o, up.Filename)
}

// csvFormOptions reads the delimiter and encoding choices.
func csvFormOptions(f *form) (campaign.CSVOptions, error) {
	d, err := api.ParseDelimiter(f.Get("delimiter"))
	return campaign.CSVOptions{Delimiter: d, Encoding: f.Get("encoding")}, err
}

// stageAndMap keeps an uploaded CSV file for the group and redirects to
// its column mapping; a file that cannot be read shows the upload form
// with the reason.
func (h *Handler) stageAndMap(w http.ResponseWriter, r *http.Request, g model.Group, body io.Reader, o campaign.CSVOptions, filename string) {
	p, err := h.camp.StageImport(r.Context(), actorOf(r), g.ID, body, o)
	if err != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		f := newForm()
		if errors.Is(err, model.ErrTooLarge) {
			f.Invalid("file", "the file is larger than "+humanSize(campaign.MaxImportFileBytes))
		}
		if !f.absorb(err) {
			h.fail(w, r, err)
			return
		}
		h.renderGroupImport(w, r, statusFor(err), f, g)
		return
	}
	q := url.Values{"filename": {clip(filename, 255)}}
	for _, kv := range [][2]string{{"delimiter", delimiterName(o.Delimiter)}, {"encoding", o.Encoding}} {
		if kv[1] != "" {
			q.Set(kv[0], kv[1])
		}
	}
	redirect(w, r, "/groups/"+g.ID+"/import/"+p.ID+"?"+q.Encode())
}

func delimiterName(d rune) string {
	switch d {
	case ',':
		return "comma"
	case ';':
		return "semicolon"
	case '\t':
		return "tab"
	case '|':
		return "pipe"
	}
	return ""
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
