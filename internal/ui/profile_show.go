package ui

import (
	"html/template"
	"net/http"

	"faxgate/internal/model"
)

// profileData is the data of the profile page. Each form on the page has
// its own *form so that errors show next to the right fields.
type profileData struct {
	User     model.User
	Keys     []model.APIKey
	NewKey   *newKey     // the raw key, shown once right after creation
	Enroll   *totpEnroll // TOTP set-up in progress
	Details  *form
	Password *form
	Key      *form
	TOTP     *form
}

type newKey struct {
	Name, Raw string
}

// totpEnroll is what the TOTP set-up shows: the QR code as a data: URL of
// the PNG, the secret to type by hand and the otpauth URL it encodes.
type totpEnroll struct {
	QR     template.URL
	Secret string
	URL    string
}

// profileShow is the own profile: details, password, API keys, TOTP.
func (h *Handler) profileShow(w http.ResponseWriter, r *http.Request) {
	h.renderProfile(w, r, http.StatusOK, profileData{})
}

// renderProfile loads the user and keys and fills the forms d leaves nil.
func (h *Handler) renderProfile(w http.ResponseWriter, r *http.Request, status int, d profileData) {
	actor, ctx := actorOf(r), r.Context()
	u, err := h.ten.GetUser(ctx, actor, actor.UserID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Keys, err = h.auth.ListAPIKeys(ctx, actor); err != nil {
		h.fail(w, r, err)
		return
	}
	d.User = u
	if d.Details == nil {
		d.Details = newForm()
		d.Details.Set("first_name", u.FirstName)
		d.Details.Set("last_name", u.LastName)
		d.Details.Set("phone", u.Phone)
	}
	for _, f := range []**form{&d.Password, &d.Key, &d.TOTP} {
		if *f == nil {
			*f = newForm()
		}
	}
	v := h.newView(w, r, "Profile", "profile")
	v.Data = d
	h.render(w, r, status, "profile", v)
}
