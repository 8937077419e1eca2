package store_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
)

func TestEnsureSecret(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			s := e.Open(t)
			ctx := t.Context()
			if _, err := s.GetSecret(ctx, store.SecretFlashKey); !errors.Is(err, model.ErrNotFound) {
				t.Fatalf("GetSecret before any = %v, want ErrNotFound", err)
			}
			// Concurrent first starts: each proposes its own value, all
			// must come back with the same stored one.
			const n = 8
			got := make([]string, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					v, err := s.EnsureSecret(ctx, store.SecretFlashKey, func() (string, error) {
						return fmt.Sprint("value-", i), nil
					})
					if err != nil {
						t.Errorf("EnsureSecret %d: %v", i, err)
					}
					got[i] = v
				})
			}
			wg.Wait()
			for _, v := range got {
				if v == "" || v != got[0] {
					t.Fatalf("EnsureSecret results differ: %q", got)
				}
			}
			again, err := s.EnsureSecret(ctx, store.SecretFlashKey, func() (string, error) {
				t.Fatal("gen called although the secret exists")
				return "", nil
			})
			if err != nil || again != got[0] {
				t.Fatalf("EnsureSecret later = %q, %v; want %q", again, err, got[0])
			}
			if v, err := s.GetSecret(ctx, store.SecretFlashKey); err != nil || v != got[0] {
				t.Fatalf("GetSecret = %q, %v", v, err)
			}
			if _, err := s.EnsureSecret(ctx, store.SecretKeyCheck, func() (string, error) { return "", nil }); err == nil {
				t.Fatal("empty secret stored")
			}
			if _, err := s.GetSecret(ctx, store.SecretKeyCheck); !errors.Is(err, model.ErrNotFound) {
				t.Fatalf("refused secret was stored: %v", err)
			}
		})
	}
}
