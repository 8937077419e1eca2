package store

import (
	"context"
	"errors"
	"time"

	"faxgate/internal/model"
)

const sessionCols = `id, user_id, tenant_id, mfa_pending, ip, user_agent, created_at, last_seen_at, expires_at`

// CreateSession stores a new portal session. ses.ID (the hex SHA-256 of the
// cookie token) is the caller's; CreatedAt and LastSeenAt default to now.
func (s *Store) CreateSession(ctx context.Context, ses *model.Session) error {
	n := *ses
	if n.ID == "" || n.UserID == "" {
		return errors.New("store: session needs an id and a user id")
	}
	n.CreatedAt = norm(n.CreatedAt)
	if n.CreatedAt.IsZero() {
		n.CreatedAt = now()
	}
	n.LastSeenAt = norm(n.LastSeenAt)
	if n.LastSeenAt.IsZero() {
		n.LastSeenAt = n.CreatedAt
	}
	n.ExpiresAt = norm(n.ExpiresAt)
	_, err := s.wdb.ExecContext(ctx, `INSERT INTO sessions (`+sessionCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		n.ID, n.UserID, n.TenantID, n.MFAPending, n.IP, n.UserAgent,
		s.tv(n.CreatedAt), s.tv(n.LastSeenAt), s.tv(n.ExpiresAt))
	if err != nil {
		err = s.mapErr(err)
		if errors.Is(err, errForeignKey) {
			return model.ErrNotFound // the user is gone
		}
		return err
	}
	*ses = n
	return nil
}

// GetSession returns the session by id (token hash), or ErrNotFound. It does
// not check expiry; the auth service does.
func (s *Store) GetSession(ctx context.Context, id string) (model.Session, error) {
	var ses model.Session
	err := s.rdb.QueryRowContext(ctx, `SELECT `+sessionCols+` FROM sessions WHERE id = $1`, id).Scan(
		&ses.ID, &ses.UserID, &ses.TenantID, &ses.MFAPending, &ses.IP, &ses.UserAgent,
		scanTime(&ses.CreatedAt), scanTime(&ses.LastSeenAt), scanTime(&ses.ExpiresAt))
	return ses, s.mapErr(err)
}

// TouchSession records activity at at (idle expiry counts from it).
func (s *Store) TouchSession(ctx context.Context, id string, at time.Time) error {
	return s.execOne(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE id = $2`, s.tv(at), id)
}

// ClearSessionMFA marks the session's second factor as done.
func (s *Store) ClearSessionMFA(ctx context.Context, id string) error {
	return s.execOne(ctx, `UPDATE sessions SET mfa_pending = $1 WHERE id = $2`, false, id)
}

// DeleteSession deletes the session; deleting a missing one is not an error
// (logging out twice is fine).
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	_, err := s.execCount(ctx, `DELETE FROM sessions WHERE id = $1`, id)
	return err
}

// DeleteUserSessions deletes the user's sessions except exceptID ("" = all)
// and returns how many went.
func (s *Store) DeleteUserSessions(ctx context.Context, userID, exceptID string) (int, error) {
	return s.execCount(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id <> $2`, userID, exceptID)
}

// DeleteExpiredSessions deletes sessions idle since before idleBefore or
// past their absolute expiry at at, and returns how many went.
func (s *Store) DeleteExpiredSessions(ctx context.Context, idleBefore, at time.Time) (int, error) {
	return s.execCount(ctx, `DELETE FROM sessions WHERE last_seen_at < $1 OR expires_at <= $2`,
		s.tv(idleBefore), s.tv(at))
}
