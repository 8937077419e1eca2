package ui

import (
	"errors"
	"io"
	"net/http"

	"faxgate/internal/api"
	"faxgate/internal/campaign"
	"faxgate/internal/model"
)

// dncImportData is the data of the import report.
type dncImportData struct {
	Result campaign.DNCImportResult
	Back   string
	More   int // invalid rows the report does not list
}

// dncImport adds the numbers of an uploaded CSV file to the page's list
// (multipart: note, tenant_id, delimiter and encoding before the file) and
// shows the report. It runs while the request waits: the file is bounded
// by api.MaxDNCImportBytes.
func (h *Handler) dncImport(w http.ResponseWriter, r *http.Request) {
	f := newForm()
	up, ok := h.readUpload(w, r, f, "note", "tenant_id", "delimiter", "encoding")
	if !ok {
		return
	}
	if up.File == nil {
		f.Invalid("file", "choose a CSV file")
		h.renderDNC(w, r, http.StatusUnprocessableEntity, newForm(), f)
		return
	}
	h.runDNCImport(w, r, f, up.File)
}

func (h *Handler) runDNCImport(w http.ResponseWriter, r *http.Request, f *form, body io.Reader) {
	base := dncBase(r)
	o, err := csvFormOptions(f)
	var res campaign.DNCImportResult
	if err == nil {
		res, err = h.camp.ImportDNCCSV(r.Context(), actorOf(r), campaign.DNCInput{TenantID: f.Get("tenant_id"),
			Global: base == "/admin/dnc", Note: f.Get("note")}, body, o)
	}
	if err != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		var me *http.MaxBytesError
		if errors.As(err, &me) {
			err = model.Invalid("file", "the file is larger than "+humanSize(api.MaxDNCImportBytes))
		}
		if !f.absorb(err) {
			h.fail(w, r, err)
			return
		}
		h.renderDNC(w, r, statusFor(err), newForm(), f)
		return
	}
	v := h.newView(w, r, "Do-not-contact import", "dnc")
	v.Data = dncImportData{Result: res, Back: base, More: res.Invalid - len(res.Errors)}
	h.render(w, r, http.StatusOK, "dnc_import", v)
}
