package seal

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func testKey(t *testing.T, b byte) *Key {
	t.Helper()
	k, err := NewKey(bytes.Repeat([]byte{b}, KeyLen))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpen(t *testing.T) {
	k := testKey(t, 1)
	s, err := k.Seal("users.totp_secret", "JBSWY3DPEHPK3PXP")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s, Prefix) || strings.Contains(s, "JBSWY3DPEHPK3PXP") {
		t.Fatalf("sealed value %q", s)
	}
	if s2, _ := k.Seal("users.totp_secret", "JBSWY3DPEHPK3PXP"); s2 == s {
		t.Fatal("two seals of one value are equal (nonce reused)")
	}
	if v, err := k.Open("users.totp_secret", s); err != nil || v != "JBSWY3DPEHPK3PXP" {
		t.Fatalf("Open = %q, %v", v, err)
	}
	for name, try := range map[string]func() (string, error){
		"other key":    func() (string, error) { return testKey(t, 2).Open("users.totp_secret", s) },
		"other column": func() (string, error) { return k.Open("webhook.secret", s) },
		"no key":       func() (string, error) { return (*Key)(nil).Open("users.totp_secret", s) },
		"truncated":    func() (string, error) { return k.Open("users.totp_secret", s[:len(s)-4]) },
		"bad base64":   func() (string, error) { return k.Open("users.totp_secret", Prefix+"!!!") },
		"flipped bit": func() (string, error) {
			return k.Open("users.totp_secret", s[:len(Prefix)+3]+flip(s[len(Prefix)+3])+s[len(Prefix)+4:])
		},
		"empty payload": func() (string, error) { return k.Open("users.totp_secret", Prefix) },
	} {
		if v, err := try(); !errors.Is(err, ErrOpen) {
			t.Errorf("%s: Open = %q, %v; want ErrOpen", name, v, err)
		}
	}
	if v, err := k.Open("x", "legacy clear value"); err != nil || v != "legacy clear value" {
		t.Fatalf("clear value = %q, %v", v, err)
	}
	if v, _ := k.Seal("x", ""); v != "" {
		t.Fatalf("empty sealed as %q", v)
	}
	if v, _ := (*Key)(nil).Seal("x", "clear"); v != "clear" {
		t.Fatalf("nil key sealed as %q", v)
	}
}

func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

func TestCheckValue(t *testing.T) {
	a, b := testKey(t, 1), testKey(t, 2)
	if a.CheckValue() == b.CheckValue() || a.CheckValue() != testKey(t, 1).CheckValue() {
		t.Fatalf("check values %q %q", a.CheckValue(), b.CheckValue())
	}
}

func TestLoadOrCreate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "secret.key")
	var wg sync.WaitGroup
	keys := make([]*Key, 6)
	created := make([]bool, 6)
	for i := range keys {
		wg.Go(func() {
			var err error
			keys[i], created[i], err = LoadOrCreate(path)
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	n := 0
	for i, k := range keys {
		if k == nil || k.CheckValue() != keys[0].CheckValue() {
			t.Fatalf("key %d differs", i)
		}
		if created[i] {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d callers created the file, want 1", n)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v", st.Mode(), err)
	}
	again, created2, err := LoadOrCreate(path)
	if err != nil || created2 || again.CheckValue() != keys[0].CheckValue() {
		t.Fatalf("reload: %v created=%v", err, created2)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "sub", ".secret-key-*")); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
	bad := filepath.Join(dir, "bad.key")
	os.WriteFile(bad, []byte("not a key\n"), 0o600)
	if _, _, err := LoadOrCreate(bad); err == nil || !strings.Contains(err.Error(), "base64") {
		t.Fatalf("bad key file: %v", err)
	}
}

func BenchmarkSealOpen(b *testing.B) {
	k, _ := NewKey(bytes.Repeat([]byte{7}, KeyLen))
	for b.Loop() {
		s, _ := k.Seal("webhook_endpoints.secret", "whsec_abcdefghijklmnopqrstuvwxyz0123456789")
		if _, err := k.Open("webhook_endpoints.secret", s); err != nil {
			b.Fatal(err)
		}
	}
}
