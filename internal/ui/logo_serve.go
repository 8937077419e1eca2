package ui

import (
	"net/http"
	"strconv"

	"faxgate/internal/model"
)

// logoServe returns a tenant's logo. It is public: the login page shows it
// before anyone has logged in. SVGs were sanitised on upload and are also
// served with a sandboxing CSP, so opened directly they cannot run script.
func (h *Handler) logoServe(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("tenant_id")
	if !model.ValidID(model.PrefixTenant, id) {
		h.notFoundPage(w, r)
		return
	}
	ctype, data, err := h.ten.Logo(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", ctype)
	hd.Set("Content-Length", strconv.Itoa(len(data)))
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	hd.Set("X-Content-Type-Options", "nosniff")
	if r.URL.Query().Get("v") != "" {
		hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hd.Set("Cache-Control", "public, max-age=300")
	}
	if r.Method != http.MethodHead {
		_, _ = w.Write(data)
	}
}
