package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"

	"faxgate/internal/seal"
	"faxgate/internal/store"
)

// useSecretKey loads (or, on first start, creates) the key file that seals
// the secrets kept in the database, and hands it to the store.
func (a *App) useSecretKey() error {
	path := a.cfg.SecretKeyPath()
	k, created, err := seal.LoadOrCreate(path)
	if err != nil {
		return err
	}
	if created {
		a.log.Warn("secret key file created: back it up, and copy this same file to every node sharing the database "+
			"(--secret-key-file); without it the stored secrets cannot be read", "file", path)
	}
	a.store.UseSecretKey(k)
	return nil
}

// checkSecrets refuses a key other than the one the database's secrets were
// sealed with (first use records it), then seals values still in clear.
func (a *App) checkSecrets(ctx context.Context) error {
	err := a.store.CheckSecretKey(ctx)
	if errors.Is(err, store.ErrWrongSecretKey) {
		return fmt.Errorf("secret key: %s is not the key this database's secrets were encrypted with; "+
			"every node of one database needs the same key file: copy it from a node that works "+
			"(or restore the original) and point --secret-key-file at it", a.cfg.SecretKeyPath())
	}
	if err != nil {
		return fmt.Errorf("secret key check: %w", err)
	}
	n, err := a.store.SealClearSecrets(ctx)
	if err != nil {
		return fmt.Errorf("encrypt stored secrets: %w", err)
	}
	if n > 0 {
		a.log.Info("stored secrets encrypted with the secret key", "values", n)
	}
	return nil
}

// flashKey is the portal's flash-cookie key: made by the first node that
// needs it and kept in the database, so every node behind a load balancer
// reads the flashes the others set.
func (a *App) flashKey(ctx context.Context) ([]byte, error) {
	v, err := a.store.EnsureSecret(ctx, store.SecretFlashKey, func() (string, error) {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
		return base64.StdEncoding.EncodeToString(b), nil
	})
	if err != nil {
		return nil, fmt.Errorf("flash key: %w", err)
	}
	k, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(k) < 16 {
		return nil, fmt.Errorf("flash key: stored value is not a base64 key of 16+ bytes")
	}
	return k, nil
}
