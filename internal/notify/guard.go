package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// blockedPrefix is a range webhooks may not reach, with the reason shown
// to people.
type blockedPrefix struct {
	prefix netip.Prefix
	reason string
}

// blockedPrefixes lists the non-public ranges (IANA special-purpose
// registries) beyond what netip.Addr's predicates cover. IPv4-mapped IPv6
// addresses are unmapped before the check; NAT64 and 6to4 addresses are
// checked by the IPv4 address they embed.
func blockedPrefixes() []blockedPrefix {
	list := []struct{ cidr, reason string }{
		{"0.0.0.0/8", "a \"this network\" address"},
		{"100.64.0.0/10", "a carrier-grade NAT (shared) address"},
		{"192.0.0.0/24", "an IETF protocol address"},
		{"192.0.2.0/24", "a documentation address"},
		{"198.18.0.0/15", "a benchmarking address"},
		{"198.51.100.0/24", "a documentation address"},
		{"203.0.113.0/24", "a documentation address"},
		{"240.0.0.0/4", "a reserved address"},
		{"::/96", "an IPv4-compatible or unspecified IPv6 address"},
		{"::ffff:0:0:0/96", "an IPv4-translated address"},
		{"64:ff9b:1::/48", "a local-use NAT64 address"},
		{"100::/64", "a discard-only address"},
		{"2001::/32", "a Teredo address"},
		{"2001:db8::/32", "a documentation address"},
		{"fec0::/10", "a site-local address"},
	}
	out := make([]blockedPrefix, len(list))
	for i, b := range list {
		out[i] = blockedPrefix{netip.MustParsePrefix(b.cidr), b.reason}
	}
	return out
}

// blockedReason says why addr is not a public unicast address webhooks may
// reach, or "" when it is.
func blockedReason(addr netip.Addr) string {
	addr = addr.Unmap().WithZone("")
	switch {
	case !addr.IsValid():
		return "not an IP address"
	case addr.IsLoopback():
		return "a loopback address"
	case addr.IsUnspecified():
		return "an unspecified address"
	case addr.IsPrivate():
		return "a private address"
	case addr.IsLinkLocalUnicast():
		return "a link-local address (cloud metadata lives there)"
	case addr.IsMulticast(), addr.IsLinkLocalMulticast(), addr.IsInterfaceLocalMulticast():
		return "a multicast address"
	case addr == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return "the broadcast address"
	}
	if v4, ok := embeddedIPv4(addr); ok {
		if r := blockedReason(v4); r != "" {
			return r + " (embedded in " + addr.String() + ")"
		}
		return ""
	}
	for _, b := range blockedPrefixes() {
		if b.prefix.Contains(addr) {
			return b.reason
		}
	}
	return ""
}

// embeddedIPv4 returns the IPv4 address inside a NAT64 (64:ff9b::/96) or
// 6to4 (2002::/16) address.
func embeddedIPv4(addr netip.Addr) (netip.Addr, bool) {
	nat64, sixToFour := netip.MustParsePrefix("64:ff9b::/96"), netip.MustParsePrefix("2002::/16")
	b := addr.As16()
	switch {
	case addr.Is6() && nat64.Contains(addr):
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case addr.Is6() && sixToFour.Contains(addr):
		return netip.AddrFrom4([4]byte(b[2:6])), true
	}
	return netip.Addr{}, false
}

// ErrBlockedAddress is wrapped by delivery errors refused by the SSRF
// guard.
var ErrBlockedAddress = errors.New("address not allowed for webhooks")

// guard checks webhook destinations.
type guard struct {
	// private is WebhookConfig.AllowPrivateTargets: non-public targets
	// are always allowed.
	private bool
	// setting reads the platform admin's "allow private webhook targets"
	// setting; nil = off. It is read at every check (registration and
	// each connection), so changing the setting takes effect at once,
	// without a restart.
	setting       func(context.Context) bool
	allowInsecure bool
	resolver      *net.Resolver
}

// platformSetting reads the platform settings' AllowPrivateWebhookTargets
// from the store; an unreadable setting (e.g. a database not migrated
// yet) counts as off, the safe default.
func platformSetting(st *store.Store) func(context.Context) bool {
	if st == nil {
		return nil
	}
	return func(ctx context.Context) bool {
		ps, err := st.GetPlatformSettings(ctx, model.PlatformScope())
		return err == nil && ps.AllowPrivateWebhookTargets
	}
}

// allowPrivate reports whether non-public targets are allowed now.
func (g guard) allowPrivate(ctx context.Context) bool {
	return g.private || g.setting != nil && g.setting(ctx)
}

// control is the net.Dialer ControlContext function: it runs for every
// address the dialer actually connects to (after DNS), so re-resolved or
// rebound names cannot reach private addresses.
func (g guard) control(ctx context.Context, _, address string, _ syscall.RawConn) error {
	if g.allowPrivate(ctx) {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot parse %q", ErrBlockedAddress, address)
	}
	if r := blockedReason(ap.Addr()); r != "" {
		return fmt.Errorf("%w: %s is %s", ErrBlockedAddress, ap.Addr().Unmap(), r)
	}
	return nil
}

// checkURL validates an endpoint URL for registration and returns it
// normalised (parsed and re-serialised). Problems are user-facing reasons
// for the "url" field; resolve also checks every address of the host.
func (g guard) checkURL(ctx context.Context, raw string, resolve bool) (string, error) {
	u, err := parseWebhookURL(raw, g.allowInsecure)
	if err != nil {
		return "", err
	}
	if resolve && !g.allowPrivate(ctx) {
		if err := g.checkHost(ctx, u.Hostname()); err != nil {
			return "", err
		}
	}
	return u.String(), nil
}

// parseWebhookURL checks the URL's syntax: absolute http(s) with a host,
// no fragment, a valid port, bounded length.
func parseWebhookURL(raw string, allowInsecure bool) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	switch {
	case raw == "":
		return nil, errors.New("is required")
	case len(raw) > MaxWebhookURLLength:
		return nil, fmt.Errorf("must be at most %d characters", MaxWebhookURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, errors.New("must be an absolute URL such as https://example.com/hooks/fax")
	}
	u.Scheme = strings.ToLower(u.Scheme)
	switch {
	case u.Scheme == "http" && !allowInsecure:
		return nil, errors.New("must use https (plain http is not allowed on this platform)")
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, errors.New("must use https")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return nil, errors.New("must not contain a #fragment")
	case u.Hostname() == "":
		return nil, errors.New("must name a host")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, errors.New("has an invalid port")
		}
	}
	return u, nil
}

// checkHost refuses a host that is, or resolves to, a non-public address.
// Every address must pass: a name with one private address among public
// ones is refused too.
func (g guard) checkHost(ctx context.Context, host string) error {
	if addr, err := netip.ParseAddr(host); err == nil {
		if r := blockedReason(addr); r != "" {
			return fmt.Errorf("points to %s, which is %s; webhooks may only reach public addresses", addr.Unmap(), r)
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, registrationLookupTimeout)
	defer cancel()
	addrs, err := g.resolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return fmt.Errorf("has a host name that does not resolve (%s)", host)
	}
	for _, a := range addrs {
		if r := blockedReason(a); r != "" {
			return fmt.Errorf("has a host name (%s) that resolves to %s, which is %s; webhooks may only reach public addresses",
				host, a.Unmap(), r)
		}
	}
	return nil
}
