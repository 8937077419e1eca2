package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"faxgate/internal/api"
	"faxgate/internal/documents"
	"faxgate/internal/model"
)

// documentShowData is the data of a document's page.
type documentShowData struct {
	Doc       docView
	Pages     []pageLink // ready documents
	Uploader  string
	Qualities []option
	Back      string
}

// pageLink is a page thumbnail linking to its full preview.
type pageLink struct {
	Number   int
	ThumbURL string
	Href     string
}

// documentShow is a document's page: its fax pages as thumbnails (each
// opens the full preview), the conversion progress while processing (the
// page refreshes that part itself) or the error, downloads, and the form
// to rename it or change its quality.
func (h *Handler) documentShow(w http.ResponseWriter, r *http.Request) {
	d, ok := h.loadDocument(w, r)
	if !ok {
		return
	}
	h.renderDocument(w, r, http.StatusOK, documentForm(d), d)
}

func (h *Handler) renderDocument(w http.ResponseWriter, r *http.Request, status int, f *form, d model.Document) {
	actor, ctx := actorOf(r), r.Context()
	data := documentShowData{Doc: newDocView(actor, d), Qualities: qualityOptions(),
		Uploader: h.uploader(ctx, actor, d), Back: documentsHome(actor, d.TenantID)}
	if actor.IsAdmin() {
		data.Doc.Tenant = h.tenantNamer(ctx, actor)(d.TenantID)
	}
	if d.Ready() {
		pages, err := h.pageLinks(ctx, actor, d)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		data.Pages = pages
	}
	v := h.newView(w, r, d.Name, "documents")
	v.Form = f
	v.Data = data
	h.render(w, r, status, "documents_show", v)
}

// pageLinks lists the pages of a ready document; one that a quality change
// sent back to processing meanwhile has none.
func (h *Handler) pageLinks(ctx context.Context, actor model.Actor, d model.Document) ([]pageLink, error) {
	doc, pages, err := h.docs.Pages(ctx, actor, d.ID)
	var nr *documents.NotReadyError
	if errors.As(err, &nr) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	links := make([]pageLink, len(pages))
	for i, p := range pages {
		links[i] = pageLink{Number: p.Number, ThumbURL: api.DocumentImageURL(doc, p.Number, documents.Thumbnail),
			Href: fmt.Sprintf("/documents/%s/pages/%d", doc.ID, p.Number)}
	}
	return links, nil
}

// uploader names who uploaded d, as far as the actor may know.
func (h *Handler) uploader(ctx context.Context, actor model.Actor, d model.Document) string {
	switch {
	case d.UserID == "":
		return "a user who was deleted since"
	case d.UserID == actor.UserID:
		return "you"
	}
	if u, err := h.ten.GetUser(ctx, actor, d.UserID); err == nil {
		return u.Email
	}
	return "another user of the tenant"
}
