package store

import (
	"context"
	"errors"
	"fmt"

	"faxgate/internal/model"
)

// Names of rows in the secrets table (platform-wide values shared by every
// node on the database).
const (
	// SecretFlashKey signs the portal's flash-message cookie. It is sealed
	// with the secret key (column name "secrets.flash_key").
	SecretFlashKey = "flash_key"
	// SecretKeyCheck identifies the --secret-key-file key the encrypted
	// columns were written with. It stays clear: it is what tells the key.
	SecretKeyCheck = "secret_key_check"
)

const (
	maxSecretName = 64
	maxSecretLen  = 4096
)

// GetSecret returns the secret stored under name, model.ErrNotFound if
// there is none. It reads from the write pool, so a value just stored by
// EnsureSecret is always seen.
func (s *Store) GetSecret(ctx context.Context, name string) (string, error) {
	var v string
	if err := s.wdb.QueryRowContext(ctx, `SELECT value FROM secrets WHERE name = $1`, name).Scan(&v); err != nil {
		return "", s.mapErr(err)
	}
	if col := sealedSecretCol(name); col != "" {
		return s.openStr(col, v)
	}
	return v, nil
}

// sealedSecretCol is the sealing context of the secrets row name, "" for
// a row kept clear.
func sealedSecretCol(name string) string {
	if name == SecretFlashKey {
		return colFlashKey
	}
	return ""
}

// EnsureSecret returns the secret stored under name, storing gen's value
// first when there is none. Nodes starting at the same time may all call
// gen, but the first insert wins (INSERT ... ON CONFLICT DO NOTHING, then a
// read) and every caller gets that one value.
func (s *Store) EnsureSecret(ctx context.Context, name string, gen func() (string, error)) (string, error) {
	if name == "" || len(name) > maxSecretName {
		return "", fmt.Errorf("store: secret name %q: must be 1 to %d bytes", name, maxSecretName)
	}
	v, err := s.GetSecret(ctx, name)
	if !errors.Is(err, model.ErrNotFound) {
		return v, err
	}
	if v, err = gen(); err != nil {
		return "", fmt.Errorf("store: make secret %s: %w", name, err)
	}
	if v == "" || len(v) > maxSecretLen {
		return "", fmt.Errorf("store: secret %s: value must be 1 to %d bytes", name, maxSecretLen)
	}
	if col := sealedSecretCol(name); col != "" {
		if v, err = s.sealStr(col, v); err != nil {
			return "", err
		}
	}
	if _, err := s.wdb.ExecContext(ctx, `INSERT INTO secrets (name, value, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO NOTHING`, name, v, s.tv(now())); err != nil {
		return "", s.mapErr(err)
	}
	return s.GetSecret(ctx, name)
}
