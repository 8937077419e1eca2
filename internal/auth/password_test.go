package auth

import (
	"context"
	"errors"
	"strings"
	"testing"

	"faxgate/internal/audit"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

func cheap() Argon2Params {
	return Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
}

func TestHashVerifyRoundTrip(t *testing.T) {
	tests := []struct {
		name, pw, try string
		want          bool
	}{
		{"same", "correct horse battery", "correct horse battery", true},
		{"different", "correct horse battery", "correct horse batterY", false},
		{"empty try", "correct horse battery", "", false},
		{"unicode", "pässwörd-ünïcödé-密码", "pässwörd-ünïcödé-密码", true},
		{"long", strings.Repeat("x", 1000), strings.Repeat("x", 1000), true},
		{"prefix", "correct horse battery", "correct horse", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := HashPasswordWith(cheap(), tc.pw)
			if err != nil {
				t.Fatal(err)
			}
			ok, err := VerifyPassword(h, tc.try)
			if err != nil || ok != tc.want {
				t.Fatalf("VerifyPassword = %v, %v; want %v", ok, err, tc.want)
			}
		})
	}
}

func TestHashIsSaltedPHC(t *testing.T) {
	a, err := HashPasswordWith(cheap(), "same password")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := HashPasswordWith(cheap(), "same password")
	if a == b {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	if !strings.HasPrefix(a, "$argon2id$v=19$m=64,t=1,p=1$") || strings.Count(a, "$") != 5 {
		t.Fatalf("not a PHC argon2id string: %s", a)
	}
}

func TestDefaultParams(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=2,p=2$") {
		t.Fatalf("default hash %s", h)
	}
	if ok, err := VerifyPassword(h, "correct horse battery"); !ok || err != nil {
		t.Fatalf("verify default hash: %v %v", ok, err)
	}
	if NeedsRehash(h, DefaultArgon2Params()) {
		t.Fatal("fresh default hash needs rehash")
	}
}

func TestBadHashes(t *testing.T) {
	good, _ := HashPasswordWith(cheap(), "pw")
	parts := strings.Split(good, "$")
	salt, key := parts[4], parts[5]
	tests := []struct{ name, hash string }{
		{"empty", ""},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"old version", "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key},
		{"missing part", "$argon2id$v=19$m=64,t=1,p=1$" + salt},
		{"extra part", good + "$x"},
		{"params order", "$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + key},
		{"params garbage", "$argon2id$v=19$m=x,t=1,p=1$" + salt + "$" + key},
		{"zero time", "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key},
		{"zero threads", "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key},
		{"huge memory", "$argon2id$v=19$m=4294967295,t=1,p=1$" + salt + "$" + key},
		{"huge threads", "$argon2id$v=19$m=64,t=1,p=300$" + salt + "$" + key},
		{"bad salt base64", "$argon2id$v=19$m=64,t=1,p=1$!!!$" + key},
		{"short key", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$AAAA"},
		{"short salt", "$argon2id$v=19$m=64,t=1,p=1$AAAA$" + key},
		{"no leading dollar", strings.TrimPrefix(good, "$")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := VerifyPassword(tc.hash, "pw")
			if ok || !errors.Is(err, ErrBadHash) {
				t.Fatalf("VerifyPassword(%q) = %v, %v; want ErrBadHash", tc.hash, ok, err)
			}
			if !NeedsRehash(tc.hash, cheap()) {
				t.Fatal("bad hash does not need a rehash")
			}
		})
	}
}

func TestNeedsRehash(t *testing.T) {
	h, _ := HashPasswordWith(cheap(), "pw")
	tests := []struct {
		name string
		p    Argon2Params
		want bool
	}{
		{"same", cheap(), false},
		{"more memory", Argon2Params{Memory: 128, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, true},
		{"more time", Argon2Params{Memory: 64, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}, true},
		{"more threads", Argon2Params{Memory: 64, Time: 1, Threads: 2, SaltLen: 16, KeyLen: 32}, true},
		{"longer key", Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 64}, true},
		{"longer salt", Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 32, KeyLen: 32}, true},
	}
	for _, tc := range tests {
		if got := NeedsRehash(h, tc.p); got != tc.want {
			t.Errorf("%s: NeedsRehash = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestInvalidParamsRefused(t *testing.T) {
	for _, p := range []Argon2Params{{}, {Memory: 64, Time: 0, Threads: 1, SaltLen: 16, KeyLen: 32}, {Memory: 64, Time: 1, Threads: 1, SaltLen: 4, KeyLen: 32}} {
		if _, err := HashPasswordWith(p, "pw"); err == nil {
			t.Errorf("HashPasswordWith(%+v) succeeded", p)
		}
	}
}

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		pw string
		ok bool
	}{
		{"", false},
		{"short", false},
		{"123456789", false},
		{"1234567890", true},
		{"          ", false},
		{"ümlautümla", true}, // 10 characters, more bytes
		{"ümlautüml", false}, // 9 characters
		{strings.Repeat("a", 256), true},
		{strings.Repeat("a", 257), false},
		{"abcdefghi\xff", false},
	}
	for _, tc := range tests {
		err := ValidatePassword(tc.pw)
		if (err == nil) != tc.ok {
			t.Errorf("ValidatePassword(%q) = %v, want ok=%v", tc.pw, err, tc.ok)
		}
		var ve *model.ValidationError
		if err != nil && (!errors.As(err, &ve) || ve.Fields["password"] == "") {
			t.Errorf("ValidatePassword(%q) error %v is not a password field error", tc.pw, err)
		}
	}
}

// TestUnknownLoginSpendsAHash checks the timing defence: a login for an
// account that does not exist still verifies a (dummy) hash.
func TestUnknownLoginSpendsAHash(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "", t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	s := NewService(st, audit.NewService(st, nil, nil), Config{Argon2: cheap(), FailureDelay: -1}, nil)
	_, err = s.Login(ctx, LoginInput{Login: "nobody@example.com", Password: "guess", IP: "192.0.2.9"})
	if !errors.Is(err, model.ErrBadCredentials) {
		t.Fatalf("unknown login = %v, want ErrBadCredentials", err)
	}
	if s.dummyHash == "" {
		t.Fatal("unknown login did not compute/verify the dummy hash")
	}
	if _, _, _, err := parseHash(s.dummyHash); err != nil {
		t.Fatalf("dummy hash is not verifiable (would be fast): %v", err)
	}
}

func TestHasherBoundsConcurrency(t *testing.T) {
	h := NewHasher(cheap())
	for range cap(h.sem) {
		if err := h.acquire(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Hash(ctx, "pw"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Hash with every slot taken = %v, want to wait and give up with the context", err)
	}
	h.release()
	if _, err := h.Hash(context.Background(), "pw"); err != nil {
		t.Fatalf("Hash with a free slot: %v", err)
	}
}

// BenchmarkHashDefault measures one production-cost hash (m=64 MiB, t=2,
// p=2): the CPU time a login costs the server.
func BenchmarkHashDefault(b *testing.B) {
	for b.Loop() {
		if _, err := HashPassword("correct horse battery"); err != nil {
			b.Fatal(err)
		}
	}
}
