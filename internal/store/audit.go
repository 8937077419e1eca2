package store

import (
	"context"
	"strings"
	"time"

	"faxgate/internal/model"
)

// AuditFilter narrows ListAuditEvents. Zero fields do not filter.
type AuditFilter struct {
	From, To time.Time // From <= At < To
	UserID   string    // the actor
	// Action matches exactly, and also its dotted sub-actions: "auth" matches
	// "auth.login" and "auth.logout"; a trailing "*" is a plain prefix match
	// ("auth.login*" matches "auth.login" and "auth.login_failed").
	Action   string
	TenantID string // only meaningful in the platform scope
	// Query is a case-insensitive substring of the detail, the actor's
	// email, the target id or the address.
	Query string
}

const auditCols = `id, at, tenant_id, actor_id, actor_email, ip, action, target_type, target_id, detail`

func scanAudit(r rowScanner) (model.AuditEvent, error) {
	var e model.AuditEvent
	err := r.Scan(&e.ID, scanTime(&e.At), &e.TenantID, &e.ActorID, &e.ActorEmail, &e.IP, &e.Action,
		&e.TargetType, &e.TargetID, &e.Detail)
	return e, err
}

// InsertAuditEvent stores e, setting ID and, when zero, At.
func (s *Store) InsertAuditEvent(ctx context.Context, e *model.AuditEvent) error {
	n := *e
	n.ID = model.NewID(model.PrefixAudit)
	n.At = norm(n.At)
	if n.At.IsZero() {
		n.At = now()
	}
	_, err := s.wdb.ExecContext(ctx, `INSERT INTO audit_events (`+auditCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		n.ID, s.tv(n.At), n.TenantID, n.ActorID, n.ActorEmail, n.IP, n.Action, n.TargetType, n.TargetID, n.Detail)
	if err != nil {
		return s.mapErr(err)
	}
	*e = n
	return nil
}

// ListAuditEvents lists the scope's events newest first. Platform-level
// events (TenantID "") are visible only in the platform scope.
func (s *Store) ListAuditEvents(ctx context.Context, scope model.Scope, f AuditFilter, o model.ListOptions) ([]model.AuditEvent, string, error) {
	p := page[model.AuditEvent]{
		base:    `SELECT ` + auditCols + ` FROM audit_events`,
		timeCol: "at", idCol: "id",
		scan: scanAudit,
		key:  func(e model.AuditEvent) cursor { return cursor{e.At, e.ID} },
	}
	if err := p.w.scoped(scope, "tenant_id"); err != nil {
		return nil, "", err
	}
	if f.TenantID != "" {
		p.w.add("tenant_id = ?", f.TenantID)
	}
	if !f.From.IsZero() {
		p.w.add("at >= ?", s.tv(f.From))
	}
	if !f.To.IsZero() {
		p.w.add("at < ?", s.tv(f.To))
	}
	if f.UserID != "" {
		p.w.add("actor_id = ?", f.UserID)
	}
	if prefix, ok := strings.CutSuffix(f.Action, "*"); ok {
		p.w.add(`action LIKE ? ESCAPE '\'`, prefixPattern(prefix))
	} else if f.Action != "" {
		p.w.add(`action = ? OR action LIKE ? ESCAPE '\'`, f.Action, prefixPattern(f.Action+"."))
	}
	if f.Query != "" {
		pat := likePattern(f.Query)
		p.w.add(`lower(detail) LIKE ? ESCAPE '\' OR lower(actor_email) LIKE ? ESCAPE '\' OR lower(target_id) LIKE ? ESCAPE '\'
			OR lower(ip) LIKE ? ESCAPE '\'`, pat, pat, pat, pat)
	}
	return p.run(ctx, s, o)
}
