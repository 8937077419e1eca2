// Package seal encrypts the secrets faxgate keeps in its database (TOTP
// seeds, the SMTP relay password, webhook signing secrets, SIP trunk
// passwords) with AES-256-GCM under one key read from a file
// (--secret-key-file, default <data>/secret.key, created 0600 on first
// start).
//
// A sealed value is "enc:v1:" + base64(nonce ‖ ciphertext ‖ tag); the
// column it belongs to is bound as additional data, so a value copied into
// another column does not open. Values without the prefix are old clear
// values: Open returns them as they are and the store re-seals them.
//
// Every node on one database must use the same key file. CheckValue is a
// one-way fingerprint of the key that the store keeps in the database, so a
// node started with another key refuses to start instead of failing on
// every secret it reads.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Prefix marks a sealed value (version 1: AES-256-GCM, 12-byte nonce).
const Prefix = "enc:v1:"

// KeyLen is the key size in bytes (AES-256).
const KeyLen = 32

// ErrOpen says a sealed value did not decrypt: another key, or a damaged or
// moved value.
var ErrOpen = errors.New("seal: value does not decrypt with this key")

// Key seals and opens values. The zero Key is not usable; a nil *Key
// leaves values in clear (stores opened without a key, e.g. in tests).
type Key struct {
	aead  cipher.AEAD
	check string
}

// NewKey returns a Key for 32 bytes of key material.
func NewKey(k []byte) (*Key, error) {
	if len(k) != KeyLen {
		return nil, fmt.Errorf("seal: key must be %d bytes, got %d", KeyLen, len(k))
	}
	b, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(b)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, k)
	m.Write([]byte("faxgate secret key check v1"))
	return &Key{aead: aead, check: "v1:" + hex.EncodeToString(m.Sum(nil)[:16])}, nil
}

// LoadOrCreate reads the key file at path (base64 of 32 bytes, one line).
// When the file does not exist it is created with a new random key, mode
// 0600 (created reports it). Two processes creating it at once end with
// the one written first.
func LoadOrCreate(path string) (k *Key, created bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if created, err = create(path); err != nil {
			return nil, false, err
		}
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, false, fmt.Errorf("secret key file: %w", err)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(raw) != KeyLen {
		return nil, false, fmt.Errorf("secret key file %s: want the base64 of %d bytes on one line", path, KeyLen)
	}
	k, err = NewKey(raw)
	return k, created, err
}

func create(path string) (bool, error) {
	raw := make([]byte, KeyLen)
	if _, err := rand.Read(raw); err != nil {
		return false, fmt.Errorf("secret key: random: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return false, fmt.Errorf("secret key file: %w", err)
	}
	// Write a temporary file, then link it into place: the key file never
	// exists half written, and an existing one is never replaced.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".secret-key-*")
	if err != nil {
		return false, fmt.Errorf("secret key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(base64.StdEncoding.EncodeToString(raw) + "\n")
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return false, fmt.Errorf("secret key file: %w", err)
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
		return false, nil // another process was first
	} else if err != nil {
		return false, fmt.Errorf("secret key file: %w", err)
	}
	return true, nil
}

// CheckValue is a fingerprint of the key (HMAC-SHA256 of a fixed text,
// truncated); it reveals nothing about the key.
func (k *Key) CheckValue() string { return k.check }

// Seal encrypts v for the column named by context. "" stays "" (an unset
// secret); a nil Key returns v unchanged.
func (k *Key) Seal(context, v string) (string, error) {
	if k == nil || v == "" {
		return v, nil
	}
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(v)+k.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal: random: %w", err)
	}
	out := k.aead.Seal(nonce, nonce, []byte(v), []byte(context))
	return Prefix + base64.RawStdEncoding.EncodeToString(out), nil
}

// Open returns the clear value of a stored one: sealed values are
// decrypted (ErrOpen when they do not decrypt for context under k, or when
// k is nil), anything else is an old clear value and comes back as it is.
func (k *Key) Open(context, stored string) (string, error) {
	if !IsSealed(stored) {
		return stored, nil
	}
	if k == nil {
		return "", fmt.Errorf("%w: no secret key configured", ErrOpen)
	}
	b, err := base64.RawStdEncoding.DecodeString(stored[len(Prefix):])
	n := k.aead.NonceSize()
	if err != nil || len(b) < n+k.aead.Overhead() {
		return "", ErrOpen
	}
	p, err := k.aead.Open(nil, b[:n], b[n:], []byte(context))
	if err != nil {
		return "", ErrOpen
	}
	return string(p), nil
}

// IsSealed reports whether a stored value is sealed (of any version).
func IsSealed(stored string) bool { return strings.HasPrefix(stored, "enc:") }
