package senders

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"

	"faxgate/internal/audit"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// Kind is what an allowlist entry matches.
type Kind string

const (
	KindAddress Kind = "address" // the envelope sender, exactly
	KindDomain  Kind = "domain"  // the envelope sender's domain, exactly
	KindNetwork Kind = "network" // the connecting IP, within a CIDR
)

// Bounds of the allowlist.
const (
	MaxEntries    = 200 // per tenant
	MaxNoteLen    = 200 // runes
	MaxValueLen   = 254
	minIPv4Prefix = 16 // wider networks are refused: too easy to trust a whole provider
	minIPv6Prefix = 32
)

// Audit actions.
const (
	ActionAllowlistAdded   = "email_allowlist.added"
	ActionAllowlistRemoved = "email_allowlist.removed"
)

// PrefixEntry starts allowlist entry ids.
const PrefixEntry = "eal"

// Entry is one allowlist entry.
type Entry struct {
	ID        string
	TenantID  string
	Kind      Kind
	Value     string // lower-case address or domain, or a canonical CIDR
	UserID    string // faxes are sent as this user
	UserEmail string // filled by List and Match
	Note      string
	CreatedBy string // email of the admin who added it
	CreatedAt time.Time
}

// Input is a new entry: Value is an address, a domain, an IP or a CIDR
// (the kind follows); UserID "" = the acting tenant admin.
type Input struct {
	Value  string
	UserID string
	Note   string
}

// Service manages allowlists and fax origins.
type Service struct {
	st  *store.Store
	au  *audit.Service
	now func() time.Time
}

// New returns the service.
func New(st *store.Store, au *audit.Service) *Service {
	return &Service{st: st, au: au, now: time.Now}
}

// tenantFor resolves the tenant an actor works on: tenant admins their
// own (tenantID "" or equal), platform admins the named one; users and
// other tenants are refused (another tenant reads as not found).
func tenantFor(actor model.Actor, tenantID string) (string, error) {
	switch {
	case actor.IsAdmin():
		if tenantID == "" {
			return "", model.Invalid("tenant_id", "platform admins name the tenant")
		}
		return tenantID, nil
	case actor.TenantID == "" || actor.UserID == "":
		return "", model.ErrUnauthenticated
	case tenantID != "" && tenantID != actor.TenantID:
		return "", model.ErrNotFound
	case actor.Role != model.RoleTenant:
		return "", fmt.Errorf("%w: only tenant admins manage the email allowlist", model.ErrForbidden)
	}
	return actor.TenantID, nil
}

const entryCols = `a.id, a.tenant_id, a.kind, a.value, a.user_id, u.email, a.note, a.created_by, a.created_at`

func scanEntry(r interface{ Scan(...any) error }) (Entry, error) {
	var e Entry
	var at int64
	err := r.Scan(&e.ID, &e.TenantID, &e.Kind, &e.Value, &e.UserID, &e.UserEmail, &e.Note, &e.CreatedBy, &at)
	e.CreatedAt = time.UnixMicro(at).UTC()
	return e, err
}

func (s *Service) query(ctx context.Context, q string, args ...any) ([]Entry, error) {
	rows, err := s.st.DB().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("senders: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("senders: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// List returns the tenant's allowlist, by kind and value.
func (s *Service) List(ctx context.Context, actor model.Actor, tenantID string) ([]Entry, error) {
	tid, err := tenantFor(actor, tenantID)
	if err != nil {
		return nil, err
	}
	return s.query(ctx, `SELECT `+entryCols+` FROM email_allowlist a JOIN users u ON u.id = a.user_id
		WHERE a.tenant_id = $1 ORDER BY a.kind, a.value LIMIT `+fmt.Sprint(MaxEntries), tid)
}

// Add validates and adds an entry; the same value twice is a conflict.
func (s *Service) Add(ctx context.Context, actor model.Actor, tenantID string, in Input) (Entry, error) {
	tid, err := tenantFor(actor, tenantID)
	if err != nil {
		return Entry{}, err
	}
	e, err := s.validate(ctx, actor, tid, in)
	if err != nil {
		return Entry{}, err
	}
	var n int
	if err := s.st.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM email_allowlist WHERE tenant_id = $1`, tid).Scan(&n); err != nil {
		return Entry{}, fmt.Errorf("senders: %w", err)
	}
	if n >= MaxEntries {
		return Entry{}, model.Invalid("value", fmt.Sprintf("the allowlist is full (%d entries)", MaxEntries))
	}
	err = s.st.DB().QueryRowContext(ctx, `SELECT 1 FROM email_allowlist WHERE tenant_id = $1 AND kind = $2 AND value = $3`,
		tid, e.Kind, e.Value).Scan(&n)
	if err == nil {
		return Entry{}, &model.ConflictError{Field: "value"}
	} else if !errors.Is(err, sql.ErrNoRows) {
		return Entry{}, fmt.Errorf("senders: %w", err)
	}
	e.ID, e.CreatedBy, e.CreatedAt = model.NewID(PrefixEntry), actor.Email, s.now().UTC().Truncate(time.Microsecond)
	_, err = s.st.DB().ExecContext(ctx, `INSERT INTO email_allowlist (id, tenant_id, kind, value, user_id, note,
		created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		e.ID, e.TenantID, e.Kind, e.Value, e.UserID, e.Note, e.CreatedBy, e.CreatedAt.UnixMicro())
	if err != nil {
		return Entry{}, fmt.Errorf("senders: add: %w", err)
	}
	s.au.Record(ctx, actor, ActionAllowlistAdded, "email_allowlist", e.ID,
		fmt.Sprintf("%s %s, faxes sent as %s", e.Kind, e.Value, e.UserEmail), tid)
	return e, nil
}

// validate normalises in into an entry of tenant tid.
func (s *Service) validate(ctx context.Context, actor model.Actor, tid string, in Input) (Entry, error) {
	v := &model.ValidationError{}
	e := Entry{TenantID: tid, Note: strings.TrimSpace(in.Note)}
	e.Kind, e.Value = parseValue(v, strings.TrimSpace(in.Value))
	if utf8.RuneCountInString(e.Note) > MaxNoteLen || !utf8.ValidString(e.Note) || strings.ContainsAny(e.Note, "\r\n") {
		v.Add("note", fmt.Sprintf("must be one line of at most %d characters", MaxNoteLen))
	}
	e.UserID = strings.TrimSpace(in.UserID)
	if e.UserID == "" && actor.TenantID == tid {
		e.UserID = actor.UserID
	}
	u, err := s.st.GetUser(ctx, model.TenantScope(tid), e.UserID)
	switch {
	case e.UserID == "":
		v.Add("user_id", "name the user the faxes are sent as")
	case errors.Is(err, model.ErrNotFound):
		v.Add("user_id", "is not a user of this organisation")
	case err != nil:
		return e, err
	case u.Status != model.UserActive:
		v.Add("user_id", "is disabled")
	}
	e.UserEmail = u.Email
	return e, v.OrNil()
}

// parseValue tells an address, an IP/CIDR and a domain apart and
// normalises them.
func parseValue(v *model.ValidationError, s string) (Kind, string) {
	if s == "" || len(s) > MaxValueLen {
		v.Add("value", "give an email address, a domain, an IP address or a network (CIDR)")
		return "", s
	}
	if strings.Contains(s, "@") {
		a, err := mail.ParseAddress(s)
		if err != nil || a.Address != s || a.Name != "" {
			v.Add("value", fmt.Sprintf("%q is not a valid email address", s))
		}
		return KindAddress, strings.ToLower(s)
	}
	if p, err := parsePrefix(s); err == nil {
		if (p.Addr().Is4() && p.Bits() < minIPv4Prefix) || (!p.Addr().Is4() && p.Bits() < minIPv6Prefix) {
			v.Add("value", fmt.Sprintf("network %s is too wide: use /%d or narrower for IPv4, /%d or narrower for IPv6",
				p, minIPv4Prefix, minIPv6Prefix))
		}
		return KindNetwork, p.String()
	} else if strings.ContainsAny(s, ":/") || net.ParseIP(strings.Trim(s, "[]")) != nil {
		v.Add("value", fmt.Sprintf("%q is not a valid IP address or network", s))
		return KindNetwork, s
	}
	d := strings.ToLower(strings.TrimSuffix(s, "."))
	if !validDomain(d) {
		v.Add("value", fmt.Sprintf("%q is not a valid domain", s))
	}
	return KindDomain, d
}

// parsePrefix reads an IP (as a single-address network) or a CIDR, masked.
func parsePrefix(s string) (netip.Prefix, error) {
	if a, err := netip.ParseAddr(s); err == nil {
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return p, err
	}
	if p.Addr().Is4In6() {
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return p.Masked(), nil
}

func validDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(labels) < 2 || len(d) > 253 || strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return false // a numeric top-level label is a mistyped IP address, not a domain
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, c := range l {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// Remove deletes an entry of the tenant (another tenant's is not found).
func (s *Service) Remove(ctx context.Context, actor model.Actor, tenantID, id string) error {
	tid, err := tenantFor(actor, tenantID)
	if err != nil {
		return err
	}
	es, err := s.query(ctx, `SELECT `+entryCols+` FROM email_allowlist a JOIN users u ON u.id = a.user_id
		WHERE a.tenant_id = $1 AND a.id = $2`, tid, id)
	if err != nil {
		return err
	}
	if len(es) == 0 {
		return model.ErrNotFound
	}
	if _, err := s.st.DB().ExecContext(ctx, `DELETE FROM email_allowlist WHERE tenant_id = $1 AND id = $2`, tid, id); err != nil {
		return fmt.Errorf("senders: remove: %w", err)
	}
	s.au.Record(ctx, actor, ActionAllowlistRemoved, "email_allowlist", id,
		fmt.Sprintf("%s %s", es[0].Kind, es[0].Value), tid)
	return nil
}

// Match returns the entries, of every active tenant and for active users
// only, that match an SMTP client: its IP, and the envelope sender
// (address, then domain). Most specific first: address, domain, network.
func (s *Service) Match(ctx context.Context, ip net.IP, sender string) ([]Entry, error) {
	sender = strings.ToLower(strings.TrimSpace(sender))
	_, domain, _ := strings.Cut(sender, "@")
	all, err := s.query(ctx, `SELECT `+entryCols+` FROM email_allowlist a
		JOIN users u ON u.id = a.user_id AND u.tenant_id = a.tenant_id
		JOIN tenants t ON t.id = a.tenant_id
		WHERE u.status = 'active' AND t.status = 'active'
		  AND ((a.kind = 'address' AND a.value = $1) OR (a.kind = 'domain' AND a.value = $2) OR a.kind = 'network')
		ORDER BY CASE a.kind WHEN 'address' THEN 0 WHEN 'domain' THEN 1 ELSE 2 END, a.created_at`, sender, domain)
	if err != nil {
		return nil, err
	}
	addr, ok := netip.AddrFromSlice(ip)
	addr = addr.Unmap()
	out := all[:0]
	for _, e := range all {
		if e.Kind != KindNetwork {
			out = append(out, e)
			continue
		}
		if p, err := netip.ParsePrefix(e.Value); err == nil && ok && p.Contains(addr) {
			out = append(out, e)
		}
	}
	return out, nil
}
