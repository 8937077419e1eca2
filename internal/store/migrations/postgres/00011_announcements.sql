-- Announcements: a message shown to a tenant's users on the dashboard and
-- the login page until it expires; tenant_id NULL is a platform-wide one
-- (posted by an admin, shown to everyone). Times are TIMESTAMPTZ
-- (UTC).

-- +goose Up
CREATE TABLE announcements (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT REFERENCES tenants (id) ON DELETE CASCADE,
    message    TEXT NOT NULL,
    level      TEXT NOT NULL DEFAULT 'info' CONSTRAINT announcements_level_check CHECK (level IN ('info', 'warning')),
    starts_at  TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ, -- NULL = until removed
    created_by TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX announcements_tenant_created_idx ON announcements (tenant_id, created_at, id);
CREATE INDEX announcements_created_at_idx ON announcements (created_at, id);

-- +goose Down
DROP TABLE announcements;
