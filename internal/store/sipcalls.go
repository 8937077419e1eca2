package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"faxgate/internal/model"
)

// sipCallCols are the columns of sip_calls in the order sipScan reads
// them. Times are INTEGER unix microseconds in both engines.
const sipCallCols = `call_id, direction, tenant_id, fax_id, attempt_id, trunk_id, peer, sip_code, sip_reason, cause,
	transport, codec, t38, pkts_sent, pkts_received, pkts_lost, pkts_recovered, switches, refreshes, reinvites_sent,
	reinvites_rcvd, started_at, ended_at`

// sipJoin joins an attempt (alias a) to its SIP row (alias s), if any. An
// attempt has at most one: the unique index sip_calls_attempt_uidx covers
// the rows with an attempt id, and the join repeats its condition (a
// non-empty attempt_id) so that the index applies. The tenant must match.
const sipJoin = ` LEFT JOIN sip_calls s ON s.attempt_id = a.id AND s.attempt_id <> '' AND s.tenant_id = a.tenant_id`

// sipScan receives a sip_calls row that may be absent (every column NULL
// on the outer side of sipJoin).
type sipScan struct {
	callID, dir, tenant, fax, attempt, trunk, peer, reason, cause, transport, codec, t38 sql.NullString
	code, sent, recv, lost, recovered, switches, refreshes, rsent, rrcvd, started, ended sql.NullInt64
}

func (d *sipScan) dest() []any {
	return []any{&d.callID, &d.dir, &d.tenant, &d.fax, &d.attempt, &d.trunk, &d.peer, &d.code, &d.reason, &d.cause,
		&d.transport, &d.codec, &d.t38, &d.sent, &d.recv, &d.lost, &d.recovered, &d.switches, &d.refreshes,
		&d.rsent, &d.rrcvd, &d.started, &d.ended}
}

// call is the scanned row, nil when there was none.
func (d *sipScan) call() (*model.SIPCall, error) {
	if !d.callID.Valid {
		return nil, nil
	}
	c := &model.SIPCall{CallID: d.callID.String, Direction: model.FaxDirection(d.dir.String), TenantID: d.tenant.String,
		FaxID: d.fax.String, AttemptID: d.attempt.String, TrunkID: d.trunk.String, Peer: d.peer.String,
		SIPCode: int(d.code.Int64), SIPReason: d.reason.String, Cause: d.cause.String, Transport: d.transport.String,
		Codec: d.codec.String, Sent: d.sent.Int64, Received: d.recv.Int64, Lost: d.lost.Int64,
		Recovered: d.recovered.Int64, Switches: int(d.switches.Int64), Refreshes: int(d.refreshes.Int64),
		ReinvitesSent: int(d.rsent.Int64), ReinvitesReceived: int(d.rrcvd.Int64),
		StartedAt: time.UnixMicro(d.started.Int64).UTC(), EndedAt: time.UnixMicro(d.ended.Int64).UTC()}
	if d.t38.String != "" {
		c.T38 = &model.T38Params{}
		if err := json.Unmarshal([]byte(d.t38.String), c.T38); err != nil {
			return nil, fmt.Errorf("store: sip_calls %s t38: %w", c.CallID, err)
		}
	}
	return c, nil
}

func scanSIPCall(r rowScanner) (model.SIPCall, error) {
	var d sipScan
	if err := r.Scan(d.dest()...); err != nil {
		return model.SIPCall{}, err
	}
	c, err := d.call()
	if err != nil || c == nil {
		return model.SIPCall{}, err
	}
	return *c, nil
}

// InsertSIPCall stores the SIP record of a call. The tenant is the fax's,
// read in the same statement, so a row never names another tenant than its
// fax (and a fax that does not exist stores nothing). A record of an
// inbound fax without an attempt id takes the reception's attempt, when
// it is stored.
// A second record for the same Call-ID and direction, or for the same
// attempt, is ignored.
func (s *Store) InsertSIPCall(ctx context.Context, c model.SIPCall) error {
	t38 := ""
	if c.T38 != nil {
		b, err := json.Marshal(c.T38)
		if err != nil {
			return err
		}
		t38 = string(b)
	}
	_, err := s.wdb.ExecContext(ctx, `INSERT INTO sip_calls (`+sipCallCols+`)
		SELECT $1, $2, f.tenant_id, f.id, COALESCE(NULLIF($3, ''), (SELECT a.id FROM attempts a
			WHERE a.fax_id = f.id AND a.tenant_id = f.tenant_id AND f.direction = 'inbound' ORDER BY a.try, a.leg
			LIMIT 1), ''), $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
		$18, $19, $20, $21 FROM faxes f WHERE f.id = $22
		ON CONFLICT DO NOTHING`,
		c.CallID, string(c.Direction), c.AttemptID, c.TrunkID, c.Peer, c.SIPCode, c.SIPReason, c.Cause, c.Transport,
		c.Codec, t38, c.Sent, c.Received, c.Lost, c.Recovered, c.Switches, c.Refreshes, c.ReinvitesSent,
		c.ReinvitesReceived, c.StartedAt.UTC().UnixMicro(), c.EndedAt.UTC().UnixMicro(), c.FaxID)
	if err != nil {
		return fmt.Errorf("store: sip_calls: %w", s.mapErr(err))
	}
	return nil
}

// ListSIPCalls returns the SIP records of the fax id in the scope, oldest
// first; an unknown fax or one of another tenant yields none.
func (s *Store) ListSIPCalls(ctx context.Context, scope model.Scope, faxID string) ([]model.SIPCall, error) {
	var w where
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return nil, err
	}
	w.add("fax_id = ?", faxID)
	return queryList(ctx, s, `SELECT `+sipCallCols+` FROM sip_calls`+w.sql()+` ORDER BY started_at, call_id, direction`,
		w.args, scanSIPCall)
}
