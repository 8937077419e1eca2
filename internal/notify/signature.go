package notify

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// NewWebhookSecret returns a fresh signing secret: "whsec_" + standard
// base64 of 32 random bytes (the Standard Webhooks format).
func NewWebhookSecret() string {
	b := make([]byte, webhookSecretBytes)
	if _, err := rand.Read(b); err != nil {
		panic("notify: crypto/rand failed: " + err.Error()) // no entropy: nothing safe to do
	}
	return webhookSecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// webhookKey decodes a "whsec_" secret into the HMAC key.
func webhookKey(secret string) ([]byte, error) {
	raw, ok := strings.CutPrefix(secret, webhookSecretPrefix)
	if !ok {
		return nil, fmt.Errorf("must start with %q", webhookSecretPrefix)
	}
	key, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return nil, fmt.Errorf("must be %q followed by standard base64", webhookSecretPrefix)
	}
	if len(key) < minWebhookSecretBytes || len(key) > maxWebhookSecretBytes {
		return nil, fmt.Errorf("must encode %d to %d bytes (got %d)", minWebhookSecretBytes, maxWebhookSecretBytes, len(key))
	}
	return key, nil
}

// CheckWebhookSecret reports why secret is not a usable "whsec_" signing
// secret (24 to 64 bytes after decoding), or nil.
func CheckWebhookSecret(secret string) error {
	_, err := webhookKey(secret)
	return err
}

// SignWebhook returns the webhook-signature header value for a message:
// "v1,<base64 HMAC-SHA256(key, id.timestamp.body)>" for each secret,
// space-separated, in order.
func SignWebhook(msgID string, at time.Time, body []byte, secrets ...string) (string, error) {
	ts := strconv.FormatInt(at.Unix(), 10)
	sigs := make([]string, 0, len(secrets))
	for _, s := range secrets {
		key, err := webhookKey(s)
		if err != nil {
			return "", fmt.Errorf("notify: webhook secret %w", err)
		}
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(msgID))
		mac.Write([]byte{'.'})
		mac.Write([]byte(ts))
		mac.Write([]byte{'.'})
		mac.Write(body)
		sigs = append(sigs, "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	}
	return strings.Join(sigs, " "), nil
}
