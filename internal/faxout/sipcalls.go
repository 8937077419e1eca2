package faxout

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"faxgate/internal/faxout/line"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/telephony/sip"
)

// SIPCall is the SIP part of a call's CDR (table sip_calls): what the
// attempts row does not say about the line, for support and carrier
// disputes.
type SIPCall struct {
	CallID    string
	Direction model.FaxDirection
	TenantID  string
	FaxID     string
	AttemptID string // outbound: the attempt; inbound: ""
	TrunkID   string
	Peer      string
	SIPCode   int
	SIPReason string
	Cause     string
	Transport string // t38, g711 or "" (no media)
	Codec     string
	T38       *sip.T38Info
	// Packets sums both media legs (RTP and UDPTL datagrams).
	Sent, Received, Lost, Recovered int64
	Switches, Refreshes             int
	// ReinvitesSent/Received count re-INVITEs (T.38 requests and session
	// refreshes) each way.
	ReinvitesSent, ReinvitesReceived int
	StartedAt, EndedAt               time.Time
}

// SIPCalls stores and reads SIP CDR rows.
type SIPCalls struct{ st *store.Store }

// NewSIPCalls returns the SIP CDR store on st.
func NewSIPCalls(st *store.Store) *SIPCalls { return &SIPCalls{st: st} }

// SIPCallOf converts the user agent's result of a call.
func SIPCallOf(r sip.CallResult) SIPCall {
	c := SIPCall{CallID: r.CallID, Direction: model.Inbound, SIPCode: r.SIPCode, SIPReason: r.SIPReason,
		Cause: string(r.Cause), Transport: string(r.Transport), Codec: r.Codec, T38: r.T38,
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

// Insert stores a row; the tenant is the fax's (read in the same statement,
// so a row never names another tenant than its fax). A second row for the
// same Call-ID and direction is ignored.
func (s *SIPCalls) Insert(ctx context.Context, c SIPCall) error {
	t38 := ""
	if c.T38 != nil {
		b, err := json.Marshal(c.T38)
		if err != nil {
			return err
		}
		t38 = string(b)
	}
	_, err := s.st.DB().ExecContext(ctx, `INSERT INTO sip_calls (call_id, direction, tenant_id, fax_id, attempt_id,
		trunk_id, peer, sip_code, sip_reason, cause, transport, codec, t38, pkts_sent, pkts_received, pkts_lost,
		pkts_recovered, switches, refreshes, reinvites_sent, reinvites_rcvd, started_at, ended_at)
		SELECT $1, $2, tenant_id, id, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
		$20, $21 FROM faxes WHERE id = $22
		ON CONFLICT (call_id, direction) DO NOTHING`,
		clip(c.CallID, maxCallIDLen), string(c.Direction), c.AttemptID, c.TrunkID, clip(c.Peer, 64), c.SIPCode,
		clip(c.SIPReason, 200), clip(c.Cause, 32), clip(c.Transport, 8), clip(c.Codec, 8), t38, c.Sent, c.Received, c.Lost, c.Recovered, c.Switches, c.Refreshes,
		c.ReinvitesSent, c.ReinvitesReceived, c.StartedAt.UTC().UnixMicro(), c.EndedAt.UTC().UnixMicro(), c.FaxID)
	if err != nil {
		return fmt.Errorf("faxout: sip_calls: %w", err)
	}
	return nil
}

// List returns the SIP rows of a tenant's fax, oldest first.
func (s *SIPCalls) List(ctx context.Context, tenantID, faxID string) ([]SIPCall, error) {
	rows, err := s.st.DB().QueryContext(ctx, `SELECT call_id, direction, tenant_id, fax_id, attempt_id, trunk_id,
		peer, sip_code, sip_reason, cause, transport, codec, t38, pkts_sent, pkts_received, pkts_lost, pkts_recovered,
		switches, refreshes, reinvites_sent, reinvites_rcvd, started_at, ended_at FROM sip_calls WHERE tenant_id = $1 AND fax_id = $2
		ORDER BY started_at, call_id`, tenantID, faxID)
	if err != nil {
		return nil, fmt.Errorf("faxout: sip_calls: %w", err)
	}
	defer rows.Close()
	var out []SIPCall
	for rows.Next() {
		var c SIPCall
		var dir, t38 string
		var started, ended int64
		if err := rows.Scan(&c.CallID, &dir, &c.TenantID, &c.FaxID, &c.AttemptID, &c.TrunkID, &c.Peer, &c.SIPCode,
			&c.SIPReason, &c.Cause, &c.Transport, &c.Codec, &t38, &c.Sent, &c.Received, &c.Lost, &c.Recovered,
			&c.Switches, &c.Refreshes, &c.ReinvitesSent, &c.ReinvitesReceived, &started, &ended); err != nil {
			return nil, fmt.Errorf("faxout: sip_calls: %w", err)
		}
		c.Direction = model.FaxDirection(dir)
		c.StartedAt, c.EndedAt = time.UnixMicro(started).UTC(), time.UnixMicro(ended).UTC()
		if t38 != "" {
			c.T38 = &sip.T38Info{}
			if err := json.Unmarshal([]byte(t38), c.T38); err != nil {
				return nil, fmt.Errorf("faxout: sip_calls t38: %w", err)
			}
		}
		out = append(out, c)
	}
	return out, rows.Err()
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
