package auth

import (
	"context"
	"fmt"

	"faxgate/internal/model"
)

// ChangePassword sets the actor's own password after checking the current
// one (throttled like a login, so a stolen session cannot guess it). All the
// user's other sessions end; the current one (Actor.SessionID) stays.
// A wrong current password is a *model.ValidationError on
// "current_password"; a bad new one on "password".
func (s *Service) ChangePassword(ctx context.Context, actor model.Actor, current, next string) error {
	u, err := s.self(ctx, actor)
	if err != nil {
		return err
	}
	if err := ValidatePassword(next); err != nil {
		return err
	}
	if err := s.checkPassword(ctx, u, actor.IP, current, "current_password"); err != nil {
		return err
	}
	if next == current {
		return model.Invalid("password", "must differ from the current password")
	}
	h, err := s.hasher.Hash(ctx, next)
	if err != nil {
		return err
	}
	if err := s.st.SetUserPassword(ctx, userScope(u), u.ID, h); err != nil {
		return fmt.Errorf("auth: set password: %w", err)
	}
	s.basic.forgetUser(u.ID) // other nodes notice the new hash (basicCache)
	n, err := s.st.DeleteUserSessions(ctx, u.ID, actor.SessionID)
	if err != nil {
		s.logger.Error("revoke sessions after password change", "user", u.ID, "err", err)
	}
	s.au.Record(ctx, actor, model.ActionPasswordChanged, "user", u.ID,
		fmt.Sprintf("own password changed; %d other sessions ended", n), u.TenantID)
	return nil
}

// checkPassword re-authenticates a logged-in user for a sensitive change:
// locked accounts are refused, failures count towards the lock, and a wrong
// password is a validation error on field.
func (s *Service) checkPassword(ctx context.Context, u model.User, ip, password, field string) error {
	ls := s.limiters(u.Email, nil, ip)
	if err := s.checkLocks(ctx, ls); err != nil {
		return err
	}
	ok, err := s.verify(ctx, &u, password)
	if err != nil {
		return err
	}
	if !ok {
		n, err := s.fail(ctx, ls)
		if err != nil {
			s.logger.Error("count password failure", "err", err)
		}
		s.slowDown(ctx, n)
		return model.Invalid(field, "is not your current password")
	}
	s.succeed(ctx, ls)
	return nil
}
