-- SIP trunk options (issue 7): the trunk column allowed_sources now holds
-- the addresses (IPs or CIDR prefixes, JSON list) inbound calls may come
-- from, as the public contract means it; the fax sources (web, api, email,
-- campaign) that may use a trunk move to fax_sources, with their data.
-- Plus the SIP settings the line supports: outbound proxy, caller-ID
-- format, P-Asserted-Identity, codec order, V.17, UDPTL redundancy depth
-- and T38FaxMaxDatagram (defaults: what the line used before).

-- +goose Up
ALTER TABLE trunks ADD COLUMN fax_sources TEXT NOT NULL DEFAULT '[]';
UPDATE trunks SET fax_sources = allowed_sources, allowed_sources = '[]';
ALTER TABLE trunks ADD COLUMN outbound_proxy TEXT NOT NULL DEFAULT '';
ALTER TABLE trunks ADD COLUMN caller_id_format TEXT NOT NULL DEFAULT 'e164' CONSTRAINT trunks_caller_id_format_check CHECK (caller_id_format IN ('e164', 'digits'));
ALTER TABLE trunks ADD COLUMN pai INTEGER NOT NULL DEFAULT 0 CHECK (pai IN (0, 1));
ALTER TABLE trunks ADD COLUMN codecs TEXT NOT NULL DEFAULT '["PCMU","PCMA"]';
ALTER TABLE trunks ADD COLUMN v17 INTEGER NOT NULL DEFAULT 1 CHECK (v17 IN (0, 1));
ALTER TABLE trunks ADD COLUMN udptl_redundancy INTEGER NOT NULL DEFAULT 3 CONSTRAINT trunks_udptl_redundancy_check CHECK (udptl_redundancy BETWEEN 0 AND 8);
ALTER TABLE trunks ADD COLUMN t38_max_datagram INTEGER NOT NULL DEFAULT 400 CONSTRAINT trunks_t38_max_datagram_check CHECK (t38_max_datagram BETWEEN 160 AND 1472);

-- +goose Down
UPDATE trunks SET allowed_sources = fax_sources;
ALTER TABLE trunks DROP COLUMN t38_max_datagram;
ALTER TABLE trunks DROP COLUMN udptl_redundancy;
ALTER TABLE trunks DROP COLUMN v17;
ALTER TABLE trunks DROP COLUMN codecs;
ALTER TABLE trunks DROP COLUMN pai;
ALTER TABLE trunks DROP COLUMN caller_id_format;
ALTER TABLE trunks DROP COLUMN outbound_proxy;
ALTER TABLE trunks DROP COLUMN fax_sources;
