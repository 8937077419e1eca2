package app

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"net/netip"
	"strings"
	"time"

	"faxgate/internal/faxin"
	"faxgate/internal/faxout"
	"faxgate/internal/faxout/line"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/telephony/sip"
	"faxgate/internal/telephony/sip/media"
)

// inboundCall decides on an inbound INVITE: the source must be within a
// SIP trunk's allowed sources (its host when it lists none) once any SIP
// trunk exists (403), the DID must route
// (404 unknown, 603 rejecting or suspended), the channel caps must allow
// it (503 when the SIP trunks' channels are all taken, 486 when the
// tenant's are); then the fax is begun and the call answered with the
// source trunk's fax policy.
func (n *sipNode) inboundCall(ctx context.Context, ic sip.IncomingCall) sip.Decision {
	trunk, ok := n.sourceTrunk(ic.Source.Addr())
	if !ok {
		n.a.log.Info("sip: INVITE from an address no SIP trunk allows refused", "source", ic.Source.String(),
			"to", ic.DID)
		return sip.Decision{Reject: 403, Reason: "Forbidden (source not allowed)"}
	}
	if ic.DID == "" {
		return sip.RejectWith(404)
	}
	rt, err := n.a.faxin.Route(ctx, calledNumber(ic), ic.CallerID)
	if err != nil {
		n.a.log.Error("sip: routing an inbound call failed", "did", ic.DID, "err", err)
		return sip.RejectWith(500)
	}
	if !rt.Accept {
		return sip.Decision{Reject: rt.Reason.SIPCode(), Reason: string(rt.Reason)}
	}
	lease, code := n.takeChannel(ctx, rt.TenantID, trunk)
	if code != 0 {
		return sip.RejectWith(code)
	}
	node := n.a.faxout.Node()
	faxID, rxPath, err := n.a.faxin.Begin(ctx, rt, faxin.CallInfo{Transport: model.TransportG711, Node: node,
		TrunkID: trunk.ID, TrunkName: trunk.Name, StartedAt: time.Now()})
	if err != nil {
		n.releaseChannel(lease)
		n.a.log.Error("sip: recording an inbound call failed", "did", ic.DID, "err", err)
		return sip.RejectWith(500)
	}
	pol := inboundPolicy(trunk)
	stopRenewal := n.renewChannel(lease, ic.CallID)
	return sip.Accept(sip.Receive{RxFile: rxPath, StationID: rt.StationID, Policy: pol},
		func(r sip.CallResult) {
			stopRenewal()
			defer n.releaseChannel(lease)
			n.finishInbound(faxID, trunk.ID, r)
		})
}

// calledNumber is the DID as faxin should read it: E.164 when the trunk
// wrote a "+", else the digits (read with the default country).
func calledNumber(ic sip.IncomingCall) string {
	raw := ic.RequestUser
	if _, ok := sip.NormalizeNumber(raw); !ok {
		raw = ic.ToUser
	}
	raw = strings.TrimSpace(strings.ReplaceAll(raw, "%2B", "+"))
	if strings.HasPrefix(raw, "+") {
		return "+" + ic.DID
	}
	return ic.DID
}

// sourceTrunk returns the SIP trunk an INVITE came from. With no SIP trunk
// at all every source is allowed (a lab, or a node behind an SBC that
// filters), and the zero trunk gives the default policy.
func (n *sipNode) sourceTrunk(src netip.Addr) (model.Trunk, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.trunks) == 0 {
		return model.Trunk{}, true
	}
	id, ok := sourceTrunkID(n.allowed, src)
	if !ok {
		return model.Trunk{}, false
	}
	for _, t := range n.trunks {
		if t.ID == id {
			return t, true
		}
	}
	return model.Trunk{}, false
}

// sourceTrunkID is the trunk of the first (most specific) allowed source
// that contains src.
func sourceTrunkID(allowed []allowedSource, src netip.Addr) (string, bool) {
	src = src.Unmap()
	for _, a := range allowed {
		if a.prefix.Contains(src) {
			return a.trunkID, true
		}
	}
	return "", false
}

// takeChannel leases a channel for the call in the database, where
// outbound calls lease theirs (store.AcquireLeaseTx): the source trunk's
// max_channels and the tenant's channel cap count the calls of every node
// sharing the database, in both directions. It returns the SIP status
// refusing the call instead: 503 when the trunk's channels are all taken
// (or the database cannot say), 486 when the tenant's are. With no SIP
// trunk at all (the zero trunk) only the tenant's cap applies.
func (n *sipNode) takeChannel(ctx context.Context, tenantID string, trunk model.Trunk) (store.Lease, int) {
	tenantCap, err := n.a.store.GetTenantChannelCap(ctx, tenantID)
	if err != nil {
		tenantCap = 0
	}
	limit := trunk.MaxChannels
	if trunk.ID == "" || limit <= 0 {
		limit = math.MaxInt32
	}
	var l store.Lease
	err = n.a.store.RunTx(ctx, func(tx *sql.Tx) error {
		var err error
		l, err = n.a.store.AcquireLeaseTx(ctx, tx, store.LeaseRequest{TrunkID: trunk.ID, TrunkMax: limit,
			TenantID: tenantID, TenantMax: tenantCap, Holder: n.a.faxout.Node(), TTL: n.a.faxout.LeaseTTL(),
			Now: n.a.o.now()})
		return err
	})
	switch {
	case err == nil:
		return l, 0
	case errors.Is(err, store.ErrTrunkFull):
		return l, 503
	case errors.Is(err, store.ErrTenantFull):
		return l, 486
	}
	n.a.log.Error("sip: leasing a channel for an inbound call failed", "trunk", trunk.ID, "err", err)
	return l, 503
}

// releaseChannel frees the call's channel (its lease) at once.
func (n *sipNode) releaseChannel(l store.Lease) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := n.a.store.ReleaseLease(ctx, l.ID); err != nil {
		n.a.log.Warn("sip: releasing an inbound call's channel failed; it frees itself when its lease expires",
			"lease", l.ID, "err", err)
	}
}

// renewChannel keeps the call's lease alive, with the node's outbound
// calls' leases (faxout.KeepLease: one write per tick for all), until the
// returned function is called. When the lease is lost (a renewal finds it
// expired, or renewals fail until it must have expired: the node stalled or
// lost the database) the channel may already be another call's, so the
// call is hung up, as outbound calls are.
func (n *sipNode) renewChannel(l store.Lease, callID string) (stop func()) {
	return n.a.faxout.KeepLease(l.ID, func() {
		n.a.log.Warn("sip: inbound call's channel lease lost; hanging up", "call_id", callID)
		go n.ua.Hangup(callID) // its end calls stop
	})
}

// inboundPolicy is the fax policy answering a call from trunk: its T.38
// mode, ECM, V.17, codecs, redundancy and max datagram (the defaults,
// T.38 request with ECM, when no trunk is known).
func inboundPolicy(t model.Trunk) sip.Policy {
	if t.ID == "" {
		return sip.DefaultPolicy()
	}
	return line.TrunkPolicy(t)
}

// finishInbound stores the reception (faxin.Finish) and the SIP CDR row.
// It runs on the call's goroutine when the call is over.
func (n *sipNode) finishInbound(faxID, trunkID string, r sip.CallResult) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res := faxin.Result{OK: r.OK(), Code: -1, Transport: model.Transport(r.Transport), AnsweredAt: r.AnsweredAt,
		EndedAt: r.EndedAt, SIPCode: r.SIPCode, Text: r.CauseText}
	if r.Transport == media.None {
		res.Transport = model.TransportG711
	}
	if r.FaxRan {
		f := r.Fax
		res.Code, res.Text, res.Class, res.Pages = f.Code, f.Text, string(f.Class), f.PagesRx
		res.RemoteIdent, res.BitRate, res.ECM = f.RemoteIdent, f.BitRate, f.ECM
	} else if res.Class == "" {
		res.Class = "negotiation"
	}
	f, err := n.a.faxin.Finish(ctx, faxID, res)
	if err != nil {
		n.a.log.Error("sip: storing an inbound fax failed", "fax", faxID, "err", err)
	}
	row := faxout.SIPCallOf(r)
	row.FaxID, row.TrunkID = faxID, trunkID
	if len(f.Attempts) > 0 { // else the store links the reception's attempt, if any
		row.AttemptID = f.Attempts[0].ID
	}
	if err := n.cdr.Insert(ctx, row); err != nil {
		n.a.log.Warn("sip: CDR row not stored", "call_id", r.CallID, "err", err)
	}
}
