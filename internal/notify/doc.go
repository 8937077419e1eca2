// Package notify tells tenants what happened to their faxes: signed
// webhooks now, email notifications in later issues (names here are
// prefixed Webhook... so the email side can sit beside them).
//
// # Webhooks
//
// Tenant admins register endpoints (URL, subscribed event types or "*",
// description, enabled). Every endpoint has its own signing secret,
// "whsec_" + base64 of 32 random bytes, shown exactly once: in the answer
// to Create, and to RotateSecret (lost secrets are rotated, never read
// again; the previous secret may keep signing for a grace period).
//
// Domain services publish events with Webhooks.Publish or, inside their own
// transaction on store.DB(), Webhooks.PublishTx: one delivery row per
// matching enabled endpoint (plus any extra targets, e.g. a DID's webhook
// URL) and one River job per delivery are written in that transaction, so
// an event exists exactly when the change that caused it commits.
//
// The delivery job POSTs the payload per the Standard Webhooks
// specification: body {"type","timestamp","data"}; headers webhook-id (the
// event's message id, the same on every endpoint and retry), webhook-
// timestamp (unix seconds of the attempt) and webhook-signature ("v1," +
// base64 HMAC-SHA256 of "id.timestamp.body" keyed with the decoded secret;
// during a rotation grace period a second, space-separated signature made
// with the previous secret). A 2xx answer is success. Anything else — a
// 3xx (redirects are never followed), 4xx, 5xx, timeout or network error —
// is retried on the schedule of WebhookConfig.Schedule (default 5 s, 5 min,
// 30 min, 2 h, 5 h, 10 h, 10 h after the failed attempt, each ±10 %
// jitter, a Retry-After header lengthening the wait) until 24 h after the
// event; the last retry is moved to the 24 h mark, then the delivery is
// failed. 410 Gone disables the endpoint at once; an endpoint failing
// without a single success for 5 days is disabled too (both audited).
//
// # SSRF guard
//
// Endpoint URLs must be https (http only when WebhookConfig.AllowInsecureHTTP),
// without fragment, at most 2048 bytes, and every address their host
// resolves to must be public: loopback, RFC 1918 and RFC 4193 private,
// link-local (so 169.254.169.254 metadata), CGNAT, multicast, unspecified,
// documentation, benchmarking, reserved, NAT64/6to4 forms of those, and
// IPv4-mapped IPv6 spellings of them are refused at registration with a
// validation error on "url". At delivery time the dialer's Control
// function checks the address actually being connected to, so a host
// re-pointed at a private address after registration (DNS rebinding) is
// still refused. Environment proxies are not used (a proxy would hide the
// real destination). WebhookConfig.AllowPrivateTargets turns the guard off
// for installations that deliberately post to internal receivers; the
// platform admin's setting "allow private webhook targets" does the same
// and is read at every check, so changing it needs no restart.
package notify
