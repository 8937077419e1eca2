package auth

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"faxgate/internal/model"
)

// limiter is one throttling counter: a key in login_throttles and its limit.
type limiter struct {
	key string
	max int
}

// limiters returns the counters a login attempt of login (and, when known,
// user u) from ip counts against: the login name as typed, the user's email
// when the login was another name for it (so email and api username share a
// budget), and the client IP.
func (s *Service) limiters(login string, u *model.User, ip string) []limiter {
	login = strings.ToLower(strings.TrimSpace(login))
	ls := []limiter{{acctKeyPrefix + login, s.cfg.MaxFailures}}
	if u != nil && u.Email != "" && strings.ToLower(u.Email) != login {
		ls = append(ls, limiter{acctKeyPrefix + strings.ToLower(u.Email), s.cfg.MaxFailures})
	}
	if ip != "" {
		ls = append(ls, limiter{ipKeyPrefix + clientNet(ip), s.cfg.MaxIPFailures})
	}
	return ls
}

// clientNet is the unit the per-IP counter throttles: the address for IPv4,
// its /64 for IPv6 (one subscriber gets a whole /64 and could rotate
// through it to dodge a per-address limit).
func clientNet(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, err := a.WithZone("").Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}

// checkLocks returns a *model.ThrottledError when any counter is locked,
// with the longest remaining lock time.
func (s *Service) checkLocks(ctx context.Context, ls []limiter) error {
	_, err := s.lockState(ctx, ls)
	return err
}

// lockState is checkLocks that also returns the counters of ls that exist
// (so a success need not write when there is nothing to clear).
func (s *Service) lockState(ctx context.Context, ls []limiter) ([]limiter, error) {
	now := s.now()
	var wait time.Duration
	var present []limiter
	for _, l := range ls {
		t, err := s.st.GetLoginThrottle(ctx, l.key)
		if err != nil {
			return nil, fmt.Errorf("auth: read throttle: %w", err)
		}
		if t.Key != "" {
			present = append(present, l)
		}
		if d := t.LockedUntil.Sub(now); d > wait {
			wait = d
		}
	}
	if wait > 0 {
		return present, &model.ThrottledError{RetryAfter: wait}
	}
	return present, nil
}

// fail counts one failure on every counter, locking those that reach their
// limit, and returns the highest account failure count in the window.
func (s *Service) fail(ctx context.Context, ls []limiter) (int, error) {
	s.throttleMu.Lock()
	defer s.throttleMu.Unlock()
	now := s.now()
	worst := 0
	for _, l := range ls {
		t, err := s.st.GetLoginThrottle(ctx, l.key)
		if err != nil {
			return worst, fmt.Errorf("auth: read throttle: %w", err)
		}
		expired := now.Sub(t.WindowStart) >= s.cfg.Window || (!t.LockedUntil.IsZero() && !now.Before(t.LockedUntil))
		if t.Key == "" || expired {
			t = model.LoginThrottle{Key: l.key, WindowStart: now}
		}
		t.Failures++
		if t.Failures >= l.max {
			t.LockedUntil = now.Add(s.cfg.LockFor)
		}
		if err := s.st.PutLoginThrottle(ctx, t); err != nil {
			return worst, fmt.Errorf("auth: write throttle: %w", err)
		}
		if strings.HasPrefix(l.key, acctKeyPrefix) {
			worst = max(worst, t.Failures)
		}
	}
	return worst, nil
}

// succeed clears the account counters (not the IP one: one good password
// must not wipe a spray of failures against other accounts).
func (s *Service) succeed(ctx context.Context, ls []limiter) {
	for _, l := range ls {
		if !strings.HasPrefix(l.key, acctKeyPrefix) {
			continue
		}
		if err := s.st.DeleteLoginThrottle(ctx, l.key); err != nil {
			s.logger.Warn("clear login throttle", "key", l.key, "err", err)
		}
	}
}

// slowDown delays the answer to the n-th consecutive failure of an account
// by (n-1)×FailureDelay (at most 2 s): scripts guessing one after another
// get slower before the lock stops them.
func (s *Service) slowDown(ctx context.Context, failures int) {
	if s.cfg.FailureDelay <= 0 || failures < 2 {
		return
	}
	d := min(time.Duration(failures-1)*s.cfg.FailureDelay, maxDelay)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
