package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

func testSessions(t *testing.T, s *store.Store) {
	c := ctx(t)
	f := newFixture(t, s)
	start := time.Now().UTC().Truncate(time.Microsecond)
	ses := model.Session{ID: tokenHash("t1"), UserID: f.aUser.ID, TenantID: f.a.ID, MFAPending: true,
		IP: "192.0.2.1", UserAgent: "test/1", CreatedAt: start, ExpiresAt: start.Add(24 * time.Hour)}
	noErr(t, "CreateSession", s.CreateSession(c, &ses))
	if !ses.LastSeenAt.Equal(start) {
		t.Errorf("LastSeenAt = %v, want CreatedAt %v", ses.LastSeenAt, start)
	}
	got, err := s.GetSession(c, ses.ID)
	noErr(t, "GetSession", err)
	diff(t, "GetSession", got, ses)
	wantConflict(t, "CreateSession(same id)", s.CreateSession(c, &model.Session{ID: ses.ID, UserID: f.aUser.ID,
		ExpiresAt: start.Add(time.Hour)}), "id")
	bad := model.Session{ID: tokenHash("ghost"), UserID: model.NewID(model.PrefixUser), ExpiresAt: start}
	wantErr(t, "CreateSession(unknown user)", s.CreateSession(c, &bad), model.ErrNotFound)

	seen := start.Add(10 * time.Minute)
	noErr(t, "TouchSession", s.TouchSession(c, ses.ID, seen))
	noErr(t, "ClearSessionMFA", s.ClearSessionMFA(c, ses.ID))
	got, err = s.GetSession(c, ses.ID)
	noErr(t, "GetSession after touch", err)
	if !got.LastSeenAt.Equal(seen) || got.MFAPending {
		t.Errorf("after touch: LastSeenAt %v MFAPending %v, want %v false", got.LastSeenAt, got.MFAPending, seen)
	}
	missing := tokenHash("missing")
	_, err = s.GetSession(c, missing)
	wantErr(t, "GetSession(missing)", err, model.ErrNotFound)
	wantErr(t, "TouchSession(missing)", s.TouchSession(c, missing, seen), model.ErrNotFound)
	wantErr(t, "ClearSessionMFA(missing)", s.ClearSessionMFA(c, missing), model.ErrNotFound)

	noErr(t, "DeleteSession", s.DeleteSession(c, ses.ID))
	_, err = s.GetSession(c, ses.ID)
	wantErr(t, "GetSession after delete", err, model.ErrNotFound)
	noErr(t, "DeleteSession(again)", s.DeleteSession(c, ses.ID))

	// DeleteUserSessions keeps the excepted session and other users' sessions.
	mk := func(token, user string) string {
		x := model.Session{ID: tokenHash(token), UserID: user, ExpiresAt: start.Add(time.Hour)}
		noErr(t, "CreateSession("+token+")", s.CreateSession(c, &x))
		return x.ID
	}
	keep, drop1, drop2, other := mk("k", f.aUser.ID), mk("d1", f.aUser.ID), mk("d2", f.aUser.ID), mk("o", f.bUser.ID)
	n, err := s.DeleteUserSessions(c, f.aUser.ID, keep)
	noErr(t, "DeleteUserSessions", err)
	if n != 2 {
		t.Errorf("DeleteUserSessions = %d, want 2", n)
	}
	for id, want := range map[string]error{keep: nil, drop1: model.ErrNotFound, drop2: model.ErrNotFound, other: nil} {
		_, err := s.GetSession(c, id)
		wantErr(t, "GetSession after DeleteUserSessions", err, want)
	}
	n, err = s.DeleteUserSessions(c, f.aUser.ID, "")
	noErr(t, "DeleteUserSessions(all)", err)
	if n != 1 {
		t.Errorf("DeleteUserSessions(all) = %d, want 1", n)
	}
}

func testSessionExpiry(t *testing.T, s *store.Store) {
	c := ctx(t)
	f := newFixture(t, s)
	now := time.Now().UTC().Truncate(time.Microsecond)
	idle := 2 * time.Hour
	tests := []struct {
		token    string
		lastSeen time.Time
		expires  time.Time
		gone     bool
	}{
		{"fresh", now.Add(-time.Minute), now.Add(time.Hour), false},
		{"idle", now.Add(-idle - time.Second), now.Add(time.Hour), true},
		{"just within idle", now.Add(-idle + time.Second), now.Add(time.Hour), false},
		{"absolute", now.Add(-time.Minute), now.Add(-time.Second), true},
		{"absolute now", now.Add(-time.Minute), now, true},
	}
	for _, tc := range tests {
		ses := model.Session{ID: tokenHash(tc.token), UserID: f.aUser.ID, CreatedAt: tc.lastSeen,
			LastSeenAt: tc.lastSeen, ExpiresAt: tc.expires}
		noErr(t, "CreateSession("+tc.token+")", s.CreateSession(c, &ses))
	}
	n, err := s.DeleteExpiredSessions(c, now.Add(-idle), now)
	noErr(t, "DeleteExpiredSessions", err)
	if n != 3 {
		t.Errorf("DeleteExpiredSessions = %d, want 3", n)
	}
	for _, tc := range tests {
		_, err := s.GetSession(c, tokenHash(tc.token))
		if gone := err != nil; gone != tc.gone {
			t.Errorf("session %q: gone = %v (err %v), want %v", tc.token, gone, err, tc.gone)
		}
	}
}

func testAPIKeys(t *testing.T, s *store.Store) {
	c := ctx(t)
	f := newFixture(t, s)
	k1 := model.APIKey{UserID: f.aUser.ID, TenantID: f.a.ID, Name: "ci", Prefix: "fgk_abcd", Hash: tokenHash("k1")}
	noErr(t, "CreateAPIKey", s.CreateAPIKey(c, &k1))
	if !model.ValidID(model.PrefixAPIKey, k1.ID) || k1.CreatedAt.IsZero() || k1.Revoked() {
		t.Errorf("CreateAPIKey gave %+v", k1)
	}
	time.Sleep(time.Millisecond)
	k2 := model.APIKey{UserID: f.aUser.ID, TenantID: f.a.ID, Name: "backup", Prefix: "fgk_efgh", Hash: tokenHash("k2")}
	noErr(t, "CreateAPIKey(2)", s.CreateAPIKey(c, &k2))
	dup := model.APIKey{UserID: f.bUser.ID, TenantID: f.b.ID, Name: "dup", Prefix: "x", Hash: tokenHash("k1")}
	wantConflict(t, "CreateAPIKey(same hash)", s.CreateAPIKey(c, &dup), "hash")
	ghost := model.APIKey{UserID: model.NewID(model.PrefixUser), Name: "g", Prefix: "g", Hash: tokenHash("g")}
	wantErr(t, "CreateAPIKey(unknown user)", s.CreateAPIKey(c, &ghost), model.ErrNotFound)
	adminKey := model.APIKey{UserID: f.admin.ID, Name: "ops", Prefix: "fgk_ops", Hash: tokenHash("admin")}
	noErr(t, "CreateAPIKey(admin)", s.CreateAPIKey(c, &adminKey))

	list, err := s.ListAPIKeys(c, f.scopeA, f.aUser.ID)
	noErr(t, "ListAPIKeys", err)
	diff(t, "ListAPIKeys", list, []model.APIKey{k2, k1})
	list, err = s.ListAPIKeys(c, model.PlatformScope(), f.admin.ID)
	noErr(t, "ListAPIKeys(admin)", err)
	diff(t, "ListAPIKeys(admin)", ids(list, keyID), []string{adminKey.ID})

	got, err := s.GetAPIKeyByHash(c, tokenHash("k1"))
	noErr(t, "GetAPIKeyByHash", err)
	diff(t, "GetAPIKeyByHash", got, k1)
	_, err = s.GetAPIKeyByHash(c, tokenHash("nope"))
	wantErr(t, "GetAPIKeyByHash(unknown)", err, model.ErrNotFound)

	used := time.Now().UTC().Truncate(time.Microsecond)
	noErr(t, "TouchAPIKey", s.TouchAPIKey(c, k1.ID, used))
	wantErr(t, "TouchAPIKey(unknown)", s.TouchAPIKey(c, "key_nope", used), model.ErrNotFound)
	revoked := used.Add(time.Minute)
	wantErr(t, "RevokeAPIKey(other user's)", s.RevokeAPIKey(c, f.scopeA, f.aAdmin.ID, k1.ID, revoked), model.ErrNotFound)
	noErr(t, "RevokeAPIKey", s.RevokeAPIKey(c, f.scopeA, f.aUser.ID, k1.ID, revoked))
	noErr(t, "RevokeAPIKey(again)", s.RevokeAPIKey(c, f.scopeA, f.aUser.ID, k1.ID, revoked.Add(time.Hour)))
	got, err = s.GetAPIKeyByHash(c, tokenHash("k1"))
	noErr(t, "GetAPIKeyByHash after revoke", err)
	if !got.LastUsedAt.Equal(used) || !got.RevokedAt.Equal(revoked) || !got.Revoked() {
		t.Errorf("after touch+revoke: LastUsedAt %v RevokedAt %v, want %v %v", got.LastUsedAt, got.RevokedAt, used, revoked)
	}
	noErr(t, "RevokeAPIKey(admin, platform)", s.RevokeAPIKey(c, model.PlatformScope(), f.admin.ID, adminKey.ID, revoked))
}

func testCascade(t *testing.T, s *store.Store) {
	c := ctx(t)
	f := newFixture(t, s)
	exp := time.Now().Add(time.Hour)
	for _, u := range []model.User{f.aUser, f.aAdmin} {
		ses := model.Session{ID: tokenHash("s-" + u.ID), UserID: u.ID, TenantID: u.TenantID, ExpiresAt: exp}
		noErr(t, "CreateSession", s.CreateSession(c, &ses))
		k := model.APIKey{UserID: u.ID, TenantID: u.TenantID, Name: "k", Prefix: "p", Hash: tokenHash("k-" + u.ID)}
		noErr(t, "CreateAPIKey", s.CreateAPIKey(c, &k))
	}
	ev := model.AuditEvent{TenantID: f.a.ID, ActorID: f.aUser.ID, ActorEmail: f.aUser.Email, Action: model.ActionLogout}
	noErr(t, "InsertAuditEvent", s.InsertAuditEvent(c, &ev))

	noErr(t, "DeleteUser", s.DeleteUser(c, f.scopeA, f.aUser.ID))
	_, err := s.GetSession(c, tokenHash("s-"+f.aUser.ID))
	wantErr(t, "deleted user's session", err, model.ErrNotFound)
	_, err = s.GetAPIKeyByHash(c, tokenHash("k-"+f.aUser.ID))
	wantErr(t, "deleted user's API key", err, model.ErrNotFound)
	_, err = s.GetSession(c, tokenHash("s-"+f.aAdmin.ID))
	noErr(t, "other user's session survives", err)
	_, err = s.GetAPIKeyByHash(c, tokenHash("k-"+f.aAdmin.ID))
	noErr(t, "other user's API key survives", err)
	events, _, err := s.ListAuditEvents(c, f.scopeA, store.AuditFilter{UserID: f.aUser.ID}, model.ListOptions{})
	noErr(t, "ListAuditEvents", err)
	diff(t, "audit events survive the user", ids(events, eventID), []string{ev.ID})
}

func testThrottles(t *testing.T, s *store.Store) {
	c := ctx(t)
	got, err := s.GetLoginThrottle(c, "acct:nobody")
	noErr(t, "GetLoginThrottle(absent)", err)
	diff(t, "GetLoginThrottle(absent)", got, model.LoginThrottle{})

	now := time.Now().UTC().Truncate(time.Microsecond)
	th := model.LoginThrottle{Key: "acct:jane@example.com", Failures: 1, WindowStart: now}
	noErr(t, "PutLoginThrottle", s.PutLoginThrottle(c, th))
	got, err = s.GetLoginThrottle(c, th.Key)
	noErr(t, "GetLoginThrottle", err)
	diff(t, "GetLoginThrottle", got, th)

	th.Failures, th.LockedUntil = 5, now.Add(15*time.Minute)
	noErr(t, "PutLoginThrottle(upsert)", s.PutLoginThrottle(c, th))
	got, err = s.GetLoginThrottle(c, th.Key)
	noErr(t, "GetLoginThrottle after upsert", err)
	diff(t, "GetLoginThrottle after upsert", got, th)

	ip := model.LoginThrottle{Key: "ip:192.0.2.7", Failures: 2, WindowStart: now.Add(-2 * time.Hour)}
	noErr(t, "PutLoginThrottle(ip)", s.PutLoginThrottle(c, ip))
	lockedOld := model.LoginThrottle{Key: "ip:192.0.2.8", Failures: 20, WindowStart: now.Add(-2 * time.Hour),
		LockedUntil: now.Add(time.Minute)}
	noErr(t, "PutLoginThrottle(locked)", s.PutLoginThrottle(c, lockedOld))
	n, err := s.DeleteStaleLoginThrottles(c, now.Add(-time.Hour), now)
	noErr(t, "DeleteStaleLoginThrottles", err)
	if n != 1 {
		t.Errorf("DeleteStaleLoginThrottles = %d, want 1 (old and unlocked only)", n)
	}
	if got, _ = s.GetLoginThrottle(c, ip.Key); got.Key != "" {
		t.Errorf("stale throttle still there: %+v", got)
	}
	if got, _ = s.GetLoginThrottle(c, lockedOld.Key); got.Key == "" {
		t.Error("locked throttle deleted")
	}

	noErr(t, "DeleteLoginThrottle", s.DeleteLoginThrottle(c, th.Key))
	got, err = s.GetLoginThrottle(c, th.Key)
	noErr(t, "GetLoginThrottle after delete", err)
	diff(t, "GetLoginThrottle after delete", got, model.LoginThrottle{})
	noErr(t, "DeleteLoginThrottle(absent)", s.DeleteLoginThrottle(c, th.Key))
}
