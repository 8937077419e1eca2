package ui

import (
	"errors"
	"net/http"

	"faxgate/internal/httpx"
	"faxgate/internal/model"
)

// totpLoginSubmit completes a login with the authenticator code.
func (h *Handler) totpLoginSubmit(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	f := formFrom(r, "code")
	next := safeNext(r.PostFormValue("next"))
	if f.Get("code") == "" {
		f.Invalid("code", "is required")
		h.renderTOTPLogin(w, r, http.StatusUnprocessableEntity, f, next)
		return
	}
	err := h.auth.VerifyTOTP(r.Context(), httpx.SessionToken(r), f.Get("code"), httpx.ClientIP(r))
	switch {
	case err == nil:
		redirect(w, r, next)
	case errors.Is(err, model.ErrUnauthenticated) || errors.Is(err, model.ErrNotFound):
		h.failure(w, r, "Your login has expired. Please log in again.")
		redirect(w, r, "/login")
	case errors.Is(err, model.ErrBadCredentials) || isValidation(err):
		f.Invalid("code", "is not the current code of your authenticator app")
		h.renderTOTPLogin(w, r, http.StatusUnauthorized, f, next)
	default:
		status, msg := loginError(err)
		if status == http.StatusInternalServerError {
			h.serverError(w, r, err)
			return
		}
		f.Err = msg
		h.renderTOTPLogin(w, r, status, f, next)
	}
}

func isValidation(err error) bool {
	var ve *model.ValidationError
	return errors.As(err, &ve)
}
