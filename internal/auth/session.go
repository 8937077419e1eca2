package auth

import (
	"context"
	"errors"
	"fmt"

	"faxgate/internal/model"
)

// Session tokens are 32 random bytes, base64url without padding.
const (
	sessionTokenBytes = 32
	sessionTokenLen   = 43
	maxUserAgent      = 300
)

// newSession stores a session for u and returns its token.
func (s *Service) newSession(ctx context.Context, u model.User, ip, userAgent string) (string, model.Session, error) {
	token, err := newSecret(sessionTokenBytes)
	if err != nil {
		return "", model.Session{}, err
	}
	now := s.now().UTC()
	if len(userAgent) > maxUserAgent {
		userAgent = userAgent[:maxUserAgent]
	}
	ses := model.Session{
		ID: tokenHash(token), UserID: u.ID, TenantID: u.TenantID, MFAPending: u.TOTPEnabled,
		IP: ip, UserAgent: userAgent, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.cfg.SessionAbsolute),
	}
	if err := s.st.CreateSession(ctx, &ses); err != nil {
		return "", model.Session{}, fmt.Errorf("auth: create session: %w", err)
	}
	return token, ses, nil
}

// session loads the live session of token: absent, malformed and expired
// (idle or absolute; expired rows are deleted) tokens are
// model.ErrUnauthenticated.
func (s *Service) session(ctx context.Context, token string) (model.Session, error) {
	if len(token) != sessionTokenLen {
		return model.Session{}, model.ErrUnauthenticated
	}
	ses, err := s.st.GetSession(ctx, tokenHash(token))
	if errors.Is(err, model.ErrNotFound) {
		return ses, model.ErrUnauthenticated
	}
	if err != nil {
		return ses, fmt.Errorf("auth: load session: %w", err)
	}
	now := s.now()
	expired := !now.Before(ses.ExpiresAt) || !now.Before(ses.LastSeenAt.Add(s.cfg.SessionIdle)) ||
		(ses.MFAPending && !now.Before(ses.CreatedAt.Add(s.cfg.MFAPendingTTL)))
	if expired {
		if err := s.st.DeleteSession(ctx, ses.ID); err != nil {
			s.logger.Warn("delete expired session", "err", err)
		}
		return ses, model.ErrUnauthenticated
	}
	return ses, nil
}

// Authenticate resolves a session cookie token to its Actor (Via "session",
// SessionID set). Errors: model.ErrUnauthenticated (absent or expired),
// model.ErrMFARequired (TOTP code still due), model.ErrDisabled and
// model.ErrSuspended (the account or tenant was switched off since login).
// The last-seen time is written at most once per Config.TouchEvery.
func (s *Service) Authenticate(ctx context.Context, token, ip string) (model.Actor, model.Session, error) {
	ses, err := s.session(ctx, token)
	if err != nil {
		return model.Actor{}, model.Session{}, err
	}
	if ses.MFAPending {
		return model.Actor{}, model.Session{}, model.ErrMFARequired
	}
	u, err := s.loadActive(ctx, ses.UserID)
	if err != nil {
		return model.Actor{}, model.Session{}, err
	}
	if now := s.now().UTC(); now.Sub(ses.LastSeenAt) >= s.cfg.TouchEvery {
		if err := s.st.TouchSession(ctx, ses.ID, now); err != nil {
			s.logger.Warn("touch session", "err", err)
		} else {
			ses.LastSeenAt = now
		}
	}
	return actorFor(u, "session", ip, ses.ID), ses, nil
}

// PendingSession returns the MFA-pending session of token and its user, for
// the TOTP page. A complete, expired or unknown session is
// model.ErrUnauthenticated.
func (s *Service) PendingSession(ctx context.Context, token string) (model.Session, model.User, error) {
	ses, err := s.session(ctx, token)
	if err != nil {
		return model.Session{}, model.User{}, err
	}
	if !ses.MFAPending {
		return model.Session{}, model.User{}, model.ErrUnauthenticated
	}
	u, err := s.loadActive(ctx, ses.UserID)
	if err != nil {
		return model.Session{}, model.User{}, err
	}
	return ses, u, nil
}

// VerifyTOTP completes an MFA-pending session with a TOTP code. It is
// throttled like a password (the same account and IP counters). A wrong or
// replayed code is ErrWrongCode (which is model.ErrBadCredentials).
func (s *Service) VerifyTOTP(ctx context.Context, token, code, ip string) error {
	ses, u, err := s.PendingSession(ctx, token)
	if err != nil {
		return err
	}
	ls := s.limiters(u.Email, nil, ip)
	if err := s.checkLocks(ctx, ls); err != nil {
		s.loginFailed(ctx, u.Email, ip, &u, "two-factor code: refused, too many failed attempts")
		return err
	}
	ok, err := s.checkCode(ctx, u, code)
	if err != nil {
		return err
	}
	if !ok {
		n, err := s.fail(ctx, ls)
		if err != nil {
			s.logger.Error("count login failure", "err", err)
		}
		s.loginFailed(ctx, u.Email, ip, &u, "portal login: wrong or reused two-factor code")
		s.slowDown(ctx, n)
		return ErrWrongCode
	}
	if err := s.st.ClearSessionMFA(ctx, ses.ID); err != nil {
		return fmt.Errorf("auth: complete session: %w", err)
	}
	s.succeed(ctx, ls)
	s.loggedIn(ctx, u, ip, ses.ID, "portal login with two-factor code")
	return nil
}

// Logout deletes the session of token, so the token is dead even if a copy
// survives. Unknown tokens are not an error. actor is who asked (may be the
// zero Actor for an MFA-pending session); it is audited.
func (s *Service) Logout(ctx context.Context, token string, actor model.Actor) error {
	ses, err := s.st.GetSession(ctx, tokenHash(token))
	if errors.Is(err, model.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("auth: load session: %w", err)
	}
	if err := s.st.DeleteSession(ctx, ses.ID); err != nil {
		return fmt.Errorf("auth: delete session: %w", err)
	}
	if actor.UserID == "" {
		if u, err := s.st.GetUser(ctx, model.PlatformScope(), ses.UserID); err == nil {
			actor = actorFor(u, "session", actor.IP, ses.ID)
		}
	}
	s.au.Record(ctx, actor, model.ActionLogout, "user", ses.UserID, "portal logout", ses.TenantID)
	return nil
}

// RevokeSessions ends every session of the actor except the current one
// ("log out everywhere else") and returns how many ended.
func (s *Service) RevokeSessions(ctx context.Context, actor model.Actor) (int, error) {
	if err := checkActor(actor); err != nil {
		return 0, err
	}
	n, err := s.st.DeleteUserSessions(ctx, actor.UserID, actor.SessionID)
	if err != nil {
		return 0, fmt.Errorf("auth: revoke sessions: %w", err)
	}
	if n > 0 {
		s.au.Record(ctx, actor, model.ActionLogout, "user", actor.UserID, fmt.Sprintf("ended %d other sessions", n), actor.TenantID)
	}
	return n, nil
}
