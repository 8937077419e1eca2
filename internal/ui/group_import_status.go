package ui

import (
	"fmt"
	"net/http"

	"faxgate/internal/campaign"
	"faxgate/internal/model"
)

// importView is a background import as its page shows it.
type importView struct {
	model.ContactImport
	Group  groupView
	Report *campaign.ImportResult // when done
}

// Running reports whether the import is still queued or running (the
// page polls then).
func (i importView) Running() bool {
	return i.Status == model.ImportQueued || i.Status == model.ImportRunning
}

func (i importView) Failed() bool { return i.Status == model.ImportFailed }

// Percent is how much of the file is read.
func (i importView) Percent() int {
	if i.FileBytes <= 0 {
		return 0
	}
	return int(min(100, i.BytesRead*100/i.FileBytes))
}

// ProgressText says how far the import is.
func (i importView) ProgressText() string {
	if i.Status == model.ImportQueued {
		return "Waiting to start…"
	}
	return fmt.Sprintf("%d rows read (%d %%)", i.RowsDone, i.Percent())
}

// MoreErrors is how many invalid rows the report does not list.
func (i importView) MoreErrors() int {
	if i.Report == nil {
		return 0
	}
	return i.Report.Invalid - len(i.Report.Errors)
}

// groupImportStatus shows a background import: live progress (htmx polls
// the page while it runs), then the counts and the invalid rows with
// their line numbers and reasons.
func (h *Handler) groupImportStatus(w http.ResponseWriter, r *http.Request) {
	g, ok := h.loadGroup(w, r)
	if !ok {
		return
	}
	id := r.PathValue("import_id")
	if !model.ValidID(model.PrefixImport, id) {
		h.notFoundPage(w, r)
		return
	}
	im, err := h.camp.GetImport(r.Context(), actorOf(r), id)
	if err == nil && im.GroupID != g.ID {
		err = model.ErrNotFound
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	iv := importView{ContactImport: im, Group: groupView{Group: g}}
	res, done, err := campaign.DecodeImportResult(im)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if done {
		iv.Report = &res
	}
	v := h.newView(w, r, "Import into “"+g.Name+"”", "groups")
	v.Data = iv
	h.render(w, r, http.StatusOK, "group_import_status", v)
}

// SizeText is the size of the uploaded file.
func (i importView) SizeText() string { return humanSize(i.FileBytes) }
