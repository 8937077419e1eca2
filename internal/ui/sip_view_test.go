package ui

import (
	"database/sql"
	"net/http"
	"strings"
	"testing"
	"time"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/model"
)

// sipCalls stores, in p's tenant A, an outbound fax of user@a.example
// delivered over SIP (T.38) and a reception (G.711), each with its SIP
// record, and returns their ids.
func sipCalls(t *testing.T, env *authtest.Env, w authtest.World) (outID, inID string) {
	t.Helper()
	ctx, st := t.Context(), env.St
	at := env.Clock.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	out := model.Fax{TenantID: w.A.ID, UserID: w.UserA.ID, Direction: model.Outbound, Status: model.FaxDelivered,
		Source: model.SourceAPI, To: "+12025550100", Title: "Over SIP", Pages: 1, PagesSent: 1, NextTry: 2,
		NextLeg: 1, CompletedAt: at.Add(time.Minute)}
	var a model.Attempt
	err := st.RunTx(ctx, func(tx *sql.Tx) error {
		if err := st.InsertFaxTx(ctx, tx, &out); err != nil {
			return err
		}
		a = model.Attempt{FaxID: out.ID, TenantID: w.A.ID, Try: 1, Leg: 1, TrunkName: "Carrier", Status: model.AttemptCompleted,
			DialedNumber: out.To, StartedAt: at, AnsweredAt: at.Add(2 * time.Second), EndedAt: at.Add(time.Minute),
			SIPCode: 200, T30Code: 0, ResultText: "OK", Pages: 1, BitRate: 14400, ECMUsed: true, Transport: model.TransportT38}
		return st.InsertAttemptTx(ctx, tx, &a)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.InsertSIPCall(ctx, model.SIPCall{CallID: "a84b4c76e66710-long-call-id@192.0.2.4",
		Direction: model.Outbound, FaxID: out.ID, AttemptID: a.ID, Peer: "192.0.2.4:5060", SIPCode: 200,
		SIPReason: "OK", Transport: "t38", Codec: "PCMA", Sent: 1520, Received: 1498, Lost: 7, Recovered: 5,
		ReinvitesSent: 1, Switches: 1, StartedAt: at, EndedAt: at.Add(time.Minute),
		T38: &model.T38Params{MaxBitRate: 14400, RateManagement: "transferredTCF", UDPEC: "t38UDPRedundancy",
			Redundancy: 3, MaxDatagram: 400, FarMaxDatagram: 600}}); err != nil {
		t.Fatal(err)
	}
	in := model.InboundFax{Fax: model.Fax{TenantID: w.A.ID, Status: model.FaxReceived, Source: model.SourceSIP,
		To: "+12025550142", CallerID: "+14155550123", Pages: 1, CompletedAt: at.Add(3 * time.Minute)}}
	if err := st.InsertInboundFax(ctx, &in); err != nil {
		t.Fatal(err)
	}
	err = st.RunTx(ctx, func(tx *sql.Tx) error {
		return st.InsertAttemptTx(ctx, tx, &model.Attempt{FaxID: in.ID, TenantID: w.A.ID, Try: 1, Leg: 1,
			TrunkName: "inbound", Status: model.AttemptCompleted, StartedAt: at.Add(2 * time.Minute),
			AnsweredAt: at.Add(2 * time.Minute), EndedAt: at.Add(3 * time.Minute), SIPCode: 200, Pages: 1,
			BitRate: 9600, Transport: model.TransportG711})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.InsertSIPCall(ctx, model.SIPCall{CallID: "far-end-7@198.51.100.7", Direction: model.Inbound,
		FaxID: in.ID, Peer: "198.51.100.7:5060", SIPCode: 200, SIPReason: "OK", Transport: "g711", Codec: "PCMU",
		Sent: 3100, Received: 3090, Lost: 2, StartedAt: at.Add(2 * time.Minute), EndedAt: at.Add(3 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	return out.ID, in.ID
}

// TestSIPRecordOnFaxPages: the outbound fax's attempts table shows the
// call's SIP status, codec and Call-ID, with the T.38 parameters and packet
// counters in its details; the received fax's page shows its call.
func TestSIPRecordOnFaxPages(t *testing.T) {
	p := newFaxPortal(t)
	outID, inID := sipCalls(t, p.Env, p.W)
	b := p.browser(t)
	b.login("user@a.example")
	r := b.get("/outbound/" + outID)
	wantStatus(t, r, http.StatusOK)
	checkHygiene(t, "fax with a SIP record", r)
	wantHTML(t, r, `<th scope="col">SIP</th>`, `title="Call-ID a84b4c76e66710-long-call-id@192.0.2.4">a84b4c76e66710-long-…</summary>`)
	wantText(t, r, "200 OK", "PCMA", "a84b4c76e66710-long-call-id@192.0.2.4", "192.0.2.4:5060",
		"T.38 (UDPTL), codec PCMA",
		"version 0, 14400 bit/s, transferredTCF, redundancy depth 3, max datagram 400 (far end 600)",
		"1520 sent, 1498 received, 7 lost, 5 recovered by redundancy", "1 re-INVITE(s) sent, 0 received; 1 media switch(es)")

	boss := p.browser(t)
	boss.login("boss@a.example")
	r = boss.get("/inbox/" + inID)
	wantStatus(t, r, http.StatusOK)
	checkHygiene(t, "received fax with a SIP record", r)
	wantText(t, r, "Call", "G.711 audio", "9600 bit/s", "far-end-7@198.51.100.7", "200 OK",
		"G.711 audio (RTP), codec PCMU", "3100 sent, 3090 received, 2 lost, 0 recovered by redundancy")
	if strings.Contains(r.Body, "T.38</dt>") {
		t.Error("the audio call shows T.38 parameters")
	}

	// Tenant B sees neither page.
	o := p.browser(t)
	o.login("boss@b.example")
	wantStatus(t, o.get("/outbound/"+outID), http.StatusNotFound)
	wantStatus(t, o.get("/inbox/"+inID), http.StatusNotFound)
}

// TestSIPRecordOnCDRPage: CDR Reports shows each SIP call's status code,
// codec and Call-ID; calls of other tenants stay out.
func TestSIPRecordOnCDRPage(t *testing.T) {
	p := newPortal(t, withReports(t))
	sipCalls(t, p.Env, p.W)
	b := p.browser(t)
	b.login("boss@a.example")
	r := b.get("/reports/cdr")
	wantStatus(t, r, http.StatusOK)
	checkHygiene(t, "CDR with SIP records", r)
	wantHTML(t, r, `<th scope="col">SIP</th>`, `<span class="nowrap" title="200 OK">200</span> <small class="muted">PCMA</small>`,
		`title="Call-ID a84b4c76e66710-long-call-id@192.0.2.4">a84b4c76e66710-long-…</small>`,
		`<small class="muted">PCMU</small>`, `title="Call-ID far-end-7@198.51.100.7">far-end-7@198.51.100…</small>`)
	o := p.browser(t)
	o.login("boss@b.example")
	if r := o.get("/reports/cdr"); strings.Contains(r.Body, "192.0.2.4") || strings.Contains(r.Body, "far-end-7") {
		t.Error("tenant B's CDR page shows tenant A's calls")
	}
}
