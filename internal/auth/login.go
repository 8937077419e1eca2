package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"faxgate/internal/model"
)

// Longest login name accepted; longer ones cannot exist (emails are ≤ 254).
const maxLoginLen = 320

// LoginInput is a portal login attempt.
type LoginInput struct {
	Login     string // email or api username
	Password  string
	IP        string
	UserAgent string
}

// LoginResult is a successful password check. Token goes to the browser
// (cookie); when NeedTOTP the session is MFA-pending until VerifyTOTP.
type LoginResult struct {
	Token    string
	Session  model.Session
	User     model.User
	NeedTOTP bool
}

// Login checks the credentials and opens a session. Errors:
// model.ErrBadCredentials (also for unknown logins, after the same work),
// *model.ThrottledError (too many failures: the password is not even
// checked), model.ErrDisabled, model.ErrSuspended. Users with TOTP get an
// MFA-pending session and NeedTOTP.
func (s *Service) Login(ctx context.Context, in LoginInput) (LoginResult, error) {
	u, err := s.checkCredentials(ctx, in.Login, in.Password, in.IP, "portal login")
	if err != nil {
		return LoginResult{}, err
	}
	token, ses, err := s.newSession(ctx, u, in.IP, in.UserAgent)
	if err != nil {
		return LoginResult{}, err
	}
	if !ses.MFAPending {
		s.loggedIn(ctx, u, in.IP, ses.ID, "portal login")
	}
	return LoginResult{Token: token, Session: ses, User: u, NeedTOTP: ses.MFAPending}, nil
}

// AuthenticateBasic checks HTTP Basic credentials (login = api username or
// email) for an API request, throttled and audited (failures only) like
// Login. Users with TOTP enabled must use an API key: Basic would bypass
// their second factor (model.ErrMFARequired).
//
// Successful checks are remembered for Config.BasicCacheTTL (basicCache),
// so repeated requests skip the argon2id hash but not the throttling locks
// or the account checks.
func (s *Service) AuthenticateBasic(ctx context.Context, login, password, ip string) (model.Actor, error) {
	var (
		u   model.User
		hit bool
		err error
		d   [32]byte
	)
	if s.basic != nil && password != "" && len(password) <= 4*MaxPasswordLen && len(login) <= maxLoginLen {
		d = s.basic.digest(login, password)
		if u, hit, err = s.basicFromCache(ctx, d, login, ip); err != nil {
			return model.Actor{}, err
		}
	}
	if !hit {
		if u, err = s.checkCredentials(ctx, login, password, ip, "API basic auth"); err != nil {
			return model.Actor{}, err
		}
		if s.basic != nil && d != ([32]byte{}) && !u.TOTPEnabled {
			s.basic.put(d, u, s.now())
		}
	}
	if u.TOTPEnabled {
		return model.Actor{}, fmt.Errorf("%w: accounts with two-factor authentication must use an API key", model.ErrMFARequired)
	}
	return actorFor(u, "basic", ip, ""), nil
}

// checkCredentials is the shared password check of Login and
// AuthenticateBasic: locks first, then the hash (a dummy one for unknown
// logins), then the account state. what names the channel in the audit log.
func (s *Service) checkCredentials(ctx context.Context, login, password, ip, what string) (model.User, error) {
	login = strings.TrimSpace(login)
	if login == "" || len(login) > maxLoginLen || password == "" || len(password) > 4*MaxPasswordLen {
		s.loginFailed(ctx, login, ip, nil, what+": empty or oversized credentials")
		return model.User{}, model.ErrBadCredentials
	}
	u, err := s.st.GetUserByLogin(ctx, login)
	found := err == nil
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return model.User{}, fmt.Errorf("auth: look up login: %w", err)
	}
	var known *model.User
	if found {
		known = &u
	}
	ls := s.limiters(login, known, ip)
	if err := s.checkLocks(ctx, ls); err != nil {
		s.loginFailed(ctx, login, ip, known, what+": refused, too many failed attempts")
		return model.User{}, err
	}
	ok, err := s.verify(ctx, known, password)
	if err != nil {
		return model.User{}, err
	}
	if !ok {
		return model.User{}, s.badPassword(ctx, login, ip, known, ls, what)
	}
	if err := s.usable(ctx, u); err != nil {
		s.loginFailed(ctx, login, ip, known, what+": "+err.Error())
		return model.User{}, err
	}
	s.succeed(ctx, ls)
	s.rehash(ctx, u, password)
	return u, nil
}

// verify checks password against u's hash, or against a dummy hash when u
// is nil so unknown logins take as long as wrong passwords.
func (s *Service) verify(ctx context.Context, u *model.User, password string) (bool, error) {
	if u == nil {
		s.dummyOnce.Do(func() {
			s.dummyHash, _ = s.hasher.Hash(context.Background(), "faxgate dummy password")
		})
		_, err := s.hasher.Verify(ctx, s.dummyHash, password)
		if err != nil && ctx.Err() != nil {
			return false, ctx.Err()
		}
		return false, nil
	}
	ok, err := s.hasher.Verify(ctx, u.PasswordHash, password)
	if errors.Is(err, ErrBadHash) {
		s.logger.Error("stored password hash unusable", "user", u.ID, "err", err)
		return false, nil
	}
	return ok, err
}

// badPassword counts, audits and slows down a failed password check.
func (s *Service) badPassword(ctx context.Context, login, ip string, u *model.User, ls []limiter, what string) error {
	n, err := s.fail(ctx, ls)
	if err != nil {
		s.logger.Error("count login failure", "err", err)
	}
	reason := "wrong password"
	if u == nil {
		reason = "unknown login"
	}
	s.loginFailed(ctx, login, ip, u, what+": "+reason)
	s.slowDown(ctx, n)
	return model.ErrBadCredentials
}

// rehash stores a fresh hash when the stored one has outdated parameters.
func (s *Service) rehash(ctx context.Context, u model.User, password string) {
	if !s.hasher.NeedsRehash(u.PasswordHash) {
		return
	}
	h, err := s.hasher.Hash(ctx, password)
	if err == nil {
		err = s.st.SetUserPassword(ctx, userScope(u), u.ID, h)
	}
	if err != nil {
		s.logger.Warn("rehash password", "user", u.ID, "err", err)
	}
}

// loginFailed audits a failed attempt with the login name tried. The actor
// is anonymous: whoever typed it is not known to be the user.
func (s *Service) loginFailed(ctx context.Context, login, ip string, u *model.User, detail string) {
	tenant, targetID := "", ""
	if u != nil {
		tenant, targetID = u.TenantID, u.ID
	}
	actor := model.Actor{Email: login, IP: ip}
	s.au.Record(ctx, actor, model.ActionLoginFailed, "user", targetID, detail, tenant)
}

// loggedIn records a completed portal login.
func (s *Service) loggedIn(ctx context.Context, u model.User, ip, sessionID, detail string) {
	if err := s.st.SetUserLastLogin(ctx, u.ID, s.now().UTC()); err != nil {
		s.logger.Warn("set last login", "user", u.ID, "err", err)
	}
	s.au.Record(ctx, actorFor(u, "session", ip, sessionID), model.ActionLoginSucceeded, "user", u.ID, detail, u.TenantID)
}
