package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"faxgate/internal/model"
)

// Lease is one call in progress holding a channel of its trunk and of its
// tenant. Its node renews it (heartbeat) while the call runs and deletes it
// when the call ends; if the node dies, the lease expires and its channels
// are free again: expired leases count for nothing and are deleted by the
// next acquisition on the same trunk or tenant.
type Lease struct {
	ID         string
	TrunkID    string
	TenantID   string
	FaxID      string
	Holder     string // node name
	AcquiredAt time.Time
	ExpiresAt  time.Time
}

// LeaseRequest asks for a channel on a trunk for a tenant's fax.
type LeaseRequest struct {
	TrunkID   string
	TrunkMax  int // the trunk's max_channels (>= 1)
	TenantID  string
	TenantMax int // the tenant's cap; 0 = none
	FaxID     string
	Holder    string
	TTL       time.Duration
	Now       time.Time
}

// Errors of AcquireLeaseTx when a cap is reached.
var (
	ErrTrunkFull  = errors.New("store: every channel of the trunk is in use")
	ErrTenantFull = errors.New("store: the tenant uses all the channels it may")
)

// AcquireLeaseTx takes a channel inside tx if both the trunk and the tenant
// have one free, and returns the lease; else ErrTrunkFull or ErrTenantFull.
// Acquisitions are serialised per trunk and per tenant (PostgreSQL advisory
// transaction locks, trunk first; SQLite's write lock), so concurrent nodes
// can never exceed the caps.
func (s *Store) AcquireLeaseTx(ctx context.Context, tx *sql.Tx, r LeaseRequest) (Lease, error) {
	if s.engine == Postgres {
		for _, key := range []string{"lease:trunk:" + r.TrunkID, "lease:tenant:" + r.TenantID} {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, key); err != nil {
				return Lease{}, s.mapErr(err)
			}
		}
	}
	at := norm(r.Now)
	if _, err := tx.ExecContext(ctx, `DELETE FROM channel_leases WHERE (trunk_id = $1 OR tenant_id = $2)
		AND expires_at <= $3`, r.TrunkID, r.TenantID, s.tv(at)); err != nil {
		return Lease{}, s.mapErr(err)
	}
	var onTrunk, onTenant int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM channel_leases WHERE trunk_id = $1`, r.TrunkID).
		Scan(&onTrunk); err != nil {
		return Lease{}, s.mapErr(err)
	}
	if onTrunk >= r.TrunkMax {
		return Lease{}, ErrTrunkFull
	}
	if r.TenantMax > 0 {
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM channel_leases WHERE tenant_id = $1`, r.TenantID).
			Scan(&onTenant); err != nil {
			return Lease{}, s.mapErr(err)
		}
		if onTenant >= r.TenantMax {
			return Lease{}, ErrTenantFull
		}
	}
	l := Lease{ID: model.NewID(model.PrefixLease), TrunkID: r.TrunkID, TenantID: r.TenantID, FaxID: r.FaxID,
		Holder: r.Holder, AcquiredAt: at, ExpiresAt: norm(at.Add(r.TTL))}
	_, err := tx.ExecContext(ctx, `INSERT INTO channel_leases (id, trunk_id, tenant_id, fax_id, holder, acquired_at,
		expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		l.ID, l.TrunkID, l.TenantID, l.FaxID, l.Holder, s.tv(l.AcquiredAt), s.tv(l.ExpiresAt))
	if err != nil {
		return Lease{}, s.mapErr(err)
	}
	return l, nil
}

// RenewLease extends the lease id held by holder until `until`, if it has
// not expired by `at`. It reports false when the lease expired or is gone:
// the holder has lost its channel (recovery may already treat its call as
// interrupted) and must stop the call. An expired lease is never revived.
func (s *Store) RenewLease(ctx context.Context, id, holder string, at, until time.Time) (bool, error) {
	n, err := s.execCount(ctx, `UPDATE channel_leases SET expires_at = $1 WHERE id = $2 AND holder = $3
		AND expires_at > $4`, s.tv(until), id, holder, s.tv(at))
	return n == 1, err
}

// ReleaseLease deletes the lease id; releasing a lease that is gone is not
// an error.
func (s *Store) ReleaseLease(ctx context.Context, id string) error {
	_, err := s.execCount(ctx, `DELETE FROM channel_leases WHERE id = $1`, id)
	return err
}

// ReleaseLeaseTx deletes the lease id inside tx (with the attempt's end,
// so that a call's channel is free exactly when its outcome is recorded).
func (s *Store) ReleaseLeaseTx(ctx context.Context, tx *sql.Tx, id string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM channel_leases WHERE id = $1`, id)
	return s.mapErr(err)
}

// LiveLeaseForFaxTx reports whether some node holds an unexpired lease for
// the fax (its call is in progress somewhere).
func (s *Store) LiveLeaseForFaxTx(ctx context.Context, tx *sql.Tx, faxID string, at time.Time) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM channel_leases WHERE fax_id = $1 AND expires_at > $2`,
		faxID, s.tv(at)).Scan(&n)
	return n > 0, s.mapErr(err)
}

// CountLeases counts the unexpired leases on a trunk ("" = any) of a
// tenant ("" = any).
func (s *Store) CountLeases(ctx context.Context, trunkID, tenantID string, at time.Time) (int, error) {
	w := where{}
	w.add("expires_at > ?", s.tv(at))
	if trunkID != "" {
		w.add("trunk_id = ?", trunkID)
	}
	if tenantID != "" {
		w.add("tenant_id = ?", tenantID)
	}
	var n int
	err := s.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM channel_leases`+w.sql(), w.args...).Scan(&n)
	return n, s.mapErr(err)
}
