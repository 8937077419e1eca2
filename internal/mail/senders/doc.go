// Package senders keeps who may send email to fax without SMTP AUTH —
// each tenant's email allowlist of sender addresses, sender domains and
// networks (IP or CIDR) — and where the notices about an emailed fax go
// (the "origin" of the fax: notice address, Message-ID, subject).
//
// Tenant admins manage their own allowlist (platform admins any tenant's);
// every change is audited. Each entry names the faxgate user the faxes of
// a matching sender are sent as (so quotas, caller ID and the fax list
// work as for any fax); it defaults to the admin who adds it. An address
// or domain entry trusts the envelope sender, which anyone can write:
// network entries (the organisation's own mail server or scanner) are the
// safe kind, and the documentation says so.
//
// Match is cross-tenant by nature (an SMTP client is not yet in a tenant),
// like login by email; everything else takes the tenant id. The tables
// are email_allowlist and email_fax_origins (migration 00009), written
// with one SQL text for both engines (times in unix microseconds).
package senders
