package ui

import (
	"encoding/base64"
	"html/template"
	"net/http"
)

// totpBegin starts the two-factor set-up: a new secret, shown as QR code
// and as text, to be confirmed with a code.
func (h *Handler) totpBegin(w http.ResponseWriter, r *http.Request) {
	en, err := h.auth.BeginTOTP(r.Context(), actorOf(r))
	if err != nil {
		if refusal(err) {
			h.failure(w, r, sentence(err.Error()))
			redirect(w, r, "/profile#totp")
			return
		}
		h.fail(w, r, err)
		return
	}
	h.renderProfile(w, r, http.StatusOK, profileData{Enroll: &totpEnroll{
		QR: pngDataURL(en.QRPNG), Secret: en.Secret, URL: en.URL,
	}})
}

// pngDataURL embeds PNG bytes in a data: URL (allowed by the page CSP).
func pngDataURL(png []byte) template.URL {
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
}
