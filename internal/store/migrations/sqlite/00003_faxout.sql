-- Outbound faxing (issue 5): trunks, caller IDs, faxes and their attempts
-- (CDR rows) and timeline events, channel leases, usage counters and the
-- tenants' channel caps. Times are INTEGER unix microseconds (UTC); lists
-- and dial rules are JSON text. A fresh installation gets the built-in
-- test line (kind "test"), enabled; an admin may disable or delete it.

-- +goose Up
CREATE TABLE trunks (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    name_lc         TEXT NOT NULL,
    kind            TEXT NOT NULL CONSTRAINT trunks_kind_check CHECK (kind IN ('test', 'sip')),
    speed           TEXT NOT NULL DEFAULT 'fast' CONSTRAINT trunks_speed_check CHECK (speed IN ('fast', 'realtime')),
    priority        INTEGER NOT NULL DEFAULT 0,
    max_channels    INTEGER NOT NULL CONSTRAINT trunks_max_channels_check CHECK (max_channels >= 1),
    dial_rules      TEXT NOT NULL DEFAULT '{}',
    tenant_ids      TEXT NOT NULL DEFAULT '[]',
    enabled         INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    allowed_sources TEXT NOT NULL DEFAULT '[]',
    ring_timeout_ms INTEGER NOT NULL DEFAULT 0,
    host            TEXT NOT NULL DEFAULT '',
    port            INTEGER NOT NULL DEFAULT 0,
    transport       TEXT NOT NULL DEFAULT '',
    username        TEXT NOT NULL DEFAULT '',
    password        TEXT NOT NULL DEFAULT '',
    register        INTEGER NOT NULL DEFAULT 0 CHECK (register IN (0, 1)),
    t38             TEXT NOT NULL DEFAULT 'request' CONSTRAINT trunks_t38_check CHECK (t38 IN ('off', 'accept', 'request', 'require')),
    ecm             INTEGER NOT NULL DEFAULT 1 CHECK (ecm IN (0, 1)),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX trunks_name_lc_key ON trunks (name_lc);

-- The built-in test line: every call runs through the real fax engine to a
-- simulated fax machine, in real time, so a new installation can fax at once.
INSERT INTO trunks (id, name, name_lc, kind, speed, priority, max_channels, ring_timeout_ms, t38, ecm,
    created_at, updated_at)
VALUES ('trk_testlinedefault2', 'Test line', 'test line', 'test', 'realtime', 1000, 30, 30000, 'request', 1,
    CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER), CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER));

CREATE TABLE cids (
    id         TEXT PRIMARY KEY,
    number     TEXT NOT NULL,
    tenant_id  TEXT REFERENCES tenants (id) ON DELETE SET NULL, -- NULL = in the pool
    label      TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX cids_number_key ON cids (number);
CREATE INDEX cids_tenant_created_idx ON cids (tenant_id, created_at, id);
CREATE INDEX cids_created_at_idx ON cids (created_at, id);

CREATE TABLE faxes (
    id                TEXT PRIMARY KEY,
    tenant_id         TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id           TEXT REFERENCES users (id) ON DELETE SET NULL,
    direction         TEXT NOT NULL CONSTRAINT faxes_direction_check CHECK (direction IN ('outbound', 'inbound')),
    status            TEXT NOT NULL CONSTRAINT faxes_status_check CHECK (status IN ('queued', 'sending', 'retrying',
                          'delivered', 'failed', 'canceled', 'receiving', 'received')),
    source            TEXT NOT NULL CONSTRAINT faxes_source_check CHECK (source IN ('web', 'api', 'email', 'campaign', 'sip')),
    to_number         TEXT NOT NULL,
    caller_id         TEXT NOT NULL DEFAULT '',
    title             TEXT NOT NULL DEFAULT '',
    document_id       TEXT NOT NULL DEFAULT '', -- kept for the history, even after the document is deleted
    -- The document while the fax is not final: a queued fax keeps its
    -- document from being deleted; the column is cleared when it is done.
    active_document_id TEXT REFERENCES documents (id) ON DELETE RESTRICT,
    pages             INTEGER NOT NULL DEFAULT 0,
    pages_sent        INTEGER NOT NULL DEFAULT 0,
    cover_enabled     INTEGER NOT NULL DEFAULT 0 CHECK (cover_enabled IN (0, 1)),
    cover_subject     TEXT NOT NULL DEFAULT '',
    cover_comments    TEXT NOT NULL DEFAULT '',
    retries           INTEGER NOT NULL DEFAULT 0 CONSTRAINT faxes_retries_check CHECK (retries BETWEEN 0 AND 10),
    retry_delay_ms    INTEGER NOT NULL DEFAULT 0,
    send_at           INTEGER,
    idempotency_key   TEXT, -- NULL = none; unique per tenant
    request_hash      TEXT NOT NULL DEFAULT '',
    tries             INTEGER NOT NULL DEFAULT 0,
    next_try          INTEGER NOT NULL DEFAULT 1,
    next_leg          INTEGER NOT NULL DEFAULT 1,
    next_attempt_at   INTEGER,
    fallback          INTEGER NOT NULL DEFAULT 0,
    cause             TEXT NOT NULL DEFAULT '',
    result_text       TEXT NOT NULL DEFAULT '',
    remote_station_id TEXT NOT NULL DEFAULT '',
    cancel_requested  INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1)),
    campaign_id       TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    completed_at      INTEGER
) STRICT;
CREATE UNIQUE INDEX faxes_idempotency_key_key ON faxes (tenant_id, idempotency_key);
CREATE INDEX faxes_tenant_created_idx ON faxes (tenant_id, created_at, id);
CREATE INDEX faxes_user_created_idx ON faxes (user_id, created_at, id);
CREATE INDEX faxes_created_at_idx ON faxes (created_at, id);
CREATE INDEX faxes_tenant_status_idx ON faxes (tenant_id, status);
CREATE INDEX faxes_active_document_idx ON faxes (active_document_id);

CREATE TABLE attempts (
    id                TEXT PRIMARY KEY,
    fax_id            TEXT NOT NULL REFERENCES faxes (id) ON DELETE CASCADE,
    tenant_id         TEXT NOT NULL,
    try               INTEGER NOT NULL,
    leg               INTEGER NOT NULL,
    trunk_id          TEXT NOT NULL DEFAULT '',
    trunk_name        TEXT NOT NULL DEFAULT '',
    node              TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL CONSTRAINT attempts_status_check CHECK (status IN ('dialing', 'ringing', 'connected',
                          'completed', 'failed')),
    dialed_number     TEXT NOT NULL DEFAULT '',
    caller_id         TEXT NOT NULL DEFAULT '',
    ecm               INTEGER NOT NULL DEFAULT 0 CHECK (ecm IN (0, 1)),
    max_bit_rate      INTEGER NOT NULL DEFAULT 0,
    started_at        INTEGER NOT NULL,
    answered_at       INTEGER,
    ended_at          INTEGER,
    sip_code          INTEGER NOT NULL DEFAULT 0,
    t30_code          INTEGER NOT NULL DEFAULT -1,
    result_text       TEXT NOT NULL DEFAULT '',
    cause             TEXT NOT NULL DEFAULT '',
    pages             INTEGER NOT NULL DEFAULT 0,
    bit_rate          INTEGER NOT NULL DEFAULT 0,
    ecm_used          INTEGER NOT NULL DEFAULT 0 CHECK (ecm_used IN (0, 1)),
    transport         TEXT NOT NULL DEFAULT '',
    remote_station_id TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE UNIQUE INDEX attempts_fax_try_leg_key ON attempts (fax_id, try, leg);
CREATE INDEX attempts_tenant_started_idx ON attempts (tenant_id, started_at, id);
CREATE INDEX attempts_started_at_idx ON attempts (started_at, id);
CREATE INDEX attempts_open_idx ON attempts (ended_at, fax_id);

CREATE TABLE fax_events (
    id        TEXT PRIMARY KEY,
    fax_id    TEXT NOT NULL REFERENCES faxes (id) ON DELETE CASCADE,
    tenant_id TEXT NOT NULL,
    at        INTEGER NOT NULL,
    seq       INTEGER NOT NULL, -- orders events of the same microsecond
    kind      TEXT NOT NULL,
    try       INTEGER NOT NULL DEFAULT 0,
    detail    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX fax_events_fax_at_idx ON fax_events (fax_id, at, seq);

-- A lease is one call in progress: it holds a channel of its trunk and of
-- its tenant until released or, if its node died, until it expires.
CREATE TABLE channel_leases (
    id          TEXT PRIMARY KEY,
    trunk_id    TEXT NOT NULL,
    tenant_id   TEXT NOT NULL,
    fax_id      TEXT NOT NULL,
    holder      TEXT NOT NULL,
    acquired_at INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX channel_leases_trunk_idx ON channel_leases (trunk_id, expires_at);
CREATE INDEX channel_leases_tenant_idx ON channel_leases (tenant_id, expires_at);
CREATE INDEX channel_leases_fax_idx ON channel_leases (fax_id);

CREATE TABLE usage_counters (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    period    TEXT NOT NULL, -- '2006-01-02' (day) or '2006-01' (month), UTC
    pages     INTEGER NOT NULL DEFAULT 0,
    faxes     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, period)
) STRICT;

-- The tenant's channel cap (admin-set; 0 = none). The tenant's own fax
-- and cover page settings live in the settings table (00005).
CREATE TABLE fax_settings (
    tenant_id    TEXT PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    max_channels INTEGER NOT NULL DEFAULT 0 CONSTRAINT fax_settings_max_channels_check CHECK (max_channels >= 0),
    updated_at   INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE fax_settings;
DROP TABLE usage_counters;
DROP TABLE channel_leases;
DROP TABLE fax_events;
DROP TABLE attempts;
DROP TABLE faxes;
DROP TABLE cids;
DROP TABLE trunks;
