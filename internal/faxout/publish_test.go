package faxout_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"faxgate/internal/faxout"
	"faxgate/internal/store"
)

// outbox is a Publisher that writes each notice into a table inside the
// fax's transaction, as the webhooks outbox does, and can be made to fail.
type outbox struct {
	mu   sync.Mutex
	fail bool
}

func (o *outbox) PublishFaxTx(ctx context.Context, tx *sql.Tx, n faxout.Notice) error {
	o.mu.Lock()
	fail := o.fail
	o.mu.Unlock()
	if fail {
		return errors.New("outbox unavailable")
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO test_outbox (fax_id, type, status) VALUES ($1, $2, $3)`,
		n.Fax.ID, n.Type, string(n.Fax.Status))
	return err
}

func (o *outbox) setFail(v bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.fail = v
}

// TestPublisher: lifecycle notices are published inside the transactions
// that make them true: queued, retrying, delivered, failed, canceled; a
// publisher failure rolls the change back.
func TestPublisher(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		st := open(t)
		if _, err := st.DB().ExecContext(t.Context(), `CREATE TABLE test_outbox (fax_id TEXT, type TEXT, status TEXT)`); err != nil {
			t.Fatal(err)
		}
		e := newEnv(t, st, envOptions{noStart: true})
		box := &outbox{}
		svc, err := faxout.New(faxout.Deps{Store: st, Blob: e.blobs, Lines: e.lines.factory, Publisher: box},
			faxout.Config{Retry: faxout.RetryPolicy{Busy: 50 * time.Millisecond}})
		if err != nil {
			t.Fatal(err)
		}
		e.svc = svc
		e.startJobs(t, svc, envOptions{})
		doc := e.doc(t, e.w.UserA, 1)
		delivered := e.wait(t, e.submit(t, e.w.UserAActor, doc, "+12025550100", 0).ID, nil)
		failed := e.wait(t, e.submit(t, e.w.UserAActor, doc, "+12025550486", 1).ID, nil)
		queued, _, err := svc.Submit(e.ctx, e.w.UserAActor, faxout.SubmitInput{To: "+12025550100", DocumentID: doc.ID,
			SendAt: delivered.CreatedAt.AddDate(0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Cancel(e.ctx, e.w.UserAActor, queued.ID); err != nil {
			t.Fatal(err)
		}
		notices := func(id string) []string {
			rows, err := st.DB().QueryContext(e.ctx, `SELECT type || ':' || status FROM test_outbox WHERE fax_id = $1`, id)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []string
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					t.Fatal(err)
				}
				out = append(out, s)
			}
			return out
		}
		for id, want := range map[string][]string{
			delivered.ID: {"fax.queued:queued", "fax.delivered:delivered"},
			failed.ID:    {"fax.queued:queued", "fax.retrying:retrying", "fax.failed:failed"},
			queued.ID:    {"fax.queued:queued", "fax.canceled:canceled"},
		} {
			if got := notices(id); !slices.Equal(got, want) {
				t.Errorf("notices of %s: %v, want %v", id, got, want)
			}
		}
		// The outbox fails: the submission fails and leaves nothing.
		box.setFail(true)
		if _, _, err := svc.Submit(e.ctx, e.w.UserAActor, faxout.SubmitInput{To: "+12025550100", DocumentID: doc.ID}); err == nil {
			t.Fatal("Submit succeeded with a failing publisher")
		}
		n, err := svc.Count(e.ctx, e.w.TenantAActor, faxout.ListFilter{})
		if err != nil || n != 3 {
			t.Errorf("%d faxes after the failed submission, want 3 (%v)", n, err)
		}
	})
}
