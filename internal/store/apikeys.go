package store

import (
	"context"
	"errors"
	"time"

	"faxgate/internal/model"
)

const apiKeyCols = `id, user_id, tenant_id, name, prefix, hash, created_at, last_used_at, revoked_at`

func scanAPIKey(r rowScanner) (model.APIKey, error) {
	var k model.APIKey
	err := r.Scan(&k.ID, &k.UserID, &k.TenantID, &k.Name, &k.Prefix, &k.Hash,
		scanTime(&k.CreatedAt), scanTime(&k.LastUsedAt), scanTime(&k.RevokedAt))
	return k, err
}

// CreateAPIKey stores a key (Hash is the SHA-256 of the secret), setting ID
// and CreatedAt. An unknown user is ErrNotFound.
func (s *Store) CreateAPIKey(ctx context.Context, k *model.APIKey) error {
	n := *k
	n.ID = model.NewID(model.PrefixAPIKey)
	n.CreatedAt = now()
	n.LastUsedAt = norm(n.LastUsedAt)
	n.RevokedAt = norm(n.RevokedAt)
	_, err := s.wdb.ExecContext(ctx, `INSERT INTO api_keys (`+apiKeyCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		n.ID, n.UserID, n.TenantID, n.Name, n.Prefix, n.Hash,
		s.tv(n.CreatedAt), s.tv(n.LastUsedAt), s.tv(n.RevokedAt))
	if err != nil {
		err = s.mapErr(err)
		if errors.Is(err, errForeignKey) {
			return model.ErrNotFound
		}
		return err
	}
	*k = n
	return nil
}

// ListAPIKeys lists the user's keys (revoked ones included) newest first,
// within the scope.
func (s *Store) ListAPIKeys(ctx context.Context, scope model.Scope, userID string) ([]model.APIKey, error) {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return nil, err
	}
	w.add("user_id = ?", userID)
	return queryList(ctx, s, `SELECT `+apiKeyCols+` FROM api_keys`+w.sql()+` ORDER BY created_at DESC, id DESC`,
		w.args, scanAPIKey)
}

// GetAPIKeyByHash finds a key by the hash of its secret (revoked or not),
// or ErrNotFound. Only authentication uses it.
func (s *Store) GetAPIKeyByHash(ctx context.Context, hash string) (model.APIKey, error) {
	row := s.rdb.QueryRowContext(ctx, `SELECT `+apiKeyCols+` FROM api_keys WHERE hash = $1`, hash)
	k, err := scanAPIKey(row)
	return k, s.mapErr(err)
}

// RevokeAPIKey revokes key id of userID within the scope; ErrNotFound if the
// key is not that user's. Revoking twice keeps the first time.
func (s *Store) RevokeAPIKey(ctx context.Context, scope model.Scope, userID, id string, at time.Time) error {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return err
	}
	w.add("id = ? AND user_id = ?", id, userID)
	cond := w.sql()
	return s.execOne(ctx, `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, `+w.arg(s.tv(at))+`)`+cond, w.args...)
}

// TouchAPIKey records the key's last use.
func (s *Store) TouchAPIKey(ctx context.Context, id string, at time.Time) error {
	return s.execOne(ctx, `UPDATE api_keys SET last_used_at = $1 WHERE id = $2`, s.tv(at), id)
}
