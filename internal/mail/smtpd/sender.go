package smtpd

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"strings"

	"github.com/emersion/go-smtp"

	"faxgate/internal/mail/msgauth"
	"faxgate/internal/mail/senders"
	"faxgate/internal/model"
)

// notAuthorised is the reply to senders that are not let in.
const notAuthorised = "sender %s is not authorised to send faxes: log in (AUTH after STARTTLS), " +
	"send from the address of your faxgate user through a server its domain's SPF or DKIM vouches for, " +
	"or ask your administrator to add your address or mail server to the email allowlist"

// authorizeEnvelope decides at MAIL FROM whether a client without AUTH may
// send, and as whom: a sender on a tenant's allowlist (address, domain or
// the client's network) sends as the user the entry names (or as itself
// when it is a user of that tenant); an active user's address is let in
// on condition that the From header passes DMARC-aligned SPF or DKIM at
// DATA. Everything else is refused here, so nothing is ever bounced later.
func (ss *session) authorizeEnvelope() error {
	d := ss.s.deps
	if d.Senders == nil {
		return ss.refuse(530, smtp.EnhancedCode{5, 7, 0},
			"authentication required: log in with your faxgate user (AUTH after STARTTLS) to send faxes by email")
	}
	if ss.from == "" {
		return ss.refuse(550, smtp.EnhancedCode{5, 7, 1}, "a message with an empty sender (a bounce) cannot send faxes")
	}
	ctx := ss.ctx()
	entries, err := d.Senders.Match(ctx, net.ParseIP(ss.ip), ss.from)
	if err != nil {
		return ss.tempFail("match allowlist", err)
	}
	user, isUser, err := ss.activeUser(ss.from)
	if err != nil {
		return ss.tempFail("load sender", err)
	}
	if isUser {
		entries = inTenant(entries, user.TenantID)
	}
	tenants := map[string]bool{}
	for _, e := range entries {
		tenants[e.TenantID] = true
	}
	switch {
	case len(tenants) > 1:
		return ss.refuse(550, smtp.EnhancedCode{5, 7, 1}, fmt.Sprintf("sender %s is on the email allowlist of "+
			"several organisations, so it cannot tell whose faxes these are: log in (AUTH after STARTTLS)", ss.from))
	case len(entries) > 0:
		return ss.letInByAllowlist(entries[0], user, isUser)
	case isUser && d.Checker != nil:
		a := actorOf(user, ss.ip)
		ss.actor, ss.dmarcPending, ss.notifyTo = &a, true, user.Email
		return nil
	}
	return ss.refuse(550, smtp.EnhancedCode{5, 7, 1}, fmt.Sprintf(notAuthorised, ss.from))
}

// letInByAllowlist sends as the sender when it is a user of the entry's
// tenant, else as the entry's user; notices go to the allowlisted
// address, or to that user for a network entry.
func (ss *session) letInByAllowlist(e senders.Entry, user model.User, isUser bool) error {
	if !isUser {
		u, err := ss.s.deps.Store.GetUser(ss.ctx(), model.TenantScope(e.TenantID), e.UserID)
		if err != nil {
			return ss.tempFail("load allowlist user", err)
		}
		user = u
	}
	a := actorOf(user, ss.ip)
	ss.actor, ss.notifyTo = &a, user.Email
	if e.Kind != senders.KindNetwork {
		ss.notifyTo = ss.from
	}
	ss.via = fmt.Sprintf("allowlist %s %s", e.Kind, e.Value)
	ss.s.deps.Audit.Record(ss.ctx(), a, ActionSender, "email_allowlist", e.ID,
		trimDetail(fmt.Sprintf("from %s (%s): on the %s, sending as %s", ss.from, ss.ip, ss.via, user.Email)), a.TenantID)
	return nil
}

// activeUser finds the active user whose email is addr, in an active
// role with a tenant.
func (ss *session) activeUser(addr string) (model.User, bool, error) {
	u, err := ss.s.deps.Store.GetUserByLogin(ss.ctx(), addr)
	switch {
	case errors.Is(err, model.ErrNotFound):
		return u, false, nil
	case err != nil:
		return u, false, err
	}
	ok := strings.EqualFold(u.Email, addr) && u.Status == model.UserActive && u.TenantID != ""
	return u, ok, nil
}

func actorOf(u model.User, ip string) model.Actor {
	return model.Actor{UserID: u.ID, TenantID: u.TenantID, Role: u.Role, Email: u.Email, Via: "smtp", IP: ip}
}

func inTenant(es []senders.Entry, tenantID string) []senders.Entry {
	var out []senders.Entry
	for _, e := range es {
		if e.TenantID == tenantID {
			out = append(out, e)
		}
	}
	return out
}

// verifyFrom checks, for a sender let in by its address, that the From
// header is one active user of the same tenant and that it passes
// DMARC-aligned SPF or DKIM; the fax is then sent as that user.
func (ss *session) verifyFrom(raw []byte) error {
	hdr, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return ss.refuse(554, smtp.EnhancedCode{5, 6, 0}, "cannot read the message header: "+err.Error())
	}
	list, err := hdr.Header.AddressList("From")
	if err != nil || len(list) != 1 {
		return ss.refuse(550, smtp.EnhancedCode{5, 7, 1}, "the message needs exactly one From address")
	}
	from := strings.ToLower(list[0].Address)
	u, ok, err := ss.activeUser(from)
	if err != nil {
		return ss.tempFail("load sender", err)
	}
	if !ok || u.TenantID != ss.actor.TenantID {
		return ss.refuse(550, smtp.EnhancedCode{5, 7, 1}, fmt.Sprintf(notAuthorised, from))
	}
	res := ss.s.deps.Checker.Check(ss.ctx(), msgauth.Input{IP: net.ParseIP(ss.ip), Helo: ss.conn.Hostname(),
		MailFrom: ss.from, From: from, Message: raw})
	switch {
	case res.Pass:
	case res.Temporary:
		ss.s.log.Warn("smtp: sender check failed on DNS", "from", from, "result", res.Summary())
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 5},
			Message: "cannot check the sender's SPF and DKIM records now (DNS), try again later"}
	default:
		return ss.refuse(550, smtp.EnhancedCode{5, 7, 26}, fmt.Sprintf("From %s failed the SPF and DKIM checks (%s): "+
			"the message may be forged; log in (AUTH after STARTTLS) or send through your domain's mail server",
			from, res.Summary()))
	}
	a := actorOf(u, ss.ip)
	ss.actor, ss.notifyTo, ss.dmarcPending = &a, u.Email, false
	ss.via = "From " + from + " authenticated, " + res.Summary()
	ss.s.deps.Audit.Record(ss.ctx(), a, ActionSender, "user", u.ID,
		trimDetail(fmt.Sprintf("from %s (%s): %s", from, ss.ip, ss.via)), a.TenantID)
	return nil
}

// messageID is the Message-ID of raw, without <>, "" when absent or odd.
func messageID(raw []byte) string {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return ""
	}
	id := strings.TrimSpace(m.Header.Get("Message-Id"))
	id = strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
	if len(id) > 250 || !strings.Contains(id, "@") || strings.ContainsAny(id, "<> \t\r\n\"\\") {
		return ""
	}
	return id
}
