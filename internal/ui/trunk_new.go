package ui

import (
	"net/http"

	"faxgate/internal/model"
)

// trunkNew shows the empty add-trunk form with the defaults of a SIP
// trunk (the kind most admins add; a test line is one choice away).
func (h *Handler) trunkNew(w http.ResponseWriter, r *http.Request) {
	f := trunkForm(model.Trunk{Kind: model.TrunkSIP, Speed: model.SpeedFast, MaxChannels: 10, Enabled: true,
		Transport: "udp", Port: 5060, T38: model.T38Request, ECM: true, CallerIDFormat: model.CallerIDE164,
		Codecs: model.DefaultCodecs, V17: true, UDPTLRedundancy: model.DefaultUDPTLRedundancy,
		T38MaxDatagram: model.DefaultT38MaxDatagram})
	h.renderTrunkForm(w, r, http.StatusOK, f, model.Trunk{})
}
