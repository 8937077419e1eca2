package storetest

import (
	"database/sql"
	"testing"
	"time"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// testCampaigns covers campaigns, their recipient snapshot with its
// counters, and the sender's lease.
func testCampaigns(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	t.Run("CRUD", func(t *testing.T) { testCampaignCRUD(t, s, f) })
	t.Run("List", func(t *testing.T) { testCampaignList(t, s, f) })
	t.Run("Recipients", func(t *testing.T) { testCampaignRecipients(t, s, f) })
	t.Run("Lease", func(t *testing.T) { testCampaignLease(t, s, f) })
}

var campaignT0 = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)

func mustCampaign(t *testing.T, s *store.Store, u model.User, title string, at time.Time) model.Campaign {
	t.Helper()
	c := model.Campaign{ID: model.NewID(model.PrefixCampaign), TenantID: u.TenantID, UserID: u.ID, Title: title,
		DocumentID: "doc_x", GroupID: "grp_x", Retries: 2, RetryDelay: 5 * time.Minute, CallsPerMinute: 10,
		MaxLines: 3, Window: model.CampaignWindow{Days: 0x3e, StartHour: 8, EndHour: 18}, OptOut: "fax STOP",
		Status: model.CampaignDraft, CreatedAt: at, UpdatedAt: at}
	noErr(t, "InsertCampaign("+title+")", s.InsertCampaign(ctx(t), c))
	return c
}

// inTx runs fn in a committed transaction.
func inTx(t *testing.T, s *store.Store, fn func(tx *sql.Tx) error) error {
	t.Helper()
	return s.RunTx(ctx(t), fn)
}

func testCampaignCRUD(t *testing.T, s *store.Store, f fixture) {
	c := mustCampaign(t, s, f.aUser, "Spring", campaignT0)
	got, err := s.GetCampaign(ctx(t), f.scopeA, c.ID)
	noErr(t, "get", err)
	diff(t, "get", got, c)
	_, err = s.GetCampaign(ctx(t), f.scopeB, c.ID)
	wantErr(t, "other tenant get", err, model.ErrNotFound)
	_, err = s.GetCampaign(ctx(t), model.Scope{}, c.ID)
	wantErr(t, "zero scope get", err, store.ErrInvalidScope)
	got, err = s.GetCampaign(ctx(t), model.PlatformScope(), c.ID)
	noErr(t, "platform get", err)
	diff(t, "platform get", got.ID, c.ID)

	c.Title, c.MaxLines, c.UpdatedAt = "Spring sale", 7, campaignT0.Add(time.Minute)
	wantErr(t, "update other tenant", s.UpdateCampaignDraft(ctx(t), f.scopeB, c), model.ErrConflict)
	noErr(t, "update", s.UpdateCampaignDraft(ctx(t), f.scopeA, c))
	got, _ = s.GetCampaign(ctx(t), f.scopeA, c.ID)
	diff(t, "after update", got, c)

	noErr(t, "run", inTx(t, s, func(tx *sql.Tx) error {
		return s.SetCampaignStatusTx(ctx(t), tx, f.scopeA, c.ID, model.CampaignRunning, "", campaignT0.Add(2*time.Minute))
	}))
	wantErr(t, "update running", s.UpdateCampaignDraft(ctx(t), f.scopeA, c), model.ErrConflict)
	wantErr(t, "delete running", s.DeleteCampaign(ctx(t), f.scopeA, c.ID), model.ErrConflict)
	stopAt := campaignT0.Add(3 * time.Minute)
	noErr(t, "stop", inTx(t, s, func(tx *sql.Tx) error {
		return s.SetCampaignStatusTx(ctx(t), tx, f.scopeA, c.ID, model.CampaignStopped, "stopped by x", stopAt)
	}))
	got, _ = s.GetCampaign(ctx(t), f.scopeA, c.ID)
	diff(t, "stopped", []any{got.Status, got.StatusReason, got.CompletedAt, got.UpdatedAt},
		[]any{model.CampaignStopped, "stopped by x", stopAt, stopAt})
	wantErr(t, "delete other tenant", s.DeleteCampaign(ctx(t), f.scopeB, c.ID), model.ErrConflict)
	noErr(t, "delete", s.DeleteCampaign(ctx(t), f.scopeA, c.ID))
	_, err = s.GetCampaign(ctx(t), f.scopeA, c.ID)
	wantErr(t, "get deleted", err, model.ErrNotFound)
}

func testCampaignList(t *testing.T, s *store.Store, f fixture) {
	var want []string // newest first
	for i, title := range []string{"L1", "L2", "L3"} {
		c := mustCampaign(t, s, f.aUser, title, campaignT0.Add(time.Hour+time.Duration(i)*time.Second))
		want = append([]string{c.ID}, want...)
	}
	other := mustCampaign(t, s, f.bUser, "B1", campaignT0.Add(2*time.Hour))
	id := func(c model.Campaign) string { return c.ID }
	var got []string
	cur := ""
	for range 3 {
		page, next, err := s.ListCampaigns(ctx(t), f.scopeA, model.CampaignFilter{}, model.ListOptions{Limit: 2, Cursor: cur})
		noErr(t, "list", err)
		for _, c := range page {
			got = append(got, id(c))
		}
		if cur = next; cur == "" {
			break
		}
	}
	diff(t, "pages of tenant A", got, want)
	page, _, err := s.ListCampaigns(ctx(t), f.scopeB, model.CampaignFilter{}, model.ListOptions{})
	noErr(t, "list B", err)
	diff(t, "tenant B", len(page), 1)
	page, _, err = s.ListCampaigns(ctx(t), model.PlatformScope(), model.CampaignFilter{Status: model.CampaignDraft}, model.ListOptions{})
	noErr(t, "list platform", err)
	diff(t, "platform newest", page[0].ID, other.ID)
	page, _, err = s.ListCampaigns(ctx(t), f.scopeA, model.CampaignFilter{Status: model.CampaignRunning}, model.ListOptions{})
	noErr(t, "list running", err)
	diff(t, "running", len(page), 0)
	// Search: a case-insensitive substring of the title, LIKE characters
	// taken literally, within the scope.
	page, _, err = s.ListCampaigns(ctx(t), f.scopeA, model.CampaignFilter{Query: "l2"}, model.ListOptions{})
	noErr(t, "search", err)
	diff(t, "search l2", func() []string {
		var ids []string
		for _, c := range page {
			ids = append(ids, c.ID)
		}
		return ids
	}(), []string{want[1]})
	page, _, err = s.ListCampaigns(ctx(t), f.scopeA, model.CampaignFilter{Query: "_"}, model.ListOptions{})
	noErr(t, "search _", err)
	diff(t, "search _ (literal)", len(page), 0)
	page, _, err = s.ListCampaigns(ctx(t), f.scopeA, model.CampaignFilter{Query: "B1"}, model.ListOptions{})
	noErr(t, "search another tenant's title", err)
	diff(t, "search B1 in tenant A", len(page), 0)
	_, _, err = s.ListCampaigns(ctx(t), model.Scope{}, model.CampaignFilter{}, model.ListOptions{})
	wantErr(t, "zero scope list", err, store.ErrInvalidScope)
}

func testCampaignRecipients(t *testing.T, s *store.Store, f fixture) {
	g := model.Group{TenantID: f.a.ID, Name: "Campaign group"}
	noErr(t, "group", s.CreateGroup(ctx(t), &g))
	var ids []string
	for i, fax := range []string{"+15550001", "+15550002", "+15550003"} {
		ids = append(ids, mustContact(t, s, f.a.ID, "R", string(rune('a'+i)), fax).ID)
	}
	_, err := s.AddGroupMembers(ctx(t), f.scopeA, g.ID, ids)
	noErr(t, "members", err)
	noErr(t, "dnc", s.AddDNC(ctx(t), &model.DNCEntry{TenantID: f.a.ID, Number: "+15550002"}))
	c := mustCampaign(t, s, f.aUser, "Recipients", campaignT0)
	c.GroupID = g.ID
	noErr(t, "set group", s.UpdateCampaignDraft(ctx(t), f.scopeA, c))

	noErr(t, "start", inTx(t, s, func(tx *sql.Tx) error {
		pending, skipped, err := s.SnapshotRecipientsTx(ctx(t), tx, c)
		if err != nil {
			return err
		}
		diff(t, "snapshot counts", []int{pending, skipped}, []int{2, 1})
		return s.StartCampaignTx(ctx(t), tx, f.scopeA, c.ID, pending, skipped, campaignT0)
	}))
	counts := func(what string, want ...int) {
		t.Helper()
		got, err := s.GetCampaign(ctx(t), f.scopeA, c.ID)
		noErr(t, what, err)
		diff(t, what+" (total pending in_progress delivered failed skipped canceled)",
			[]int{got.Total, got.Pending, got.InProgress, got.Delivered, got.Failed, got.Skipped, got.Canceled}, want)
	}
	counts("started", 3, 2, 0, 0, 0, 1, 0)

	all, err := s.ListRecipients(ctx(t), f.scopeA, c.ID, model.RecipientFilter{}, 0, 0)
	noErr(t, "list", err)
	diff(t, "recipients", []any{len(all), all[0].Fax, all[1].State, all[1].Reason, all[2].Seq},
		[]any{3, "+15550001", model.RecipientSkipped, model.ReasonDoNotContact, int64(3)})
	other, err := s.ListRecipients(ctx(t), f.scopeB, c.ID, model.RecipientFilter{}, 0, 0)
	noErr(t, "list other tenant", err)
	diff(t, "other tenant sees", len(other), 0)
	found, err := s.ListRecipients(ctx(t), f.scopeA, c.ID, model.RecipientFilter{Query: all[1].Fax[3:]}, 0, 0)
	noErr(t, "search by number", err)
	diff(t, "search by number", []any{len(found), found[0].Seq}, []any{1, all[1].Seq})
	found, err = s.ListRecipients(ctx(t), f.scopeA, c.ID, model.RecipientFilter{Query: "%"}, 0, 0)
	noErr(t, "search %", err)
	diff(t, "search % (literal)", len(found), 0)
	found, err = s.ListRecipients(ctx(t), f.scopeB, c.ID, model.RecipientFilter{Query: all[1].Fax}, 0, 0)
	noErr(t, "search in another tenant", err)
	diff(t, "search in another tenant", len(found), 0)
	next, ok, err := s.NextRecipient(ctx(t), f.scopeA, c.ID, model.RecipientPending, 1)
	noErr(t, "next", err)
	diff(t, "next pending after 1", []any{ok, next.Seq}, []any{true, int64(3)})

	at := campaignT0.Add(time.Minute)
	claim := store.RecipientMove{From: model.RecipientPending, To: model.RecipientSubmitting, SendsDelta: 1, SubmittedAt: &at}
	var moved, again, foreign bool
	noErr(t, "claim", inTx(t, s, func(tx *sql.Tx) (err error) {
		if foreign, err = s.MoveRecipientTx(ctx(t), tx, f.scopeB, c.ID, 1, claim); err != nil {
			return err
		}
		if moved, err = s.MoveRecipientTx(ctx(t), tx, f.scopeA, c.ID, 1, claim); err != nil {
			return err
		}
		again, err = s.MoveRecipientTx(ctx(t), tx, f.scopeA, c.ID, 1, claim)
		return err
	}))
	diff(t, "moved (other tenant, first, again)", []bool{foreign, moved, again}, []bool{false, true, false})
	counts("claimed", 3, 1, 1, 0, 0, 1, 0)
	first, _ := s.ListRecipients(ctx(t), f.scopeA, c.ID, model.RecipientFilter{State: model.RecipientSubmitting}, 0, 1)
	diff(t, "claimed row", []any{len(first), first[0].Sends, first[0].SubmittedAt}, []any{1, 1, at})

	reason := "campaign stopped"
	noErr(t, "cancel rest", inTx(t, s, func(tx *sql.Tx) error {
		return s.MoveRecipientsTx(ctx(t), tx, f.scopeA, c.ID,
			store.RecipientMove{From: model.RecipientPending, To: model.RecipientCanceled, Reason: &reason})
	}))
	counts("canceled", 3, 0, 1, 0, 0, 1, 1)
	faxID, done, never := "fax_1", campaignT0.Add(2*time.Minute), time.Time{}
	noErr(t, "deliver", inTx(t, s, func(tx *sql.Tx) error {
		_, err := s.MoveRecipientTx(ctx(t), tx, f.scopeA, c.ID, 1, store.RecipientMove{From: model.RecipientSubmitting,
			To: model.RecipientDelivered, FaxID: &faxID, CompletedAt: &done})
		return err
	}))
	counts("delivered", 3, 0, 0, 1, 0, 1, 1)
	noErr(t, "reset", inTx(t, s, func(tx *sql.Tx) error {
		_, err := s.MoveRecipientTx(ctx(t), tx, f.scopeA, c.ID, 1, store.RecipientMove{From: model.RecipientDelivered,
			To: model.RecipientPending, CompletedAt: &never, SendsDelta: -1})
		return err
	}))
	first, _ = s.ListRecipients(ctx(t), f.scopeA, c.ID, model.RecipientFilter{State: model.RecipientPending}, 0, 0)
	diff(t, "reset row", []any{len(first), first[0].Sends, first[0].FaxID, first[0].CompletedAt.IsZero()},
		[]any{1, 0, faxID, true})
	var exists []bool
	noErr(t, "exists", inTx(t, s, func(tx *sql.Tx) error {
		for _, sc := range []model.Scope{f.scopeA, f.scopeB} {
			ok, err := s.CampaignExistsTx(ctx(t), tx, sc, c.ID)
			if err != nil {
				return err
			}
			exists = append(exists, ok)
		}
		return nil
	}))
	diff(t, "exists (A, B)", exists, []bool{true, false})
}

func testCampaignLease(t *testing.T, s *store.Store, f fixture) {
	c := mustCampaign(t, s, f.aUser, "Lease", campaignT0)
	now, ttl := campaignT0.Add(time.Hour), time.Minute
	lease := func(owner string, at time.Time) bool {
		t.Helper()
		ok, err := s.LeaseCampaign(ctx(t), model.PlatformScope(), c.ID, owner, at.Add(ttl), at)
		noErr(t, "lease "+owner, err)
		return ok
	}
	toRecover := func(at time.Time) []string {
		t.Helper()
		ids, err := s.CampaignsToRecover(ctx(t), model.PlatformScope(), at)
		noErr(t, "recover", err)
		return ids
	}
	diff(t, "lease of a draft", lease("one", now), false)
	diff(t, "draft to recover", len(toRecover(now)), 0)
	noErr(t, "run", inTx(t, s, func(tx *sql.Tx) error {
		return s.SetCampaignStatusTx(ctx(t), tx, f.scopeA, c.ID, model.CampaignRunning, "", now)
	}))
	diff(t, "unleased to recover", toRecover(now), []string{c.ID})
	diff(t, "first lease", lease("one", now), true)
	diff(t, "second owner", lease("two", now.Add(time.Second)), false)
	diff(t, "leased to recover", len(toRecover(now)), 0)
	renewed, err := s.RenewCampaignLease(ctx(t), model.PlatformScope(), c.ID, "two", now.Add(ttl))
	noErr(t, "renew two", err)
	diff(t, "renew by non-owner", renewed, false)
	noErr(t, "next send", s.SetCampaignNextSend(ctx(t), f.scopeA, c.ID, "one", now.Add(time.Hour)))
	got, _ := s.GetCampaign(ctx(t), f.scopeA, c.ID)
	diff(t, "next send", got.NextSendAt, now.Add(time.Hour))

	later := now.Add(2 * ttl)
	diff(t, "expired to recover", toRecover(later), []string{c.ID})
	diff(t, "take over expired", lease("two", later), true)
	var claimedBy []bool
	noErr(t, "claim", inTx(t, s, func(tx *sql.Tx) error {
		for _, owner := range []string{"one", "two"} {
			ok, err := s.ClaimCampaignSlotTx(ctx(t), tx, f.scopeA, c.ID, owner, 4, later.Add(time.Second))
			if err != nil {
				return err
			}
			claimedBy = append(claimedBy, ok)
		}
		return s.AdvanceCampaignCursorTx(ctx(t), tx, f.scopeA, c.ID, 2) // behind: no change
	}))
	diff(t, "claimed by (one, two)", claimedBy, []bool{false, true})
	got, _ = s.GetCampaign(ctx(t), f.scopeA, c.ID)
	diff(t, "cursor and slot", []any{got.Cursor, got.NextSendAt}, []any{int64(4), later.Add(time.Second)})
	noErr(t, "rewind", s.RewindLeasedCampaign(ctx(t), f.scopeA, c.ID, "two"))
	var first, completed bool
	noErr(t, "events", inTx(t, s, func(tx *sql.Tx) (err error) {
		if first, err = s.MarkCampaignStartedEventTx(ctx(t), tx, f.scopeA, c.ID); err != nil {
			return err
		}
		again, err := s.MarkCampaignStartedEventTx(ctx(t), tx, f.scopeA, c.ID)
		first = first && !again
		if err != nil {
			return err
		}
		completed, err = s.CompleteCampaignTx(ctx(t), tx, f.scopeA, c.ID, later)
		return err
	}))
	diff(t, "started event once, completed", []bool{first, completed}, []bool{true, true})
	got, _ = s.GetCampaign(ctx(t), f.scopeA, c.ID)
	diff(t, "completed", []any{got.Status, got.Cursor, got.CompletedAt}, []any{model.CampaignCompleted, int64(0), later})
	noErr(t, "release", s.ReleaseCampaignLease(ctx(t), model.PlatformScope(), c.ID, "two"))
	noErr(t, "pause", inTx(t, s, func(tx *sql.Tx) error {
		return s.PauseRunningCampaignTx(ctx(t), tx, f.scopeA, c.ID, "quota", later, 0) // not running: no change
	}))
	got, _ = s.GetCampaign(ctx(t), f.scopeA, c.ID)
	diff(t, "pause of a completed campaign", got.Status, model.CampaignCompleted)
}
