package phone

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"faxgate/internal/model"
)

// Limits of dial rules (they are typed by admins and stored per trunk).
const (
	MaxPatterns   = 100
	MaxPatternLen = 128
	MaxRewrites   = 20
	MaxPrefixLen  = 16
)

// ErrNotAllowed is returned by Rules.Dial for a number the trunk may not
// dial.
var ErrNotAllowed = errors.New("the line's dial rules do not allow this number")

// Rules are compiled dial rules, safe for concurrent use.
type Rules struct {
	allow, deny []*regexp.Regexp
	rewrites    []model.Rewrite
}

// CompileRules checks and compiles dial rules. The error names the first
// bad pattern or prefix and why.
func CompileRules(r model.DialRules) (*Rules, error) {
	if len(r.Allow)+len(r.Deny) > MaxPatterns {
		return nil, fmt.Errorf("at most %d patterns", MaxPatterns)
	}
	if len(r.Rewrites) > MaxRewrites {
		return nil, fmt.Errorf("at most %d rewrites", MaxRewrites)
	}
	c := &Rules{rewrites: r.Rewrites}
	var err error
	if c.allow, err = compileAll(r.Allow); err != nil {
		return nil, err
	}
	if c.deny, err = compileAll(r.Deny); err != nil {
		return nil, err
	}
	for _, rw := range r.Rewrites {
		if err := checkPrefix("strip", rw.Strip); err != nil {
			return nil, err
		}
		if err := checkPrefix("add", rw.Add); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func compileAll(patterns []string) ([]*regexp.Regexp, error) {
	out := make([]*regexp.Regexp, 0, len(patterns))
	for _, p := range patterns {
		re, err := CompilePattern(p)
		if err != nil {
			return nil, err
		}
		out = append(out, re)
	}
	return out, nil
}

// checkPrefix accepts what a dial string may contain: digits, '+', '*'
// and '#'.
func checkPrefix(what, p string) error {
	if len(p) > MaxPrefixLen {
		return fmt.Errorf("%s prefix %q is longer than %d characters", what, p, MaxPrefixLen)
	}
	if i := strings.IndexFunc(p, func(r rune) bool { return !strings.ContainsRune("0123456789+*#", r) }); i >= 0 {
		return fmt.Errorf("%s prefix %q: only digits, +, * and # are allowed", what, p)
	}
	return nil
}

// CompilePattern compiles one allow/deny pattern (see the package
// documentation) into an anchored regular expression.
func CompilePattern(p string) (*regexp.Regexp, error) {
	switch {
	case p == "":
		return nil, errors.New("empty pattern")
	case len(p) > MaxPatternLen:
		return nil, fmt.Errorf("pattern %q is longer than %d characters", p, MaxPatternLen)
	case strings.HasPrefix(p, "^"):
		body := strings.TrimSuffix(strings.TrimPrefix(p, "^"), "$")
		re, err := regexp.Compile(`^(?:` + body + `)$`)
		if err != nil {
			return nil, fmt.Errorf("pattern %q: %v", p, err)
		}
		return re, nil
	}
	expr, err := globToRegexp(p)
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %v", p, err)
	}
	return regexp.MustCompile(expr), nil // globToRegexp only emits valid syntax
}

// globToRegexp translates the glob syntax into an anchored expression.
func globToRegexp(p string) (string, error) {
	var b strings.Builder
	b.WriteString("^")
	if !strings.HasPrefix(p, "+") {
		b.WriteString(`\+`) // E.164 always starts with +; globs may leave it out
	}
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == '+':
			if i > 0 {
				return "", errors.New("'+' may only start a pattern")
			}
			b.WriteString(`\+`)
		case c == 'X' || c == 'x':
			b.WriteString(`[0-9]`)
		case c == 'Z' || c == 'z':
			b.WriteString(`[1-9]`)
		case c == 'N' || c == 'n':
			b.WriteString(`[2-9]`)
		case c == '*':
			b.WriteString(`[0-9]*`)
		case c == '[':
			end := strings.IndexByte(p[i:], ']')
			if end < 2 {
				return "", errors.New("'[' without a closing ']' or with an empty class")
			}
			class := p[i+1 : i+end]
			if strings.Trim(class, "0123456789-") != "" || strings.HasPrefix(class, "-") || strings.HasSuffix(class, "-") {
				return "", fmt.Errorf("class [%s] may only hold digits and ranges like 1-5", class)
			}
			b.WriteString("[" + class + "]")
			i += end
		default:
			return "", fmt.Errorf("unexpected %q (use digits, +, X, Z, N, [..], * or a ^regexp)", c)
		}
	}
	b.WriteString("$")
	return b.String(), nil
}

// Allows reports whether the trunk may dial the E.164 number.
func (r *Rules) Allows(e164 string) bool {
	for _, re := range r.deny {
		if re.MatchString(e164) {
			return false
		}
	}
	if len(r.allow) == 0 {
		return true
	}
	for _, re := range r.allow {
		if re.MatchString(e164) {
			return true
		}
	}
	return false
}

// Dial returns what the trunk dials for the E.164 number, or ErrNotAllowed.
func (r *Rules) Dial(e164 string) (string, error) {
	if !r.Allows(e164) {
		return "", ErrNotAllowed
	}
	for _, rw := range r.rewrites {
		if rest, ok := strings.CutPrefix(e164, rw.Strip); ok {
			if dial := rw.Add + rest; dial != "" {
				return dial, nil
			}
			return "", ErrNotAllowed
		}
	}
	return e164, nil
}
