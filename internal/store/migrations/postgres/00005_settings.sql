-- Settings (tenant fax settings, cover page, platform settings) and the
-- outgoing email queue (fax-to-email, notices, test emails). Times are
-- TIMESTAMPTZ (UTC).

-- +goose Up
-- One row per (tenant, key); tenant_id NULL holds platform settings. value
-- is a JSON object whose shape the store owns (one per key).
CREATE TABLE settings (
    tenant_id  TEXT REFERENCES tenants (id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX settings_tenant_key_key ON settings (tenant_id, key) WHERE tenant_id IS NOT NULL;
CREATE UNIQUE INDEX settings_platform_key_key ON settings (key) WHERE tenant_id IS NULL;

CREATE TABLE outbound_emails (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT REFERENCES tenants (id) ON DELETE CASCADE, -- NULL for platform mail
    message_id   TEXT NOT NULL,           -- RFC 5322 Message-ID, without the angle brackets
    kind         TEXT NOT NULL,           -- fax_to_email, notice, test, ...
    related_type TEXT NOT NULL DEFAULT '',
    related_id   TEXT NOT NULL DEFAULT '',
    recipients   TEXT NOT NULL,           -- JSON array of addresses
    reply_to     TEXT NOT NULL DEFAULT '',
    subject      TEXT NOT NULL,
    text_body    TEXT NOT NULL,
    html_body    TEXT NOT NULL DEFAULT '',
    in_reply_to  TEXT NOT NULL DEFAULT '',
    refs         TEXT NOT NULL DEFAULT '[]', -- JSON array of Message-IDs
    status       TEXT NOT NULL CONSTRAINT outbound_emails_status_check
                     CHECK (status IN ('queued', 'sent', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error   TEXT NOT NULL DEFAULT '',
    last_attempt_at TIMESTAMPTZ,
    sent_at      TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX outbound_emails_related_idx ON outbound_emails (related_type, related_id, created_at);
CREATE INDEX outbound_emails_tenant_created_idx ON outbound_emails (tenant_id, created_at, id);
CREATE INDEX outbound_emails_status_idx ON outbound_emails (status, created_at);

CREATE TABLE outbound_email_attachments (
    email_id     TEXT NOT NULL REFERENCES outbound_emails (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL CHECK (position >= 1),
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes   BIGINT NOT NULL CHECK (size_bytes >= 0),
    blob_key     TEXT NOT NULL,
    owned        BOOLEAN NOT NULL DEFAULT FALSE, -- blob written for this email
    PRIMARY KEY (email_id, position)
);

-- +goose Down
DROP TABLE outbound_email_attachments;
DROP TABLE outbound_emails;
DROP TABLE settings;
