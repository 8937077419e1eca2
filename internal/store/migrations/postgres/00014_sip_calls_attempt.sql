-- The SIP record of a call is read with its attempt (fax detail, CDR
-- report): an inbound record names the reception's attempt like an
-- outbound one names its attempt, and an attempt has at most one record,
-- so joining attempts to sip_calls never repeats an attempt.

-- +goose Up
UPDATE sip_calls SET attempt_id = COALESCE((SELECT a.id FROM attempts a
    WHERE a.fax_id = sip_calls.fax_id AND a.tenant_id = sip_calls.tenant_id ORDER BY a.try, a.leg LIMIT 1), '')
WHERE direction = 'inbound' AND attempt_id = '';
-- Should an attempt have several records, the one that ended last keeps
-- the link (the others stay readable by fax).
UPDATE sip_calls SET attempt_id = ''
WHERE attempt_id <> '' AND EXISTS (SELECT 1 FROM sip_calls o WHERE o.attempt_id = sip_calls.attempt_id
    AND (o.ended_at > sip_calls.ended_at OR (o.ended_at = sip_calls.ended_at
        AND (o.call_id > sip_calls.call_id OR (o.call_id = sip_calls.call_id AND o.direction > sip_calls.direction)))));
DROP INDEX sip_calls_attempt_idx;
CREATE UNIQUE INDEX sip_calls_attempt_uidx ON sip_calls (attempt_id) WHERE attempt_id <> '';
-- The CDR report's columns, so that its join reads the index only.
CREATE INDEX sip_calls_attempt_cdr_idx ON sip_calls (attempt_id, tenant_id, call_id, sip_code, sip_reason, codec,
    pkts_sent, pkts_received, pkts_lost, pkts_recovered) WHERE attempt_id <> '';

-- +goose Down
DROP INDEX sip_calls_attempt_cdr_idx;
DROP INDEX sip_calls_attempt_uidx;
CREATE INDEX sip_calls_attempt_idx ON sip_calls (attempt_id);
UPDATE sip_calls SET attempt_id = '' WHERE direction = 'inbound';
