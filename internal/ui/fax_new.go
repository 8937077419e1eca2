package ui

import (
	"context"
	"crypto/rand"
	"net/http"
	"strconv"
	"time"

	"faxgate/internal/faxout"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/tz"
)

// faxFormFields are the text fields of the New Outbound Fax form, in the
// order the browser sends them (the file input comes last, so that the
// files stream into a document after every field is known).
var faxFormFields = []string{"tenant_id", "idempotency_key", "title", "document_id", "to", "caller_id", "retries",
	"cover_page", "cover_subject", "cover_comments", "send_at", "quality"}

// faxFormData is the data of the New Outbound Fax page.
type faxFormData struct {
	TenantChosen bool     // admins first choose the tenant that sends
	Tenants      []option // admins only
	TenantName   string
	Documents    []option
	CallerIDs    []option
	Retries      []option
	Qualities    []option
	Zone         string // the time zone of "send at"
	Country      string // the default country of national numbers
	Accept       string
	MaxFiles     int
	MaxSize      string
	Back         string
	Quota        quotaBanner
}

// maxFormDocuments bounds the document select; older documents are found
// through Fax Documents.
const maxFormDocuments = 200

// faxNew shows the empty New Outbound Fax form with the tenant's defaults
// (retries, cover page, default caller ID). Admins pick the tenant first
// (?tenant_id=); ?document_id= preselects a document.
func (h *Handler) faxNew(w http.ResponseWriter, r *http.Request) {
	actor := actorOf(r)
	f := newForm()
	f.Set("idempotency_key", newIdempotencyKey())
	f.Set("quality", string(model.QualityFine))
	f.Set("document_id", r.URL.Query().Get("document_id"))
	tenantID := actor.TenantID
	if actor.IsAdmin() {
		tenantID = r.URL.Query().Get("tenant_id")
		f.Set("tenant_id", tenantID)
	}
	if tenantID != "" {
		fs, err := h.ten.GetFaxSettings(r.Context(), actor, tenantID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		cover, err := h.ten.GetCoverPage(r.Context(), actor, tenantID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		f.Set("retries", strconv.Itoa(fs.DefaultRetries))
		f.Set("caller_id", fs.DefaultCallerID)
		if cover.Enabled {
			f.Set("cover_page", "on")
		}
	}
	h.renderFaxForm(w, r, http.StatusOK, f)
}

// newIdempotencyKey makes the key that turns a form sent twice (double
// click, reload) into one fax.
func newIdempotencyKey() string { return "portal-" + rand.Text() }

// renderFaxForm shows the form with its values and errors.
func (h *Handler) renderFaxForm(w http.ResponseWriter, r *http.Request, status int, f *form) {
	actor, ctx := actorOf(r), r.Context()
	tenantID := formTenant(actor, f)
	d := faxFormData{Retries: retryOptions(), Qualities: qualityOptions(), Accept: acceptTypes,
		Back: outboundHome(actor, tenantID), Quota: h.quotaFor(ctx, actor), Zone: "UTC", Country: faxout.DefaultCountry}
	var err error
	if actor.IsAdmin() {
		if d.Tenants, err = h.tenantOptions(ctx, actor, "Choose a tenant"); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	d.TenantChosen = tenantID != ""
	if d.TenantChosen {
		if err := h.fillFaxChoices(ctx, actor, tenantID, &d); err != nil {
			h.fail(w, r, err)
			return
		}
		h.keepChosenDocument(ctx, actor, tenantID, f.Get("document_id"), &d)
		// A fresh form shows a caller ID when the tenant has one: the
		// default one, else the first.
		if r.Method == http.MethodGet && f.Get("caller_id") == "" && len(d.CallerIDs) > 1 {
			f.Set("caller_id", d.CallerIDs[1].Value)
		}
	}
	lim := h.docs.Limits()
	d.MaxFiles, d.MaxSize = lim.MaxFiles, humanSize(lim.MaxUploadBytes)
	v := h.newView(w, r, "New Outbound Fax", "outbound")
	v.Form = f
	v.Data = d
	h.render(w, r, status, "fax_new", v)
}

// formTenant is the tenant a fax form sends for.
func formTenant(actor model.Actor, f *form) string {
	if actor.IsAdmin() {
		if id := f.Get("tenant_id"); model.ValidID(model.PrefixTenant, id) {
			return id
		}
		return ""
	}
	return actor.TenantID
}

// fillFaxChoices loads the tenant's ready documents, caller IDs, time
// zone and country for the form.
func (h *Handler) fillFaxChoices(ctx context.Context, actor model.Actor, tenantID string, d *faxFormData) error {
	df := store.DocumentFilter{Status: model.DocumentReady}
	cf := store.CIDFilter{}
	if actor.IsAdmin() {
		df.TenantID, cf.TenantID = tenantID, tenantID
		d.TenantName = h.tenantNamer(ctx, actor)(tenantID)
	}
	docs, _, err := h.docs.List(ctx, actor, df, model.ListOptions{Limit: maxFormDocuments})
	if err != nil {
		return err
	}
	d.Documents = []option{{"", "Upload new files below"}}
	for _, doc := range docs {
		d.Documents = append(d.Documents, option{doc.ID, doc.Name + " (" + pagesText(doc.Pages) + ")"})
	}
	cids, _, err := h.fax.ListCIDs(ctx, actor, cf, model.ListOptions{Limit: 500})
	if err != nil {
		return err
	}
	d.CallerIDs = []option{{"", "No caller ID"}}
	for _, c := range cids {
		label := c.Number
		if c.Label != "" {
			label += " · " + c.Label
		}
		d.CallerIDs = append(d.CallerIDs, option{c.Number, label})
	}
	fs, err := h.ten.GetFaxSettings(ctx, actor, tenantID)
	if err != nil {
		return err
	}
	if fs.TimeZone != "" {
		d.Zone = fs.TimeZone
	}
	if fs.DefaultCountry != "" {
		d.Country = fs.DefaultCountry
	}
	return nil
}

// keepChosenDocument adds the form's document to the choices while it is
// being converted (files uploaded with a form that came back with errors),
// so the form keeps it selected.
func (h *Handler) keepChosenDocument(ctx context.Context, actor model.Actor, tenantID, chosen string, d *faxFormData) {
	if chosen == "" || hasOption(d.Documents, chosen) {
		return
	}
	if doc, err := h.docs.Get(ctx, actor, chosen); err == nil && doc.TenantID == tenantID &&
		doc.Status == model.DocumentProcessing {
		d.Documents = append(d.Documents, option{doc.ID, doc.Name + " (being converted)"})
	}
}

func pagesText(n int) string {
	if n == 1 {
		return "1 page"
	}
	return strconv.Itoa(n) + " pages"
}

// retryOptions are 0 to faxout.MaxRetries retries.
func retryOptions() []option {
	opts := make([]option, 0, faxout.MaxRetries+1)
	for i := 0; i <= faxout.MaxRetries; i++ {
		label := strconv.Itoa(i) + " retries"
		switch i {
		case 0:
			label = "No retry"
		case 1:
			label = "1 retry"
		}
		opts = append(opts, option{strconv.Itoa(i), label})
	}
	return opts
}

// sendAtLayout is the value format of an <input type="datetime-local">.
const sendAtLayout = "2006-01-02T15:04"

// zoneOf loads a tenant's time zone, UTC when unknown.
func zoneOf(name string) *time.Location {
	if loc, err := tz.Load(name); err == nil && name != "" {
		return loc
	}
	return time.UTC
}
