package faxout

import (
	"context"
	"fmt"
	"math"
	"time"

	"faxgate/internal/faxout/line"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/telephony/sip"
)

// SIPCall is the SIP part of a call's CDR (table sip_calls); see
// model.SIPCall.
type SIPCall = model.SIPCall

// SIPCalls stores and reads SIP CDR rows.
type SIPCalls struct{ st *store.Store }

// NewSIPCalls returns the SIP CDR store on st.
func NewSIPCalls(st *store.Store) *SIPCalls { return &SIPCalls{st: st} }

// SIPCallOf converts the user agent's result of a call.
func SIPCallOf(r sip.CallResult) SIPCall {
	c := SIPCall{CallID: r.CallID, Direction: model.Inbound, SIPCode: r.SIPCode, SIPReason: r.SIPReason,
		Cause: string(r.Cause), Transport: string(r.Transport), Codec: r.Codec, T38: t38Of(r.T38),
		Sent: clampInt64(r.Packets.Sent), Received: clampInt64(r.Packets.Received), Lost: clampInt64(r.Packets.Lost),
		Recovered: clampInt64(r.Packets.Recovered), Switches: r.Switches, Refreshes: r.Refreshes,
		ReinvitesSent: r.ReinvitesSent, ReinvitesReceived: r.ReinvitesReceived, StartedAt: r.StartedAt, EndedAt: r.EndedAt}
	if r.Outbound {
		c.Direction = model.Outbound
	}
	if r.Peer.IsValid() {
		c.Peer = r.Peer.String()
	}
	if c.EndedAt.IsZero() {
		c.EndedAt = time.Now()
	}
	if c.StartedAt.IsZero() {
		c.StartedAt = c.EndedAt
	}
	return c
}

// t38Of copies the user agent's T.38 parameters (nil: none).
func t38Of(t *sip.T38Info) *model.T38Params {
	if t == nil {
		return nil
	}
	return &model.T38Params{Version: t.Version, MaxBitRate: t.MaxBitRate, FillBitRemoval: t.FillBitRemoval,
		RateManagement: t.RateManagement, UDPEC: t.UDPEC, FarMaxDatagram: t.FarMaxDatagram,
		MaxDatagram: t.MaxDatagram, Redundancy: t.Redundancy}
}

func clampInt64(v uint64) int64 { return int64(min(v, math.MaxInt64)) }

// Recorder is the line.SIPRecorder of outbound calls: it stores the row
// under the fax's tenant and logs (never fails the call) when it cannot.
func (s *SIPCalls) Recorder(log func(msg string, args ...any)) line.SIPRecorder {
	return func(ctx context.Context, c line.Call, trunkID string, r sip.CallResult) {
		row := SIPCallOf(r)
		row.FaxID, row.AttemptID, row.TrunkID = c.FaxID, c.AttemptID, trunkID
		if err := s.Insert(ctx, row); err != nil && log != nil {
			log("sip: CDR row not stored", "call_id", r.CallID, "err", err)
		}
	}
}

// Insert stores a row; the tenant is the fax's (read in the same
// statement, so a row never names another tenant than its fax). A second
// row for the same Call-ID and direction, or the same attempt, is ignored.
// Texts the far end chooses are cut to bounded lengths.
func (s *SIPCalls) Insert(ctx context.Context, c SIPCall) error {
	c.CallID, c.Peer, c.SIPReason = clip(c.CallID, maxCallIDLen), clip(c.Peer, 64), clip(c.SIPReason, 200)
	c.Cause, c.Transport, c.Codec = clip(c.Cause, 32), clip(c.Transport, 8), clip(c.Codec, 8)
	if err := s.st.InsertSIPCall(ctx, c); err != nil {
		return fmt.Errorf("faxout: %w", err)
	}
	return nil
}

// List returns the SIP rows of a tenant's fax, oldest first.
func (s *SIPCalls) List(ctx context.Context, tenantID, faxID string) ([]SIPCall, error) {
	if tenantID == "" {
		return nil, model.ErrNotFound
	}
	out, err := s.st.ListSIPCalls(ctx, model.TenantScope(tenantID), faxID)
	if err != nil {
		return nil, fmt.Errorf("faxout: %w", err)
	}
	return out, nil
}

// maxCallIDLen bounds the stored Call-ID: the far end chooses it on
// inbound calls, and real ones are far shorter.
const maxCallIDLen = 255

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
