-- Bulk fax campaigns (issue 9). Times are INTEGER unix microseconds (UTC).
-- A campaign snapshots its group into campaign_recipients when it starts;
-- the sender advances campaigns.cursor over them (see internal/campaign).

-- +goose Up
CREATE TABLE campaigns (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id          TEXT NOT NULL DEFAULT '',
    title            TEXT NOT NULL,
    document_id      TEXT NOT NULL,
    group_id         TEXT NOT NULL,
    caller_id        TEXT NOT NULL DEFAULT '',
    retries          INTEGER NOT NULL DEFAULT 0,
    retry_delay_s    INTEGER NOT NULL DEFAULT 0,
    calls_per_minute INTEGER NOT NULL,
    max_lines        INTEGER NOT NULL,
    window_days      INTEGER NOT NULL DEFAULT 127, -- bit 0 Sunday .. bit 6 Saturday
    window_start     INTEGER NOT NULL DEFAULT 0,   -- hour of day, tenant time zone
    window_end       INTEGER NOT NULL DEFAULT 24,
    cover_page       INTEGER NOT NULL DEFAULT 0,
    opt_out          TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL CONSTRAINT campaigns_status_check
                         CHECK (status IN ('draft', 'running', 'paused', 'completed', 'stopped')),
    status_reason    TEXT NOT NULL DEFAULT '',
    total            INTEGER NOT NULL DEFAULT 0,
    pending          INTEGER NOT NULL DEFAULT 0,
    in_progress      INTEGER NOT NULL DEFAULT 0,
    delivered        INTEGER NOT NULL DEFAULT 0,
    failed           INTEGER NOT NULL DEFAULT 0,
    skipped          INTEGER NOT NULL DEFAULT 0,
    canceled         INTEGER NOT NULL DEFAULT 0,
    cursor_seq       INTEGER NOT NULL DEFAULT 0, -- seq of the last recipient the sender handled
    next_send_at     INTEGER,                    -- the pacing slot of the next submission
    lease_owner      TEXT NOT NULL DEFAULT '',   -- the sender job running it
    lease_until      INTEGER,
    started_event    INTEGER NOT NULL DEFAULT 0, -- campaign.started published
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    started_at       INTEGER,
    completed_at     INTEGER
) STRICT;
CREATE INDEX campaigns_tenant_created_idx ON campaigns (tenant_id, created_at, id);
CREATE INDEX campaigns_status_idx ON campaigns (status);

CREATE TABLE campaign_recipients (
    campaign_id  TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    tenant_id    TEXT NOT NULL,
    contact_id   TEXT NOT NULL DEFAULT '',
    name         TEXT NOT NULL DEFAULT '',
    fax          TEXT NOT NULL,
    state        TEXT NOT NULL CONSTRAINT campaign_recipients_state_check
                     CHECK (state IN ('pending', 'submitting', 'in_progress', 'delivered', 'failed', 'skipped', 'canceled')),
    reason       TEXT NOT NULL DEFAULT '',
    sends        INTEGER NOT NULL DEFAULT 0, -- submission round: part of the idempotency key
    fax_id       TEXT NOT NULL DEFAULT '',
    submitted_at INTEGER,
    completed_at INTEGER,
    PRIMARY KEY (campaign_id, seq)
) STRICT;
CREATE INDEX campaign_recipients_state_idx ON campaign_recipients (campaign_id, state, seq);

-- +goose Down
DROP TABLE campaign_recipients;
DROP TABLE campaigns;
