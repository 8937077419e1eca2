-- Foundation schema (issue 2): tenants, branding, users, sessions, API keys,
-- audit events, login throttles. Times are TIMESTAMPTZ (UTC).
-- Unique indexes are named <table>_<column>_key and CHECK constraints
-- <table>_<column>_check: the store maps them to the API field at fault.

-- +goose Up
CREATE TABLE tenants (
    id                 TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    name_lc            TEXT NOT NULL,
    status             TEXT NOT NULL CONSTRAINT tenants_status_check CHECK (status IN ('active', 'suspended')),
    daily_page_limit   INTEGER NOT NULL DEFAULT 0 CONSTRAINT tenants_daily_page_limit_check CHECK (daily_page_limit >= 0),
    monthly_page_limit INTEGER NOT NULL DEFAULT 0 CONSTRAINT tenants_monthly_page_limit_check CHECK (monthly_page_limit >= 0),
    retention_days     INTEGER NOT NULL DEFAULT 0 CONSTRAINT tenants_retention_days_check CHECK (retention_days >= 0),
    email_domain       TEXT, -- lower case; NULL = none
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX tenants_name_lc_key ON tenants (name_lc);
CREATE UNIQUE INDEX tenants_email_domain_key ON tenants (email_domain);
CREATE INDEX tenants_created_at_idx ON tenants (created_at, id);

CREATE TABLE branding (
    tenant_id       TEXT PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    domain          TEXT, -- lower-case host name; NULL = none
    company_name    TEXT NOT NULL DEFAULT '',
    title           TEXT NOT NULL DEFAULT '',
    footer          TEXT NOT NULL DEFAULT '',
    logo_type       TEXT NOT NULL DEFAULT '',
    logo            BYTEA,
    logo_updated_at TIMESTAMPTZ,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX branding_domain_key ON branding (domain);

CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT REFERENCES tenants (id) ON DELETE CASCADE, -- NULL for platform admins
    role            TEXT NOT NULL CONSTRAINT users_role_check CHECK (role IN ('admin', 'tenant', 'user')),
    email           TEXT NOT NULL,
    email_lc        TEXT NOT NULL,
    api_username    TEXT NOT NULL DEFAULT '',
    api_username_lc TEXT, -- NULL = none
    password_hash   TEXT NOT NULL DEFAULT '',
    first_name      TEXT NOT NULL DEFAULT '',
    last_name       TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL CONSTRAINT users_status_check CHECK (status IN ('active', 'disabled')),
    totp_secret     TEXT NOT NULL DEFAULT '',
    totp_enabled    BOOLEAN NOT NULL DEFAULT FALSE,
    last_login_at   TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    CONSTRAINT users_role_tenant_check CHECK ((role = 'admin') = (tenant_id IS NULL))
);
CREATE UNIQUE INDEX users_email_lc_key ON users (email_lc);
CREATE UNIQUE INDEX users_api_username_lc_key ON users (api_username_lc);
CREATE INDEX users_tenant_created_idx ON users (tenant_id, created_at, id);
CREATE INDEX users_created_at_idx ON users (created_at, id);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY, -- hex SHA-256 of the cookie token
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id    TEXT NOT NULL DEFAULT '',
    mfa_pending  BOOLEAN NOT NULL DEFAULT FALSE,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_last_seen_at_idx ON sessions (last_seen_at);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id    TEXT NOT NULL DEFAULT '',
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    hash         TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);
CREATE UNIQUE INDEX api_keys_hash_key ON api_keys (hash);
CREATE INDEX api_keys_user_id_idx ON api_keys (user_id, created_at, id);

CREATE TABLE audit_events (
    id          TEXT PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    tenant_id   TEXT NOT NULL DEFAULT '', -- '' = platform-level action
    actor_id    TEXT NOT NULL DEFAULT '', -- '' = anonymous or system
    actor_email TEXT NOT NULL DEFAULT '',
    ip          TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    target_type TEXT NOT NULL DEFAULT '',
    target_id   TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_tenant_at_idx ON audit_events (tenant_id, at, id);
CREATE INDEX audit_events_at_idx ON audit_events (at, id);
-- text_pattern_ops lets "action LIKE 'auth.%'" use the index under any collation.
CREATE INDEX audit_events_action_idx ON audit_events (action text_pattern_ops, at);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, at);

CREATE TABLE login_throttles (
    throttle_key TEXT PRIMARY KEY, -- "acct:<login>" or "ip:<address>"
    failures     INTEGER NOT NULL DEFAULT 0,
    window_start TIMESTAMPTZ NOT NULL,
    locked_until TIMESTAMPTZ
);
CREATE INDEX login_throttles_window_start_idx ON login_throttles (window_start);

-- +goose Down
DROP TABLE login_throttles;
DROP TABLE audit_events;
DROP TABLE api_keys;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE branding;
DROP TABLE tenants;
