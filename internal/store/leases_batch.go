package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// idBatch bounds the ids of one batched statement (SQLite allows 32,766
// parameters; PostgreSQL 65,535).
const idBatch = 1000

// RenewLeases extends the holder's leases among ids that have not expired
// at `at` until `until`, in one statement per 1000 ids (a node renews all
// its calls' leases at once instead of one write per call), and returns
// the ids renewed: an id missing from it has expired or is gone (its call
// must end), unless err is set.
func (s *Store) RenewLeases(ctx context.Context, holder string, ids []string, at, until time.Time) (map[string]bool, error) {
	renewed := make(map[string]bool, len(ids))
	for chunk := range idChunks(ids, idBatch) {
		args := []any{s.tv(until), holder, s.tv(at)}
		rows, err := s.wdb.QueryContext(ctx, `UPDATE channel_leases SET expires_at = $1 WHERE holder = $2
			AND expires_at > $3 AND id IN (`+dollarList(len(args)+1, len(chunk))+`) RETURNING id`,
			append(args, idArgs(chunk)...)...)
		if err != nil {
			return renewed, s.mapErr(err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return renewed, s.mapErr(err)
			}
			renewed[id] = true
		}
		if err := rows.Close(); err != nil {
			return renewed, s.mapErr(err)
		}
		if err := rows.Err(); err != nil {
			return renewed, s.mapErr(err)
		}
	}
	return renewed, nil
}

// FaxesCancelRequested returns which of the faxes ids have a cancel
// request, in one read per 1000 ids.
func (s *Store) FaxesCancelRequested(ctx context.Context, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	for chunk := range idChunks(ids, idBatch) {
		rows, err := s.rdb.QueryContext(ctx, `SELECT id FROM faxes WHERE cancel_requested AND id IN (`+
			dollarList(1, len(chunk))+`)`, idArgs(chunk)...)
		if err != nil {
			return out, s.mapErr(err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return out, s.mapErr(err)
			}
			out[id] = true
		}
		if err := rows.Close(); err != nil {
			return out, s.mapErr(err)
		}
		if err := rows.Err(); err != nil {
			return out, s.mapErr(err)
		}
	}
	return out, nil
}

// idChunks yields ids in slices of at most n.
func idChunks(ids []string, n int) func(yield func([]string) bool) {
	return func(yield func([]string) bool) {
		for len(ids) > 0 {
			k := min(n, len(ids))
			if !yield(ids[:k]) {
				return
			}
			ids = ids[k:]
		}
	}
}

// dollarList is "$first, $first+1, ..." for n parameters.
func dollarList(first, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", first+i)
	}
	return b.String()
}

func idArgs(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
