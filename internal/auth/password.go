package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"faxgate/internal/model"
)

// Argon2Params are the argon2id cost parameters.
//
// DefaultArgon2Params follows RFC 9106 §4 and the OWASP password storage
// guidance for a server: 64 MiB of memory makes GPU/ASIC guessing expensive,
// two passes over it and two lanes keep one hash around 50-100 ms on a
// current core, which a login can afford and which bounds an attacker with
// a stolen database to a few guesses per second per core. Memory is what a
// login burst costs the server, so Hasher bounds how many hashes run at once.
// Tests use cheap parameters (a few KiB, one pass) through Config.Argon2.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8  // lanes
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultArgon2Params returns the production parameters (m=64 MiB, t=2, p=2,
// 16-byte salt, 32-byte hash).
func DefaultArgon2Params() Argon2Params {
	return Argon2Params{Memory: 64 * 1024, Time: 2, Threads: 2, SaltLen: 16, KeyLen: 32}
}

// Bounds accepted when parsing a stored hash: they stop a corrupted or
// hostile hash string from making verification allocate gigabytes.
const (
	maxMemory  = 1 << 20 // KiB = 1 GiB
	maxTime    = 64
	minKeyLen  = 16
	maxKeyLen  = 64
	minSaltLen = 8
	maxSaltLen = 64
)

// ErrBadHash says a stored password hash is not a PHC argon2id string we can
// verify.
var ErrBadHash = errors.New("auth: malformed password hash")

var b64 = base64.RawStdEncoding

func (p Argon2Params) valid() bool {
	return p.Memory >= 8*uint32(p.Threads) && p.Memory <= maxMemory && p.Time >= 1 && p.Time <= maxTime &&
		p.Threads >= 1 && p.SaltLen >= minSaltLen && p.SaltLen <= maxSaltLen &&
		p.KeyLen >= minKeyLen && p.KeyLen <= maxKeyLen
}

// HashPassword hashes pw with DefaultArgon2Params into a PHC string
// "$argon2id$v=19$m=65536,t=2,p=2$<salt>$<hash>" (unpadded standard base64).
func HashPassword(pw string) (string, error) { return HashPasswordWith(DefaultArgon2Params(), pw) }

// HashPasswordWith hashes pw with the given parameters.
func HashPasswordWith(p Argon2Params, pw string) (string, error) {
	if !p.valid() {
		return "", fmt.Errorf("auth: invalid argon2 parameters %+v", p)
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether pw matches the PHC hash, comparing in
// constant time. A malformed hash returns an error wrapping ErrBadHash.
func VerifyPassword(hash, pw string) (bool, error) {
	p, salt, key, err := parseHash(hash)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// NeedsRehash reports whether hash was made with parameters other than p
// (or cannot be parsed), so a successful login should store a fresh hash.
func NeedsRehash(hash string, p Argon2Params) bool {
	q, salt, key, err := parseHash(hash)
	if err != nil {
		return true
	}
	return q.Memory != p.Memory || q.Time != p.Time || q.Threads != p.Threads ||
		uint32(len(salt)) != p.SaltLen || uint32(len(key)) != p.KeyLen
}

func parseHash(hash string) (Argon2Params, []byte, []byte, error) {
	var p Argon2Params
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("%w: not an argon2id PHC string", ErrBadHash)
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, fmt.Errorf("%w: unsupported version %q", ErrBadHash, parts[2])
	}
	if err := parseParams(parts[3], &p); err != nil {
		return p, nil, nil, err
	}
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return p, nil, nil, fmt.Errorf("%w: bad base64", ErrBadHash)
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	if !p.valid() {
		return p, nil, nil, fmt.Errorf("%w: parameters out of range", ErrBadHash)
	}
	return p, salt, key, nil
}

// parseParams reads "m=65536,t=2,p=2" (exactly these keys, in this order).
func parseParams(s string, p *Argon2Params) error {
	fields := strings.Split(s, ",")
	if len(fields) != 3 {
		return fmt.Errorf("%w: bad parameters %q", ErrBadHash, s)
	}
	var vals [3]uint64
	for i, name := range []string{"m", "t", "p"} {
		v, ok := strings.CutPrefix(fields[i], name+"=")
		n, err := strconv.ParseUint(v, 10, 32)
		if !ok || err != nil {
			return fmt.Errorf("%w: bad parameter %q", ErrBadHash, fields[i])
		}
		vals[i] = n
	}
	if vals[2] > 255 {
		return fmt.Errorf("%w: bad parallelism", ErrBadHash)
	}
	p.Memory, p.Time, p.Threads = uint32(vals[0]), uint32(vals[1]), uint8(vals[2])
	return nil
}

// Password length bounds, in characters. The upper bound keeps hashing
// cheap to refuse for absurd inputs; passphrases fit easily.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 256
)

// ValidatePassword checks a new password's length; the error is a
// *model.ValidationError on field "password".
func ValidatePassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		return model.Invalid("password", "must be valid text")
	case n < MinPasswordLen:
		return model.Invalid("password", fmt.Sprintf("must be at least %d characters", MinPasswordLen))
	case n > MaxPasswordLen:
		return model.Invalid("password", fmt.Sprintf("must be at most %d characters", MaxPasswordLen))
	case strings.TrimSpace(pw) == "":
		return model.Invalid("password", "must not be only spaces")
	}
	return nil
}

// Hasher hashes and verifies passwords with fixed parameters, letting at
// most a few hashes run at once: each costs Params.Memory, so a login burst
// must queue rather than exhaust the server's memory.
type Hasher struct {
	params   Argon2Params
	sem      chan struct{}
	verifies atomic.Int64 // Verify calls (tests of the Basic cache)
}

// NewHasher returns a Hasher with p (zero value = DefaultArgon2Params) and a
// concurrency bound of GOMAXPROCS (at least 2).
func NewHasher(p Argon2Params) *Hasher {
	if p == (Argon2Params{}) {
		p = DefaultArgon2Params()
	}
	return &Hasher{params: p, sem: make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))}
}

// Params returns the parameters new hashes are made with.
func (h *Hasher) Params() Argon2Params { return h.params }

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.sem }

// Hash hashes pw.
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	return HashPasswordWith(h.params, pw)
}

// Verify reports whether pw matches hash.
func (h *Hasher) Verify(ctx context.Context, hash, pw string) (bool, error) {
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	h.verifies.Add(1)
	return VerifyPassword(hash, pw)
}

// NeedsRehash reports whether hash should be replaced by one with the
// Hasher's parameters.
func (h *Hasher) NeedsRehash(hash string) bool { return NeedsRehash(hash, h.params) }
