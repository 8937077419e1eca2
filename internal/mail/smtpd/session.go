package smtpd

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"faxgate/internal/model"
	"faxgate/internal/phone"
)

// session is one SMTP connection.
type session struct {
	s      *Server
	conn   *smtp.Conn
	ip     string
	authed *model.Actor // set by AUTH
	// actor is who the current transaction sends as: the authenticated
	// user, or the user an unauthenticated sender was let in as (via says
	// why, notifyTo is where notices go); dmarcPending asks DATA to check
	// the From header before anything is done.
	actor        *model.Actor
	via          string
	notifyTo     string
	dmarcPending bool
	tenant       model.Tenant
	fs           model.TenantFaxSettings
	from         string
	rcpts        []recipient
}

// recipient is an accepted RCPT: the address as written and its number.
type recipient struct {
	Addr string
	E164 string
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: s, conn: c, ip: remoteIP(c.Conn().RemoteAddr())}, nil
}

func (ss *session) ctx() context.Context { return ss.s.ctx }

// anon is the actor of audit lines before authentication.
func (ss *session) anon() model.Actor { return model.Actor{Via: "smtp", IP: ss.ip} }

// refuse audits a refusal and returns the SMTP error.
func (ss *session) refuse(code int, enh smtp.EnhancedCode, reason string) error {
	a, tenantID := ss.anon(), ""
	if ss.actor == nil && ss.authed != nil {
		a, tenantID = *ss.authed, ss.authed.TenantID
	}
	if ss.actor != nil {
		a, tenantID = *ss.actor, ss.actor.TenantID
	}
	detail := reason
	if ss.from != "" {
		detail = "from " + ss.from + ": " + reason
	}
	ss.s.deps.Audit.Record(ss.ctx(), a, ActionRefused, "email", "", trimDetail(detail), tenantID)
	return &smtp.SMTPError{Code: code, EnhancedCode: enh, Message: replyText(reason)}
}

// replyText makes reason fit on one reply line.
func replyText(reason string) string {
	reason = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, reason)
	return clip(strings.Join(strings.Fields(reason), " "), 400)
}

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain, sasl.Login} }

func (ss *session) Auth(mech string) (sasl.Server, error) {
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(identity, username, password string) error {
			if identity != "" && !strings.EqualFold(identity, username) {
				return ss.authFailed(username, "authorization identity differs from the user")
			}
			return ss.login(username, password)
		}), nil
	case sasl.Login:
		return &loginServer{auth: ss.login}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

// login checks a user name and a password or API key.
func (ss *session) login(username, password string) error {
	ctx := ss.ctx()
	var (
		a   model.Actor
		err error
	)
	if strings.HasPrefix(password, "fgk_") {
		a, err = ss.s.deps.Auth.AuthenticateAPIKey(ctx, password, ss.ip)
		if err == nil {
			u, uerr := ss.s.deps.Store.GetUserByLogin(ctx, username)
			if uerr != nil || u.ID != a.UserID {
				return ss.authFailed(username, "the API key does not belong to this user")
			}
		}
	} else {
		a, err = ss.s.deps.Auth.AuthenticateBasic(ctx, username, password, ss.ip)
	}
	var thr *model.ThrottledError
	switch {
	case errors.As(err, &thr):
		ss.authFailed(username, err.Error())
		return &smtp.SMTPError{Code: 454, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: "too many failed attempts, try again later"}
	case err != nil:
		return ss.authFailed(username, err.Error())
	}
	a.Via = "smtp"
	ss.authed = &a
	ss.s.deps.Audit.Record(ctx, a, ActionAuth, "user", a.UserID, "SMTP login", a.TenantID)
	return nil
}

func (ss *session) authFailed(username, why string) error {
	ss.s.deps.Audit.Record(ss.ctx(), ss.anon(), ActionAuthFailed, "user", "",
		trimDetail(fmt.Sprintf("SMTP login %q: %s", username, why)), "")
	return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "authentication failed: wrong user name or password"}
}

// Mail starts a transaction: authenticated users, and senders that
// authorizeEnvelope lets in, of an active tenant may send, within the rate
// limits.
func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.Reset()
	ss.from = strings.ToLower(from)
	if ss.s.isClosed() {
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "server shutting down, try again later"}
	}
	// The per-IP limit comes first, so that refused senders too are
	// bounded in the lookups (database, DNS) they cause.
	now := ss.s.now()
	if !ss.s.ipRate.allow(ss.ip, now) {
		return ss.refuse(450, smtp.EnhancedCode{4, 7, 1}, "too many messages, try again in a minute")
	}
	if ss.authed != nil {
		a := *ss.authed
		ss.actor, ss.via, ss.notifyTo = &a, "SMTP login", a.Email
	} else if err := ss.authorizeEnvelope(); err != nil {
		return err
	}
	if ss.actor.TenantID == "" {
		return ss.refuse(550, smtp.EnhancedCode{5, 7, 1}, "platform admins have no tenant and cannot send faxes")
	}
	if !ss.s.tnRate.allow(ss.actor.TenantID, now) {
		return ss.refuse(450, smtp.EnhancedCode{4, 7, 1}, "too many messages, try again in a minute")
	}
	ctx := ss.ctx()
	t, err := ss.s.deps.Store.GetTenant(ctx, model.TenantScope(ss.actor.TenantID), ss.actor.TenantID)
	if err != nil {
		return ss.tempFail("load tenant", err)
	}
	if t.Status != model.TenantActive {
		return ss.refuse(550, smtp.EnhancedCode{5, 7, 1}, "your organisation is suspended")
	}
	fs, err := ss.s.deps.Tenancy.GetFaxSettings(ctx, *ss.actor, "")
	if err != nil {
		return ss.tempFail("load fax settings", err)
	}
	ss.tenant, ss.fs = t, fs
	return nil
}

func (ss *session) tempFail(what string, err error) error {
	ss.s.log.Error("smtp "+what, "err", err)
	return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "temporary server error, try again later"}
}

var localPartRE = regexp.MustCompile(`^\+?[0-9]{2,20}$`)

// Rcpt accepts <number>@<platform domain or the tenant's own domain>.
func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if ss.actor == nil {
		return ss.refuse(530, smtp.EnhancedCode{5, 7, 0}, "authentication required")
	}
	if len(ss.rcpts) >= ss.s.cfg.MaxRecipients {
		return ss.refuse(452, smtp.EnhancedCode{4, 5, 3},
			fmt.Sprintf("too many recipients: at most %d per message", ss.s.cfg.MaxRecipients))
	}
	r, reason := ss.recipient(to)
	if reason != "" {
		return ss.refuse(550, smtp.EnhancedCode{5, 1, 1}, reason)
	}
	for _, have := range ss.rcpts {
		if have.E164 == r.E164 {
			return nil // the same number twice is one fax
		}
	}
	ss.rcpts = append(ss.rcpts, r)
	return nil
}

// recipient parses an address; reason is why it is refused.
func (ss *session) recipient(to string) (recipient, string) {
	at := strings.LastIndexByte(to, '@')
	if at <= 0 {
		return recipient{}, fmt.Sprintf("<%s>: write to <fax number>@%s", to, ss.s.cfg.Domain)
	}
	local, domain := to[:at], strings.ToLower(strings.TrimSuffix(to[at+1:], "."))
	if domain != ss.s.cfg.Domain && (ss.tenant.EmailDomain == "" || domain != strings.ToLower(ss.tenant.EmailDomain)) {
		return recipient{}, fmt.Sprintf("<%s>: unknown domain %s: faxes go to <fax number>@%s", to, domain, ss.s.cfg.Domain)
	}
	if !localPartRE.MatchString(local) {
		return recipient{}, fmt.Sprintf("<%s>: %q is not a fax number: use digits, with an optional leading +", to, local)
	}
	e164, err := phone.Normalize(local, ss.fs.DefaultCountry)
	if err != nil {
		return recipient{}, fmt.Sprintf("<%s>: %v", to, err)
	}
	return recipient{Addr: to, E164: e164}, ""
}

func (ss *session) Reset() {
	ss.from, ss.rcpts = "", nil
	ss.actor, ss.via, ss.notifyTo, ss.dmarcPending = nil, "", "", false
}

func (ss *session) Logout() error { return nil }

func trimDetail(s string) string {
	if len(s) > 500 {
		s = s[:500]
	}
	return strings.ToValidUTF8(s, "")
}

// loginServer is the server side of SASL LOGIN (not in go-sasl any more).
type loginServer struct {
	auth     func(username, password string) error
	username string
	step     int
}

func (l *loginServer) Next(response []byte) (challenge []byte, done bool, err error) {
	switch l.step {
	case 0:
		l.step++
		if response == nil {
			return []byte("Username:"), false, nil
		}
		l.username = string(response)
		l.step++
		return []byte("Password:"), false, nil
	case 1:
		l.username = string(response)
		l.step++
		return []byte("Password:"), false, nil
	case 2:
		l.step++
		return nil, true, l.auth(l.username, string(response))
	}
	return nil, true, sasl.ErrUnexpectedClientResponse
}
