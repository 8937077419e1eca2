-- Contacts, contact groups and do-not-contact lists (issue 9). Times are
-- INTEGER unix microseconds (UTC).

-- +goose Up
CREATE TABLE contacts (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    first_name     TEXT NOT NULL DEFAULT '',
    last_name      TEXT NOT NULL DEFAULT '',
    sort_name      TEXT NOT NULL DEFAULT '', -- lower(last first): the name sort key
    fax            TEXT NOT NULL,            -- E.164
    email          TEXT NOT NULL DEFAULT '',
    company        TEXT NOT NULL DEFAULT '',
    address        TEXT NOT NULL DEFAULT '',
    description    TEXT NOT NULL DEFAULT '',
    custom1        TEXT NOT NULL DEFAULT '',
    custom2        TEXT NOT NULL DEFAULT '',
    custom3        TEXT NOT NULL DEFAULT '',
    custom4        TEXT NOT NULL DEFAULT '',
    custom5        TEXT NOT NULL DEFAULT '',
    last_import_id TEXT NOT NULL DEFAULT '', -- the CSV import that last wrote the row (within-file duplicates)
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX contacts_tenant_fax_key ON contacts (tenant_id, fax);
CREATE INDEX contacts_tenant_created_idx ON contacts (tenant_id, created_at, id);
CREATE INDEX contacts_tenant_sort_idx ON contacts (tenant_id, sort_name, id);

CREATE TABLE contact_groups (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    name_lc     TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX contact_groups_tenant_name_key ON contact_groups (tenant_id, name_lc);
CREATE INDEX contact_groups_tenant_created_idx ON contact_groups (tenant_id, created_at, id);

CREATE TABLE contact_group_members (
    group_id   TEXT NOT NULL REFERENCES contact_groups (id) ON DELETE CASCADE,
    contact_id TEXT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, contact_id)
) STRICT;
CREATE INDEX contact_group_members_contact_idx ON contact_group_members (contact_id);

-- tenant_id NULL is the platform-wide (global) list.
CREATE TABLE dnc_entries (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT REFERENCES tenants (id) ON DELETE CASCADE,
    number     TEXT NOT NULL, -- E.164
    note       TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX dnc_entries_tenant_number_key ON dnc_entries (tenant_id, number) WHERE tenant_id IS NOT NULL;
CREATE UNIQUE INDEX dnc_entries_global_number_key ON dnc_entries (number) WHERE tenant_id IS NULL;
CREATE INDEX dnc_entries_number_idx ON dnc_entries (number);
CREATE INDEX dnc_entries_tenant_created_idx ON dnc_entries (tenant_id, created_at, id);

-- CSV imports run as River jobs: the file waits in the blob store and the
-- progress is kept here for the portal.
CREATE TABLE contact_imports (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    group_id   TEXT NOT NULL REFERENCES contact_groups (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL DEFAULT '',
    user_email TEXT NOT NULL DEFAULT '',
    filename   TEXT NOT NULL DEFAULT '',
    file_key   TEXT NOT NULL DEFAULT '',
    file_bytes INTEGER NOT NULL DEFAULT 0,
    options    TEXT NOT NULL DEFAULT '{}', -- JSON: mapping, delimiter, encoding
    status     TEXT NOT NULL CONSTRAINT contact_imports_status_check
                   CHECK (status IN ('queued', 'running', 'done', 'failed')),
    rows_done  INTEGER NOT NULL DEFAULT 0,
    bytes_read INTEGER NOT NULL DEFAULT 0,
    result     TEXT NOT NULL DEFAULT '', -- JSON summary when done
    error      TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX contact_imports_tenant_created_idx ON contact_imports (tenant_id, created_at, id);

-- +goose Down
DROP TABLE contact_imports;
DROP TABLE dnc_entries;
DROP TABLE contact_group_members;
DROP TABLE contact_groups;
DROP TABLE contacts;
