package ui

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

const flashCookie = "faxgate_flash"

// flash is a one-time message shown on the next page (after a redirect).
type flash struct {
	Kind string `json:"k"` // "success" or "error"
	Text string `json:"t"`
}

// FlashKeySource loads the flash-cookie key, e.g. from the database every
// node shares, so a flash set by one node shows on another. It is called on
// first use (the database may not be migrated when the Handler is built)
// and again after a failure.
type FlashKeySource func(context.Context) ([]byte, error)

// flashCodec stores flashes in a short-lived cookie signed with HMAC-SHA256,
// so nobody can plant messages (e.g. a sibling subdomain tossing cookies).
// The key is key, or else the one src loads.
type flashCodec struct {
	key []byte
	src *flashKeyLoader
}

// newFlashCodec uses key when given, else src, else a random key (flashes
// then stay on the node that set them).
func newFlashCodec(key []byte, src FlashKeySource, log *slog.Logger) (flashCodec, error) {
	switch {
	case len(key) > 0:
		return flashCodec{key: key}, nil
	case src != nil:
		return flashCodec{src: &flashKeyLoader{load: src, log: log}}, nil
	}
	key = make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return flashCodec{}, err
	}
	return flashCodec{key: key}, nil
}

// flashKeyLoader keeps the key a FlashKeySource gave once it succeeded.
type flashKeyLoader struct {
	load FlashKeySource
	log  *slog.Logger
	mu   sync.Mutex
	key  []byte
}

func (l *flashKeyLoader) get() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.key == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		k, err := l.load(ctx)
		if err != nil || len(k) == 0 {
			l.log.Warn("flash messages: cannot load the cookie key; messages are dropped", "err", err)
			return nil
		}
		l.key = k
	}
	return l.key
}

// signingKey is the key, nil when it cannot be had (flashes are dropped).
func (c flashCodec) signingKey() []byte {
	if c.src != nil {
		return c.src.get()
	}
	return c.key
}

func (c flashCodec) sign(payload string) string {
	return signFlash(c.signingKey(), payload)
}

func signFlash(key []byte, payload string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(flashCookie + "|" + payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// encode returns the cookie value, "" when there is no key.
func (c flashCodec) encode(msgs []flash) string {
	key := c.signingKey()
	if key == nil {
		return ""
	}
	b, _ := json.Marshal(msgs) // a []flash of strings always marshals
	payload := base64.RawURLEncoding.EncodeToString(b)
	return payload + "." + signFlash(key, payload)
}

func (c flashCodec) decode(v string) []flash {
	key := c.signingKey()
	payload, sig, ok := strings.Cut(v, ".")
	if key == nil || !ok || !hmac.Equal([]byte(sig), []byte(signFlash(key, payload))) {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil
	}
	var msgs []flash
	if json.Unmarshal(b, &msgs) != nil {
		return nil
	}
	return msgs
}

// addFlash queues a message for the next page the browser loads.
func (h *Handler) addFlash(w http.ResponseWriter, r *http.Request, kind, text string) {
	msgs := h.pendingFlashes(r)
	msgs = append(msgs, flash{Kind: kind, Text: text})
	v := h.flashes.encode(msgs)
	if v == "" {
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: flashCookie, Value: v, Path: "/", MaxAge: 120,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode,
	})
}

func (h *Handler) success(w http.ResponseWriter, r *http.Request, text string) {
	h.addFlash(w, r, "success", text)
}

func (h *Handler) failure(w http.ResponseWriter, r *http.Request, text string) {
	h.addFlash(w, r, "error", text)
}

func (h *Handler) pendingFlashes(r *http.Request) []flash {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	return h.flashes.decode(c.Value)
}

// takeFlashes returns the queued messages and deletes the cookie.
func (h *Handler) takeFlashes(w http.ResponseWriter, r *http.Request) []flash {
	msgs := h.pendingFlashes(r)
	if _, err := r.Cookie(flashCookie); err == nil {
		http.SetCookie(w, &http.Cookie{
			Name: flashCookie, Value: "", Path: "/", MaxAge: -1,
			HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode,
		})
	}
	return msgs
}
