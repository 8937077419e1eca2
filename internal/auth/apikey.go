package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"faxgate/internal/model"
)

// API keys are "fgk_" followed by 32 random bytes in unpadded base64url.
// The database keeps the hex SHA-256 of the whole key and, to recognise it
// in lists, its first 12 characters ("fgk_" + 8).
const (
	apiKeyPrefix    = "fgk_"
	apiKeyBytes     = 32
	apiKeyLen       = len(apiKeyPrefix) + 43
	apiKeyShownLen  = len(apiKeyPrefix) + 8
	maxKeyNameLen   = 100
	maxActiveAPIKey = 100
)

// CreateAPIKey creates a key for the actor itself (only owners create keys:
// a key acts as its owner, so nobody mints credentials for someone else).
// It returns the stored key and the raw key, which is shown once and never
// again.
func (s *Service) CreateAPIKey(ctx context.Context, actor model.Actor, name string) (model.APIKey, string, error) {
	u, err := s.self(ctx, actor)
	if err != nil {
		return model.APIKey{}, "", err
	}
	name = strings.TrimSpace(name)
	if err := validateKeyName(name); err != nil {
		return model.APIKey{}, "", err
	}
	keys, err := s.st.ListAPIKeys(ctx, actor.Scope(), u.ID)
	if err != nil {
		return model.APIKey{}, "", fmt.Errorf("auth: list api keys: %w", err)
	}
	if active(keys) >= maxActiveAPIKey {
		return model.APIKey{}, "", model.Invalid("name", fmt.Sprintf("you already have %d active keys; revoke unused ones first", maxActiveAPIKey))
	}
	secret, err := newSecret(apiKeyBytes)
	if err != nil {
		return model.APIKey{}, "", err
	}
	raw := apiKeyPrefix + secret
	k := model.APIKey{
		ID: model.NewID(model.PrefixAPIKey), UserID: u.ID, TenantID: u.TenantID, Name: name,
		Prefix: raw[:apiKeyShownLen], Hash: tokenHash(raw), CreatedAt: s.now().UTC(),
	}
	if err := s.st.CreateAPIKey(ctx, &k); err != nil {
		return model.APIKey{}, "", fmt.Errorf("auth: create api key: %w", err)
	}
	s.au.Record(ctx, actor, model.ActionAPIKeyCreated, "api_key", k.ID, fmt.Sprintf("%q (%s…)", k.Name, k.Prefix), u.TenantID)
	return k, raw, nil
}

func validateKeyName(name string) error {
	switch {
	case name == "":
		return model.Invalid("name", "is required")
	case utf8.RuneCountInString(name) > maxKeyNameLen:
		return model.Invalid("name", fmt.Sprintf("must be at most %d characters", maxKeyNameLen))
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return model.Invalid("name", "must not contain control characters")
	}
	return nil
}

func active(keys []model.APIKey) int {
	n := 0
	for _, k := range keys {
		if !k.Revoked() {
			n++
		}
	}
	return n
}

// ListAPIKeys lists the actor's own keys (revoked ones included), newest
// first as the store returns them.
func (s *Service) ListAPIKeys(ctx context.Context, actor model.Actor) ([]model.APIKey, error) {
	if err := checkActor(actor); err != nil {
		return nil, err
	}
	return s.st.ListAPIKeys(ctx, actor.Scope(), actor.UserID)
}

// RevokeAPIKey revokes one of the actor's own keys. Another user's key id is
// model.ErrNotFound; revoking an already revoked key is a no-op.
func (s *Service) RevokeAPIKey(ctx context.Context, actor model.Actor, id string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	return s.revoke(ctx, actor, actor.UserID, id)
}

// ListUserAPIKeys lists the keys of userID for someone who manages that
// user: the user itself, its tenant's admin, or a platform admin. Anyone
// else gets model.ErrNotFound.
func (s *Service) ListUserAPIKeys(ctx context.Context, actor model.Actor, userID string) ([]model.APIKey, error) {
	if err := s.canManageKeys(ctx, actor, userID); err != nil {
		return nil, err
	}
	return s.st.ListAPIKeys(ctx, actor.Scope(), userID)
}

// RevokeUserAPIKey revokes a key of userID: the owner, its tenant's admin (a
// tenant cleaning up after a leaving employee) or a platform admin may.
func (s *Service) RevokeUserAPIKey(ctx context.Context, actor model.Actor, userID, id string) error {
	if err := s.canManageKeys(ctx, actor, userID); err != nil {
		return err
	}
	return s.revoke(ctx, actor, userID, id)
}

func (s *Service) canManageKeys(ctx context.Context, actor model.Actor, userID string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	if actor.UserID == userID {
		return nil
	}
	if actor.Role == model.RoleUser {
		return model.ErrNotFound
	}
	_, err := s.st.GetUser(ctx, actor.Scope(), userID)
	return err
}

func (s *Service) revoke(ctx context.Context, actor model.Actor, userID, id string) error {
	keys, err := s.st.ListAPIKeys(ctx, actor.Scope(), userID)
	if err != nil {
		return fmt.Errorf("auth: list api keys: %w", err)
	}
	i := keyIndex(keys, id)
	if i < 0 {
		return model.ErrNotFound
	}
	k := keys[i]
	if k.Revoked() {
		return nil
	}
	if err := s.st.RevokeAPIKey(ctx, actor.Scope(), userID, id, s.now().UTC()); err != nil {
		return err
	}
	s.au.Record(ctx, actor, model.ActionAPIKeyRevoked, "api_key", k.ID, fmt.Sprintf("%q (%s…)", k.Name, k.Prefix), k.TenantID)
	return nil
}

func keyIndex(keys []model.APIKey, id string) int {
	for i, k := range keys {
		if k.ID == id {
			return i
		}
	}
	return -1
}

// AuthenticateAPIKey resolves a bearer key to its owner's Actor (Via
// "api_key"). Unknown, malformed and revoked keys are
// model.ErrUnauthenticated; a disabled owner or suspended tenant is
// model.ErrDisabled / model.ErrSuspended. The last-used time is written at
// most once per Config.TouchEvery.
func (s *Service) AuthenticateAPIKey(ctx context.Context, raw, ip string) (model.Actor, error) {
	if len(raw) != apiKeyLen || !strings.HasPrefix(raw, apiKeyPrefix) {
		return model.Actor{}, model.ErrUnauthenticated
	}
	k, err := s.st.GetAPIKeyByHash(ctx, tokenHash(raw))
	if errors.Is(err, model.ErrNotFound) {
		return model.Actor{}, model.ErrUnauthenticated
	}
	if err != nil {
		return model.Actor{}, fmt.Errorf("auth: load api key: %w", err)
	}
	if k.Revoked() {
		return model.Actor{}, fmt.Errorf("%w: API key revoked", model.ErrUnauthenticated)
	}
	u, err := s.loadActive(ctx, k.UserID)
	if err != nil {
		return model.Actor{}, err
	}
	if now := s.now().UTC(); now.Sub(k.LastUsedAt) >= s.cfg.TouchEvery {
		if err := s.st.TouchAPIKey(ctx, k.ID, now); err != nil {
			s.logger.Warn("touch api key", "key", k.ID, "err", err)
		}
	}
	return actorFor(u, "api_key", ip, ""), nil
}
