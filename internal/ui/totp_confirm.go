package ui

import (
	"bytes"
	"image/png"
	"net/http"

	"github.com/pquerna/otp"
)

// totpConfirm turns two-factor login on when the code matches. On a wrong
// code the set-up is shown again with the same secret.
func (h *Handler) totpConfirm(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	f := formFrom(r, "code", "url")
	err := h.auth.ConfirmTOTP(r.Context(), actorOf(r), f.Get("code"))
	if err == nil {
		h.success(w, r, "Two-factor login is on. You will be asked for a code at every login.")
		redirect(w, r, "/profile#totp")
		return
	}
	if !f.absorb(err) {
		if !refusal(err) {
			h.fail(w, r, err)
			return
		}
		f.Err = sentence(err.Error())
	}
	h.renderProfile(w, r, statusFor(err), profileData{TOTP: f, Enroll: reenroll(f.Get("url"))})
}

// reenroll redraws the QR code of the set-up in progress from its otpauth
// URL (posted back by the form; it only ever shows the poster their own
// input, the secret that counts is the one stored by BeginTOTP).
func reenroll(url string) *totpEnroll {
	key, err := otp.NewKeyFromURL(url)
	if err != nil || key.Type() != "totp" || key.Secret() == "" {
		return nil
	}
	img, err := key.Image(256, 256)
	if err != nil {
		return nil
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil
	}
	return &totpEnroll{QR: pngDataURL(buf.Bytes()), Secret: key.Secret(), URL: url}
}
