package ui

import (
	"errors"
	"net/http"
	"strings"

	"faxgate/internal/model"
)

// faxCancelConfirm asks before canceling (htmx loads its box into the
// list or the fax page; without JavaScript it is a page of its own).
func (h *Handler) faxCancelConfirm(w http.ResponseWriter, r *http.Request) {
	f, ok := h.loadFax(w, r)
	if !ok {
		return
	}
	v := h.newView(w, r, "Cancel fax", "outbound")
	v.Data = faxShowData{Fax: faxView{Fax: f}, Back: "/outbound/" + f.ID}
	h.render(w, r, http.StatusOK, "fax_cancel", v)
}

// faxCancel cancels a queued fax at once, or hangs up its call.
func (h *Handler) faxCancel(w http.ResponseWriter, r *http.Request) {
	f, ok := h.loadFax(w, r)
	if !ok {
		return
	}
	got, err := h.fax.Cancel(r.Context(), actorOf(r), f.ID)
	switch {
	case err == nil && got.Status == model.FaxCanceled:
		h.success(w, r, "Fax to "+f.To+" canceled.")
	case err == nil:
		h.success(w, r, "Cancel requested: the call to "+f.To+" is being hung up.")
	case errors.Is(err, model.ErrConflict):
		// "conflict: the fax is already delivered" -> the explanation.
		_, why, _ := strings.Cut(err.Error(), ": ")
		h.failure(w, r, "The fax could not be canceled: "+sentence(why))
	case refusal(err):
		h.failure(w, r, sentence(err.Error()))
	default:
		h.fail(w, r, err)
		return
	}
	redirect(w, r, "/outbound/"+f.ID)
}
