package ui

import (
	"fmt"
	"net/http"
	"net/url"

	"faxgate/internal/api"
	"faxgate/internal/faxin"
	"faxgate/internal/model"
)

// inboxView is a received fax as the Receive Fax pages show it.
type inboxView struct {
	model.InboundFax
	Tenant string // tenant name, for admins
}

func (f inboxView) URL() string { return "/inbox/" + f.ID }

// From is the caller's number, or why there is none.
func (f inboxView) From() string {
	if f.CallerID == "" {
		return "Withheld"
	}
	return f.CallerID
}

// HasPages reports whether pages can be shown and downloaded.
func (f inboxView) HasPages() bool { return f.Pages > 0 && f.FileKey != "" && !f.Purged() }

// Unread reports whether nobody opened the fax yet.
func (f inboxView) Unread() bool { return !f.Read() }

// ThumbURL is the first page's thumbnail.
func (f inboxView) ThumbURL() string { return f.imageURL(1, faxin.Thumbnail) }

func (f inboxView) imageURL(page int, kind faxin.ImageKind) string {
	return fmt.Sprintf("/inbox/%s/pages/%d/%s", url.PathEscape(f.ID), page, kind)
}

// PDFURL and TIFFURL are the API downloads.
func (f inboxView) PDFURL() string  { return api.Prefix + "/faxes/" + f.ID + "/file?format=pdf" }
func (f inboxView) TIFFURL() string { return api.Prefix + "/faxes/" + f.ID + "/file?format=tiff" }

// StatusLabel is the status in words; a partial reception says so.
func (f inboxView) StatusLabel() string {
	switch {
	case f.Partial:
		return "Partial"
	case f.Status == model.FaxReceived:
		return "Received"
	case f.Status == model.FaxReceiving:
		return "Receiving"
	case f.Status == model.FaxFailed:
		return "Failed"
	}
	return string(f.Status)
}

// StatusClass picks the badge colour.
func (f inboxView) StatusClass() string {
	switch {
	case f.Partial || f.Status == model.FaxReceiving:
		return "badge-processing"
	case f.Status == model.FaxReceived:
		return "badge-ok"
	}
	return "badge-failed"
}

// When is the time of arrival: the end of the call, else its start.
func (f inboxView) When() string {
	if !f.CompletedAt.IsZero() {
		return formatTime(f.CompletedAt)
	}
	return formatTime(f.CreatedAt)
}

// inboxStatusOptions are the status filter's choices.
func inboxStatusOptions() []option {
	return []option{{"", "Any status"}, {string(model.FaxReceived), "Received"},
		{string(model.FaxFailed), "Failed"}, {string(model.FaxReceiving), "Receiving"}}
}

// loadInbound reads the {id} received fax the actor may see; it answers
// 404 itself (also for other tenants' faxes) and returns false then.
func (h *Handler) loadInbound(w http.ResponseWriter, r *http.Request) (model.InboundFax, bool) {
	id := r.PathValue("id")
	if !model.ValidID(model.PrefixFax, id) {
		h.notFoundPage(w, r)
		return model.InboundFax{}, false
	}
	f, err := h.inbox.Get(r.Context(), actorOf(r), id)
	if err != nil {
		h.fail(w, r, err)
		return model.InboundFax{}, false
	}
	return f, true
}
