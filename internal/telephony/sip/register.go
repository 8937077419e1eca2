package sip

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Binding is one registration a REGISTER created, refreshed or removed
// (Expires 0), as told to Config.OnRegister.
type Binding struct {
	User      string // the address-of-record user (To)
	Contact   string // the Contact URI to reach it at
	Expires   time.Duration
	Source    netip.AddrPort
	Transport Transport
}

// Registrar limits on the expiry a client may ask for.
const (
	maxRegisterExpires     = 3600 * time.Second
	defaultRegisterExpires = 3600 * time.Second
)

// onRegister is a minimal registrar: with OnRegister set it challenges
// (InboundAuth), accepts the binding with the expiry asked for (capped at
// an hour) and reports it. Without OnRegister, REGISTER is 405.
func (ua *UA) onRegister(req *sip.Request, tx sip.ServerTransaction) {
	if ua.cfg.OnRegister == nil {
		ua.respond(tx, req, 405, "", sip.NewHeader("Allow", allowMethods))
		return
	}
	if ua.cfg.InboundAuth != nil {
		if ok, stale, _ := ua.authorized(req); !ok {
			ua.challenge(tx, req, stale)
			return
		}
	}
	ct, to := req.Contact(), req.To()
	if ct == nil || to == nil {
		ua.respond(tx, req, 400, "Bad Request (missing Contact or To)")
		return
	}
	expires := defaultRegisterExpires
	if v, ok := ct.Params.Get("expires"); ok {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			expires = time.Duration(n) * time.Second
		}
	} else if v := headerValue(req, "Expires"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			expires = time.Duration(n) * time.Second
		}
	}
	expires = min(expires, maxRegisterExpires)
	b := Binding{User: to.Address.User, Contact: ct.Address.String(), Expires: expires, Transport: UDP}
	b.Source, _ = netip.ParseAddrPort(req.Source())
	b.Transport = transportOf(req.Transport())
	ua.cfg.OnRegister(b)
	reply := ct.Clone()
	reply.Params = sip.NewParams()
	reply.Params.Add("expires", seconds(expires))
	ua.respond(tx, req, 200, "OK", reply, sip.NewHeader("Expires", seconds(expires)))
}

// Registration keeps one binding at a registrar (a carrier that delivers
// inbound calls to a registered contact).
type Registration struct {
	// Registrar is "host[:port]" or a SIP URI; User the address-of-record
	// user, Domain its host ("" = the registrar host).
	Registrar    string
	User, Domain string
	Auth         Auth
	Transport    Transport // "" = UDP
	// OutboundProxy ("host:port") receives the REGISTERs instead of the
	// registrar's host (the Request-URI still names the registrar), as
	// with Dial.OutboundProxy.
	OutboundProxy string
	// Expires is the binding lifetime asked for; 0 = 3600 s.
	Expires time.Duration
	// RetryMin and RetryMax bound the exponential backoff after a
	// failure; 0 = 5 s and 5 min.
	RetryMin, RetryMax time.Duration
	// OnState is told every outcome (it must not block).
	OnState func(RegState)
}

// RegState is the outcome of one REGISTER attempt.
type RegState struct {
	Registered bool
	Status     int           // final SIP status, 0 if none
	Expires    time.Duration // granted lifetime when registered
	Err        error         // transport error or refusal
	At         time.Time     // when the outcome came
	// Next is when the next REGISTER goes out (refresh or retry).
	Next time.Time
}

// Register keeps the binding registered until ctx ends: it refreshes
// before the granted expiry (half-way for short ones, a minute before for
// long ones), answers digest challenges, honours 423 Min-Expires, backs off
// exponentially (with jitter) after failures, and unregisters (Expires: 0)
// when ctx ends. It returns ctx's error, or an error for a bad Registration.
func (ua *UA) Register(ctx context.Context, r Registration) error {
	if !ua.isStarted() {
		return ErrNotStarted
	}
	if r.Transport == "" {
		r.Transport = UDP
	}
	if _, err := ua.client(r.Transport); err != nil {
		return err
	}
	target, err := parseTarget(r.Registrar, "x", r.Transport)
	if err != nil {
		return err
	}
	target.User = ""
	if r.Domain == "" {
		r.Domain = target.Host
	}
	r.Expires = orDefault(r.Expires, defaultRegisterExpires)
	r.RetryMin, r.RetryMax = orDefault(r.RetryMin, 5*time.Second), orDefault(r.RetryMax, 5*time.Minute)
	r.OutboundProxy = proxyAddr(r.OutboundProxy, r.Transport)
	peer, err := resolvePeer(ctx, target, r.OutboundProxy)
	if err != nil {
		return err
	}
	reg := &registerer{ua: ua, r: r, target: target, callID: randomHex(16) + "@" + ua.advertised(peer).String(),
		tag: randomHex(8), seq: randomSeq(), local: ua.advertised(peer)}
	return reg.run(ctx)
}

type registerer struct {
	ua     *UA
	r      Registration
	target sip.Uri
	callID string
	tag    string
	seq    uint32
	local  netip.Addr
}

func (g *registerer) run(ctx context.Context) error {
	backoff := g.r.RetryMin
	expires := g.r.Expires
	for {
		st := g.once(ctx, expires)
		st.At = time.Now()
		var wait time.Duration
		switch {
		case st.Registered:
			wait, backoff = refreshAfter(st.Expires), g.r.RetryMin
		case st.Status == 423 && st.Expires > 0:
			expires, wait = st.Expires, 0 // Interval Too Brief: ask again with Min-Expires
		default:
			wait = backoff/2 + time.Duration(rand.Int64N(int64(backoff/2)+1))
			backoff = min(2*backoff, g.r.RetryMax)
		}
		st.Next = st.At.Add(wait)
		if g.r.OnState != nil {
			g.r.OnState(st)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			uctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			g.once(uctx, 0)
			cancel()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// refreshAfter is when to refresh a binding granted for d.
func refreshAfter(d time.Duration) time.Duration {
	return max(d/2, d-time.Minute)
}

// once sends one REGISTER (and its digest retry) asking for expires.
func (g *registerer) once(ctx context.Context, expires time.Duration) RegState {
	var st RegState
	var challenge *sip.Response
	for attempt := 0; attempt < 2; attempt++ {
		req := g.request(expires)
		if challenge != nil {
			if err := applyDigest(req, challenge, g.r.Auth); err != nil {
				st.Err = err
				return st
			}
		}
		rctx, cancel := context.WithTimeout(ctx, sip.Timer_F)
		res, err := g.ua.roundTrip(rctx, g.r.Transport, req)
		cancel()
		if err != nil {
			st.Err = err
			return st
		}
		st.Status = res.StatusCode
		if isChallenge(res) && g.r.Auth.User != "" && attempt == 0 {
			challenge = res
			continue
		}
		switch {
		case res.IsSuccess():
			st.Registered = expires > 0
			st.Expires = grantedExpires(res, expires)
		case res.StatusCode == 423:
			if v, err := strconv.Atoi(headerValue(res, "Min-Expires")); err == nil && v > 0 {
				st.Expires = time.Duration(v) * time.Second
			}
			st.Err = fmt.Errorf("sip: REGISTER: %d %s", res.StatusCode, res.Reason)
		default:
			st.Err = fmt.Errorf("sip: REGISTER: %d %s", res.StatusCode, res.Reason)
		}
		return st
	}
	return st
}

func (g *registerer) request(expires time.Duration) *sip.Request {
	g.seq++
	req := sip.NewRequest(sip.REGISTER, *g.target.Clone())
	req.SetTransport(g.r.Transport.network())
	aor := sip.Uri{Scheme: "sip", User: g.r.User, Host: g.r.Domain}
	from := &sip.FromHeader{Address: aor, Params: sip.NewParams()}
	from.Params.Add("tag", g.tag)
	cid := sip.CallIDHeader(g.callID)
	maxFwd := sip.MaxForwardsHeader(70)
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: aor})
	req.AppendHeader(&cid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: g.seq, MethodName: sip.REGISTER})
	req.AppendHeader(&maxFwd)
	req.AppendHeader(g.ua.contact(g.r.User, g.local, g.r.Transport))
	req.AppendHeader(sip.NewHeader("Expires", seconds(expires)))
	req.AppendHeader(sip.NewHeader("User-Agent", g.ua.cfg.UserAgent))
	if g.r.OutboundProxy != "" {
		req.SetDestination(g.r.OutboundProxy)
	}
	return req
}

// grantedExpires reads the lifetime the registrar granted: our Contact's
// expires parameter, else the Expires header, else what we asked for.
func grantedExpires(res *sip.Response, asked time.Duration) time.Duration {
	for _, h := range res.GetHeaders("Contact") {
		if c, ok := h.(*sip.ContactHeader); ok {
			if v, ok := c.Params.Get("expires"); ok {
				if n, err := strconv.Atoi(v); err == nil && n > 0 {
					return time.Duration(n) * time.Second
				}
			}
		}
	}
	if n, err := strconv.Atoi(headerValue(res, "Expires")); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	return asked
}
