package sip

import (
	"crypto/subtle"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// Server-side digest authentication (RFC 3261 §22, RFC 2617 qop=auth):
// used when faxgate is the carrier's registrar or a trunk that demands
// credentials from its peers (Config.InboundAuth).

// nonceLife is how long a nonce we issued is accepted; an older one gets
// a fresh challenge with stale=true (the client retries silently).
const nonceLife = 5 * time.Minute

// nonceStore remembers the nonces we issued.
type nonceStore struct {
	mu sync.Mutex
	m  map[string]time.Time // nonce -> issued
}

func (n *nonceStore) issue() string {
	nonce := randomHex(16)
	now := time.Now()
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.m == nil {
		n.m = map[string]time.Time{}
	}
	for k, t := range n.m { // keep the map small: drop long-dead nonces
		if now.Sub(t) > 2*nonceLife {
			delete(n.m, k)
		}
	}
	n.m[nonce] = now
	return nonce
}

// check reports whether we issued nonce and whether it is still fresh.
func (n *nonceStore) check(nonce string) (known, fresh bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	t, ok := n.m[nonce]
	return ok, ok && time.Since(t) <= nonceLife
}

// authorized checks the Authorization header of req against InboundAuth.
// stale reports a correct answer to an expired nonce.
func (ua *UA) authorized(req *sip.Request) (ok, stale bool, user string) {
	a := ua.cfg.InboundAuth
	h := req.GetHeader("Authorization")
	if h == nil {
		return false, false, ""
	}
	cred, err := digest.ParseCredentials(h.Value())
	if err != nil || cred.Realm != a.Realm {
		return false, false, ""
	}
	known, fresh := ua.nonces.check(cred.Nonce)
	if !known {
		return false, false, ""
	}
	pass, found := a.Lookup(cred.Username)
	if !found {
		return false, false, ""
	}
	chal := &digest.Challenge{Realm: a.Realm, Nonce: cred.Nonce, Algorithm: cred.Algorithm, Opaque: cred.Opaque}
	if cred.QOP != "" {
		chal.QOP = []string{cred.QOP}
	}
	want, err := digest.Digest(chal, digest.Options{
		Method: string(req.Method), URI: cred.URI, Username: cred.Username, Password: pass,
		Cnonce: cred.Cnonce, Count: cred.Nc,
	})
	if err != nil || subtle.ConstantTimeCompare([]byte(want.Response), []byte(cred.Response)) != 1 {
		return false, false, ""
	}
	if !fresh {
		return false, true, ""
	}
	return true, false, cred.Username
}

// challenge answers req with 401 and a fresh nonce.
func (ua *UA) challenge(tx sip.ServerTransaction, req *sip.Request, stale bool) {
	chal := digest.Challenge{
		Realm: ua.cfg.InboundAuth.Realm, Nonce: ua.nonces.issue(),
		Algorithm: "MD5", QOP: []string{"auth"}, Stale: stale,
	}
	ua.respond(tx, req, 401, "", sip.NewHeader("WWW-Authenticate", chal.String()))
}
