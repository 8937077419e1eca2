package storetest

import (
	"testing"
	"time"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// testWebhooks covers webhook endpoints, deliveries and attempts: CRUD,
// secrets, tenant isolation, transactional delivery inserts, attempt
// bookkeeping, endpoint health, requeue and clean-up.
func testWebhooks(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	t.Run("Endpoints", func(t *testing.T) { testWebhookEndpoints(t, s, f) })
	t.Run("Deliveries", func(t *testing.T) { testWebhookDeliveries(t, s, f) })
	t.Run("Attempts", func(t *testing.T) { testWebhookAttempts(t, s, f) })
	t.Run("Lifecycle", func(t *testing.T) { testWebhookLifecycle(t, s, f) })
}

func mustEndpoint(t *testing.T, s *store.Store, tenantID, url string, events ...string) model.WebhookEndpoint {
	t.Helper()
	e := model.WebhookEndpoint{TenantID: tenantID, URL: url, Events: events, Secret: "whsec_" + url, Enabled: true}
	noErr(t, "CreateWebhookEndpoint", s.CreateWebhookEndpoint(ctx(t), &e))
	return e
}

func endpointID(e model.WebhookEndpoint) string { return e.ID }
func deliveryID(d model.WebhookDelivery) string { return d.ID }

func testWebhookEndpoints(t *testing.T, s *store.Store, f fixture) {
	c := ctx(t)
	e := model.WebhookEndpoint{TenantID: f.a.ID, URL: "https://a.example/hook", Secret: "whsec_one",
		Events: []string{model.EventFaxDelivered, model.EventFaxFailed}, Enabled: true, Description: "CRM"}
	noErr(t, "CreateWebhookEndpoint", s.CreateWebhookEndpoint(c, &e))
	if !model.ValidID(model.PrefixWebhook, e.ID) || e.CreatedAt.IsZero() || !e.UpdatedAt.Equal(e.CreatedAt) {
		t.Errorf("created endpoint id/times = %q %v %v", e.ID, e.CreatedAt, e.UpdatedAt)
	}
	for _, sc := range []model.Scope{f.scopeA, model.PlatformScope()} {
		got, err := s.GetWebhookEndpoint(c, sc, e.ID)
		noErr(t, "GetWebhookEndpoint", err)
		diff(t, "GetWebhookEndpoint", got, e)
	}
	_, err := s.GetWebhookEndpoint(c, f.scopeB, e.ID)
	wantErr(t, "GetWebhookEndpoint(other tenant)", err, model.ErrNotFound)
	_, err = s.GetWebhookEndpoint(c, model.Scope{}, e.ID)
	wantErr(t, "GetWebhookEndpoint(zero scope)", err, store.ErrInvalidScope)

	bad := model.WebhookEndpoint{TenantID: model.NewID(model.PrefixTenant), URL: "https://x.example", Secret: "s", Events: []string{"*"}}
	wantInvalid(t, "CreateWebhookEndpoint(unknown tenant)", s.CreateWebhookEndpoint(c, &bad), "tenant_id")

	// Update by another tenant is not found and changes nothing.
	upd := e
	upd.URL, upd.Events, upd.Enabled, upd.Description = "https://a.example/v2", []string{"*"}, false, ""
	upd.DisabledReason, upd.FailingSince = "gone", time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	wantErr(t, "UpdateWebhookEndpoint(other tenant)", s.UpdateWebhookEndpoint(c, f.scopeB, &upd), model.ErrNotFound)
	time.Sleep(2 * time.Millisecond)
	noErr(t, "UpdateWebhookEndpoint", s.UpdateWebhookEndpoint(c, f.scopeA, &upd))
	if !upd.UpdatedAt.After(e.UpdatedAt) {
		t.Errorf("UpdatedAt %v not after %v", upd.UpdatedAt, e.UpdatedAt)
	}
	got, err := s.GetWebhookEndpoint(c, f.scopeA, e.ID)
	noErr(t, "GetWebhookEndpoint after update", err)
	diff(t, "endpoint after update", got, upd)

	// Secrets: rotation with and without a previous one.
	until := time.Now().Add(time.Hour).UTC().Truncate(time.Microsecond)
	wantErr(t, "SetWebhookSecret(other tenant)", s.SetWebhookSecret(c, f.scopeB, e.ID, "whsec_x", "", time.Time{}), model.ErrNotFound)
	noErr(t, "SetWebhookSecret", s.SetWebhookSecret(c, f.scopeA, e.ID, "whsec_two", "whsec_one", until))
	got, _ = s.GetWebhookEndpoint(c, f.scopeA, e.ID)
	if got.Secret != "whsec_two" || got.PreviousSecret != "whsec_one" || !got.PreviousSecretExpiresAt.Equal(until) {
		t.Errorf("after rotation: secret %q previous %q until %v", got.Secret, got.PreviousSecret, got.PreviousSecretExpiresAt)
	}
	noErr(t, "SetWebhookSecret(no previous)", s.SetWebhookSecret(c, f.scopeA, e.ID, "whsec_three", "", until))
	got, _ = s.GetWebhookEndpoint(c, f.scopeA, e.ID)
	if got.Secret != "whsec_three" || got.PreviousSecret != "" || !got.PreviousSecretExpiresAt.IsZero() {
		t.Errorf("after rotation without previous: %q %q %v", got.Secret, got.PreviousSecret, got.PreviousSecretExpiresAt)
	}

	// Lists and counts are scoped and filtered.
	a2 := mustEndpoint(t, s, f.a.ID, "https://a.example/2", "*")
	b1 := mustEndpoint(t, s, f.b.ID, "https://b.example/1", model.EventFaxQueued)
	list, next, err := s.ListWebhookEndpoints(c, f.scopeA, store.WebhookEndpointFilter{}, model.ListOptions{})
	noErr(t, "ListWebhookEndpoints(A)", err)
	diff(t, "A's endpoints", ids(list, endpointID), []string{a2.ID, e.ID})
	if next != "" {
		t.Errorf("next cursor %q on the only page", next)
	}
	enabled := true
	list, _, err = s.ListWebhookEndpoints(c, model.PlatformScope(), store.WebhookEndpointFilter{Enabled: &enabled}, model.ListOptions{})
	noErr(t, "ListWebhookEndpoints(enabled)", err)
	diff(t, "enabled endpoints", ids(list, endpointID), []string{b1.ID, a2.ID})
	list, _, err = s.ListWebhookEndpoints(c, model.PlatformScope(), store.WebhookEndpointFilter{TenantID: f.b.ID}, model.ListOptions{})
	noErr(t, "ListWebhookEndpoints(tenant B)", err)
	diff(t, "B's endpoints", ids(list, endpointID), []string{b1.ID})
	list, _, err = s.ListWebhookEndpoints(c, f.scopeA, store.WebhookEndpointFilter{Query: "A.EXAMPLE/2"}, model.ListOptions{})
	noErr(t, "ListWebhookEndpoints(search)", err)
	diff(t, "search by URL", ids(list, endpointID), []string{a2.ID})
	list, _, err = s.ListWebhookEndpoints(c, f.scopeA, store.WebhookEndpointFilter{Query: "b.example"}, model.ListOptions{})
	noErr(t, "ListWebhookEndpoints(search B's URL in A)", err)
	diff(t, "search another tenant's URL", ids(list, endpointID), []string{})
	page1, next, err := s.ListWebhookEndpoints(c, model.PlatformScope(), store.WebhookEndpointFilter{}, model.ListOptions{Limit: 2})
	noErr(t, "ListWebhookEndpoints(page 1)", err)
	page2, last, err := s.ListWebhookEndpoints(c, model.PlatformScope(), store.WebhookEndpointFilter{}, model.ListOptions{Limit: 2, Cursor: next})
	noErr(t, "ListWebhookEndpoints(page 2)", err)
	diff(t, "pages", append(ids(page1, endpointID), ids(page2, endpointID)...), []string{b1.ID, a2.ID, e.ID})
	if next == "" || last != "" {
		t.Errorf("cursors %q, %q", next, last)
	}
	n, err := s.CountWebhookEndpoints(c, f.scopeA, store.WebhookEndpointFilter{})
	noErr(t, "CountWebhookEndpoints", err)
	if n != 2 {
		t.Errorf("CountWebhookEndpoints(A) = %d, want 2", n)
	}

	// Enabled endpoints of a tenant, oldest first, through a transaction.
	tx, err := s.DB().BeginTx(c, nil)
	noErr(t, "BeginTx", err)
	act, err := s.EnabledWebhookEndpointsTx(c, tx, f.a.ID)
	_ = tx.Rollback()
	noErr(t, "EnabledWebhookEndpointsTx", err)
	diff(t, "enabled endpoints of A", ids(act, endpointID), []string{a2.ID})
	act, err = s.EnabledWebhookEndpointsTx(c, nil, f.b.ID)
	noErr(t, "EnabledWebhookEndpointsTx(nil tx)", err)
	diff(t, "enabled endpoints of B", ids(act, endpointID), []string{b1.ID})

	// Disable by the system, delete scoped.
	changed, err := s.DisableWebhookEndpoint(c, a2.ID, "gone")
	noErr(t, "DisableWebhookEndpoint", err)
	again, err := s.DisableWebhookEndpoint(c, a2.ID, "gone again")
	noErr(t, "DisableWebhookEndpoint again", err)
	got, _ = s.GetWebhookEndpoint(c, f.scopeA, a2.ID)
	if !changed || again || got.Enabled || got.DisabledReason != "gone" {
		t.Errorf("disable: changed %v, again %v, endpoint %+v", changed, again, got)
	}
	wantErr(t, "DeleteWebhookEndpoint(other tenant)", s.DeleteWebhookEndpoint(c, f.scopeB, a2.ID), model.ErrNotFound)
	noErr(t, "DeleteWebhookEndpoint", s.DeleteWebhookEndpoint(c, f.scopeA, a2.ID))
	_, err = s.GetWebhookEndpoint(c, model.PlatformScope(), a2.ID)
	wantErr(t, "GetWebhookEndpoint(deleted)", err, model.ErrNotFound)
}

// newDelivery inserts a pending delivery in its own transaction.
func newDelivery(t *testing.T, s *store.Store, tenantID, endpointID, url, secret string, created time.Time) model.WebhookDelivery {
	t.Helper()
	c := ctx(t)
	d := model.WebhookDelivery{TenantID: tenantID, EndpointID: endpointID, URL: url, MessageID: model.NewID(model.PrefixWebhookMessage),
		EventType: model.EventFaxDelivered, Payload: []byte(`{"type":"fax.delivered","data":{"pages":2}}`),
		Status: model.WebhookPending, NextAttemptAt: created, CreatedAt: created}
	tx, err := s.DB().BeginTx(c, nil)
	noErr(t, "BeginTx", err)
	defer func() { _ = tx.Rollback() }()
	noErr(t, "CreateWebhookDeliveryTx", s.CreateWebhookDeliveryTx(c, tx, &d, secret))
	noErr(t, "Commit", tx.Commit())
	return d
}

func testWebhookDeliveries(t *testing.T, s *store.Store, f fixture) {
	c := ctx(t)
	ea := mustEndpoint(t, s, f.a.ID, "https://a.example/d", "*")
	eb := mustEndpoint(t, s, f.b.ID, "https://b.example/d", "*")
	t0 := time.Now().UTC().Truncate(time.Microsecond).Add(-time.Hour)

	// A rolled-back insert leaves nothing.
	tx, err := s.DB().BeginTx(c, nil)
	noErr(t, "BeginTx", err)
	gone := model.WebhookDelivery{TenantID: f.a.ID, EndpointID: ea.ID, URL: ea.URL, MessageID: "msg_x", EventType: "fax.failed",
		Payload: []byte(`{}`), Status: model.WebhookPending}
	noErr(t, "CreateWebhookDeliveryTx", s.CreateWebhookDeliveryTx(c, tx, &gone, ""))
	noErr(t, "Rollback", tx.Rollback())
	_, err = s.GetWebhookDelivery(c, model.PlatformScope(), gone.ID)
	wantErr(t, "GetWebhookDelivery(rolled back)", err, model.ErrNotFound)

	d1 := newDelivery(t, s, f.a.ID, ea.ID, ea.URL, "", t0)
	d2 := newDelivery(t, s, f.a.ID, "", "https://did.example/hook", "whsec_did", t0.Add(time.Second))
	d3 := newDelivery(t, s, f.b.ID, eb.ID, eb.URL, "", t0.Add(2*time.Second))
	if !model.ValidID(model.PrefixWebhookDelivery, d1.ID) || !d1.CreatedAt.Equal(t0) {
		t.Errorf("delivery id %q created %v, want given time %v", d1.ID, d1.CreatedAt, t0)
	}
	got, err := s.GetWebhookDelivery(c, f.scopeA, d1.ID)
	noErr(t, "GetWebhookDelivery", err)
	diff(t, "GetWebhookDelivery", got, d1)
	_, err = s.GetWebhookDelivery(c, f.scopeB, d1.ID)
	wantErr(t, "GetWebhookDelivery(other tenant)", err, model.ErrNotFound)

	list, _, err := s.ListWebhookDeliveries(c, f.scopeA, store.WebhookDeliveryFilter{}, model.ListOptions{})
	noErr(t, "ListWebhookDeliveries(A)", err)
	diff(t, "A's deliveries", ids(list, deliveryID), []string{d2.ID, d1.ID})
	filters := []struct {
		name string
		f    store.WebhookDeliveryFilter
		want []string
	}{
		{"endpoint", store.WebhookDeliveryFilter{EndpointID: ea.ID}, []string{d1.ID}},
		{"message", store.WebhookDeliveryFilter{MessageID: d3.MessageID}, []string{d3.ID}},
		{"event", store.WebhookDeliveryFilter{EventType: model.EventFaxDelivered}, []string{d3.ID, d2.ID, d1.ID}},
		{"status", store.WebhookDeliveryFilter{Status: model.WebhookFailed}, nil},
		{"tenant", store.WebhookDeliveryFilter{TenantID: f.b.ID}, []string{d3.ID}},
	}
	for _, tc := range filters {
		list, _, err := s.ListWebhookDeliveries(c, model.PlatformScope(), tc.f, model.ListOptions{})
		noErr(t, "ListWebhookDeliveries("+tc.name+")", err)
		if tc.want == nil {
			tc.want = []string{}
		}
		diff(t, "filter "+tc.name, ids(list, deliveryID), tc.want)
	}
	// Another tenant's endpoint filter finds nothing for A.
	list, _, err = s.ListWebhookDeliveries(c, f.scopeA, store.WebhookDeliveryFilter{EndpointID: eb.ID}, model.ListOptions{})
	noErr(t, "ListWebhookDeliveries(A, B's endpoint)", err)
	if len(list) != 0 {
		t.Errorf("tenant A sees %d deliveries of B's endpoint", len(list))
	}

	// Work loads endpoint or target secret.
	wk, err := s.WebhookWork(c, d1.ID)
	noErr(t, "WebhookWork(endpoint)", err)
	if wk.Endpoint == nil || wk.Endpoint.ID != ea.ID || wk.Endpoint.Secret != ea.Secret || wk.TargetSecret != "" {
		t.Errorf("WebhookWork(endpoint) = %+v", wk)
	}
	wk, err = s.WebhookWork(c, d2.ID)
	noErr(t, "WebhookWork(target)", err)
	if wk.Endpoint != nil || wk.TargetSecret != "whsec_did" || wk.Delivery.URL != "https://did.example/hook" {
		t.Errorf("WebhookWork(target) = %+v", wk)
	}
	_, err = s.WebhookWork(c, model.NewID(model.PrefixWebhookDelivery))
	wantErr(t, "WebhookWork(unknown)", err, model.ErrNotFound)

	// Deleting an endpoint deletes its deliveries.
	noErr(t, "DeleteWebhookEndpoint", s.DeleteWebhookEndpoint(c, f.scopeB, eb.ID))
	_, err = s.GetWebhookDelivery(c, model.PlatformScope(), d3.ID)
	wantErr(t, "GetWebhookDelivery(endpoint deleted)", err, model.ErrNotFound)
}

func testWebhookAttempts(t *testing.T, s *store.Store, f fixture) {
	c := ctx(t)
	e := mustEndpoint(t, s, f.a.ID, "https://a.example/att", "*")
	t0 := time.Now().UTC().Truncate(time.Microsecond)
	d := newDelivery(t, s, f.a.ID, e.ID, e.URL, "", t0)

	fail := model.WebhookAttempt{N: 1, At: t0, StatusCode: 500, Duration: 1500 * time.Microsecond,
		ResponseBody: "oops ünïcode", Error: "receiver answered 500"}
	since, err := s.RecordWebhookAttempt(c, d.ID, fail, store.WebhookAttemptResult{Status: model.WebhookRetrying,
		NextAttemptAt: t0.Add(5 * time.Second), URL: "https://a.example/att"})
	noErr(t, "RecordWebhookAttempt(1)", err)
	if !since.Equal(t0) {
		t.Errorf("failing since = %v, want %v", since, t0)
	}
	// The same attempt number again is a conflict (a duplicate job).
	_, err = s.RecordWebhookAttempt(c, d.ID, fail, store.WebhookAttemptResult{Status: model.WebhookRetrying})
	wantConflict(t, "RecordWebhookAttempt(duplicate)", err, "attempt")
	_, err = s.RecordWebhookAttempt(c, model.NewID(model.PrefixWebhookDelivery), fail, store.WebhookAttemptResult{Status: model.WebhookRetrying})
	wantErr(t, "RecordWebhookAttempt(unknown)", err, model.ErrNotFound)

	fail2 := fail
	fail2.N, fail2.At = 2, t0.Add(5*time.Second)
	since, err = s.RecordWebhookAttempt(c, d.ID, fail2, store.WebhookAttemptResult{Status: model.WebhookRetrying,
		NextAttemptAt: t0.Add(time.Minute), URL: e.URL})
	noErr(t, "RecordWebhookAttempt(2)", err)
	if !since.Equal(t0) {
		t.Errorf("failing since after 2nd failure = %v, want first failure %v", since, t0)
	}
	ok := model.WebhookAttempt{N: 3, At: t0.Add(time.Minute), StatusCode: 204, Duration: time.Millisecond}
	since, err = s.RecordWebhookAttempt(c, d.ID, ok, store.WebhookAttemptResult{Status: model.WebhookSucceeded, URL: e.URL})
	noErr(t, "RecordWebhookAttempt(3)", err)
	if !since.IsZero() {
		t.Errorf("failing since after success = %v, want zero", since)
	}
	got, err := s.GetWebhookDelivery(c, f.scopeA, d.ID)
	noErr(t, "GetWebhookDelivery", err)
	if got.Status != model.WebhookSucceeded || got.Attempts != 3 || got.LastStatusCode != 204 || got.LastError != "" ||
		!got.NextAttemptAt.IsZero() || !got.LastAttemptAt.Equal(ok.At) {
		t.Errorf("delivery after success = %+v", got)
	}
	want := []model.WebhookAttempt{fail, fail2, ok}
	for i := range want {
		want[i].At = want[i].At.UTC()
	}
	diff(t, "attempt log", got.AttemptLog, want)
	ep, _ := s.GetWebhookEndpoint(c, f.scopeA, e.ID)
	if !ep.FailingSince.IsZero() || !ep.LastSuccessAt.Equal(ok.At) || !ep.LastFailureAt.Equal(fail2.At) {
		t.Errorf("endpoint health = since %v success %v failure %v", ep.FailingSince, ep.LastSuccessAt, ep.LastFailureAt)
	}

	// Extra targets have no endpoint health.
	x := newDelivery(t, s, f.a.ID, "", "https://did.example/x", "whsec_x", t0)
	since, err = s.RecordWebhookAttempt(c, x.ID, fail, store.WebhookAttemptResult{Status: model.WebhookFailed, URL: x.URL})
	noErr(t, "RecordWebhookAttempt(target)", err)
	if !since.IsZero() {
		t.Errorf("failing since of a target = %v", since)
	}
}

func testWebhookLifecycle(t *testing.T, s *store.Store, f fixture) {
	c := ctx(t)
	e := mustEndpoint(t, s, f.a.ID, "https://a.example/life", "*")
	old := time.Now().UTC().Truncate(time.Microsecond).Add(-40 * 24 * time.Hour)
	d := newDelivery(t, s, f.a.ID, e.ID, e.URL, "", old)

	// Finish only applies to the expected, non-final state.
	changed, err := s.FinishWebhookDelivery(c, d.ID, 1, model.WebhookFailed, "x")
	noErr(t, "FinishWebhookDelivery(wrong attempts)", err)
	if changed {
		t.Error("FinishWebhookDelivery changed a delivery with another attempt count")
	}
	if _, err := s.FinishWebhookDelivery(c, d.ID, 0, model.WebhookRetrying, "x"); err == nil {
		t.Error("FinishWebhookDelivery accepted a non-final status")
	}
	changed, err = s.FinishWebhookDelivery(c, d.ID, 0, model.WebhookFailed, "the endpoint is disabled")
	noErr(t, "FinishWebhookDelivery", err)
	got, _ := s.GetWebhookDelivery(c, f.scopeA, d.ID)
	if !changed || got.Status != model.WebhookFailed || got.LastError != "the endpoint is disabled" || !got.NextAttemptAt.IsZero() {
		t.Errorf("finished delivery = %+v (changed %v)", got, changed)
	}

	// Requeue: scoped, only final deliveries, inside the caller's tx.
	requeue := func(sc model.Scope) error {
		tx, err := s.DB().BeginTx(c, nil)
		noErr(t, "BeginTx", err)
		defer func() { _ = tx.Rollback() }()
		if _, err := s.RequeueWebhookDeliveryTx(c, tx, sc, d.ID, time.Now()); err != nil {
			return err
		}
		return tx.Commit()
	}
	wantErr(t, "RequeueWebhookDeliveryTx(other tenant)", requeue(f.scopeB), model.ErrNotFound)
	noErr(t, "RequeueWebhookDeliveryTx", requeue(f.scopeA))
	got, _ = s.GetWebhookDelivery(c, f.scopeA, d.ID)
	if got.Status != model.WebhookPending {
		t.Errorf("requeued status = %s", got.Status)
	}
	wantConflict(t, "RequeueWebhookDeliveryTx(pending)", requeue(f.scopeA), "status")

	// Clean-up deletes only final deliveries older than the cut-off.
	fresh := newDelivery(t, s, f.a.ID, e.ID, e.URL, "", time.Now().UTC())
	_, err = s.FinishWebhookDelivery(c, fresh.ID, 0, model.WebhookFailed, "x")
	noErr(t, "FinishWebhookDelivery(fresh)", err)
	n, err := s.DeleteWebhookDeliveriesBefore(c, time.Now().Add(-30*24*time.Hour))
	noErr(t, "DeleteWebhookDeliveriesBefore", err)
	if n != 0 {
		t.Errorf("deleted %d deliveries while the old one is pending", n)
	}
	_, err = s.FinishWebhookDelivery(c, d.ID, 0, model.WebhookFailed, "x")
	noErr(t, "FinishWebhookDelivery(old)", err)
	n, err = s.DeleteWebhookDeliveriesBefore(c, time.Now().Add(-30*24*time.Hour))
	noErr(t, "DeleteWebhookDeliveriesBefore", err)
	if n != 1 {
		t.Errorf("deleted %d deliveries, want the old one", n)
	}
	if _, err := s.GetWebhookDelivery(c, f.scopeA, fresh.ID); err != nil {
		t.Errorf("fresh delivery gone: %v", err)
	}
}
