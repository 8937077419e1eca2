package ui

import (
	"net/http"

	"faxgate/internal/model"
)

// documentFormData is the data of the add-document page.
type documentFormData struct {
	Qualities []option
	Tenants   []option // admins only: the tenant the document is for
	Accept    string   // file types offered by the file picker
	MaxFiles  int
	MaxSize   string
	MaxPages  int
	Back      string
}

// acceptTypes are the file types the picker offers (the content decides;
// "All files" stays available in the picker).
const acceptTypes = ".pdf,.tif,.tiff,.png,.jpg,.jpeg,.gif,.bmp,.webp,.txt,.text,.doc,.docx,.odt,.rtf,.xls,.xlsx,.ods,.ppt,.pptx,.odp," +
	"application/pdf,image/*,text/plain"

// documentNew shows the empty add-document form (admins may preselect the
// tenant with ?tenant_id=).
func (h *Handler) documentNew(w http.ResponseWriter, r *http.Request) {
	f := newForm()
	f.Set("quality", string(model.QualityFine))
	if actorOf(r).IsAdmin() {
		f.Set("tenant_id", r.URL.Query().Get("tenant_id"))
	}
	h.renderDocumentForm(w, r, http.StatusOK, f)
}

// renderDocumentForm shows the add form with the form's values and errors.
func (h *Handler) renderDocumentForm(w http.ResponseWriter, r *http.Request, status int, f *form) {
	actor := actorOf(r)
	tenants, err := h.tenantOptions(r.Context(), actor, "Choose a tenant")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	lim := h.docs.Limits()
	v := h.newView(w, r, "Add document", "documents")
	v.Form = f
	v.Data = documentFormData{Qualities: qualityOptions(), Tenants: tenants, Accept: acceptTypes,
		MaxFiles: lim.MaxFiles, MaxSize: humanSize(lim.MaxUploadBytes), MaxPages: lim.MaxPages,
		Back: documentsHome(actor, f.Get("tenant_id"))}
	h.render(w, r, status, "documents_new", v)
}
