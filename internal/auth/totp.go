package auth

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"

	"faxgate/internal/model"
)

// TOTP parameters: RFC 6238 defaults every authenticator app understands.
// One step of clock skew is accepted either way.
const (
	totpPeriod = 30
	totpDigits = otp.DigitsSix
	totpSkew   = 1
	qrSize     = 256
)

// wrongCodeError is a wrong, expired or replayed TOTP code at login.
type wrongCodeError struct{}

func (wrongCodeError) Error() string { return "wrong or already used two-factor code" }
func (wrongCodeError) Unwrap() error { return model.ErrBadCredentials }

// ErrWrongCode is returned by VerifyTOTP for a bad code; errors.Is(err,
// model.ErrBadCredentials) holds.
var ErrWrongCode error = wrongCodeError{}

// TOTPEnrollment is what the profile page shows to enrol an authenticator:
// the base32 secret to type, the otpauth:// URL, and the URL as a QR PNG.
type TOTPEnrollment struct {
	Secret string
	URL    string
	QRPNG  []byte
}

// BeginTOTP creates a new secret for the actor and stores it disabled; it
// becomes active with ConfirmTOTP. Calling it again replaces an unconfirmed
// secret. When TOTP is already on it is a conflict.
func (s *Service) BeginTOTP(ctx context.Context, actor model.Actor) (TOTPEnrollment, error) {
	u, err := s.self(ctx, actor)
	if err != nil {
		return TOTPEnrollment{}, err
	}
	if u.TOTPEnabled {
		return TOTPEnrollment{}, fmt.Errorf("%w: two-factor authentication is already on; turn it off first", model.ErrConflict)
	}
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer: s.issuer(ctx, u), AccountName: u.Email, Period: totpPeriod, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return TOTPEnrollment{}, fmt.Errorf("auth: totp secret: %w", err)
	}
	img, err := key.Image(qrSize, qrSize)
	if err != nil {
		return TOTPEnrollment{}, fmt.Errorf("auth: totp qr: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return TOTPEnrollment{}, fmt.Errorf("auth: totp qr: %w", err)
	}
	if err := s.st.SetUserTOTP(ctx, userScope(u), u.ID, key.Secret(), false); err != nil {
		return TOTPEnrollment{}, fmt.Errorf("auth: store totp secret: %w", err)
	}
	return TOTPEnrollment{Secret: key.Secret(), URL: key.URL(), QRPNG: buf.Bytes()}, nil
}

// issuer names the service in the authenticator app: the tenant's company
// name when branded, else Config.Issuer.
func (s *Service) issuer(ctx context.Context, u model.User) string {
	if u.TenantID != "" {
		if b, err := s.st.GetBranding(ctx, u.TenantID); err == nil && strings.TrimSpace(b.CompanyName) != "" {
			return strings.TrimSpace(b.CompanyName)
		}
	}
	return s.cfg.Issuer
}

// ConfirmTOTP turns TOTP on after the user proves the authenticator works
// with a current code. A wrong code is a validation error on "code".
func (s *Service) ConfirmTOTP(ctx context.Context, actor model.Actor, code string) error {
	u, err := s.self(ctx, actor)
	if err != nil {
		return err
	}
	switch {
	case u.TOTPEnabled:
		return fmt.Errorf("%w: two-factor authentication is already on", model.ErrConflict)
	case u.TOTPSecret == "":
		return model.Invalid("code", "start the set-up first")
	}
	ls := s.limiters(u.Email, nil, actor.IP)
	if err := s.checkLocks(ctx, ls); err != nil {
		return err
	}
	ok, err := s.checkCode(ctx, u, code)
	if err != nil {
		return err
	}
	if !ok {
		n, err := s.fail(ctx, ls)
		if err != nil {
			s.logger.Error("count totp failure", "err", err)
		}
		s.slowDown(ctx, n)
		return model.Invalid("code", "wrong code: check the time on your device and try the next code")
	}
	if err := s.st.SetUserTOTP(ctx, userScope(u), u.ID, u.TOTPSecret, true); err != nil {
		return fmt.Errorf("auth: enable totp: %w", err)
	}
	s.au.Record(ctx, actor, model.ActionTOTPEnabled, "user", u.ID, "two-factor authentication turned on", u.TenantID)
	return nil
}

// DisableTOTP turns TOTP off (and forgets the secret) after checking the
// actor's password. A wrong password is a validation error on "password".
func (s *Service) DisableTOTP(ctx context.Context, actor model.Actor, password string) error {
	u, err := s.self(ctx, actor)
	if err != nil {
		return err
	}
	if err := s.checkPassword(ctx, u, actor.IP, password, "password"); err != nil {
		return err
	}
	return s.clearTOTP(ctx, actor, u, "two-factor authentication turned off")
}

// DisableUserTOTP turns TOTP off for another user who lost their
// authenticator: their tenant's admin or a platform admin may. Users of
// other tenants are model.ErrNotFound; plain users model.ErrForbidden.
func (s *Service) DisableUserTOTP(ctx context.Context, actor model.Actor, userID string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	if actor.Role == model.RoleUser {
		return model.ErrForbidden
	}
	u, err := s.st.GetUser(ctx, actor.Scope(), userID)
	if err != nil {
		return err
	}
	return s.clearTOTP(ctx, actor, u, "two-factor authentication turned off for "+u.Email)
}

func (s *Service) clearTOTP(ctx context.Context, actor model.Actor, u model.User, detail string) error {
	if !u.TOTPEnabled && u.TOTPSecret == "" {
		return nil
	}
	if err := s.st.SetUserTOTP(ctx, userScope(u), u.ID, "", false); err != nil {
		return fmt.Errorf("auth: disable totp: %w", err)
	}
	if err := s.st.DeleteLoginThrottle(ctx, totpKeyPrefix+u.ID); err != nil {
		s.logger.Warn("forget totp step", "user", u.ID, "err", err)
	}
	if u.TOTPEnabled {
		s.au.Record(ctx, actor, model.ActionTOTPDisabled, "user", u.ID, detail, u.TenantID)
	}
	return nil
}

// checkCode reports whether code is valid for u's secret now (±1 step) and
// newer than the last code accepted for u: a code is usable once, so one
// seen over a shoulder or replayed from a log is dead. The last accepted
// step is kept in login_throttles under "totp:<user id>" (WindowStart = the
// step's start), which every node shares.
func (s *Service) checkCode(ctx context.Context, u model.User, code string) (bool, error) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != totpDigits.Length() || strings.Trim(code, "0123456789") != "" || u.TOTPSecret == "" {
		return false, nil
	}
	step, ok, err := matchStep(u.TOTPSecret, code, s.now())
	if err != nil || !ok {
		return false, err
	}
	s.throttleMu.Lock()
	defer s.throttleMu.Unlock()
	key := totpKeyPrefix + u.ID
	last, err := s.st.GetLoginThrottle(ctx, key)
	if err != nil {
		return false, fmt.Errorf("auth: read totp step: %w", err)
	}
	stepStart := time.Unix(step*totpPeriod, 0).UTC()
	if last.Key != "" && !stepStart.After(last.WindowStart) {
		return false, nil
	}
	used := model.LoginThrottle{Key: key, WindowStart: stepStart, LockedUntil: stepStart.Add((totpSkew + 1) * totpPeriod * time.Second)}
	if err := s.st.PutLoginThrottle(ctx, used); err != nil {
		return false, fmt.Errorf("auth: write totp step: %w", err)
	}
	return true, nil
}

// matchStep finds the time step (now ±skew) whose code equals code,
// comparing in constant time and always computing every candidate.
func matchStep(secret, code string, now time.Time) (int64, bool, error) {
	cur := now.Unix() / totpPeriod
	var found int64
	hit := false
	for step := cur - totpSkew; step <= cur+totpSkew; step++ {
		want, err := hotp.GenerateCodeCustom(secret, uint64(step), hotp.ValidateOpts{Digits: totpDigits, Algorithm: otp.AlgorithmSHA1})
		if errors.Is(err, otp.ErrValidateSecretInvalidBase32) {
			return 0, false, errors.New("auth: stored totp secret is not base32")
		}
		if err != nil {
			return 0, false, err
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && !hit {
			found, hit = step, true
		}
	}
	return found, hit, nil
}
