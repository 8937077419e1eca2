-- Inbound faxing (issue 6): the DID pool with each DID's routing, and the
-- columns only received faxes need on faxes. Times are INTEGER unix
-- microseconds (UTC); forward_emails is a JSON array of addresses.

-- +goose Up
CREATE TABLE dids (
    id             TEXT PRIMARY KEY,
    number         TEXT NOT NULL,
    tenant_id      TEXT REFERENCES tenants (id) ON DELETE SET NULL, -- NULL = in the pool
    label          TEXT NOT NULL DEFAULT '',
    user_id        TEXT REFERENCES users (id) ON DELETE SET NULL,
    action         TEXT NOT NULL DEFAULT 'inbox' CONSTRAINT dids_action_check CHECK (action IN ('email', 'inbox', 'reject')),
    forward_emails TEXT NOT NULL DEFAULT '[]',
    webhook_url    TEXT NOT NULL DEFAULT '',
    webhook_secret TEXT NOT NULL DEFAULT '',
    station_id     TEXT NOT NULL DEFAULT '',
    assigned_at    INTEGER,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX dids_number_key ON dids (number);
CREATE INDEX dids_tenant_created_idx ON dids (tenant_id, created_at, id);
CREATE INDEX dids_created_at_idx ON dids (created_at, id);
CREATE INDEX dids_user_idx ON dids (user_id);

ALTER TABLE faxes ADD COLUMN did_id TEXT;
ALTER TABLE faxes ADD COLUMN partial INTEGER NOT NULL DEFAULT 0 CHECK (partial IN (0, 1));
ALTER TABLE faxes ADD COLUMN duration_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE faxes ADD COLUMN file_key TEXT NOT NULL DEFAULT '';
ALTER TABLE faxes ADD COLUMN pdf_key TEXT NOT NULL DEFAULT '';
ALTER TABLE faxes ADD COLUMN file_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE faxes ADD COLUMN pdf_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE faxes ADD COLUMN read_at INTEGER;
ALTER TABLE faxes ADD COLUMN purged_at INTEGER;
ALTER TABLE faxes ADD COLUMN deleted_at INTEGER;
CREATE INDEX faxes_did_created_idx ON faxes (did_id, created_at, id);
-- The retention purge walks each tenant's inbound faxes by age.
CREATE INDEX faxes_inbound_purge_idx ON faxes (tenant_id, direction, purged_at, created_at);

-- +goose Down
DROP INDEX faxes_inbound_purge_idx;
DROP INDEX faxes_did_created_idx;
ALTER TABLE faxes DROP COLUMN deleted_at;
ALTER TABLE faxes DROP COLUMN purged_at;
ALTER TABLE faxes DROP COLUMN read_at;
ALTER TABLE faxes DROP COLUMN pdf_bytes;
ALTER TABLE faxes DROP COLUMN file_bytes;
ALTER TABLE faxes DROP COLUMN pdf_key;
ALTER TABLE faxes DROP COLUMN file_key;
ALTER TABLE faxes DROP COLUMN duration_ms;
ALTER TABLE faxes DROP COLUMN partial;
ALTER TABLE faxes DROP COLUMN did_id;
DROP TABLE dids;
