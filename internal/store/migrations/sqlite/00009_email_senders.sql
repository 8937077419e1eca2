-- Email to fax (issue 8): who may send without SMTP AUTH (the tenant's
-- email allowlist), and where the notices about an emailed fax go. Times
-- are INTEGER unix microseconds (UTC) in both engines, so the mail code
-- that owns these tables uses one SQL text for both.

-- +goose Up
CREATE TABLE email_allowlist (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('address', 'domain', 'network')),
    value       TEXT NOT NULL,             -- lower-case address or domain, or a canonical CIDR
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE, -- faxes are sent as this user
    note        TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    UNIQUE (tenant_id, kind, value)
) STRICT;
CREATE INDEX email_allowlist_kind_value ON email_allowlist (kind, value);

CREATE TABLE email_fax_origins (
    fax_id      TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    notify_to   TEXT NOT NULL DEFAULT '',  -- '' = no notices
    message_id  TEXT NOT NULL DEFAULT '',  -- of the email that sent the fax, without <>
    subject     TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE email_fax_origins;
DROP TABLE email_allowlist;
