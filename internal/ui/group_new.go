package ui

import (
	"io"
	"net/http"

	"faxgate/internal/campaign"
	"faxgate/internal/model"
)

// groupNew shows the empty add-group form.
func (h *Handler) groupNew(w http.ResponseWriter, r *http.Request) {
	f := newForm()
	if actorOf(r).IsAdmin() {
		f.Set("tenant_id", r.URL.Query().Get("tenant_id"))
	}
	h.renderGroupForm(w, r, http.StatusOK, f, model.Group{})
}

// groupCreate receives the add-group form (multipart, as the guide has it:
// name, description and optionally a CSV file). The group is created when
// the file part arrives (or at the end), then the file is streamed into
// the import staging and the user goes on to the column mapping.
func (h *Handler) groupCreate(w http.ResponseWriter, r *http.Request) {
	f := newForm()
	up, ok := h.readUpload(w, r, f, "tenant_id", "name", "description")
	if !ok {
		return
	}
	g, ok := h.createGroupFrom(w, r, f, up.File != nil)
	switch {
	case !ok:
	case up.File != nil:
		h.stageAndMap(w, r, g, up.File, campaign.CSVOptions{}, up.Filename)
	default:
		h.success(w, r, "Group “"+g.Name+"” added. Add contacts or import a CSV file.")
		redirect(w, r, "/groups/"+g.ID)
	}
}

// createGroupFrom creates the group of the form; on a form error it shows
// the form again (asking for the file again when one was sent) and
// returns false.
func (h *Handler) createGroupFrom(w http.ResponseWriter, r *http.Request, f *form, hadFile bool) (model.Group, bool) {
	g, err := h.camp.CreateGroup(r.Context(), actorOf(r), campaign.GroupInput{TenantID: f.Get("tenant_id"),
		Name: f.Get("name"), Description: f.Get("description")})
	if err != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		if !f.absorb(err) {
			h.fail(w, r, err)
			return g, false
		}
		if hadFile {
			f.Invalid("file", "choose the file again: browsers do not keep it after an error")
		}
		h.renderGroupForm(w, r, statusFor(err), f, model.Group{})
		return g, false
	}
	return g, true
}
