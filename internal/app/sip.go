package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"faxgate/internal/config"
	"faxgate/internal/faxout"
	"faxgate/internal/faxout/line"
	"faxgate/internal/model"
	"faxgate/internal/telephony/rtp"
	"faxgate/internal/telephony/sip"
)

// sipNode is the node's SIP side: the user agent (listener, outbound
// calls), the trunks' registrations and the inbound call gate. It exists
// only when --sip is on.
type sipNode struct {
	a     *App
	ua    *sip.UA
	dests *faxout.Destinations
	cdr   *faxout.SIPCalls

	mu       sync.Mutex
	trunks   []model.Trunk   // enabled SIP trunks, as last loaded
	allowed  []allowedSource // inbound sources, most specific first
	regs     map[string]*registration
	loadedAt time.Time
	stop     context.CancelFunc
	done     chan struct{}
}

// allowedSource is an address range inbound calls may come from, and the
// SIP trunk it belongs to.
type allowedSource struct {
	prefix  netip.Prefix
	trunkID string
}

// registration is one trunk's REGISTER client and its last state.
type registration struct {
	version time.Time // the trunk's UpdatedAt it runs with
	cancel  context.CancelFunc
	done    chan struct{} // closed once the client stopped (and unregistered)
	state   faxout.TrunkRegistration
}

// sipReload is how often the SIP side reloads the trunks (registrations,
// allowed sources, channel caps): a trunk change takes effect within it.
const sipReload = 5 * time.Second

// buildSIP creates the user agent when --sip is on; it listens from Serve.
func (a *App) buildSIP() error {
	if !a.cfg.SIPEnabled() {
		return nil
	}
	pool, err := rtp.NewPortPool(a.cfg.RTPPortLo, a.cfg.RTPPortHi)
	if err != nil {
		return fmt.Errorf("sip: --rtp-ports: %w", err)
	}
	n := &sipNode{a: a, dests: faxout.NewDestinations(a.store, a.o.now), cdr: faxout.NewSIPCalls(a.store),
		regs: map[string]*registration{}}
	cfg := sip.Config{ListenAddr: listenAddr(a.cfg.SIPAddr), RTPPorts: pool, Handler: n.inboundCall,
		Logger: a.log.With("component", "sip"), UserAgent: "faxgate/" + a.o.version}
	if a.cfg.PublicIP != "" {
		if cfg.PublicIP, err = netip.ParseAddr(a.cfg.PublicIP); err != nil {
			return fmt.Errorf("sip: --public-ip: %w", err)
		}
	}
	if err := sipTLS(a.cfg, &cfg); err != nil {
		return err
	}
	if n.ua, err = sip.NewUA(cfg); err != nil {
		return err
	}
	a.sip = n
	return nil
}

// sipTLS configures SIP over TLS: the listener (--sip-tls) with its
// certificate (--sip-tls-cert, --sip-tls-key), and the trust for the
// servers we connect to: the system's roots, plus --sip-tls-ca.
func sipTLS(c config.Config, cfg *sip.Config) error {
	if c.SIPTLSCA != "" {
		b, err := os.ReadFile(c.SIPTLSCA)
		if err != nil {
			return fmt.Errorf("sip: --sip-tls-ca: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(b) {
			return fmt.Errorf("sip: --sip-tls-ca: no PEM certificate in %s", c.SIPTLSCA)
		}
		cfg.TLSClient = &tls.Config{RootCAs: pool}
	}
	if !c.SIPTLSEnabled() {
		return nil
	}
	cert, err := tls.LoadX509KeyPair(c.SIPTLSCert, c.SIPTLSKey)
	if err != nil {
		return fmt.Errorf("sip: --sip-tls-cert/--sip-tls-key: %w", err)
	}
	cfg.TLSListenAddr = listenAddr(c.SIPTLSAddr)
	cfg.TLSServer = &tls.Config{Certificates: []tls.Certificate{cert}}
	return nil
}

// listenAddr turns ":5060" into "0.0.0.0:5060" for the UA.
func listenAddr(addr string) string {
	if strings.HasPrefix(addr, ":") {
		return "0.0.0.0" + addr
	}
	return addr
}

// startSIP binds the SIP listener and starts the trunk reloader.
func (a *App) startSIP(ctx context.Context) error {
	if a.sip == nil {
		a.log.Info("sip: disabled (--sip off)")
		return nil
	}
	n := a.sip
	if err := n.ua.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("sip: %w", err)
	}
	a.log.Info("sip: listening", "addr", n.ua.Addr().String(), "port", n.ua.Port(), "tls_port", n.ua.TLSPort(),
		"rtp_ports", fmt.Sprintf("%d-%d", a.cfg.RTPPortLo, a.cfg.RTPPortHi))
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	n.stop, n.done = cancel, make(chan struct{})
	n.reload(rctx)
	go n.loop(rctx)
	return nil
}

// stopSIP ends the registrations (unREGISTER) and hangs up calls in
// progress.
func (a *App) stopSIP() {
	if a.sip == nil || a.sip.stop == nil {
		return
	}
	n := a.sip
	n.stop()
	<-n.done
	n.mu.Lock()
	for id, r := range n.regs {
		r.cancel()
		delete(n.regs, id)
	}
	n.mu.Unlock()
	n.ua.Close()
}

// SIPAddr is the SIP listener's address ("" when SIP is off or not bound).
func (a *App) SIPAddr() string {
	if a.sip == nil || a.sip.ua.Port() == 0 {
		return ""
	}
	return a.sip.ua.Addr().String()
}

// SIPRegistration returns the registration state of a SIP trunk with
// register on (a faxout.RegistrationSource for the API and the portal);
// ok is false when the trunk does not register or SIP is off.
func (a *App) SIPRegistration(trunkID string) (faxout.TrunkRegistration, bool) {
	if a.sip == nil {
		return faxout.TrunkRegistration{}, false
	}
	a.sip.mu.Lock()
	defer a.sip.mu.Unlock()
	r, ok := a.sip.regs[trunkID]
	if !ok {
		return faxout.TrunkRegistration{}, false
	}
	return r.state, true
}

func (n *sipNode) loop(ctx context.Context) {
	defer close(n.done)
	t := time.NewTicker(sipReload)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n.reload(ctx)
		}
	}
}

// reload reads the SIP trunks: their allowed inbound sources (the trunk's
// allowed_sources, else its host's addresses) and their registrations (started, restarted after a change,
// stopped when the trunk is gone, disabled or stops registering).
func (n *sipNode) reload(ctx context.Context) {
	all, err := n.a.store.ListTrunks(ctx)
	if err != nil {
		n.a.log.Warn("sip: trunks not readable", "err", err)
		return
	}
	var trunks []model.Trunk
	for _, t := range all {
		if t.Kind == model.TrunkSIP && t.Enabled {
			trunks = append(trunks, t)
		}
	}
	allowed := allowedSources(trunks, func(host string) []netip.Addr { return resolveHost(ctx, host) })
	n.mu.Lock()
	defer n.mu.Unlock()
	n.trunks, n.allowed, n.loadedAt = trunks, allowed, time.Now()
	want := map[string]model.Trunk{}
	for _, t := range trunks {
		if t.Register {
			want[t.ID] = t
		}
	}
	stopping := map[string]chan struct{}{}
	for id, r := range n.regs {
		if t, ok := want[id]; !ok || !t.UpdatedAt.Equal(r.version) {
			r.cancel()
			stopping[id] = r.done
			delete(n.regs, id)
		}
	}
	for id, t := range want {
		if _, ok := n.regs[id]; !ok {
			n.startRegistration(ctx, t, stopping[id])
		}
	}
}

// allowedSources lists where the trunks' inbound calls may come from: the
// prefixes of each trunk's allowed_sources, or its host's addresses when
// it lists none. Longer prefixes come first, so an address is attributed
// to the trunk with the most specific match (then the first in dialling
// order).
func allowedSources(trunks []model.Trunk, resolve func(host string) []netip.Addr) []allowedSource {
	var out []allowedSource
	for _, t := range trunks {
		if len(t.AllowedSources) == 0 {
			for _, ip := range resolve(t.Host) {
				out = append(out, allowedSource{netip.PrefixFrom(ip, ip.BitLen()), t.ID})
			}
			continue
		}
		for _, s := range t.AllowedSources {
			if p, err := faxout.ParseSourcePrefix(s); err == nil {
				out = append(out, allowedSource{p, t.ID})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b allowedSource) int { return b.prefix.Bits() - a.prefix.Bits() })
	return out
}

// resolveHost returns the addresses of a trunk host (an IP, or a name
// looked up with a short timeout).
func resolveHost(ctx context.Context, host string) []netip.Addr {
	if ip, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return []netip.Addr{ip.Unmap()}
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil
	}
	for i := range ips {
		ips[i] = ips[i].Unmap()
	}
	return ips
}

// startRegistration runs a trunk's REGISTER client (n.mu held). prev, when
// not nil, is the trunk's previous client stopping after a change: the new
// one waits for it, because its closing REGISTER (Expires: 0) names the
// same contact and, arriving after the new binding, would remove it.
func (n *sipNode) startRegistration(ctx context.Context, t model.Trunk, prev <-chan struct{}) {
	rctx, cancel := context.WithCancel(ctx)
	r := &registration{version: t.UpdatedAt, cancel: cancel, done: make(chan struct{}),
		state: faxout.TrunkRegistration{State: faxout.RegRegistering}}
	n.regs[t.ID] = r
	reg := sip.Registration{Registrar: line.Target(t), User: t.Username, Transport: sip.Transport(t.Transport),
		OutboundProxy: t.OutboundProxy, Auth: sip.Auth{User: t.Username, Pass: t.Password},
		OnState: func(st sip.RegState) { n.setRegState(t.ID, r, st) }}
	log := n.a.log.With("component", "sip", "trunk", t.Name)
	go func() {
		defer close(r.done)
		if prev != nil {
			select {
			case <-prev:
			case <-rctx.Done():
				return
			}
		}
		if err := n.ua.Register(rctx, reg); err != nil && rctx.Err() == nil {
			log.Warn("sip: registration stopped", "err", err)
			n.setRegState(t.ID, r, sip.RegState{Err: err, At: time.Now()})
		}
	}()
}

func (n *sipNode) setRegState(id string, r *registration, st sip.RegState) {
	s := faxout.TrunkRegistration{State: faxout.RegFailed, Status: st.Status, At: st.At.UTC(), Next: st.Next.UTC()}
	if st.Registered {
		s.State, s.Expires = faxout.RegRegistered, st.Expires
	}
	if st.Err != nil {
		s.Error = st.Err.Error()
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.regs[id] == r {
		r.state = s
	}
}

// line builds a SIP trunk's line for faxout.
func (n *sipNode) line(t model.Trunk) (line.Line, error) {
	return line.NewSIP(line.SIPConfig{UA: n.ua, Trunk: t, Memory: n.dests,
		Record: n.cdr.Recorder(n.a.log.Warn), Logger: n.a.log.With("component", "sip")})
}
