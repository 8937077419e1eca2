-- Platform secrets: values made once, on the first start, and shared by
-- every node on this database: the portal's flash-cookie signing key and
-- the check value of the --secret-key-file key (a node with another key
-- refuses to start). Rows are written with INSERT ... ON CONFLICT DO
-- NOTHING and then read, so nodes starting together agree on one value.
-- created_at is TIMESTAMPTZ (UTC).

-- +goose Up
CREATE TABLE secrets (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE secrets;
