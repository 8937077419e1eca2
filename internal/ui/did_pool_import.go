package ui

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"faxgate/internal/faxin"
	"faxgate/internal/httpx"
	"faxgate/internal/model"
)

// didImportMaxBody bounds the import form: the CSV file plus the form.
const didImportMaxBody = faxin.MaxImportBytes + 64<<10

// didPoolImport adds the numbers of an uploaded CSV file; valid lines are
// added, invalid ones reported by line number.
func (h *Handler) didPoolImport(w http.ResponseWriter, r *http.Request) {
	f := newForm()
	data, err := readImportFile(r, f)
	if err == nil {
		var res faxin.AddResult
		res, err = h.inbox.ImportDIDs(r.Context(), actorOf(r), bytes.NewReader(data), f.Get("tenant_id"))
		if err == nil {
			h.importSummary(w, r, "CSV import", res)
			redirect(w, r, "/admin/dids")
			return
		}
	}
	if f.absorb(err) {
		h.renderDIDPool(w, r, statusFor(err), didPoolData{Add: newForm(), Range: newForm(), Import: f})
		return
	}
	h.fail(w, r, err)
}

// readImportFile reads the multipart form (bounded by the route's
// LimitBody) into f and returns the
// file's bytes.
func readImportFile(r *http.Request, f *form) ([]byte, error) {
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var me *http.MaxBytesError
		if errors.As(err, &me) {
			return nil, fmt.Errorf("%w: the file is larger than %d bytes", model.ErrTooLarge, faxin.MaxImportBytes)
		}
		return nil, model.Invalid("file", "choose a CSV file")
	}
	defer r.MultipartForm.RemoveAll() //nolint:errcheck // temp files only
	f.Set("tenant_id", strings.TrimSpace(r.FormValue("tenant_id")))
	file, _, err := r.FormFile("file")
	if err != nil {
		return nil, model.Invalid("file", "choose a CSV file")
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, faxin.MaxImportBytes+1))
	switch {
	case err != nil:
		return nil, httpx.BadRequest("cannot read the upload: %v", err)
	case len(data) > faxin.MaxImportBytes:
		return nil, fmt.Errorf("%w: the file is larger than %d bytes", model.ErrTooLarge, faxin.MaxImportBytes)
	case len(bytes.TrimSpace(data)) == 0:
		return nil, model.Invalid("file", "the file is empty")
	}
	return data, nil
}

// importSummary flashes what a range or CSV import did, with the first
// invalid lines.
func (h *Handler) importSummary(w http.ResponseWriter, r *http.Request, what string, res faxin.AddResult) {
	msg := fmt.Sprintf("%s: %d number(s) added, %d already in the pool.", what, len(res.Created), len(res.Existing))
	if len(res.Invalid) == 0 {
		h.success(w, r, msg)
		return
	}
	shown := res.Invalid[:min(len(res.Invalid), 5)]
	more := ""
	if len(res.Invalid) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(res.Invalid)-len(shown))
	}
	h.failure(w, r, fmt.Sprintf("%s %d refused: %s%s.", msg, len(res.Invalid), strings.Join(shown, "; "), more))
}
