package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"faxgate/internal/model"
)

const trunkCols = `id, name, kind, speed, priority, max_channels, dial_rules, tenant_ids, enabled,
	allowed_sources, ring_timeout_ms, host, port, transport, username, password, register, t38, ecm,
	fax_sources, outbound_proxy, caller_id_format, pai, codecs, v17, udptl_redundancy, t38_max_datagram,
	created_at, updated_at`

// dialRulesJSON is the stored form of model.DialRules.
type dialRulesJSON struct {
	Allow    []string      `json:"allow,omitempty"`
	Deny     []string      `json:"deny,omitempty"`
	Rewrites []rewriteJSON `json:"rewrites,omitempty"`
}

type rewriteJSON struct {
	Strip string `json:"strip"`
	Add   string `json:"add"`
}

func encodeDialRules(r model.DialRules) string {
	j := dialRulesJSON{Allow: r.Allow, Deny: r.Deny}
	for _, rw := range r.Rewrites {
		j.Rewrites = append(j.Rewrites, rewriteJSON(rw))
	}
	return mustJSON(j)
}

func decodeDialRules(s string) (model.DialRules, error) {
	var j dialRulesJSON
	if err := json.Unmarshal([]byte(s), &j); err != nil {
		return model.DialRules{}, fmt.Errorf("store: bad dial rules %q: %w", s, err)
	}
	r := model.DialRules{Allow: j.Allow, Deny: j.Deny}
	for _, rw := range j.Rewrites {
		r.Rewrites = append(r.Rewrites, model.Rewrite(rw))
	}
	return r, nil
}

func (s *Store) scanTrunk(r rowScanner) (model.Trunk, error) {
	var t model.Trunk
	var rules, tenants, sources, faxSources, codecs string
	var ringMS int64
	err := r.Scan(&t.ID, &t.Name, &t.Kind, &t.Speed, &t.Priority, &t.MaxChannels, &rules, &tenants, &t.Enabled,
		&sources, &ringMS, &t.Host, &t.Port, &t.Transport, &t.Username, s.sealed(colTrunkPassword, &t.Password), &t.Register, &t.T38, &t.ECM,
		&faxSources, &t.OutboundProxy, &t.CallerIDFormat, &t.PAI, &codecs, &t.V17, &t.UDPTLRedundancy,
		&t.T38MaxDatagram, scanTime(&t.CreatedAt), scanTime(&t.UpdatedAt))
	if err != nil {
		return t, err
	}
	t.RingTimeout = time.Duration(ringMS) * time.Millisecond
	if t.DialRules, err = decodeDialRules(rules); err != nil {
		return t, err
	}
	for _, l := range []struct {
		s   string
		dst *[]string
	}{{tenants, &t.TenantIDs}, {sources, &t.AllowedSources}, {codecs, &t.Codecs}} {
		if err := unmarshalList(l.s, l.dst); err != nil {
			return t, err
		}
	}
	return t, unmarshalList(faxSources, &t.FaxSources)
}

// trunkErr maps trunk write errors: the only unique column is the name.
func (s *Store) trunkErr(err error) error {
	return conflictAs(s.mapErr(err), "name")
}

// CreateTrunk inserts t, setting its ID, CreatedAt and UpdatedAt. A name
// already used (case-insensitively) is a *model.ConflictError{"name"}.
// Trunks are platform objects: the caller checks the actor is an admin.
func (s *Store) CreateTrunk(ctx context.Context, t *model.Trunk) error {
	n := *t
	n.ID = model.NewID(model.PrefixTrunk)
	n.CreatedAt = now()
	n.UpdatedAt = n.CreatedAt
	password, err := s.sealStr(colTrunkPassword, n.Password)
	if err != nil {
		return err
	}
	_, err = s.wdb.ExecContext(ctx, `INSERT INTO trunks (id, name, name_lc, kind, speed, priority, max_channels,
		dial_rules, tenant_ids, enabled, allowed_sources, ring_timeout_ms, host, port, transport, username, password,
		register, t38, ecm, fax_sources, outbound_proxy, caller_id_format, pai, codecs, v17, udptl_redundancy,
		t38_max_datagram, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
		$23, $24, $25, $26, $27, $28, $29, $30)`,
		n.ID, n.Name, strings.ToLower(n.Name), n.Kind, n.Speed, n.Priority, n.MaxChannels,
		encodeDialRules(n.DialRules), mustJSON(emptyIfNil(n.TenantIDs)), n.Enabled,
		mustJSON(emptyIfNil(n.AllowedSources)), n.RingTimeout.Milliseconds(), n.Host, n.Port, n.Transport,
		n.Username, password, n.Register, n.T38, n.ECM, mustJSON(emptyIfNil(n.FaxSources)), n.OutboundProxy,
		callerIDFormatOrDefault(n.CallerIDFormat), n.PAI, mustJSON(codecsOrDefault(n.Codecs)), n.V17,
		n.UDPTLRedundancy, datagramOrDefault(n.T38MaxDatagram), s.tv(n.CreatedAt), s.tv(n.UpdatedAt))
	if err != nil {
		return s.trunkErr(err)
	}
	*t = n
	return nil
}

// GetTrunk returns the trunk id, or ErrNotFound.
func (s *Store) GetTrunk(ctx context.Context, id string) (model.Trunk, error) {
	t, err := s.scanTrunk(s.rdb.QueryRowContext(ctx, `SELECT `+trunkCols+` FROM trunks WHERE id = $1`, id))
	return t, s.mapErr(err)
}

// UpdateTrunk saves every field of t but ID and CreatedAt and sets
// UpdatedAt; ErrNotFound when it does not exist.
func (s *Store) UpdateTrunk(ctx context.Context, t *model.Trunk) error {
	updated := now()
	password, err := s.sealStr(colTrunkPassword, t.Password)
	if err != nil {
		return err
	}
	err = s.execOne(ctx, `UPDATE trunks SET name = $1, name_lc = $2, kind = $3, speed = $4, priority = $5,
		max_channels = $6, dial_rules = $7, tenant_ids = $8, enabled = $9, allowed_sources = $10,
		ring_timeout_ms = $11, host = $12, port = $13, transport = $14, username = $15, password = $16,
		register = $17, t38 = $18, ecm = $19, fax_sources = $20, outbound_proxy = $21, caller_id_format = $22,
		pai = $23, codecs = $24, v17 = $25, udptl_redundancy = $26, t38_max_datagram = $27, updated_at = $28
		WHERE id = $29`,
		t.Name, strings.ToLower(t.Name), t.Kind, t.Speed, t.Priority, t.MaxChannels, encodeDialRules(t.DialRules),
		mustJSON(emptyIfNil(t.TenantIDs)), t.Enabled, mustJSON(emptyIfNil(t.AllowedSources)),
		t.RingTimeout.Milliseconds(), t.Host, t.Port, t.Transport, t.Username, password, t.Register, t.T38,
		t.ECM, mustJSON(emptyIfNil(t.FaxSources)), t.OutboundProxy, callerIDFormatOrDefault(t.CallerIDFormat), t.PAI,
		mustJSON(codecsOrDefault(t.Codecs)), t.V17, t.UDPTLRedundancy, datagramOrDefault(t.T38MaxDatagram),
		s.tv(updated), t.ID)
	if err != nil {
		return s.trunkErr(err)
	}
	t.UpdatedAt = updated
	return nil
}

// DeleteTrunk deletes the trunk id (ErrNotFound if absent). Attempts keep
// its id and name.
func (s *Store) DeleteTrunk(ctx context.Context, id string) error {
	return s.execOne(ctx, `DELETE FROM trunks WHERE id = $1`, id)
}

// ListTrunks returns every trunk in dialling order: priority, then name.
// Installations have a handful, so there is no paging.
func (s *Store) ListTrunks(ctx context.Context) ([]model.Trunk, error) {
	return queryList(ctx, s, `SELECT `+trunkCols+` FROM trunks ORDER BY priority, name_lc, id`, nil, s.scanTrunk)
}

// mustJSON encodes values that cannot fail to encode (strings, slices of
// strings, plain structs).
func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("store: json: " + err.Error()) // programming error
	}
	return string(b)
}

// The SIP settings' stored defaults, for trunks written without them (the
// test kind, or callers that skip faxout's validation): the columns'
// CHECK constraints refuse zero values.
func callerIDFormatOrDefault(f model.CallerIDFormat) model.CallerIDFormat {
	if f == "" {
		return model.CallerIDE164
	}
	return f
}

func codecsOrDefault(c []string) []string {
	if len(c) == 0 {
		return model.DefaultCodecs
	}
	return c
}

func datagramOrDefault(n int) int {
	if n == 0 {
		return model.DefaultT38MaxDatagram
	}
	return n
}

func unmarshalList[T any](s string, dst *[]T) error {
	if s == "" || s == "[]" || s == "null" {
		*dst = nil
		return nil
	}
	if err := json.Unmarshal([]byte(s), dst); err != nil {
		return fmt.Errorf("store: bad list %q: %w", s, err)
	}
	return nil
}

func emptyIfNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// conflictAs names the field of a unique clash on a table whose only
// unique index (besides the random primary key) is field.
func conflictAs(err error, field string) error {
	var ce *model.ConflictError
	if errors.As(err, &ce) && ce.Field == "id" {
		return &model.ConflictError{Field: field}
	}
	return err
}
