package store_test

import (
	"database/sql"
	"maps"
	"slices"
	"testing"
	"time"

	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
)

// TestRenewLeases: one call renews a node's leases in batches; leases of
// another holder, expired or released ones are not renewed (so their
// calls hang up), and the renewed ones outlive their first TTL.
func TestRenewLeases(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			s := e.Open(t)
			ctx := t.Context()
			now := time.Now()
			acquire := func(holder string, ttl time.Duration) string {
				var l store.Lease
				err := s.RunTx(ctx, func(tx *sql.Tx) error {
					var err error
					l, err = s.AcquireLeaseTx(ctx, tx, store.LeaseRequest{TrunkID: "trk_batch", TrunkMax: 5000,
						TenantID: "ten_batch", FaxID: model.NewID(model.PrefixFax), Holder: holder, TTL: ttl, Now: now})
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				return l.ID
			}
			var mine []string
			for range 1205 { // more than one batch of 1000
				mine = append(mine, acquire("n1", 30*time.Second))
			}
			other := acquire("n2", 30*time.Second)
			expired := acquire("n1", time.Second)
			released := acquire("n1", 30*time.Second)
			if err := s.ReleaseLease(ctx, released); err != nil {
				t.Fatal(err)
			}
			at := now.Add(2 * time.Second)
			ids := append(slices.Clone(mine), other, expired, released, "lea_unknown")
			got, err := s.RenewLeases(ctx, "n1", ids, at, at.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]bool{}
			for _, id := range mine {
				want[id] = true
			}
			if !maps.Equal(got, want) {
				t.Errorf("renewed %d leases (other holder %v, expired %v, released %v); want the holder's %d live ones",
					len(got), got[other], got[expired], got[released], len(mine))
			}
			n, err := s.CountLeases(ctx, "trk_batch", "", now.Add(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if n != len(mine) {
				t.Errorf("%d leases live a minute later, want the %d renewed", n, len(mine))
			}
			req, err := s.FaxesCancelRequested(ctx, []string{"fax_none1", "fax_none2"})
			if err != nil || len(req) != 0 {
				t.Errorf("FaxesCancelRequested(unknown faxes) = %v, %v; want none", req, err)
			}
		})
	}
}
