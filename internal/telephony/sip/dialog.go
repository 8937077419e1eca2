package sip

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// dialog is the state RFC 3261 §12 keeps for one call: identifiers,
// sequence numbers, the remote target and the route set. We build
// in-dialog requests ourselves (sipgo's dialog helpers cover neither
// re-INVITEs in both directions nor glare).
type dialog struct {
	ua        *UA
	transport Transport
	callID    string
	localTag  string
	remoteTag string
	local     sip.Uri // our URI (From of our requests)
	localName string
	remote    sip.Uri
	remName   string
	// remoteTarget is the far Contact; routes the route set in order.
	remoteTarget sip.Uri
	routes       []sip.Uri
	contact      *sip.ContactHeader
	// ownCallID: we sent the initial INVITE (RFC 3261 §14.1 glare timers).
	ownCallID bool
	auth      Auth

	mu        sync.Mutex
	localSeq  uint32
	remoteSeq uint32 // owned by the call loop
}

func (d *dialog) nextSeq() uint32 {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.localSeq++
	return d.localSeq
}

// request builds an in-dialog request (no Via: the client adds it).
func (d *dialog) request(method sip.RequestMethod, seq uint32) *sip.Request {
	target := d.remoteTarget
	routes := d.routes
	if len(routes) > 0 && !routes[0].UriParams.Has("lr") {
		// Strict routing (RFC 3261 §12.2.1.1): the first route becomes the
		// Request-URI and the remote target goes last.
		target = routes[0]
		routes = append(append([]sip.Uri(nil), routes[1:]...), d.remoteTarget)
	}
	req := sip.NewRequest(method, *target.Clone())
	req.SetTransport(d.transport.network())
	from := &sip.FromHeader{DisplayName: d.localName, Address: d.local, Params: sip.NewParams()}
	from.Params.Add("tag", d.localTag)
	to := &sip.ToHeader{DisplayName: d.remName, Address: d.remote, Params: sip.NewParams()}
	if d.remoteTag != "" {
		to.Params.Add("tag", d.remoteTag)
	}
	cid := sip.CallIDHeader(d.callID)
	maxFwd := sip.MaxForwardsHeader(70)
	req.AppendHeader(from)
	req.AppendHeader(to)
	req.AppendHeader(&cid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: seq, MethodName: method})
	req.AppendHeader(&maxFwd)
	for _, r := range routes {
		req.AppendHeader(&sip.RouteHeader{Address: r})
	}
	if method != sip.ACK && method != sip.CANCEL {
		req.AppendHeader(d.contact.Clone())
		req.AppendHeader(sip.NewHeader("User-Agent", d.ua.cfg.UserAgent))
	}
	return req
}

// ack sends the ACK for a 2xx to the INVITE with sequence number seq and
// re-sends it on each retransmission of the 2xx.
func (d *dialog) ack(tx sip.ClientTransaction, seq uint32, body []byte) {
	build := func() *sip.Request {
		a := d.request(sip.ACK, seq)
		if body != nil {
			a.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
			a.SetBody(body)
		}
		return a
	}
	cl, err := d.ua.client(d.transport)
	if err != nil {
		return
	}
	if err := cl.WriteRequest(build(), d.ua.prepare(false)); err != nil {
		d.ua.log.Debug("sending ACK failed", "call_id", d.callID, "error", err)
	}
	if tx != nil {
		tx.OnRetransmission(func(r *sip.Response) {
			if r.IsSuccess() {
				_ = cl.WriteRequest(build(), d.ua.prepare(false))
			}
		})
	}
}

// do sends a non-INVITE in-dialog request (BYE, UPDATE) and waits for its
// final response, answering one digest challenge.
func (d *dialog) do(ctx context.Context, method sip.RequestMethod, hdrs []sip.Header, body []byte) (*sip.Response, error) {
	var challenge *sip.Response
	for attempt := 0; attempt < 2; attempt++ {
		req := d.request(method, d.nextSeq())
		for _, h := range hdrs {
			req.AppendHeader(h)
		}
		if body != nil {
			req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
			req.SetBody(body)
		}
		if challenge != nil {
			if err := applyDigest(req, challenge, d.auth); err != nil {
				return challenge, err
			}
		}
		res, err := d.ua.roundTrip(ctx, d.transport, req)
		if err != nil || !isChallenge(res) || d.auth.User == "" {
			return res, err
		}
		challenge = res
	}
	return challenge, nil
}

// roundTrip runs one non-INVITE client transaction.
func (ua *UA) roundTrip(ctx context.Context, t Transport, req *sip.Request) (*sip.Response, error) {
	cl, err := ua.client(t)
	if err != nil {
		return nil, err
	}
	tx, err := cl.TransactionRequest(ctx, req, ua.prepare(false))
	if err != nil {
		return nil, err
	}
	defer tx.Terminate()
	for {
		select {
		case res := <-tx.Responses():
			if res.IsProvisional() {
				continue
			}
			return res, nil
		case <-tx.Done():
			return nil, txError(tx.Err())
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func isChallenge(res *sip.Response) bool {
	return res != nil && (res.StatusCode == 401 || res.StatusCode == 407)
}

// applyDigest answers the challenge of res (401 WWW-Authenticate or 407
// Proxy-Authenticate) on req.
func applyDigest(req *sip.Request, res *sip.Response, auth Auth) error {
	chName, crName := "WWW-Authenticate", "Authorization"
	if res.StatusCode == 407 {
		chName, crName = "Proxy-Authenticate", "Proxy-Authorization"
	}
	h := res.GetHeader(chName)
	if h == nil {
		return fmt.Errorf("sip: %d without %s", res.StatusCode, chName)
	}
	chal, err := digest.ParseChallenge(h.Value())
	if err != nil {
		return fmt.Errorf("sip: %s: %w", chName, err)
	}
	chal.Algorithm = strings.ToUpper(chal.Algorithm)
	cred, err := digest.Digest(chal, digest.Options{
		Method: string(req.Method), URI: req.Recipient.Addr(), Username: auth.User, Password: auth.Pass,
	})
	if err != nil {
		return fmt.Errorf("sip: digest: %w", err)
	}
	req.RemoveHeader(crName)
	req.AppendHeader(sip.NewHeader(crName, cred.String()))
	return nil
}

// errNoResponse: the peer never answered (Timer B, or our deadline before
// any provisional response).
var errNoResponse = errors.New("sip: no response")

// errTransport: the transport failed (TCP refused, ICMP, write error).
var errTransport = errors.New("sip: transport failure")

func txError(err error) error {
	switch {
	case err == nil:
		return errNoResponse
	case errors.Is(err, sip.ErrTransactionTimeout):
		return fmt.Errorf("%w: %w", errNoResponse, err)
	case errors.Is(err, sip.ErrTransactionTransport):
		return fmt.Errorf("%w: %w", errTransport, err)
	}
	return err
}

// inviteRun is the outcome of one INVITE client transaction.
type inviteRun struct {
	final    *sip.Response
	tx       sip.ClientTransaction
	gotProv  bool // a provisional response came
	canceled bool // we gave up (CANCEL sent, or no response at all)
	err      error
}

// runInvite sends req (an INVITE with everything but Via) in a client
// transaction and waits for the final response. When stop fires it gives
// up: with CANCEL once a provisional response arrived (RFC 3261 §9.1:
// not before), else at once. onProv sees the provisional responses.
func (ua *UA) runInvite(t Transport, req *sip.Request, stop <-chan struct{}, onProv func(*sip.Response)) inviteRun {
	cl, err := ua.client(t)
	if err != nil {
		return inviteRun{err: err}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // connection setup only
	defer cancel()
	tx, err := cl.TransactionRequest(ctx, req, ua.prepare(false))
	if err != nil {
		return inviteRun{err: fmt.Errorf("%w: %w", errTransport, err)}
	}
	run := inviteRun{tx: tx}
	var afterCancel <-chan time.Time
	cancelSent := false
	for {
		select {
		case r := <-tx.Responses():
			if r.IsProvisional() {
				run.gotProv = true
				if onProv != nil {
					onProv(r)
				}
				if run.canceled && !cancelSent {
					cancelSent = true
					afterCancel = ua.sendCancel(t, req)
				}
				continue
			}
			run.final = r
			return run
		case <-tx.Done():
			run.err = txError(tx.Err())
			return run
		case <-stop:
			stop = nil
			run.canceled = true
			if !run.gotProv {
				// Nothing came back: the peer is gone or unreachable; a CANCEL
				// could not be matched anyway.
				tx.Terminate()
				run.err = errNoResponse
				return run
			}
			cancelSent = true
			afterCancel = ua.sendCancel(t, req)
		case <-afterCancel:
			// RFC 3261 §9.1: no final response 64*T1 after CANCEL.
			tx.Terminate()
			run.err = errNoResponse
			return run
		}
	}
}

// sendCancel sends a CANCEL for req (same Request-URI, top Via, From, To,
// Call-ID, CSeq number, Route) and returns the timer of the 64*T1 wait.
func (ua *UA) sendCancel(t Transport, inv *sip.Request) <-chan time.Time {
	c := sip.NewRequest(sip.CANCEL, *inv.Recipient.Clone())
	c.SetTransport(inv.Transport())
	c.AppendHeader(sip.HeaderClone(inv.Via()))
	c.AppendHeader(sip.HeaderClone(inv.From()))
	c.AppendHeader(sip.HeaderClone(inv.To()))
	c.AppendHeader(sip.HeaderClone(inv.CallID()))
	c.AppendHeader(&sip.CSeqHeader{SeqNo: inv.CSeq().SeqNo, MethodName: sip.CANCEL})
	maxFwd := sip.MaxForwardsHeader(70)
	c.AppendHeader(&maxFwd)
	sip.CopyHeaders("Route", inv, c)
	if d := inv.Destination(); d != "" {
		c.SetDestination(d)
	}
	go func() {
		cl, err := ua.client(t)
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), sip.Timer_F)
		defer cancel()
		tx, err := cl.TransactionRequest(ctx, c, ua.prepare(true))
		if err != nil {
			ua.log.Debug("CANCEL failed", "error", err)
			return
		}
		defer tx.Terminate()
		for {
			select {
			case r := <-tx.Responses():
				if !r.IsProvisional() {
					return
				}
			case <-tx.Done():
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return time.After(64 * sip.T1)
}

// reinvite sends an in-dialog INVITE carrying body and waits at most
// timeout for the final response (then CANCEL). A 2xx is ACKed at once;
// one digest challenge is answered. It returns the CSeq used.
func (d *dialog) reinvite(body []byte, hdrs []sip.Header, timeout time.Duration) (uint32, inviteRun) {
	var challenge *sip.Response
	for attempt := 0; ; attempt++ {
		seq := d.nextSeq()
		req := d.request(sip.INVITE, seq)
		for _, h := range hdrs {
			req.AppendHeader(h)
		}
		req.AppendHeader(sip.NewHeader("Allow", allowMethods))
		req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
		req.SetBody(body)
		if challenge != nil {
			if err := applyDigest(req, challenge, d.auth); err != nil {
				return seq, inviteRun{final: challenge, err: err}
			}
		}
		stop, cancel := stopAfter(timeout)
		run := d.ua.runInvite(d.transport, req, stop, nil)
		cancel()
		if run.final != nil && run.final.IsSuccess() {
			d.ack(run.tx, seq, nil)
			return seq, run
		}
		if attempt == 0 && isChallenge(run.final) && d.auth.User != "" {
			challenge = run.final
			continue
		}
		return seq, run
	}
}

// stopAfter returns a channel closed after d, and a func to disarm it.
func stopAfter(d time.Duration) (<-chan struct{}, func()) {
	ch := make(chan struct{})
	t := time.AfterFunc(d, func() { close(ch) })
	return ch, func() { t.Stop() }
}
