package httpx

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// peerIP is the host part of RemoteAddr.
func peerIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// resolveClient returns the client address and whether it reached a trusted
// proxy over HTTPS. X-Forwarded-For and X-Forwarded-Proto are believed only
// when the peer is one of the trusted proxies; the hops are walked from the
// right, skipping trusted proxies, so a client cannot spoof its address by
// sending its own X-Forwarded-For.
func resolveClient(r *http.Request, trusted []netip.Prefix) (ip string, https bool) {
	peer := peerIP(r)
	if !isTrusted(peer, trusted) {
		return peer, false
	}
	https = strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https")
	hops := forwardedHops(r.Header.Values("X-Forwarded-For"))
	for i := len(hops) - 1; i >= 0; i-- {
		if !isTrusted(hops[i], trusted) {
			return hops[i], https
		}
	}
	if len(hops) > 0 {
		return hops[0], https
	}
	return peer, https
}

func forwardedHops(values []string) []string {
	var hops []string
	for _, v := range values {
		for _, h := range strings.Split(v, ",") {
			h = strings.TrimSpace(h)
			if a, err := netip.ParseAddr(h); err == nil {
				hops = append(hops, a.Unmap().String())
			}
		}
	}
	return hops
}

func isTrusted(ip string, trusted []netip.Prefix) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ParseTrustedProxies parses a comma-separated list of addresses and CIDR
// prefixes ("10.0.0.0/8, 127.0.0.1").
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, err
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, err
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}
