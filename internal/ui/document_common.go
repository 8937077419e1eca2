package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"faxgate/internal/api"
	"faxgate/internal/documents"
	"faxgate/internal/httpx"
	"faxgate/internal/model"
)

// documentRoutes are the Fax Documents pages; none without the service.
// Page images and downloads are the API's (same origin, the session cookie
// authenticates them), so the portal shows exactly what the API serves.
func (h *Handler) documentRoutes() []route {
	if h.docs == nil {
		return nil
	}
	limit := h.docs.Limits().MaxUploadBytes + api.UploadOverhead
	return []route{
		{"GET /documents", anyUser, h.documentList},
		{"GET /documents/new", anyUser, h.documentNew},
		{"POST /documents", anyUser, httpx.LimitBody(limit, http.HandlerFunc(h.documentCreate)).ServeHTTP},
		{"GET /documents/{id}", anyUser, h.documentShow},
		{"POST /documents/{id}", anyUser, h.documentUpdate},
		{"POST /documents/{id}/retry", anyUser, h.documentRetry},
		{"GET /documents/{id}/pages/{n}", anyUser, h.documentPage},
		{"GET /documents/{id}/delete", anyUser, h.documentDeleteConfirm},
		{"POST /documents/{id}/delete", anyUser, h.documentDelete},
	}
}

// withoutMenuItem drops the entry with key from the menu.
func withoutMenuItem(menu []navItem, key string) []navItem {
	out := make([]navItem, 0, len(menu))
	for _, it := range menu {
		if it.Key != key {
			out = append(out, it)
		}
	}
	return out
}

// docView is a document as the pages show it.
type docView struct {
	model.Document
	Tenant    string // tenant name, for admins
	CanModify bool   // the actor may rename, re-render and delete it
}

// newDocView prepares d for display. CanModify follows the service's rule
// (admins and tenant admins change any document they see, users their
// own); the service still decides.
func newDocView(actor model.Actor, d model.Document) docView {
	can := actor.Role == model.RoleAdmin || actor.Role == model.RoleTenant || d.UserID == actor.UserID
	return docView{Document: d, CanModify: can}
}

func (d docView) Processing() bool { return d.Status == model.DocumentProcessing }
func (d docView) Failed() bool     { return d.Status == model.DocumentFailed }
func (d docView) IsReady() bool    { return d.Ready() }

// StatusLabel is the status in words.
func (d docView) StatusLabel() string {
	switch d.Status {
	case model.DocumentProcessing:
		return "Processing"
	case model.DocumentReady:
		return "Ready"
	case model.DocumentFailed:
		return "Failed"
	}
	return string(d.Status)
}

// QualityLabel is the quality as the product names it.
func (d docView) QualityLabel() string { return qualityLabel(d.Quality) }

// ProgressText says how far the conversion is.
func (d docView) ProgressText() string {
	switch {
	case d.PagesTotal > 0:
		return fmt.Sprintf("Converting: page %d of %d", min(d.PagesDone+1, d.PagesTotal), d.PagesTotal)
	case d.PagesDone > 0:
		return fmt.Sprintf("Converting: %d pages done", d.PagesDone)
	}
	return "Waiting to be converted"
}

// SizeText is the size of the fax pages.
func (d docView) SizeText() string { return humanSize(d.SizeBytes) }

// fileLine is an uploaded file as the page lists it.
type fileLine struct{ Name, Size string }

// Files lists the uploaded files in order.
func (d docView) Files() []fileLine {
	out := make([]fileLine, len(d.Sources))
	for i, s := range d.Sources {
		out[i] = fileLine{Name: s.Filename, Size: humanSize(s.SizeBytes)}
	}
	return out
}

// ThumbURL is the first page's thumbnail (ready documents).
func (d docView) ThumbURL() string { return api.DocumentImageURL(d.Document, 1, documents.Thumbnail) }

// PDFURL and TIFFURL download the fax pages.
func (d docView) PDFURL() string  { return api.DocumentFileURL(d.ID, documents.FormatPDF) }
func (d docView) TIFFURL() string { return api.DocumentFileURL(d.ID, documents.FormatTIFF) }

// URL is the document's page.
func (d docView) URL() string { return "/documents/" + d.ID }

func qualityLabel(q model.Quality) string {
	switch q {
	case model.QualityStandard:
		return "Standard"
	case model.QualityFine:
		return "Fine"
	case model.QualitySuperfine:
		return "Super Fine"
	}
	return string(q)
}

// qualityOptions are the qualities with their resolutions.
func qualityOptions() []option {
	return []option{
		{string(model.QualityStandard), "Standard (204 × 98 dpi)"},
		{string(model.QualityFine), "Fine (204 × 196 dpi)"},
		{string(model.QualitySuperfine), "Super Fine (204 × 391 dpi)"},
	}
}

func documentStatusOptions() []option {
	return []option{{"", "Any status"}, {string(model.DocumentProcessing), "Processing"},
		{string(model.DocumentReady), "Ready"}, {string(model.DocumentFailed), "Failed"}}
}

// humanSize formats a byte count: "820 KB", "1.4 MB", "50 MB".
func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return strings.TrimSuffix(strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64), ".0") + " MB"
	case n >= 1<<10:
		return strconv.FormatInt(n>>10, 10) + " KB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// documentsHome is the document list, for admins narrowed to the tenant.
func documentsHome(actor model.Actor, tenantID string) string {
	if !actor.IsAdmin() || tenantID == "" {
		return "/documents"
	}
	return "/documents?tenant_id=" + url.QueryEscape(tenantID)
}

// loadDocument reads the {id} document the actor may see; it answers 404
// itself (also for other tenants' documents) and returns false then.
func (h *Handler) loadDocument(w http.ResponseWriter, r *http.Request) (model.Document, bool) {
	id := r.PathValue("id")
	if !model.ValidID(model.PrefixDocument, id) {
		h.notFoundPage(w, r)
		return model.Document{}, false
	}
	d, err := h.docs.Get(r.Context(), actorOf(r), id)
	if err != nil {
		h.fail(w, r, err)
		return model.Document{}, false
	}
	return d, true
}

// documentForm is the edit form filled with d.
func documentForm(d model.Document) *form {
	f := newForm()
	f.Set("name", d.Name)
	f.Set("description", d.Description)
	f.Set("quality", string(d.Quality))
	return f
}

// badInput reports whether err is a malformed request (not a form error):
// those get the 400 page.
func badInput(err error) bool {
	s := httpx.Classify(err).Status
	return s == http.StatusBadRequest || s == http.StatusUnsupportedMediaType
}
