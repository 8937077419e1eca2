package ui

import (
	"errors"
	"net/http"

	"faxgate/internal/api"
	"faxgate/internal/model"
)

// documentCreate receives the add-document form (multipart): the files are
// streamed into the documents service as they arrive, then the document is
// converted in the background; the list shows its progress.
func (h *Handler) documentCreate(w http.ResponseWriter, r *http.Request) {
	actor := actorOf(r)
	d, in, err := api.ReceiveDocument(r.Context(), h.docs, actor, r, "")
	if err != nil {
		h.documentCreateFailed(w, r, in, err)
		return
	}
	h.success(w, r, "Document “"+d.Name+"” added. It is being converted into fax pages.")
	redirect(w, r, documentsHome(actor, d.TenantID))
}

// documentCreateFailed shows the form again with what was typed and the
// errors; the files must be chosen again (browsers do not keep them).
func (h *Handler) documentCreateFailed(w http.ResponseWriter, r *http.Request, in api.UploadFields, err error) {
	if badInput(err) {
		h.errorPage(w, r, http.StatusBadRequest)
		return
	}
	f := newForm()
	f.Set("name", in.Name)
	f.Set("description", in.Description)
	f.Set("quality", in.Quality)
	f.Set("tenant_id", in.TenantID)
	if errors.Is(err, model.ErrTooLarge) {
		f.Invalid("files", err.Error())
	}
	if !f.absorb(err) {
		h.fail(w, r, err)
		return
	}
	h.renderDocumentForm(w, r, statusFor(err), f)
}
