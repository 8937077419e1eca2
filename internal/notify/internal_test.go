package notify

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestBlockedReason(t *testing.T) {
	tests := []struct {
		addr string
		want string // substring of the reason; "" = allowed
	}{
		{"127.0.0.1", "loopback"},
		{"127.255.0.9", "loopback"},
		{"::1", "loopback"},
		{"::ffff:127.0.0.1", "loopback"},
		{"10.1.2.3", "private"},
		{"172.16.0.1", "private"},
		{"172.31.255.254", "private"},
		{"192.168.1.1", "private"},
		{"fc00::1", "private"},
		{"fd00:ec2::254", "private"},
		{"::ffff:10.0.0.1", "private"},
		{"169.254.169.254", "link-local"},
		{"fe80::1", "link-local"},
		{"100.64.0.1", "carrier-grade NAT"},
		{"100.100.100.200", "carrier-grade NAT"},
		{"224.0.0.1", "multicast"},
		{"239.255.255.250", "multicast"},
		{"ff02::1", "multicast"},
		{"0.0.0.0", "unspecified"},
		{"::", "unspecified"},
		{"0.1.2.3", "this network"},
		{"255.255.255.255", "broadcast"},
		{"192.0.0.192", "IETF protocol"},
		{"192.0.2.10", "documentation"},
		{"198.18.0.1", "benchmarking"},
		{"240.0.0.1", "reserved"},
		{"64:ff9b::7f00:1", "loopback"},      // NAT64 of 127.0.0.1
		{"64:ff9b::a9fe:a9fe", "link-local"}, // NAT64 of 169.254.169.254
		{"2002:7f00:1::1", "loopback"},       // 6to4 of 127.0.0.1
		{"2002:c0a8:101::1", "private"},      // 6to4 of 192.168.1.1
		{"::7f00:1", "IPv4-compatible"},
		{"2001:db8::1", "documentation"},
		{"2001:0:4136:e378::1", "Teredo"},
		{"fec0::1", "site-local"},
		{"8.8.8.8", ""},
		{"93.184.215.14", ""},
		{"172.32.0.1", ""},
		{"100.128.0.1", ""},
		{"2606:4700:4700::1111", ""},
		{"64:ff9b::808:808", ""}, // NAT64 of 8.8.8.8
		{"::ffff:8.8.8.8", ""},
	}
	for _, tc := range tests {
		got := blockedReason(netip.MustParseAddr(tc.addr))
		if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
			t.Errorf("blockedReason(%s) = %q, want %q", tc.addr, got, tc.want)
		}
	}
}

func TestGuardControl(t *testing.T) {
	g := guard{}
	for addr, ok := range map[string]bool{
		"127.0.0.1:80": false, "[::1]:443": false, "[::ffff:127.0.0.1]:8080": false,
		"169.254.169.254:80": false, "8.8.8.8:443": true, "[2606:4700:4700::1111]:443": true, "garbage": false,
	} {
		err := g.control(t.Context(), "tcp", addr, nil)
		if (err == nil) != ok {
			t.Errorf("control(%s) = %v, want allowed %v", addr, err, ok)
		}
	}
	if err := (guard{private: true}).control(t.Context(), "tcp", "127.0.0.1:80", nil); err != nil {
		t.Errorf("control with private targets allowed: %v", err)
	}
	// The platform setting is asked at every connection.
	setting := false
	g = guard{setting: func(context.Context) bool { return setting }}
	for _, allow := range []bool{false, true, false} {
		setting = allow
		if err := g.control(t.Context(), "tcp", "127.0.0.1:80", nil); (err == nil) != allow {
			t.Errorf("control with the setting %t: %v", allow, err)
		}
	}
}

func TestNextDelay(t *testing.T) {
	s := DefaultSchedule()
	day := 24 * time.Hour
	tests := []struct {
		name       string
		n          int
		age        time.Duration
		retryAfter time.Duration
		jitter     float64
		want       time.Duration
		ok         bool
	}{
		{"after 1st", 1, 0, 0, 0, 5 * time.Second, true},
		{"after 2nd", 2, 5 * time.Second, 0, 0, 5 * time.Minute, true},
		{"after 6th", 6, 7*time.Hour + 35*time.Minute, 0, 0, 10 * time.Hour, true},
		{"7th cut to window", 7, 17*time.Hour + 35*time.Minute, 0, 0, 6*time.Hour + 25*time.Minute, true},
		{"schedule used up", 8, 20 * time.Hour, 0, 0, 0, false},
		{"window over", 3, day, 0, 0, 0, false},
		{"window over by far", 1, 2 * day, 0, 0, 0, false},
		{"jitter up", 3, time.Minute, 0, 0.1, 33 * time.Minute, true},
		{"jitter down", 3, time.Minute, 0, -0.1, 27 * time.Minute, true},
		{"retry-after longer", 1, 0, time.Minute, 0, time.Minute, true},
		{"retry-after shorter", 3, 0, time.Minute, 0, 30 * time.Minute, true},
		{"retry-after cut to window", 1, 23 * time.Hour, 5 * time.Hour, 0, time.Hour, true},
		{"attempt 0", 0, 0, 0, 0, 0, false},
	}
	for _, tc := range tests {
		got, ok := nextDelay(s, tc.n, tc.age, day, tc.retryAfter, tc.jitter)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: nextDelay = %v, %v; want %v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
	// The default schedule makes 8 attempts in the 24 h window: at 0, 5 s,
	// 5 min 5 s, 35 min 5 s, 2 h 35 min 5 s, 7 h 35 min 5 s, 17 h 35 min 5 s
	// and at 24 h.
	age, attempts := time.Duration(0), 1
	for {
		d, ok := nextDelay(s, attempts, age, day, 0, 0)
		if !ok {
			break
		}
		age += d
		attempts++
	}
	if attempts != 8 || age != day {
		t.Errorf("default schedule: %d attempts, last at %v; want 8, last at 24h", attempts, age)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	tests := map[string]time.Duration{
		"":                              0,
		"120":                           2 * time.Minute,
		" 7 ":                           7 * time.Second,
		"-5":                            0,
		"soon":                          0,
		"Mon, 02 Mar 2026 09:10:00 GMT": 10 * time.Minute,
		"Mon, 02 Mar 2026 08:00:00 GMT": 0,
	}
	for h, want := range tests {
		if got := retryAfter(h, now); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", h, got, want)
		}
	}
}

func TestLogTextAndClip(t *testing.T) {
	if got := logText([]byte("ok\x00\xffend")); got != "ok\uFFFD\uFFFDend" {
		t.Errorf("logText = %q", got)
	}
	if got := clip(strings.Repeat("é", 10), 5); got != "éé…" {
		t.Errorf("clip = %q, want two whole runes and an ellipsis", got)
	}
	if got := clip("short", 10); got != "short" {
		t.Errorf("clip(short) = %q", got)
	}
}
