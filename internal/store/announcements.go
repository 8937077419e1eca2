package store

import (
	"context"
	"strconv"
	"time"

	"faxgate/internal/model"
)

const announcementCols = `id, tenant_id, message, level, starts_at, expires_at, created_by, created_at, updated_at`

func scanAnnouncement(r rowScanner) (model.Announcement, error) {
	var a model.Announcement
	err := r.Scan(&a.ID, scanStr(&a.TenantID), &a.Message, &a.Level, scanTime(&a.StartsAt), scanTime(&a.ExpiresAt),
		&a.CreatedBy, scanTime(&a.CreatedAt), scanTime(&a.UpdatedAt))
	return a, err
}

// InsertAnnouncement stores a (TenantID "" = platform-wide), setting ID,
// CreatedAt and UpdatedAt.
func (s *Store) InsertAnnouncement(ctx context.Context, a *model.Announcement) error {
	n := *a
	n.ID = model.NewID(model.PrefixAnnouncement)
	n.CreatedAt = now()
	n.UpdatedAt = n.CreatedAt
	n.StartsAt, n.ExpiresAt = norm(n.StartsAt), norm(n.ExpiresAt)
	_, err := s.wdb.ExecContext(ctx, `INSERT INTO announcements (`+announcementCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		n.ID, nullStr(n.TenantID), n.Message, n.Level, s.tv(n.StartsAt), s.tv(n.ExpiresAt), n.CreatedBy,
		s.tv(n.CreatedAt), s.tv(n.UpdatedAt))
	if err != nil {
		return s.mapErr(err)
	}
	*a = n
	return nil
}

// GetAnnouncement returns the announcement id in the scope: a tenant scope
// reaches its own announcements only (platform-wide ones are read through
// ActiveAnnouncements); the platform scope reaches all.
func (s *Store) GetAnnouncement(ctx context.Context, scope model.Scope, id string) (model.Announcement, error) {
	var w where
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return model.Announcement{}, err
	}
	w.add("id = ?", id)
	a, err := scanAnnouncement(s.rdb.QueryRowContext(ctx, `SELECT `+announcementCols+` FROM announcements`+w.sql(), w.args...))
	return a, s.mapErr(err)
}

// UpdateAnnouncement saves the message, level and times of a (in the
// scope), setting UpdatedAt.
func (s *Store) UpdateAnnouncement(ctx context.Context, scope model.Scope, a *model.Announcement) error {
	a.UpdatedAt = now()
	a.StartsAt, a.ExpiresAt = norm(a.StartsAt), norm(a.ExpiresAt)
	q, args, err := inScope(scope, `UPDATE announcements SET message = $1, level = $2, starts_at = $3,
		expires_at = $4, updated_at = $5 WHERE id = $6`,
		a.Message, a.Level, s.tv(a.StartsAt), s.tv(a.ExpiresAt), s.tv(a.UpdatedAt), a.ID)
	if err != nil {
		return err
	}
	return s.execOne(ctx, q, args...)
}

// DeleteAnnouncement removes the announcement id in the scope.
func (s *Store) DeleteAnnouncement(ctx context.Context, scope model.Scope, id string) error {
	q, args, err := inScope(scope, `DELETE FROM announcements WHERE id = $1`, id)
	if err != nil {
		return err
	}
	return s.execOne(ctx, q, args...)
}

// inScope appends the tenant condition of scope to a statement whose
// WHERE clause ends it, numbering its placeholder after args.
func inScope(scope model.Scope, q string, args ...any) (string, []any, error) {
	if !scope.Valid() {
		return "", nil, ErrInvalidScope
	}
	if scope.IsPlatform() {
		return q, args, nil
	}
	args = append(args, scope.TenantID())
	return q + " AND tenant_id = $" + strconv.Itoa(len(args)), args, nil
}

// AnnouncementFilter narrows ListAnnouncements.
type AnnouncementFilter struct {
	TenantID     string // platform scope only: one tenant's
	PlatformOnly bool   // platform scope only: the platform-wide ones
	Query        string // substring of the message (case-insensitive)
}

// ListAnnouncements lists the scope's announcements, newest first.
func (s *Store) ListAnnouncements(ctx context.Context, scope model.Scope, f AnnouncementFilter, o model.ListOptions) ([]model.Announcement, string, error) {
	p := page[model.Announcement]{base: `SELECT ` + announcementCols + ` FROM announcements`,
		timeCol: "created_at", idCol: "id", scan: scanAnnouncement,
		key: func(a model.Announcement) cursor { return cursor{a.CreatedAt, a.ID} }}
	if err := p.w.scoped(scope, "tenant_id"); err != nil {
		return nil, "", err
	}
	switch {
	case f.PlatformOnly:
		p.w.add("tenant_id IS NULL")
	case f.TenantID != "":
		p.w.add("tenant_id = ?", f.TenantID)
	}
	if f.Query != "" {
		p.w.add(`LOWER(message) LIKE ? ESCAPE '\'`, likePattern(f.Query))
	}
	return p.run(ctx, s, o)
}

// ActiveAnnouncements returns the announcements shown at t to the users of
// tenantID ("" : platform-wide ones only): platform-wide first, then the
// tenant's, newest first, at most limit.
func (s *Store) ActiveAnnouncements(ctx context.Context, tenantID string, at time.Time, limit int) ([]model.Announcement, error) {
	var w where
	if tenantID == "" {
		w.add("tenant_id IS NULL")
	} else {
		w.add("tenant_id IS NULL OR tenant_id = ?", tenantID)
	}
	w.add("starts_at <= ?", s.tv(at))
	w.add("expires_at IS NULL OR expires_at > ?", s.tv(at))
	q := `SELECT ` + announcementCols + ` FROM announcements` + w.sql() +
		` ORDER BY CASE WHEN tenant_id IS NULL THEN 0 ELSE 1 END, created_at DESC, id DESC LIMIT ` + w.arg(limit)
	return queryList(ctx, s, q, w.args, scanAnnouncement)
}
