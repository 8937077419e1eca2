package sip

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"faxgate/internal/telephony/rtp"
)

// allowMethods is our Allow header.
const allowMethods = "INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE, INFO"

// UA is a SIP user agent that sends and receives faxes. Create it with
// NewUA, Start it, and Close it when done. It is safe for concurrent use.
type UA struct {
	cfg Config
	log *slog.Logger

	sua     *sipgo.UserAgent
	srv     *sipgo.Server
	clients map[Transport]*sipgo.Client

	listenIP netip.Addr
	port     int
	udpConn  *net.UDPConn
	tcpLn    *net.TCPListener
	udpLaddr sip.Addr // the UDP listener: every UDP request leaves from it
	tlsAddr  netip.AddrPort
	tlsLn    net.Listener // TLS over TCP (Config.TLSListenAddr), nil if none
	tlsPort  int

	mu      sync.Mutex
	calls   map[string]*call // by dialog key (Call-ID + our tag)
	active  int
	closing bool
	started bool
	wg      sync.WaitGroup // call goroutines and servers

	nonces nonceStore
}

// NewUA checks cfg and returns an unstarted UA.
func NewUA(cfg Config) (*UA, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = defaultUserAgent
	}
	if len(cfg.Transports) == 0 {
		cfg.Transports = []Transport{UDP, TCP}
	}
	for _, t := range cfg.Transports {
		if !t.valid() {
			return nil, fmt.Errorf("sip: unknown transport %q", t)
		}
	}
	if cfg.SessionExpires == 0 {
		cfg.SessionExpires = DefaultSessionExpires
	}
	if cfg.MinSE == 0 {
		cfg.MinSE = DefaultMinSE
	}
	if cfg.MinSE < minMinSE || (cfg.SessionExpires > 0 && cfg.SessionExpires < cfg.MinSE) {
		return nil, fmt.Errorf("sip: session expires %v must be >= Min-SE %v >= %v", cfg.SessionExpires, cfg.MinSE, minMinSE)
	}
	if cfg.RTPPorts == nil {
		pool, err := rtp.NewPortPool(20000, 29999)
		if err != nil {
			return nil, err
		}
		cfg.RTPPorts = pool
	}
	host, port, err := net.SplitHostPort(cfg.ListenAddr)
	if err != nil {
		return nil, fmt.Errorf("sip: listen address %q: %w", cfg.ListenAddr, err)
	}
	ip := netip.IPv4Unspecified()
	if host != "" {
		if ip, err = netip.ParseAddr(host); err != nil {
			return nil, fmt.Errorf("sip: listen address %q needs an IP: %w", cfg.ListenAddr, err)
		}
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 0 || p > 65535 {
		return nil, fmt.Errorf("sip: listen port %q", port)
	}
	ua := &UA{cfg: cfg, log: cfg.Logger, listenIP: ip.Unmap(), port: p, calls: map[string]*call{}}
	if cfg.TLSListenAddr != "" {
		if cfg.TLSServer == nil || (len(cfg.TLSServer.Certificates) == 0 && cfg.TLSServer.GetCertificate == nil) {
			return nil, errors.New("sip: a TLS listener needs a certificate (Config.TLSServer)")
		}
		ap, err := netip.ParseAddrPort(cfg.TLSListenAddr)
		if err != nil {
			return nil, fmt.Errorf("sip: TLS listen address %q needs IP:PORT: %w", cfg.TLSListenAddr, err)
		}
		ua.tlsAddr = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	return ua, nil
}

func (ua *UA) has(t Transport) bool {
	for _, x := range ua.cfg.Transports {
		if x == t {
			return true
		}
	}
	return false
}

// Start binds the listeners (UDP and TCP on one port) and serves them
// until Close or the end of ctx.
func (ua *UA) Start(ctx context.Context) error {
	ua.mu.Lock()
	defer ua.mu.Unlock()
	if ua.started {
		return errors.New("sip: UA already started")
	}
	if err := ua.bind(); err != nil {
		return err
	}
	if err := ua.newStack(); err != nil {
		ua.closeListeners()
		return err
	}
	ua.started = true
	if ua.udpConn != nil {
		ua.serve(func() error { return ua.srv.ServeUDP(ua.udpConn) })
		// Our UDP requests leave from the listener, which sipgo finds in
		// its pool only once ServeUDP has registered it.
		pool, addr := ua.sua.TransportLayer().Pool("udp"), ua.udpConn.LocalAddr().String()
		for deadline := time.Now().Add(5 * time.Second); pool.Get(addr) == nil && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
	}
	if ua.tcpLn != nil {
		ua.serve(func() error { return ua.srv.ServeTCP(ua.tcpLn) })
	}
	if ua.tlsLn != nil {
		ua.serve(func() error { return ua.srv.ServeTLS(ua.tlsLn) })
	}
	go func() {
		<-ctx.Done()
		ua.Close()
	}()
	return nil
}

func (ua *UA) serve(f func() error) {
	ua.wg.Add(1)
	go func() {
		defer ua.wg.Done()
		if err := f(); err != nil && !errors.Is(err, net.ErrClosed) {
			ua.log.Debug("SIP listener ended", "error", err)
		}
	}()
}

// bind opens the UDP and TCP listeners on the same port; with port 0 it
// retries until both get the same free port.
func (ua *UA) bind() error {
	for attempt := 0; ; attempt++ {
		err := ua.bindOnce()
		if err == nil || ua.port != 0 || attempt >= 20 {
			if err == nil && ua.tlsAddr.IsValid() {
				if err = ua.bindTLS(); err != nil {
					ua.closeListeners()
				}
			}
			return err
		}
	}
}

// bindTLS opens the TLS listener (its own port: 5061 by convention).
func (ua *UA) bindTLS() error {
	l, err := net.ListenTCP("tcp", net.TCPAddrFromAddrPort(ua.tlsAddr))
	if err != nil {
		return fmt.Errorf("sip: listen tls: %w", err)
	}
	ua.tlsPort = l.Addr().(*net.TCPAddr).Port
	conf := ua.cfg.TLSServer.Clone()
	if conf.MinVersion == 0 {
		conf.MinVersion = tls.VersionTLS12
	}
	ua.tlsLn = tls.NewListener(l, conf)
	return nil
}

func (ua *UA) bindOnce() error {
	port := ua.port
	if ua.has(UDP) {
		c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ua.listenIP, uint16(port))))
		if err != nil {
			return fmt.Errorf("sip: listen udp: %w", err)
		}
		ua.udpConn = c
		port = c.LocalAddr().(*net.UDPAddr).Port
	}
	if ua.has(TCP) {
		l, err := net.ListenTCP("tcp", net.TCPAddrFromAddrPort(netip.AddrPortFrom(ua.listenIP, uint16(port))))
		if err != nil {
			ua.closeListeners()
			return fmt.Errorf("sip: listen tcp: %w", err)
		}
		ua.tcpLn = l
		port = l.Addr().(*net.TCPAddr).Port
	}
	ua.port = port
	if ua.udpConn != nil {
		la := ua.udpConn.LocalAddr().(*net.UDPAddr)
		ua.udpLaddr = sip.Addr{IP: la.IP, Port: la.Port, Hostname: la.IP.String()}
	}
	return nil
}

func (ua *UA) closeListeners() {
	if ua.udpConn != nil {
		ua.udpConn.Close()
	}
	if ua.tcpLn != nil {
		ua.tcpLn.Close()
	}
	if ua.tlsLn != nil {
		ua.tlsLn.Close()
	}
}

// newStack creates the sipgo user agent, server and clients.
func (ua *UA) newStack() error {
	lg := ua.log.With("component", "sipgo")
	clientTLS := ua.cfg.TLSClient
	if clientTLS == nil {
		clientTLS = &tls.Config{} // the system's roots, the dialled host's name
	}
	if clientTLS.MinVersion == 0 {
		clientTLS = clientTLS.Clone()
		clientTLS.MinVersion = tls.VersionTLS12
	}
	s, err := sipgo.NewUA(
		sipgo.WithUserAgent(ua.cfg.UserAgent),
		sipgo.WithUserAgenTLSConfig(clientTLS),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(lg),
			sip.WithTransactionLayerUnhandledResponseHandler(func(*sip.Response) {})),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(lg)),
	)
	if err != nil {
		return err
	}
	ua.sua = s
	if ua.srv, err = sipgo.NewServer(s, sipgo.WithServerLogger(lg)); err != nil {
		return err
	}
	ua.clients = map[Transport]*sipgo.Client{}
	transports := ua.cfg.Transports
	if ua.tlsLn != nil {
		transports = append(slices.Clone(transports), TLS)
	}
	for _, t := range transports {
		port := ua.port
		if t == TLS {
			port = ua.tlsPort // the Via of our TLS requests
		}
		c, err := sipgo.NewClient(s, sipgo.WithClientLogger(lg),
			sipgo.WithClientHostname(ua.advertised(netip.Addr{}).String()), sipgo.WithClientPort(port))
		if err != nil {
			return err
		}
		ua.clients[t] = c
	}
	ua.srv.OnInvite(ua.onInvite)
	ua.srv.OnAck(ua.onAck)
	ua.srv.OnBye(ua.inDialog)
	ua.srv.OnUpdate(ua.inDialog)
	ua.srv.OnInfo(ua.inDialog)
	ua.srv.OnCancel(ua.onCancel)
	ua.srv.OnOptions(ua.onOptions)
	ua.srv.OnRegister(ua.onRegister)
	return nil
}

func (ua *UA) isStarted() bool {
	ua.mu.Lock()
	defer ua.mu.Unlock()
	return ua.started
}

// Port returns the SIP port (after Start).
func (ua *UA) Port() int { return ua.port }

// TLSPort returns the SIP-over-TLS port (after Start; 0 without a TLS
// listener).
func (ua *UA) TLSPort() int { return ua.tlsPort }

// Addr returns the address peers reach us at: the advertised IP and the
// SIP port.
func (ua *UA) Addr() netip.AddrPort {
	return netip.AddrPortFrom(ua.advertised(netip.Addr{}), uint16(ua.port))
}

// ActiveCalls returns the calls in progress.
func (ua *UA) ActiveCalls() int {
	ua.mu.Lock()
	defer ua.mu.Unlock()
	return ua.active
}

// Close hangs up every call, waits for them to end and closes the
// listeners. It is idempotent.
func (ua *UA) Close() error {
	ua.mu.Lock()
	if ua.closing {
		ua.mu.Unlock()
		return nil
	}
	ua.closing = true
	calls := make([]*call, 0, len(ua.calls))
	for _, c := range ua.calls {
		calls = append(calls, c)
	}
	ua.mu.Unlock()
	for _, c := range calls {
		c.shutdown()
	}
	ua.wgCalls()
	ua.closeListeners()
	if ua.sua != nil {
		ua.sua.Close()
	}
	ua.wg.Wait()
	return nil
}

// wgCalls waits (bounded) for the calls to finish their BYE.
func (ua *UA) wgCalls() {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if ua.ActiveCalls() == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// advertised is the address we put in SDP, Contact and Via: PublicIP,
// else the listen IP, else the local address that routes to peer.
func (ua *UA) advertised(peer netip.Addr) netip.Addr {
	switch {
	case ua.cfg.PublicIP.IsValid():
		return ua.cfg.PublicIP
	case !ua.listenIP.IsUnspecified():
		return ua.listenIP
	}
	if peer.IsValid() {
		if c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(peer, 9))); err == nil {
			defer c.Close()
			return c.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap()
		}
	}
	if ips, err := net.InterfaceAddrs(); err == nil {
		for _, a := range ips {
			if p, ok := netip.AddrFromSlice(a.(*net.IPNet).IP); ok && !p.IsLoopback() && p.Unmap().Is4() {
				return p.Unmap()
			}
		}
	}
	return netip.AddrFrom4([4]byte{127, 0, 0, 1})
}

// mediaBindIP is where media sockets listen.
func (ua *UA) mediaBindIP() netip.Addr {
	if ua.listenIP.IsUnspecified() {
		return netip.IPv4Unspecified()
	}
	return ua.listenIP
}

// acquire takes a call slot; false when closing or at MaxCalls.
func (ua *UA) acquire() bool {
	ua.mu.Lock()
	defer ua.mu.Unlock()
	if ua.closing || (ua.cfg.MaxCalls > 0 && ua.active >= ua.cfg.MaxCalls) {
		return false
	}
	ua.active++
	return true
}

func (ua *UA) release() {
	ua.mu.Lock()
	ua.active--
	ua.mu.Unlock()
}

func dialogKey(callID, localTag string) string { return callID + "\x00" + localTag }

func (ua *UA) register(c *call) {
	ua.mu.Lock()
	ua.calls[c.key] = c
	ua.mu.Unlock()
}

func (ua *UA) unregister(c *call) {
	ua.mu.Lock()
	if ua.calls[c.key] == c {
		delete(ua.calls, c.key)
	}
	ua.mu.Unlock()
}

// lookup finds the call of an in-dialog request: Call-ID and our tag (To).
func (ua *UA) lookup(req *sip.Request) *call {
	cid, to := req.CallID(), req.To()
	if cid == nil || to == nil {
		return nil
	}
	tag, _ := to.Params.Get("tag")
	ua.mu.Lock()
	defer ua.mu.Unlock()
	return ua.calls[dialogKey(cid.Value(), tag)]
}

// respond sends a response built from req with extra headers.
func (ua *UA) respond(tx sip.ServerTransaction, req *sip.Request, code int, reason string, hdrs ...sip.Header) {
	if reason == "" {
		reason = reasonPhrase(code)
	}
	res := sip.NewResponseFromRequest(req, code, reason, nil)
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	if code >= 200 {
		res.AppendHeader(sip.NewHeader("Server", ua.cfg.UserAgent))
	}
	if err := tx.Respond(res); err != nil {
		ua.log.Debug("SIP respond failed", "code", code, "method", req.Method, "error", err)
	}
}

// onAck routes an ACK for a 2xx to its call (ACKs of non-2xx are absorbed
// by the transaction layer).
func (ua *UA) onAck(req *sip.Request, tx sip.ServerTransaction) {
	if c := ua.lookup(req); c != nil {
		c.post(evAck{req: req})
	}
}

// inDialog routes BYE, UPDATE and INFO to their call and waits until the
// call has answered (the transaction ends when this handler returns).
func (ua *UA) inDialog(req *sip.Request, tx sip.ServerTransaction) {
	c := ua.lookup(req)
	if c == nil {
		ua.respond(tx, req, 481, "")
		return
	}
	c.deliver(req, tx)
}

// onCancel answers a CANCEL that matched no INVITE transaction (the
// transaction layer answers the others itself).
func (ua *UA) onCancel(req *sip.Request, tx sip.ServerTransaction) {
	ua.respond(tx, req, 481, "")
}

// onOptions answers OPTIONS, in or out of a dialog, with our
// capabilities (a keep-alive ping for trunks and proxies).
func (ua *UA) onOptions(req *sip.Request, tx sip.ServerTransaction) {
	ua.respond(tx, req, 200, "OK",
		sip.NewHeader("Allow", allowMethods),
		sip.NewHeader("Accept", "application/sdp"),
		sip.NewHeader("Supported", "timer"))
}

// onInvite handles new INVITEs and re-INVITEs.
func (ua *UA) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if to := req.To(); to != nil && to.Params.Has("tag") {
		c := ua.lookup(req)
		if c == nil {
			ua.respond(tx, req, 481, "")
			return
		}
		c.deliver(req, tx)
		return
	}
	ua.inbound(req, tx)
}

// client returns the sipgo client of a transport.
func (ua *UA) client(t Transport) (*sipgo.Client, error) {
	c := ua.clients[t]
	if c == nil && t == TLS {
		return nil, errors.New("sip: transport tls needs a SIP TLS listener (Config.TLSListenAddr, serve --sip-tls)")
	}
	if c == nil {
		return nil, fmt.Errorf("sip: transport %s is not enabled", t)
	}
	return c, nil
}

// prepare is the sipgo request option for our requests: a Via (unless the
// request has one, as CANCEL does), a Content-Length, and for UDP the
// listener as the local socket so replies come back to it.
func (ua *UA) prepare(keepVia bool) sipgo.ClientRequestOption {
	return func(c *sipgo.Client, req *sip.Request) error {
		if !keepVia || req.Via() == nil {
			if err := sipgo.ClientRequestAddVia(c, req); err != nil {
				return err
			}
		}
		if req.Body() == nil {
			req.SetBody(nil)
		}
		if strings.EqualFold(req.Transport(), "UDP") && ua.udpLaddr.IP != nil {
			req.Laddr = ua.udpLaddr
		}
		return nil
	}
}

// contact is our Contact header for a call.
func (ua *UA) contact(user string, host netip.Addr, t Transport) *sip.ContactHeader {
	u := sip.Uri{Scheme: "sip", User: user, Host: host.String(), Port: ua.port}
	switch t {
	case TCP:
		u.UriParams = sip.HeaderParams{{K: "transport", V: "tcp"}}
	case TLS:
		u.Port = ua.tlsPort
		u.UriParams = sip.HeaderParams{{K: "transport", V: "tls"}}
	}
	return &sip.ContactHeader{Address: u}
}

// reasonPhrase is the standard reason phrase of the codes we send.
func reasonPhrase(code int) string {
	switch code {
	case 100:
		return "Trying"
	case 180:
		return "Ringing"
	case 200:
		return "OK"
	case 400:
		return "Bad Request"
	case 401:
		return "Unauthorized"
	case 403:
		return "Forbidden"
	case 404:
		return "Not Found"
	case 405:
		return "Method Not Allowed"
	case 408:
		return "Request Timeout"
	case 415:
		return "Unsupported Media Type"
	case 420:
		return "Bad Extension"
	case 422:
		return "Session Interval Too Small"
	case 480:
		return "Temporarily Unavailable"
	case 481:
		return "Call/Transaction Does Not Exist"
	case 486:
		return "Busy Here"
	case 487:
		return "Request Terminated"
	case 488:
		return "Not Acceptable Here"
	case 491:
		return "Request Pending"
	case 500:
		return "Server Internal Error"
	case 503:
		return "Service Unavailable"
	case 600:
		return "Busy Everywhere"
	case 603:
		return "Decline"
	}
	return "Status " + strconv.Itoa(code)
}

// Hangup ends the call with this Call-ID (BYE, cause canceled); false if
// there is none.
func (ua *UA) Hangup(callID string) bool {
	ua.mu.Lock()
	var found []*call
	for _, c := range ua.calls {
		if c.dlg.callID == callID {
			found = append(found, c)
		}
	}
	ua.mu.Unlock()
	for _, c := range found {
		c.shutdown()
	}
	return len(found) > 0
}
