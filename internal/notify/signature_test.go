package notify_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"faxgate/internal/notify"
)

// TestSignWebhookVector reproduces the Standard Webhooks reference test
// vector (standard-webhooks/standard-webhooks, libraries/go/webhook_test.go,
// TestWebhookSign): a signature that matches it is one every receiver
// library accepts.
func TestSignWebhookVector(t *testing.T) {
	const (
		secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
		msgID  = "msg_p5jXN8AQM9LWM0D4loKWxJek"
		want   = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	)
	body := []byte(`{"test": 2432232314}`)
	got, err := notify.SignWebhook(msgID, time.Unix(1614265330, 0), body, secret)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("SignWebhook = %q, want %q", got, want)
	}
	// The independent verifier of these tests agrees with the vector too.
	h := http.Header{}
	h.Set("webhook-id", msgID)
	h.Set("webhook-timestamp", "1614265330")
	h.Set("webhook-signature", want)
	if err := verifySignature(secret, h, body); err != nil {
		t.Errorf("test verifier rejects the reference vector: %v", err)
	}
	h.Set("webhook-signature", "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=")
	if verifySignature(secret, h, body) == nil {
		t.Error("test verifier accepts a wrong signature")
	}
}

func TestSignWebhookSeveralSecrets(t *testing.T) {
	a, b := notify.NewWebhookSecret(), notify.NewWebhookSecret()
	body := []byte(`{"type":"fax.delivered"}`)
	at := time.Unix(1700000000, 0)
	got, err := notify.SignWebhook("msg_1", at, body, a, b)
	if err != nil {
		t.Fatal(err)
	}
	sigs := strings.Fields(got)
	if len(sigs) != 2 {
		t.Fatalf("signature header %q, want two signatures", got)
	}
	for i, secret := range []string{a, b} {
		h := http.Header{}
		h.Set("webhook-id", "msg_1")
		h.Set("webhook-timestamp", "1700000000")
		h.Set("webhook-signature", sigs[i])
		if err := verifySignature(secret, h, body); err != nil {
			t.Errorf("signature %d: %v", i, err)
		}
		h.Set("webhook-timestamp", "1700000001") // the timestamp is signed
		if verifySignature(secret, h, body) == nil {
			t.Errorf("signature %d still verifies with another timestamp", i)
		}
	}
	if _, err := notify.SignWebhook("msg_1", at, body, "not-a-secret"); err == nil {
		t.Error("SignWebhook accepted a malformed secret")
	}
}

func TestNewWebhookSecret(t *testing.T) {
	seen := map[string]bool{}
	for range 20 {
		s := notify.NewWebhookSecret()
		raw, ok := strings.CutPrefix(s, "whsec_")
		key, err := base64.StdEncoding.DecodeString(raw)
		if !ok || err != nil || len(key) != 32 {
			t.Fatalf("secret %q: prefix %v, decode %v, %d bytes; want whsec_ + base64 of 32 bytes", s, ok, err, len(key))
		}
		if seen[s] {
			t.Fatalf("secret %q generated twice", s)
		}
		seen[s] = true
		if err := notify.CheckWebhookSecret(s); err != nil {
			t.Errorf("CheckWebhookSecret(new secret): %v", err)
		}
	}
}

func TestCheckWebhookSecret(t *testing.T) {
	b64 := func(n int) string { return base64.StdEncoding.EncodeToString(make([]byte, n)) }
	tests := []struct {
		secret string
		ok     bool
	}{
		{"whsec_" + b64(24), true},
		{"whsec_" + b64(64), true},
		{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", true},
		{"whsec_" + b64(23), false},
		{"whsec_" + b64(65), false},
		{b64(32), false},
		{"whsec_not base64!", false},
		{"", false},
	}
	for _, tc := range tests {
		if err := notify.CheckWebhookSecret(tc.secret); (err == nil) != tc.ok {
			t.Errorf("CheckWebhookSecret(%q) = %v, want ok %v", tc.secret, err, tc.ok)
		}
	}
}
