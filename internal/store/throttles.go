package store

import (
	"context"
	"errors"
	"time"

	"faxgate/internal/model"
)

// GetLoginThrottle returns the throttle for key; an absent key gives the
// zero LoginThrottle and a nil error.
func (s *Store) GetLoginThrottle(ctx context.Context, key string) (model.LoginThrottle, error) {
	var t model.LoginThrottle
	err := s.rdb.QueryRowContext(ctx, `SELECT throttle_key, failures, window_start, locked_until
		FROM login_throttles WHERE throttle_key = $1`, key).Scan(
		&t.Key, &t.Failures, scanTime(&t.WindowStart), scanTime(&t.LockedUntil))
	if err = s.mapErr(err); errors.Is(err, model.ErrNotFound) {
		return model.LoginThrottle{}, nil
	}
	return t, err
}

// PutLoginThrottle creates or replaces the throttle for t.Key.
func (s *Store) PutLoginThrottle(ctx context.Context, t model.LoginThrottle) error {
	if t.Key == "" {
		return errors.New("store: login throttle needs a key")
	}
	window := t.WindowStart
	if window.IsZero() {
		window = now()
	}
	_, err := s.wdb.ExecContext(ctx, `INSERT INTO login_throttles (throttle_key, failures, window_start, locked_until)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (throttle_key) DO UPDATE SET failures = excluded.failures,
			window_start = excluded.window_start, locked_until = excluded.locked_until`,
		t.Key, t.Failures, s.tv(window), s.tv(t.LockedUntil))
	return s.mapErr(err)
}

// DeleteLoginThrottle forgets the throttle for key (absent is fine).
func (s *Store) DeleteLoginThrottle(ctx context.Context, key string) error {
	_, err := s.execCount(ctx, `DELETE FROM login_throttles WHERE throttle_key = $1`, key)
	return err
}

// DeleteStaleLoginThrottles deletes throttles whose window started before
// windowBefore and that are not locked at at; it returns how many went.
func (s *Store) DeleteStaleLoginThrottles(ctx context.Context, windowBefore, at time.Time) (int, error) {
	return s.execCount(ctx, `DELETE FROM login_throttles
		WHERE window_start < $1 AND (locked_until IS NULL OR locked_until <= $2)`,
		s.tv(windowBefore), s.tv(at))
}
