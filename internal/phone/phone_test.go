package phone

import (
	"errors"
	"strings"
	"testing"

	"faxgate/internal/model"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in, region string
		want       string // E.164; "" = error
		wantErr    string // substring of the error
	}{
		{"+12025550123", "US", "+12025550123", ""},
		{"(202) 555-0123", "US", "+12025550123", ""},
		{"202.555.0123", "us", "+12025550123", ""},
		{" 1 202 555 0123 ", "US", "+12025550123", ""},
		{"011 44 20 7946 0480", "US", "+442079460480", ""},
		{"020 7946 0480", "GB", "+442079460480", ""},
		{"0044 20 7946 0480", "DE", "+442079460480", ""},
		{"+44 20 7946 0480", "US", "+442079460480", ""},
		{"+44 20 7946 0480", "", "+442079460480", ""}, // + needs no region
		{"030 901820", "DE", "+4930901820", ""},
		{"555", "US", "", "not a valid phone number for US: 555"},
		{"+999", "US", "", "not a valid phone number: +999"},
		{"0044 20 7946 0480", "US", "", "not a valid phone number for US"}, // 00 is not the US exit code
		{"+1 202 555 012", "US", "", "not a valid phone number: +1 202 555 012"},
		{"202-555-01234567", "US", "", "not a valid phone number for US"},
		{"", "US", "", "empty"},
		{"   ", "US", "", "empty"},
		{"2025550123", "", "", `unknown default country ""`},
		{"2025550123", "XX", "", `unknown default country "XX"`},
		{"2025550123", "USA", "", `unknown default country "USA"`},
		{"202555012a", "US", "", `unexpected character "a"`},
		{"+1 202 555 0123 ext 4", "US", "", "unexpected character"},
		{"sip:+12025550123@host", "US", "", "unexpected character"},
		{strings.Repeat("1", 41), "US", "", "too long"},
	}
	for _, tc := range tests {
		t.Run(tc.in+"/"+tc.region, func(t *testing.T) {
			n, err := Parse(tc.in, tc.region)
			if tc.want != "" {
				if err != nil || n.E164 != tc.want {
					t.Fatalf("Parse(%q, %q) = %q, %v; want %q", tc.in, tc.region, n.E164, err, tc.want)
				}
				return
			}
			var pe *Error
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Parse(%q, %q) = %+v, %v; want *Error containing %q", tc.in, tc.region, n, err, tc.wantErr)
			}
		})
	}
}

func TestParseDetails(t *testing.T) {
	n, err := Parse("020 7946 0480", "GB")
	if err != nil {
		t.Fatal(err)
	}
	want := Number{E164: "+442079460480", Region: "GB", National: "020 7946 0480", International: "+44 20 7946 0480"}
	if n != want {
		t.Errorf("Parse = %+v, want %+v", n, want)
	}
	if got := FormatInternational("+12025550123"); got != "+1 202-555-0123" {
		t.Errorf("FormatInternational = %q", got)
	}
	if got := FormatInternational("garbage"); got != "garbage" {
		t.Errorf("FormatInternational(garbage) = %q", got)
	}
	if e, err := Normalize("2025550123", "US"); e != "+12025550123" || err != nil {
		t.Errorf("Normalize = %q, %v", e, err)
	}
}

func TestValidRegion(t *testing.T) {
	for in, want := range map[string]bool{"US": true, "GB": true, "DE": true, "us": false, "": false, "XX": false, "USA": false, "001": false} {
		if got := ValidRegion(in); got != want {
			t.Errorf("ValidRegion(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestPatterns(t *testing.T) {
	tests := []struct {
		pattern string
		match   []string
		nomatch []string
		bad     string // substring of the compile error; "" = valid
	}{
		{pattern: "+1*", match: []string{"+12025550123", "+1"}, nomatch: []string{"+442079460480", "12025550123"}},
		{pattern: "+1900*", match: []string{"+19005550123"}, nomatch: []string{"+12025550123"}},
		{pattern: "+44XXXXXXXXXX", match: []string{"+442079460480"}, nomatch: []string{"+4420794604801", "+44207946048"}},
		{pattern: "+1N*", match: []string{"+12025550123"}, nomatch: []string{"+11025550123", "+10025550123"}},
		{pattern: "+1Z*", match: []string{"+11025550123"}, nomatch: []string{"+10025550123"}},
		{pattern: "+1[2-3]0*", match: []string{"+12025550123", "+13025550123"}, nomatch: []string{"+14025550123"}},
		{pattern: "+1[27]*", match: []string{"+17025550123"}, nomatch: []string{"+13025550123"}},
		{pattern: "*0486", match: []string{"+12025550486"}, nomatch: []string{"+12025550487"}},
		{pattern: "1900*", match: []string{"+19005550123"}, nomatch: []string{"+12025550123", "+419005550123"}},
		{pattern: `^\+1(212|646)\d{7}`, match: []string{"+12125550123", "+16465550123"}, nomatch: []string{"+12025550123", "+121255501234"}},
		{pattern: `^\+49.*$`, match: []string{"+4930901820"}, nomatch: []string{"+14930901820"}},
		{pattern: "", bad: "empty pattern"},
		{pattern: "1+2", bad: "'+' may only start"},
		{pattern: "+1[", bad: "without a closing"},
		{pattern: "+1[]", bad: "without a closing"},
		{pattern: "+1[a-z]", bad: "may only hold digits"},
		{pattern: "+1[-5]", bad: "may only hold digits"},
		{pattern: "+1 202", bad: "unexpected ' '"},
		{pattern: "+1.*", bad: "unexpected '.'"},
		{pattern: `^\+1(`, bad: "missing closing )"},
		{pattern: "+" + strings.Repeat("1", MaxPatternLen), bad: "longer than"},
	}
	for _, tc := range tests {
		t.Run(tc.pattern, func(t *testing.T) {
			re, err := CompilePattern(tc.pattern)
			if tc.bad != "" {
				if err == nil || !strings.Contains(err.Error(), tc.bad) {
					t.Fatalf("CompilePattern(%q) error = %v, want %q", tc.pattern, err, tc.bad)
				}
				return
			}
			if err != nil {
				t.Fatalf("CompilePattern(%q): %v", tc.pattern, err)
			}
			for _, m := range tc.match {
				if !re.MatchString(m) {
					t.Errorf("%q does not match %q", tc.pattern, m)
				}
			}
			for _, m := range tc.nomatch {
				if re.MatchString(m) {
					t.Errorf("%q matches %q", tc.pattern, m)
				}
			}
		})
	}
}

func TestRulesDial(t *testing.T) {
	us := model.DialRules{
		Allow:    []string{"+1*", "+44*"},
		Deny:     []string{"+1900*", "+1976*"},
		Rewrites: []model.Rewrite{{Strip: "+1", Add: "1"}, {Strip: "+", Add: "011"}},
	}
	tests := []struct {
		name  string
		rules model.DialRules
		e164  string
		want  string // "" = not allowed
	}{
		{"no rules: E.164 as is", model.DialRules{}, "+12025550123", "+12025550123"},
		{"US rewrite", us, "+12025550123", "12025550123"},
		{"international rewrite", us, "+442079460480", "011442079460480"},
		{"denied premium", us, "+19005550123", ""},
		{"not in allow list", us, "+4930901820", ""},
		{"deny only", model.DialRules{Deny: []string{"+44*"}}, "+4930901820", "+4930901820"},
		{"deny only, denied", model.DialRules{Deny: []string{"+44*"}}, "+442079460480", ""},
		{"strip only", model.DialRules{Rewrites: []model.Rewrite{{Strip: "+"}}}, "+4930901820", "4930901820"},
		{"add only", model.DialRules{Rewrites: []model.Rewrite{{Add: "9"}}}, "+4930901820", "9+4930901820"},
		{"first match wins", model.DialRules{Rewrites: []model.Rewrite{{Strip: "+49", Add: "0"}, {Strip: "+", Add: "00"}}}, "+4930901820", "030901820"},
		{"rewrite to nothing", model.DialRules{Rewrites: []model.Rewrite{{Strip: "+4930901820"}}}, "+4930901820", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := CompileRules(tc.rules)
			if err != nil {
				t.Fatalf("CompileRules: %v", err)
			}
			got, err := r.Dial(tc.e164)
			if tc.want == "" {
				if !errors.Is(err, ErrNotAllowed) || r.Allows(tc.e164) && got != "" {
					t.Fatalf("Dial(%q) = %q, %v; want ErrNotAllowed", tc.e164, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Dial(%q) = %q, %v; want %q", tc.e164, got, err, tc.want)
			}
		})
	}
}

func TestCompileRulesErrors(t *testing.T) {
	many := make([]string, MaxPatterns+1)
	for i := range many {
		many[i] = "+1*"
	}
	tests := []struct {
		name  string
		rules model.DialRules
		want  string
	}{
		{"bad allow", model.DialRules{Allow: []string{"+1*", "abc"}}, `pattern "abc"`},
		{"bad deny", model.DialRules{Deny: []string{"^("}}, `pattern "^("`},
		{"bad strip", model.DialRules{Rewrites: []model.Rewrite{{Strip: "+1a"}}}, `strip prefix "+1a"`},
		{"bad add", model.DialRules{Rewrites: []model.Rewrite{{Add: "9 "}}}, `add prefix "9 "`},
		{"long add", model.DialRules{Rewrites: []model.Rewrite{{Add: strings.Repeat("9", MaxPrefixLen+1)}}}, "longer than"},
		{"too many patterns", model.DialRules{Allow: many}, "at most"},
		{"too many rewrites", model.DialRules{Rewrites: make([]model.Rewrite, MaxRewrites+1)}, "at most"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := CompileRules(tc.rules); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("CompileRules error = %v, want %q", err, tc.want)
			}
		})
	}
}
