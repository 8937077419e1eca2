package csvcell

import "testing"

func TestSafe(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"Acme", "Acme"},
		{"+15550100", "+15550100"},
		{"+1 555", "'+1 555"},
		{"+", "'+"},
		{"+1234567890123456", "'+1234567890123456"}, // 16 digits: not E.164
		{"=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tcmd", "'\tcmd"},
		{"\rcmd", "'\rcmd"},
		{"a=b", "a=b"},
	} {
		if got := Safe(c.in); got != c.want {
			t.Errorf("Safe(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
