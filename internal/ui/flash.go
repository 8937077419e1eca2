package ui

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
)

const flashCookie = "faxgate_flash"

// flash is a one-time message shown on the next page (after a redirect).
type flash struct {
	Kind string `json:"k"` // "success" or "error"
	Text string `json:"t"`
}

// flashCodec stores flashes in a short-lived cookie signed with HMAC-SHA256,
// so nobody can plant messages (e.g. a sibling subdomain tossing cookies).
type flashCodec struct {
	key []byte
}

func (c flashCodec) sign(payload string) string {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte(flashCookie + "|" + payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (c flashCodec) encode(msgs []flash) string {
	b, _ := json.Marshal(msgs) // a []flash of strings always marshals
	payload := base64.RawURLEncoding.EncodeToString(b)
	return payload + "." + c.sign(payload)
}

func (c flashCodec) decode(v string) []flash {
	payload, sig, ok := strings.Cut(v, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(c.sign(payload))) {
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
	http.SetCookie(w, &http.Cookie{
		Name: flashCookie, Value: h.flashes.encode(msgs), Path: "/", MaxAge: 120,
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
