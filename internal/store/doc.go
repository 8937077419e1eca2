// Package store is faxgate's persistence layer: one database/sql code base
// for SQLite (modernc.org/sqlite, the single-node default) and PostgreSQL
// (pgx, for many nodes), with embedded goose migrations per engine and River's
// job-queue tables migrated alongside.
//
// Conventions every file follows:
//   - queries use $1.. placeholders (both drivers accept them);
//   - times are UTC with microsecond precision: INTEGER unix microseconds on
//     SQLite, TIMESTAMPTZ on PostgreSQL, converted by Store.tv and scanTime;
//   - every query on tenant data takes a model.Scope and filters by tenant id
//     in SQL unless the scope is the platform scope; a zero scope fails with
//     ErrInvalidScope before the database is touched;
//   - unique violations become *model.ConflictError naming the field,
//     missing rows model.ErrNotFound;
//   - lists are newest first (created_at DESC, id DESC) with an opaque cursor.
//
// On SQLite the Store keeps two pools on the same file: a single-connection
// writer pool (every write, every transaction, River, migrations) so writers
// queue in Go instead of spinning on SQLITE_BUSY, and a small read-only pool
// for plain reads, which WAL lets run concurrently with the writer.
package store
