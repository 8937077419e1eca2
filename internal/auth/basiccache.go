package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"faxgate/internal/model"
)

// HTTP Basic sends the password with every API request, and checking it
// costs a full argon2id hash (64 MiB, tens of milliseconds). basicCache
// remembers successful checks for a short while so a script polling the
// API pays that once per TTL, not per request.
//
//   - The key is HMAC-SHA256(per-process random key, login NUL password):
//     the credential itself is never stored, and the digest is useless
//     outside this process.
//   - Only successes are stored. A wrong password is never a hit (its
//     digest differs), so it always goes through the full, throttled check.
//   - An entry remembers the user id and the password hash (PHC string) it
//     was verified against. A hit still reads the user row (it is needed
//     anyway for account and tenant state) and is only honoured while the
//     stored hash is the same string: a password change or reset on any
//     node gets a new random salt, so it invalidates the entry at once
//     everywhere, without a version column or cross-node messages. The TTL
//     (default 60 s) only bounds how long a digest lives in memory.
//   - A hit still checks the throttling locks and the account state, so a
//     locked account, a disabled user or a suspended tenant is refused
//     exactly as without the cache.
//   - At most basicCacheMax entries; when full, expired entries are swept and
//     then arbitrary ones dropped.
type basicCache struct {
	key [32]byte
	ttl time.Duration

	mu sync.Mutex
	m  map[[32]byte]basicEntry
}

type basicEntry struct {
	userID  string
	pwHash  string // the PasswordHash the credential was verified against
	expires time.Time
}

const basicCacheMax = 4096

func newBasicCache(ttl time.Duration) *basicCache {
	if ttl <= 0 {
		return nil
	}
	c := &basicCache{ttl: ttl, m: make(map[[32]byte]basicEntry)}
	if _, err := rand.Read(c.key[:]); err != nil {
		return nil // no randomness: run without the cache
	}
	return c
}

// digest is the cache key of a credential.
func (c *basicCache) digest(login, password string) [32]byte {
	h := hmac.New(sha256.New, c.key[:])
	h.Write([]byte(strings.ToLower(strings.TrimSpace(login))))
	h.Write([]byte{0})
	h.Write([]byte(password))
	var d [32]byte
	h.Sum(d[:0])
	return d
}

func (c *basicCache) get(d [32]byte, now time.Time) (basicEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[d]
	if ok && !now.Before(e.expires) {
		delete(c.m, d)
		return basicEntry{}, false
	}
	return e, ok
}

func (c *basicCache) put(d [32]byte, u model.User, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= basicCacheMax {
		for k, e := range c.m {
			if !now.Before(e.expires) {
				delete(c.m, k)
			}
		}
		for k := range c.m {
			if len(c.m) < basicCacheMax {
				break
			}
			delete(c.m, k)
		}
	}
	c.m[d] = basicEntry{userID: u.ID, pwHash: u.PasswordHash, expires: now.Add(c.ttl)}
}

func (c *basicCache) drop(d [32]byte) {
	c.mu.Lock()
	delete(c.m, d)
	c.mu.Unlock()
}

// forgetUser drops every entry of user id (password changed, reset or
// account disabled on this node; other nodes notice the new hash).
func (c *basicCache) forgetUser(id string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.m {
		if e.userID == id {
			delete(c.m, k)
		}
	}
}

// len is the number of entries (tests).
func (c *basicCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// basicFromCache answers a Basic check from the cache when it holds a
// success for exactly this credential and the user's stored hash has not
// changed since. ok=false means "do the full check".
func (s *Service) basicFromCache(ctx context.Context, d [32]byte, login, ip string) (model.User, bool, error) {
	e, hit := s.basic.get(d, s.now())
	if !hit {
		return model.User{}, false, nil
	}
	login = strings.TrimSpace(login)
	u, err := s.st.GetUserByLogin(ctx, login)
	if errors.Is(err, model.ErrNotFound) || (err == nil && (u.ID != e.userID || u.PasswordHash != e.pwHash)) {
		s.basic.drop(d)
		return model.User{}, false, nil
	}
	if err != nil {
		return model.User{}, false, fmt.Errorf("auth: look up login: %w", err)
	}
	ls := s.limiters(login, &u, ip)
	present, err := s.lockState(ctx, ls)
	if err != nil {
		s.loginFailed(ctx, login, ip, &u, "API basic auth: refused, too many failed attempts")
		return model.User{}, false, err
	}
	if err := s.usable(ctx, u); err != nil {
		s.basic.drop(d)
		s.loginFailed(ctx, login, ip, &u, "API basic auth: "+err.Error())
		return model.User{}, false, err
	}
	// Clear the account counters only when there are some: a hit writes
	// nothing in the usual case.
	s.succeed(ctx, present)
	return u, true, nil
}
