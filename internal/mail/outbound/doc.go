// Package outbound sends faxgate's emails — fax-to-email, notices to
// email-to-fax senders, the admin's test email — through the SMTP relay of
// the platform settings (model.PlatformSettings.SMTP), on
// github.com/wneessen/go-mail.
//
// Security is what the admin configured, never less: "starttls" requires
// the relay to offer STARTTLS (a relay that does not is an error, not a
// plain-text session), "tls" is implicit TLS, "none" is for loopback and
// development relays. Certificates are verified (RelayOptions.RootCAs adds
// a private CA). AUTH uses PLAIN, or LOGIN when only that is offered, and
// only ever over TLS.
//
// Every email is durable: Mailer.Enqueue stores it in the outbound_emails
// table (attachments in the blob store, or referenced blobs such as a
// received fax's PDF) and queues a River job "email_send" in the same
// transaction. The job tries, records the attempt and the last error
// (shown with the object the email is about, e.g. a fax), and retries
// with a backoff (DefaultBackoff: about a day) until the relay accepts it;
// a 5xx refusal fails the email at once. Each email keeps one Message-ID
// ("<email id>@<domain>") across tries, so a relay that saw it twice can
// tell. Every message carries Auto-Submitted: auto-generated (RFC 3834)
// so that auto-responders do not answer and no mail loop starts, and may
// carry In-Reply-To/References to thread notices.
//
// Size policy: attachments of one email are limited in total by the
// platform setting EmailAttachmentLimit (default 10 MiB). Callers ask
// Mailer.AttachmentsFit before composing the body; when it says no, they
// leave the file out and put a link to it in the body. Enqueue refuses
// over-limit attachments with ErrAttachmentsTooLarge.
package outbound
