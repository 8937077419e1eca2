package sip

import (
	"strings"
	"testing"
	"time"
)

func TestNormalizeNumber(t *testing.T) {
	cases := []struct {
		in   string
		want string
		ok   bool
	}{
		{"+15551234567", "15551234567", true},
		{"15551234567", "15551234567", true},
		{"%2B4930123456", "4930123456", true},
		{"+1 (555) 123-4567", "15551234567", true},
		{"+49.30.123456", "4930123456", true},
		{"0301234;phone-context=+4930", "0301234", true},
		{"5551234;npdi;rn=5550000", "5551234", true},
		{"alice", "", false},
		{"*67", "", false},
		{"123#", "", false},
		{"", "", false},
		{"+", "", false},
		{"-()", "", false},
		{strings.Repeat("1", 64), strings.Repeat("1", 64), true},
		{strings.Repeat("1", 65), "", false},
		{"++1555", "", false},
		{"%zz1", "", false},
	}
	for _, tc := range cases {
		got, ok := NormalizeNumber(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("NormalizeNumber(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestExtractDID(t *testing.T) {
	cases := []struct {
		ruri, to string
		want     string
		ok       bool
	}{
		{"+15550001", "someone", "15550001", true},
		{"trunk-account", "+1-555-0001", "15550001", true}, // account name in the R-URI: take To
		{"", "4930123", "4930123", true},
		{"s", "fax", "", false},
		{"15550001", "+49999", "15550001", true}, // the R-URI wins
	}
	for _, tc := range cases {
		got, ok := ExtractDID(tc.ruri, tc.to)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ExtractDID(%q, %q) = %q, %v; want %q, %v", tc.ruri, tc.to, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseSessionExpires(t *testing.T) {
	cases := []struct {
		in      string
		want    SessionExpires
		wantErr bool
	}{
		{"1800", SessionExpires{1800 * time.Second, RefresherNone}, false},
		{"1800;refresher=uac", SessionExpires{1800 * time.Second, RefresherUAC}, false},
		{" 90 ; Refresher = UAS ", SessionExpires{90 * time.Second, RefresherUAS}, false},
		{"600;foo=bar;refresher=uas", SessionExpires{600 * time.Second, RefresherUAS}, false},
		{"600;refresher", SessionExpires{}, true},
		{"600;refresher=proxy", SessionExpires{}, true},
		{"0", SessionExpires{}, true},
		{"", SessionExpires{}, true},
		{"-5", SessionExpires{}, true},
		{"1e3", SessionExpires{}, true},
		{"99999999999999999999", SessionExpires{}, true},
		{"2147483648", SessionExpires{}, true},
		{"2147483647", SessionExpires{2147483647 * time.Second, RefresherNone}, false},
	}
	for _, tc := range cases {
		got, err := ParseSessionExpires(tc.in)
		if (err != nil) != tc.wantErr || (!tc.wantErr && got != tc.want) {
			t.Errorf("ParseSessionExpires(%q) = %+v, %v; want %+v (error %v)", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
	if s := (SessionExpires{Interval: 90 * time.Second, Refresher: RefresherUAC}).String(); s != "90;refresher=uac" {
		t.Errorf("String() = %q", s)
	}
}

func TestParseMinSE(t *testing.T) {
	for in, want := range map[string]time.Duration{"90": 90 * time.Second, "120;x=y": 120 * time.Second, "0": 0} {
		if got, err := ParseMinSE(in); err != nil || got != want {
			t.Errorf("ParseMinSE(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "ninety", "9 0", "-1"} {
		if _, err := ParseMinSE(in); err == nil {
			t.Errorf("ParseMinSE(%q) accepted", in)
		}
	}
}

func TestHasOptionTag(t *testing.T) {
	if !hasOptionTag([]string{"100rel, Timer", "replaces"}, "timer") || hasOptionTag([]string{"timers"}, "timer") {
		t.Error("hasOptionTag")
	}
}

func TestCauseOfStatus(t *testing.T) {
	for code, want := range map[int]Cause{
		486: CauseBusy, 600: CauseBusy, 408: CauseNoAnswer, 480: CauseNoAnswer, 487: CauseNoAnswer,
		403: CauseRejected, 603: CauseRejected, 401: CauseRejected, 302: CauseRejected,
		404: CauseUnreachable, 484: CauseUnreachable, 410: CauseUnreachable, 604: CauseUnreachable,
		488: CauseFaxNegotiation, 606: CauseFaxNegotiation, 500: CauseNetwork, 503: CauseNetwork,
	} {
		if got := causeOfStatus(code); got != want {
			t.Errorf("causeOfStatus(%d) = %q, want %q", code, got, want)
		}
	}
}

// FuzzNormalizeNumber: never panics; an accepted number is 1-64 digits
// and normalising it again changes nothing.
func FuzzNormalizeNumber(f *testing.F) {
	for _, s := range []string{"+15551234567", "%2B49 30", "0301;phone-context=+49", "alice", "", "(0)-."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := NormalizeNumber(s)
		if !ok {
			if n != "" {
				t.Fatalf("rejected %q but returned %q", s, n)
			}
			return
		}
		if len(n) == 0 || len(n) > maxNumberLen || strings.Trim(n, "0123456789") != "" {
			t.Fatalf("NormalizeNumber(%q) = %q", s, n)
		}
		if again, ok := NormalizeNumber(n); !ok || again != n {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, n, again)
		}
		if did, ok := ExtractDID(s, "x"); !ok || did != n {
			t.Fatalf("ExtractDID disagrees: %q", did)
		}
	})
}

// FuzzParseSessionExpires: never panics; accepted values are positive,
// bounded, and survive a String/Parse round trip.
func FuzzParseSessionExpires(f *testing.F) {
	for _, s := range []string{"1800", "90;refresher=uac", "600; Refresher=UAS;x", "0", ";", "1;refresher=", "ab"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		se, err := ParseSessionExpires(s)
		if m, errM := ParseMinSE(s); errM == nil && m < 0 {
			t.Fatalf("negative Min-SE %v", m)
		}
		if err != nil {
			return
		}
		if se.Interval <= 0 || se.Interval > maxDeltaSecond*time.Second {
			t.Fatalf("interval %v out of range", se.Interval)
		}
		again, err := ParseSessionExpires(se.String())
		if err != nil || again != se {
			t.Fatalf("round trip %q -> %q -> %+v, %v", s, se.String(), again, err)
		}
	})
}
