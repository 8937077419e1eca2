package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"faxgate/internal/store"
)

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
