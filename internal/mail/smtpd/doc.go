// Package smtpd is faxgate's email-to-fax front door: an ESMTP server (on
// go-smtp) that accepts messages for <number>@<email-domain> (or a tenant's
// own email domain) from authenticated users, turns the message's
// attachments into a document (documents.Service) and submits one fax per
// recipient with source "email" through a Submitter (faxout.Service).
//
// Security: STARTTLS is offered with a configured certificate or a
// self-signed one generated on first run; AUTH PLAIN/LOGIN is accepted only
// over TLS, with a user's email or api username and password, or an API
// key as password. Without AUTH (Deps.Senders set), a sender is let in at
// MAIL FROM only when it is on a tenant's email allowlist (address, domain
// or the client's network), or when it is an active user's address whose
// From header then passes DMARC-aligned SPF or DKIM at DATA (Deps.Checker,
// package msgauth); everyone else is refused in the session with a 5xx
// that says why (no open relay, no backscatter). Accepted messages record
// where their notices go and trigger the acceptance notice (Deps.Notices,
// package notices). The size limit is announced (SIZE) and enforced,
// recipients are checked at RCPT time, connections are limited in total
// and per IP, and messages are rate limited per IP and per tenant. Every
// acceptance and refusal is recorded in System Activities.
//
// The MIME-to-document path is Extract: it walks multipart/mixed,
// alternative and related trees, decodes transfer encodings, charsets and
// RFC 2047/2231 file names, keeps attachments in order, drops small inline
// images (signatures, logos) and returns the subject and a text body (HTML
// converted to text when that is all there is).
package smtpd
