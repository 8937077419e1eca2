package ui

import (
	"net/http"

	"faxgate/internal/model"
)

// trunkNew shows the empty add-trunk form with the defaults of a SIP
// trunk (the kind most admins add; a test line is one choice away).
func (h *Handler) trunkNew(w http.ResponseWriter, r *http.Request) {
	f := trunkForm(model.Trunk{Kind: model.TrunkSIP, Speed: model.SpeedFast, MaxChannels: 10, Enabled: true,
		Transport: "udp", Port: 5060, T38: model.T38Request, ECM: true})
	h.renderTrunkForm(w, r, http.StatusOK, f, model.Trunk{})
}
