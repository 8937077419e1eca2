-- Fax documents (issue 4): a tenant's uploaded files (document_sources, in
-- order) and the TIFF-F pages rendered from them. The files themselves live
-- in the blob store under the keys held here. Times are TIMESTAMPTZ (UTC).

-- +goose Up
CREATE TABLE documents (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id        TEXT REFERENCES users (id) ON DELETE SET NULL, -- uploader; NULL once deleted
    name           TEXT NOT NULL,
    name_lc        TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    quality        TEXT NOT NULL CONSTRAINT documents_quality_check CHECK (quality IN ('standard', 'fine', 'superfine')),
    status         TEXT NOT NULL CONSTRAINT documents_status_check CHECK (status IN ('processing', 'ready', 'failed')),
    pages          INTEGER NOT NULL DEFAULT 0 CONSTRAINT documents_pages_check CHECK (pages >= 0),
    size_bytes     BIGINT NOT NULL DEFAULT 0 CONSTRAINT documents_size_bytes_check CHECK (size_bytes >= 0),
    error          TEXT NOT NULL DEFAULT '',
    error_code     TEXT NOT NULL DEFAULT '',
    file_key       TEXT NOT NULL DEFAULT '',
    revision       INTEGER NOT NULL DEFAULT 1 CONSTRAINT documents_revision_check CHECK (revision >= 1),
    progress_done  INTEGER NOT NULL DEFAULT 0,
    progress_total INTEGER NOT NULL DEFAULT 0,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX documents_tenant_created_idx ON documents (tenant_id, created_at, id);
CREATE INDEX documents_created_at_idx ON documents (created_at, id);
CREATE INDEX documents_user_id_idx ON documents (user_id);

CREATE TABLE document_sources (
    document_id  TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL CONSTRAINT document_sources_position_check CHECK (position >= 1),
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL DEFAULT '',
    size_bytes   BIGINT NOT NULL CONSTRAINT document_sources_size_bytes_check CHECK (size_bytes >= 0),
    blob_key     TEXT NOT NULL,
    PRIMARY KEY (document_id, position)
);

-- +goose Down
DROP TABLE document_sources;
DROP TABLE documents;
