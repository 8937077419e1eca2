package api

import (
	"fmt"
	"net/http"

	"faxgate/internal/documents"
	"faxgate/internal/httpx"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// UploadOverhead is what a multipart upload may carry beyond the files:
// part headers, the text fields, boundaries.
const UploadOverhead = 1 << 20

// uploadMaxBody is the request body limit of uploads: the documents
// service's total file size plus the multipart overhead. The service
// enforces the exact limit on the files.
func (a *API) uploadMaxBody() int64 {
	return a.d.Documents.Limits().MaxUploadBytes + UploadOverhead
}

func (a *API) listDocuments(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	q, err := newQuery(r, "q", "status", "user_id", "tenant_id", "limit", "cursor")
	if err != nil {
		return err
	}
	tenantID, err := q.tenantID(actor)
	if err != nil {
		return err
	}
	o, err := q.page()
	if err != nil {
		return err
	}
	f := store.DocumentFilter{Query: q.get("q"), Status: model.DocumentStatus(q.get("status")),
		UserID: q.get("user_id"), TenantID: tenantID}
	docs, next, err := a.d.Documents.List(r.Context(), actor, f, o)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, FaxDocumentList{Items: mapSlice(docs, documentDTO), NextCursor: next})
	return nil
}

func (a *API) createDocument(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	q, err := newQuery(r, "tenant_id")
	if err != nil {
		return err
	}
	tenantID, err := q.tenantID(actor)
	if err != nil {
		return err
	}
	d, _, err := ReceiveDocument(r.Context(), a.d.Documents, actor, r, tenantID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/documents/"+d.ID)
	httpx.WriteJSON(w, http.StatusCreated, documentDTO(d))
	return nil
}

func (a *API) getDocument(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	d, err := a.d.Documents.Get(r.Context(), actor, pathID(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, documentDTO(d))
	return nil
}

func (a *API) patchDocument(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	var in FaxDocumentPatch
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	up := documents.UpdateInput{Name: in.Name, Description: in.Description}
	if in.Quality != nil {
		q := model.Quality(*in.Quality)
		up.Quality = &q
	}
	d, err := a.d.Documents.Update(r.Context(), actor, pathID(r), up)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, documentDTO(d))
	return nil
}

func (a *API) deleteDocument(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	if err := a.d.Documents.Delete(r.Context(), actor, pathID(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) listDocumentPages(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	d, pages, err := a.d.Documents.Pages(r.Context(), actor, pathID(r))
	if err != nil {
		return err
	}
	out := FaxDocumentPages{DocumentID: d.ID, Pages: len(pages), Items: make([]FaxDocumentPage, len(pages))}
	for i, p := range pages {
		out.Items[i] = FaxDocumentPage{Number: p.Number, ThumbnailURL: DocumentImageURL(d, p.Number, documents.Thumbnail),
			PreviewURL: DocumentImageURL(d, p.Number, documents.Preview)}
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// DocumentImageURL is the address of a page image of a ready document. It
// carries the render revision, so the image under it never changes and
// browsers may keep it; a quality change gives new addresses.
func DocumentImageURL(d model.Document, page int, kind documents.ImageKind) string {
	return fmt.Sprintf("%s/documents/%s/pages/%d/%s?v=%d", Prefix, d.ID, page, kind, d.Revision)
}

// DocumentFileURL is the download address of a ready document's pages as
// "pdf" or "tiff".
func DocumentFileURL(id, format string) string {
	return Prefix + "/documents/" + id + "/file?format=" + format
}
