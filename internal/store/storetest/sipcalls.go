package storetest

import (
	"database/sql"
	"testing"
	"time"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// testSIPCalls covers the SIP records of calls (sip_calls): stored under
// their fax's tenant, read per fax and with the attempts (fax detail) and
// the CDR report, never across tenants.
func testSIPCalls(t *testing.T, s *store.Store) {
	c := ctx(t)
	f := newFaxFixture(t, s, 90)
	at := time.Now().UTC().Add(-time.Hour).Truncate(time.Microsecond)

	// Tenant A's fax: a busy try, then a delivered one; tenant B's fax.
	fa := mustFax(t, s, newFax(f.aUser, "+12025550900"))
	fb := mustFax(t, s, newFax(f.bUser, "+12025550901"))
	attempt := func(fx model.Fax, try int, start time.Time) model.Attempt {
		t.Helper()
		a := model.Attempt{FaxID: fx.ID, TenantID: fx.TenantID, Try: try, Leg: 1, TrunkName: "Carrier",
			Status: model.AttemptDialing, StartedAt: start, T30Code: -1}
		noErr(t, "InsertAttemptTx", s.RunTx(c, func(tx *sql.Tx) error { return s.InsertAttemptTx(c, tx, &a) }))
		return a
	}
	busy, ok, b1 := attempt(fa, 1, at), attempt(fa, 2, at.Add(time.Minute)), attempt(fb, 1, at.Add(2*time.Minute))

	row := func(id string, fx model.Fax, a model.Attempt) model.SIPCall {
		return model.SIPCall{CallID: id, Direction: model.Outbound, TenantID: fx.TenantID, FaxID: fx.ID,
			AttemptID: a.ID, TrunkID: "trk_sip", Peer: "192.0.2.7:5060", SIPCode: 486, SIPReason: "Busy Here",
			Cause: "busy", StartedAt: a.StartedAt, EndedAt: a.StartedAt.Add(3 * time.Second)}
	}
	rBusy := row("busy-1@192.0.2.1", fa, busy)
	rOK := row("ok-2@192.0.2.1", fa, ok)
	rOK.SIPCode, rOK.SIPReason, rOK.Cause, rOK.Transport, rOK.Codec = 200, "OK", "", "t38", "PCMA"
	rOK.T38 = &model.T38Params{Version: 0, MaxBitRate: 14400, FillBitRemoval: true, RateManagement: "transferredTCF",
		UDPEC: "t38UDPRedundancy", FarMaxDatagram: 600, MaxDatagram: 400, Redundancy: 3}
	rOK.Sent, rOK.Received, rOK.Lost, rOK.Recovered = 1500, 1490, 12, 9
	rOK.Switches, rOK.Refreshes, rOK.ReinvitesSent, rOK.ReinvitesReceived = 1, 2, 3, 1
	rOK.EndedAt = ok.StartedAt.Add(time.Minute)
	rB := row("b-1@192.0.2.1", fb, b1)
	for _, r := range []model.SIPCall{rBusy, rOK, rB} {
		noErr(t, "InsertSIPCall "+r.CallID, s.InsertSIPCall(c, r))
	}
	// Ignored: the same Call-ID and direction again; another record for an
	// attempt that has one; a fax that does not exist. A record naming
	// another tenant takes its fax's tenant.
	again := rOK
	again.SIPCode = 503
	noErr(t, "InsertSIPCall again", s.InsertSIPCall(c, again))
	second := rBusy
	second.CallID = "busy-1-second@192.0.2.1"
	noErr(t, "InsertSIPCall second for one attempt", s.InsertSIPCall(c, second))
	ghost := rB
	ghost.CallID, ghost.FaxID, ghost.AttemptID = "ghost@192.0.2.1", "fax_doesnotexist000000", ""
	noErr(t, "InsertSIPCall unknown fax", s.InsertSIPCall(c, ghost))
	forged := row("forged@192.0.2.1", fa, model.Attempt{StartedAt: at})
	forged.TenantID, forged.AttemptID = f.b.ID, ""
	noErr(t, "InsertSIPCall forged tenant", s.InsertSIPCall(c, forged))
	forged.TenantID = f.a.ID

	list, err := s.ListSIPCalls(c, f.scopeA, fa.ID)
	noErr(t, "ListSIPCalls", err)
	diff(t, "tenant A's records of its fax", list, []model.SIPCall{rBusy, forged, rOK})
	list, err = s.ListSIPCalls(c, f.scopeB, fa.ID)
	noErr(t, "ListSIPCalls(other tenant)", err)
	diff(t, "tenant B's view of A's fax", len(list), 0)
	list, err = s.ListSIPCalls(c, model.PlatformScope(), fb.ID)
	noErr(t, "ListSIPCalls(platform)", err)
	diff(t, "platform view of B's fax", list, []model.SIPCall{rB})
	_, err = s.ListSIPCalls(c, model.Scope{}, fa.ID)
	wantErr(t, "ListSIPCalls(zero scope)", err, store.ErrInvalidScope)

	// The attempts carry their record; another tenant sees neither.
	atts, err := s.ListAttempts(c, f.scopeA, fa.ID)
	noErr(t, "ListAttempts", err)
	if len(atts) != 2 || atts[0].SIP == nil || atts[1].SIP == nil {
		t.Fatalf("attempts of A's fax = %+v, want two with their SIP records", atts)
	}
	diff(t, "busy attempt's record", *atts[0].SIP, rBusy)
	diff(t, "delivered attempt's record", *atts[1].SIP, rOK)
	atts, err = s.ListAttempts(c, f.scopeB, fa.ID)
	noErr(t, "ListAttempts(other tenant)", err)
	diff(t, "B's view of A's attempts", len(atts), 0)

	// A record whose tenant is not its attempt's (written around the
	// store) is never joined to the attempt.
	stray := attempt(fa, 3, at.Add(3*time.Minute))
	_, err = s.DB().ExecContext(c, `INSERT INTO sip_calls (call_id, direction, tenant_id, fax_id, attempt_id, sip_code,
		started_at, ended_at) VALUES ('stray@192.0.2.1', 'outbound', $1, $2, $3, 200, 0, 0)`, f.b.ID, fa.ID, stray.ID)
	noErr(t, "insert a stray record", err)
	atts, err = s.ListAttempts(c, f.scopeA, fa.ID)
	noErr(t, "ListAttempts with a stray record", err)
	if len(atts) != 3 || atts[2].SIP != nil {
		t.Errorf("attempt 3 = %+v, want no SIP record (the record is tenant B's)", atts[len(atts)-1])
	}

	// The CDR report: its summary of each record, in every scope's rows
	// only; EachCDR streams the same.
	sum := func(r model.SIPCall) *model.SIPSummary {
		return &model.SIPSummary{CallID: r.CallID, SIPCode: r.SIPCode, SIPReason: r.SIPReason, Codec: r.Codec,
			Sent: r.Sent, Received: r.Received, Lost: r.Lost, Recovered: r.Recovered}
	}
	lines := func(rows []model.CDR) map[string]*model.SIPSummary {
		out := map[string]*model.SIPSummary{}
		for _, r := range rows {
			out[r.ID] = r.Line
			if r.SIP != nil {
				t.Errorf("CDR row %s carries the whole SIP record; the report reads its summary", r.ID)
			}
		}
		return out
	}
	cdr, _, err := s.ListCDRs(c, f.scopeA, store.CDRFilter{}, model.ListOptions{})
	noErr(t, "ListCDRs", err)
	want := map[string]*model.SIPSummary{busy.ID: sum(rBusy), ok.ID: sum(rOK), stray.ID: nil}
	diff(t, "tenant A's CDR", lines(cdr), want)
	var each []model.CDR
	noErr(t, "EachCDR", s.EachCDR(c, f.scopeA, store.CDRFilter{}, func(r model.CDR) error {
		each = append(each, r)
		return nil
	}))
	diff(t, "tenant A's CDR export", lines(each), want)
	each = nil
	noErr(t, "EachCDR by pages", s.EachCDR(c, f.scopeA, store.CDRFilter{Sort: store.CDRByPages}, func(r model.CDR) error {
		each = append(each, r)
		return nil
	}))
	diff(t, "tenant A's CDR export by pages", lines(each), want)
	cdr, _, err = s.ListCDRs(c, f.scopeB, store.CDRFilter{}, model.ListOptions{})
	noErr(t, "ListCDRs(B)", err)
	diff(t, "tenant B's CDR", lines(cdr), map[string]*model.SIPSummary{b1.ID: sum(rB)})
}

// testSIPCallsInbound covers the record of a reception: stored without
// an attempt id, it is linked to the reception's attempt.
func testSIPCallsInbound(t *testing.T, s *store.Store) {
	c := ctx(t)
	f := newFaxFixture(t, s, 91)
	in := model.InboundFax{Fax: model.Fax{TenantID: f.a.ID, UserID: f.aUser.ID, Status: model.FaxReceived,
		Source: model.SourceSIP, To: "+12025550910", CallerID: "+14155550123"}}
	noErr(t, "InsertInboundFax", s.InsertInboundFax(c, &in))
	a := model.Attempt{FaxID: in.ID, TenantID: in.TenantID, Try: 1, Leg: 1, Status: model.AttemptCompleted,
		StartedAt: time.Now().UTC().Truncate(time.Microsecond), T30Code: 0, Pages: 1}
	noErr(t, "InsertAttemptTx", s.RunTx(c, func(tx *sql.Tx) error { return s.InsertAttemptTx(c, tx, &a) }))
	at := time.Now().UTC().Truncate(time.Microsecond)
	r := model.SIPCall{CallID: "far-chosen@198.51.100.9", Direction: model.Inbound, FaxID: in.ID, SIPCode: 200,
		SIPReason: "OK", Transport: "g711", Codec: "PCMU", Sent: 3000, Received: 2990, Lost: 4, StartedAt: at,
		EndedAt: at.Add(time.Minute)}
	noErr(t, "InsertSIPCall", s.InsertSIPCall(c, r))
	r.TenantID, r.AttemptID = in.TenantID, a.ID
	atts, err := s.ListAttempts(c, f.scopeA, in.ID)
	noErr(t, "ListAttempts", err)
	if len(atts) != 1 || atts[0].SIP == nil {
		t.Fatalf("reception attempts = %+v, want one with its SIP record", atts)
	}
	diff(t, "reception's record", *atts[0].SIP, r)
	cdr, _, err := s.ListCDRs(c, f.scopeA, store.CDRFilter{Direction: model.Inbound}, model.ListOptions{})
	noErr(t, "ListCDRs", err)
	if len(cdr) != 1 || cdr[0].Line == nil || cdr[0].Line.CallID != r.CallID || cdr[0].Line.Lost != 4 {
		t.Errorf("inbound CDR = %+v", cdr)
	}
	cdr, _, err = s.ListCDRs(c, f.scopeB, store.CDRFilter{Direction: model.Inbound}, model.ListOptions{})
	noErr(t, "ListCDRs(B)", err)
	diff(t, "B's inbound CDR", len(cdr), 0)
}
