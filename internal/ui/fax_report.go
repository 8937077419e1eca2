package ui

import (
	"errors"
	"net/http"
	"strconv"

	"faxgate/internal/model"
)

// reportURL is the transmission report's link: final faxes only (the
// report is the proof of what happened; faxout refuses it before).
func reportURL(f model.Fax) string {
	if !f.Status.Final() {
		return ""
	}
	return "/outbound/" + f.ID + "/report"
}

// faxReport downloads a fax's transmission report (PDF: first page,
// recipient, remote station, pages, duration, result, every call).
func (h *Handler) faxReport(w http.ResponseWriter, r *http.Request) {
	f, ok := h.loadFax(w, r)
	if !ok {
		return
	}
	pdf, err := h.fax.TransmissionReport(r.Context(), actorOf(r), f.ID)
	if errors.Is(err, model.ErrConflict) {
		h.failure(w, r, "The transmission report is made once the fax is delivered, failed or canceled.")
		redirect(w, r, "/outbound/"+f.ID)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="transmission-report-`+f.ID+`.pdf"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(pdf)))
	_, _ = w.Write(pdf)
}
