// Package msgauth decides whether an email really comes from the domain
// of its From address, the way DMARC does (RFC 7489): the message passes
// when SPF passes for the envelope sender's domain (RFC 7208, on
// blitiri.com.ar/go/spf) or a DKIM signature verifies (RFC 6376, on
// go-msgauth), and that domain is aligned with the From domain (strict or
// relaxed, as the From domain's DMARC record says; relaxed by default).
//
// The resolver is injected so that tests use a real DNS server of their
// own. A DNS failure is reported as temporary, so that the SMTP server
// answers 4xx and the sender retries, instead of refusing good mail.
//
// Relaxed alignment needs the organisational domain, which properly comes
// from the Public Suffix List; without it, two domains are taken as
// aligned when they are equal or one is a subdomain of the other (with at
// least two labels), which never accepts more than DMARC would and only
// refuses the rare sibling-subdomain case (a.example.com and b.example.com).
package msgauth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"blitiri.com.ar/go/spf"
	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-msgauth/dmarc"
)

// Resolver is what the checks look up; *net.Resolver satisfies it.
type Resolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
	LookupAddr(ctx context.Context, addr string) ([]string, error)
}

// Checker runs the checks; the zero value is not usable, use New.
type Checker struct {
	r       Resolver
	timeout time.Duration
}

// New returns a Checker on r (nil: the system resolver). timeout bounds
// one message's checks (0: 20 s).
func New(r Resolver, timeout time.Duration) *Checker {
	if r == nil {
		r = net.DefaultResolver
	}
	if timeout <= 0 {
		timeout = 20 * time.Second
	}
	return &Checker{r: r, timeout: timeout}
}

// Input is what is known of one message.
type Input struct {
	IP       net.IP
	Helo     string // the client's EHLO name
	MailFrom string // envelope sender
	From     string // the single From header address
	Message  []byte // the raw message (header and body) for DKIM
}

// Result says whether the From domain is authenticated and why.
type Result struct {
	Pass bool
	// Via is "spf" or "dkim" when Pass.
	Via string
	// Domain is the aligned authenticated domain when Pass.
	Domain string
	// SPF is the SPF result for the envelope sender ("pass", "fail", ...);
	// DKIM lists each signature as "d=<domain> pass" or "d=<domain> fail".
	SPF  string
	DKIM []string
	// Temporary is set when a DNS failure prevented a verdict.
	Temporary bool
}

// Summary is a short plain description for replies and audit lines.
func (r Result) Summary() string {
	d := "none"
	if len(r.DKIM) > 0 {
		d = strings.Join(r.DKIM, ", ")
	}
	s := fmt.Sprintf("spf=%s, dkim=%s", r.SPF, d)
	if r.Pass {
		s += fmt.Sprintf(": %s aligned with %s", strings.ToUpper(r.Via), r.Domain)
	}
	return s
}

// maxSignatures bounds the DKIM work one message can cause.
const maxSignatures = 5

// Check authenticates in.From's domain.
func (c *Checker) Check(ctx context.Context, in Input) Result {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	fromDomain := domainOf(in.From)
	adkim, aspf := c.alignment(ctx, fromDomain)
	var res Result

	spfRes, err := spf.CheckHostWithSender(in.IP, in.Helo, in.MailFrom,
		spf.WithContext(ctx), spf.WithResolver(c.r))
	res.SPF = string(spfRes)
	if spfRes == spf.TempError {
		res.Temporary = true
	}
	_ = err // the result says it all (permerror, temperror)
	spfDomain := domainOf(in.MailFrom)
	if spfDomain == "" {
		spfDomain = strings.ToLower(in.Helo)
	}
	if spfRes == spf.Pass && aligned(spfDomain, fromDomain, aspf) {
		res.Pass, res.Via, res.Domain = true, "spf", spfDomain
	}

	vs, err := dkim.VerifyWithOptions(bytes.NewReader(in.Message), &dkim.VerifyOptions{
		MaxVerifications: maxSignatures,
		LookupTXT:        func(name string) ([]string, error) { return c.r.LookupTXT(ctx, name) },
	})
	if err != nil && !errors.Is(err, dkim.ErrTooManySignatures) {
		res.DKIM = append(res.DKIM, "unreadable")
	}
	for _, v := range vs {
		d := strings.ToLower(v.Domain)
		switch {
		case v.Err == nil:
			res.DKIM = append(res.DKIM, "d="+d+" pass")
			if !res.Pass && aligned(d, fromDomain, adkim) {
				res.Pass, res.Via, res.Domain = true, "dkim", d
			}
		case dkim.IsTempFail(v.Err):
			res.DKIM = append(res.DKIM, "d="+d+" temperror")
			res.Temporary = true
		default:
			res.DKIM = append(res.DKIM, "d="+d+" fail")
		}
	}
	if res.Pass {
		res.Temporary = false
	}
	return res
}

// alignment reads the DMARC alignment modes of the From domain (or its
// parent domains), relaxed when there is no record.
func (c *Checker) alignment(ctx context.Context, domain string) (adkim, aspf dmarc.AlignmentMode) {
	opts := &dmarc.LookupOptions{LookupTXT: func(name string) ([]string, error) { return c.r.LookupTXT(ctx, name) }}
	for d := domain; strings.Count(d, ".") >= 1; d = d[strings.IndexByte(d, '.')+1:] {
		rec, err := dmarc.LookupWithOptions(d, opts)
		if err != nil || rec == nil {
			continue
		}
		adkim, aspf = rec.DKIMAlignment, rec.SPFAlignment
		break
	}
	if adkim == "" {
		adkim = dmarc.AlignmentRelaxed
	}
	if aspf == "" {
		aspf = dmarc.AlignmentRelaxed
	}
	return adkim, aspf
}

// aligned compares an authenticated domain with the From domain.
func aligned(auth, from string, mode dmarc.AlignmentMode) bool {
	auth, from = strings.ToLower(strings.TrimSuffix(auth, ".")), strings.ToLower(strings.TrimSuffix(from, "."))
	if auth == "" || from == "" {
		return false
	}
	if auth == from {
		return true
	}
	if mode == dmarc.AlignmentStrict {
		return false
	}
	short, long := auth, from
	if len(short) > len(long) {
		short, long = long, short
	}
	return strings.Contains(short, ".") && strings.HasSuffix(long, "."+short)
}

func domainOf(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return ""
	}
	return strings.ToLower(strings.TrimSuffix(addr[at+1:], "."))
}
