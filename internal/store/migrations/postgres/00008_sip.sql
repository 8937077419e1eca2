-- SIP trunks (issue 7): the SIP part of each call's CDR, and what worked per
-- destination number. Times are INTEGER unix microseconds (UTC) in both
-- engines; booleans are 0/1 integers in both engines, so the telephony code
-- that owns these tables uses one SQL text for both.

-- +goose Up
CREATE TABLE sip_calls (
    call_id         TEXT NOT NULL,
    direction       TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    tenant_id       TEXT NOT NULL,
    fax_id          TEXT NOT NULL,
    attempt_id      TEXT NOT NULL DEFAULT '', -- outbound: the attempt; inbound: ''
    trunk_id        TEXT NOT NULL DEFAULT '',
    peer            TEXT NOT NULL DEFAULT '',
    sip_code        INTEGER NOT NULL DEFAULT 0,
    sip_reason      TEXT NOT NULL DEFAULT '',
    cause           TEXT NOT NULL DEFAULT '',
    transport       TEXT NOT NULL DEFAULT '',  -- t38, g711 or '' (no media)
    codec           TEXT NOT NULL DEFAULT '',  -- PCMU, PCMA
    t38             TEXT NOT NULL DEFAULT '',  -- JSON of the negotiated T.38 parameters, '' if none
    pkts_sent       BIGINT NOT NULL DEFAULT 0,
    pkts_received   BIGINT NOT NULL DEFAULT 0,
    pkts_lost       BIGINT NOT NULL DEFAULT 0,
    pkts_recovered  BIGINT NOT NULL DEFAULT 0,
    switches        INTEGER NOT NULL DEFAULT 0,
    refreshes       INTEGER NOT NULL DEFAULT 0,
    reinvites_sent  INTEGER NOT NULL DEFAULT 0,  -- re-INVITEs we sent (T.38 requests, refreshes)
    reinvites_rcvd  INTEGER NOT NULL DEFAULT 0,
    started_at      BIGINT NOT NULL,
    ended_at        BIGINT NOT NULL,
    PRIMARY KEY (call_id, direction)
);
CREATE INDEX sip_calls_tenant_fax_idx ON sip_calls (tenant_id, fax_id);
CREATE INDEX sip_calls_attempt_idx ON sip_calls (attempt_id);

CREATE TABLE fax_destinations (
    number      TEXT PRIMARY KEY,             -- E.164
    transport   TEXT NOT NULL CHECK (transport IN ('t38', 'g711')),
    ecm         INTEGER NOT NULL CHECK (ecm IN (0, 1)),
    ok_count    INTEGER NOT NULL DEFAULT 0,
    fail_count  INTEGER NOT NULL DEFAULT 0,
    updated_at  BIGINT NOT NULL
);

-- +goose Down
DROP TABLE fax_destinations;
DROP TABLE sip_calls;
