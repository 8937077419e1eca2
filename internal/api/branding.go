package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"faxgate/internal/httpx"
	"faxgate/internal/model"
	"faxgate/internal/tenancy"
)

// logoMaxBody bounds a logo upload: the 512 KiB image plus multipart
// overhead. The tenancy service enforces the exact image limit.
const logoMaxBody = 1 << 20

// maxMultipartMemory is how much of a multipart form is kept in memory.
const maxMultipartMemory = 1 << 20

func (a *API) brandingTenant(r *http.Request, actor model.Actor) (string, error) {
	q, err := newQuery(r, "tenant_id")
	if err != nil {
		return "", err
	}
	return q.tenantID(actor)
}

func (a *API) getBranding(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	tenantID, err := a.brandingTenant(r, actor)
	if err != nil {
		return err
	}
	b, err := a.d.Tenancy.GetBranding(r.Context(), actor, tenantID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, brandingDTO(b))
	return nil
}

func (a *API) putBranding(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	tenantID, err := a.brandingTenant(r, actor)
	if err != nil {
		return err
	}
	var in BrandingInput
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	b, err := a.d.Tenancy.UpdateBranding(r.Context(), actor, tenantID, tenancy.BrandingInput{
		Domain: in.Domain, CompanyName: in.CompanyName, Title: in.Title, Footer: in.Footer})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, brandingDTO(b))
	return nil
}

func (a *API) getLogo(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	tenantID, err := a.brandingTenant(r, actor)
	if err != nil {
		return err
	}
	// GetBranding applies the access rules; Logo itself does not.
	b, err := a.d.Tenancy.GetBranding(r.Context(), actor, tenantID)
	if err != nil {
		return err
	}
	if !b.HasLogo() {
		return fmt.Errorf("%w: no logo", model.ErrNotFound)
	}
	ct, data, err := a.d.Tenancy.Logo(r.Context(), b.TenantID)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	h.Set("Cache-Control", "private, no-cache")
	_, err = w.Write(data)
	return err
}

func (a *API) putLogo(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	tenantID, err := a.brandingTenant(r, actor)
	if err != nil {
		return err
	}
	data, err := readLogo(r)
	if err != nil {
		return err
	}
	b, err := a.d.Tenancy.SetLogo(r.Context(), actor, tenantID, data)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, brandingDTO(b))
	return nil
}

func (a *API) deleteLogo(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	tenantID, err := a.brandingTenant(r, actor)
	if err != nil {
		return err
	}
	if err := a.d.Tenancy.RemoveLogo(r.Context(), actor, tenantID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// readLogo returns the uploaded image: the "logo" field of a multipart form,
// or the raw body for an image content type. The service sniffs the bytes;
// the declared type only selects how to read them.
func readLogo(r *http.Request) ([]byte, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case mt == "multipart/form-data":
		return readLogoForm(r)
	case strings.HasPrefix(mt, "image/"):
		data, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, bodyErr(err)
		}
		if len(data) == 0 {
			return nil, model.Invalid("logo", "the image is empty")
		}
		return data, nil
	}
	return nil, fmt.Errorf("%w: send image/png, image/jpeg, image/svg+xml or multipart/form-data",
		httpx.ErrUnsupportedMediaType)
}

func readLogoForm(r *http.Request) ([]byte, error) {
	if err := r.ParseMultipartForm(maxMultipartMemory); err != nil {
		return nil, bodyErr(err)
	}
	defer r.MultipartForm.RemoveAll() //nolint:errcheck // temp files only
	f, _, err := r.FormFile("logo")
	if err != nil {
		return nil, model.Invalid("logo", "the form has no file field named logo")
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, bodyErr(err)
	}
	return data, nil
}

// bodyErr turns a failed body read into 413 when the limit was hit, 400
// otherwise (the multipart reader does not always wrap the limit error).
func bodyErr(err error) error {
	var me *http.MaxBytesError
	if errors.As(err, &me) || strings.Contains(err.Error(), "request body too large") {
		return fmt.Errorf("%w: the upload is larger than %d bytes", model.ErrTooLarge, logoMaxBody)
	}
	return httpx.BadRequest("cannot read the upload: %v", err)
}
