package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"faxgate/internal/campaign"
	"faxgate/internal/httpx"
	"faxgate/internal/model"
)

// csvTypes are the request bodies the CSV imports accept.
var csvTypes = []string{"multipart/form-data", "text/csv"}

// MaxDNCImportBytes bounds a do-not-contact CSV upload (its import runs
// while the request waits; half a million numbers fit).
const MaxDNCImportBytes = 32 << 20

// csvUpload is a CSV file being received: the text fields (from the query
// string, replaced by multipart fields sent before the file) and the file,
// streamed from the request body, never held in memory.
type csvUpload struct {
	Fields   map[string]string
	File     io.Reader
	Filename string
}

// readCSVUpload reads the fields named (a query parameter or a multipart
// field each) and positions File on the CSV: the "file" part of a
// multipart form or a text/csv body. Unknown fields are refused.
func readCSVUpload(r *http.Request, names ...string) (csvUpload, error) {
	q, err := newQuery(r, names...)
	if err != nil {
		return csvUpload{}, err
	}
	u := csvUpload{Fields: map[string]string{}}
	for _, n := range names {
		u.Fields[n] = q.get(n)
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "text/csv", "application/csv", "text/plain":
		u.File, u.Filename = r.Body, "upload.csv"
		return u, nil
	case "multipart/form-data":
	default:
		return csvUpload{}, fmt.Errorf("%w: send multipart/form-data with a file part, or a text/csv body",
			httpx.ErrUnsupportedMediaType)
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return csvUpload{}, httpx.BadRequest("not valid multipart: %v", err)
	}
	return u, u.parts(mr, names)
}

func (u *csvUpload) parts(mr *multipart.Reader, names []string) error {
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return model.Invalid("file", "required: send the CSV file as the part named file")
		}
		if err != nil {
			return httpx.BadRequest("the upload is incomplete or not valid multipart: %v", err)
		}
		name := p.FormName()
		if name == "file" {
			u.File, u.Filename = p, p.FileName()
			return nil
		}
		if !contains(names, name) {
			return &httpx.BadRequestError{Field: name, Message: fmt.Sprintf(
				"unknown form field %q; the fields are %s and file (last)", name, strings.Join(names, ", "))}
		}
		b, err := io.ReadAll(io.LimitReader(p, maxUploadField+1))
		if err != nil {
			return httpx.BadRequest("the upload is incomplete: %v", err)
		}
		if len(b) > maxUploadField {
			return model.Invalid(name, "is too long")
		}
		u.Fields[name] = string(b)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// csvOptions reads the delimiter and encoding fields.
func csvOptions(fields map[string]string) (campaign.CSVOptions, error) {
	o := campaign.CSVOptions{Encoding: fields["encoding"]}
	d, err := ParseDelimiter(fields["delimiter"])
	o.Delimiter = d
	return o, err
}

// ParseDelimiter reads a delimiter by name (comma, semicolon, tab, pipe) or
// as the character itself; "" is 0 (detect).
func ParseDelimiter(s string) (rune, error) {
	switch strings.ToLower(s) {
	case "":
		return 0, nil
	case "comma", ",":
		return ',', nil
	case "semicolon", ";":
		return ';', nil
	case "tab", "\t", `\t`:
		return '\t', nil
	case "pipe", "|":
		return '|', nil
	}
	return 0, model.Invalid("delimiter", "must be comma, semicolon, tab or pipe")
}

// parseMapping reads the JSON column mapping (header -> field); "" is nil
// (detect).
func parseMapping(s string) (map[string]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, model.Invalid("mapping", `must be a JSON object of CSV header to field, e.g. {"Fax No": "fax"}`)
	}
	if len(m) == 0 {
		return nil, model.Invalid("mapping", "maps no column")
	}
	return m, nil
}

// drain reads what is left of an upload that failed early, so the client
// gets the answer instead of a reset connection (within the body limit).
func drain(r *http.Request) { _, _ = io.Copy(io.Discard, r.Body) }
