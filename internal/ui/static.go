package ui

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed static
var staticFS embed.FS

// loadStatic returns the static file tree and a short content hash per
// file, used as ?v= so that browsers may cache the files forever.
func loadStatic() (fs.FS, map[string]string, error) {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, nil, err
	}
	hashes := map[string]string{}
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		hashes[p] = hex.EncodeToString(sum[:6])
		return nil
	})
	return sub, hashes, err
}

// assetURL is the template function "asset": the file's URL with its hash.
func (h *Handler) assetURL(name string) string {
	return "/static/" + name + "?v=" + h.assets[name]
}

// staticHandler serves the embedded files. Requests carrying the current
// hash are cached for a year; others must revalidate.
func (h *Handler) staticHandler() http.Handler {
	files := http.StripPrefix("/static/", http.FileServerFS(h.static))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		hash, ok := h.assets[name]
		if !ok {
			h.guard(public, h.notFoundPage).ServeHTTP(w, r)
			return
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if r.URL.Query().Get("v") == hash {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		files.ServeHTTP(w, r)
	})
}
