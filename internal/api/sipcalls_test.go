package api_test

import (
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"

	"faxgate/internal/api"
	"faxgate/internal/faxin"
	"faxgate/internal/faxout"
	"faxgate/internal/model"
)

// TestSIPRecordsAPI: the SIP record of a call (as the SIP line and the
// inbound path store it) shows on the fax's attempt, outbound and inbound,
// and in the CDR report (JSON and CSV, appended columns), to its tenant
// only.
func TestSIPRecordsAPI(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn func(*testing.T) string) {
		e, w, doc := faxEnv(t, dsn(t))
		ua, ta, tb := bearer(w.keyUA), bearer(w.keyTA), bearer(w.keyTB)
		ctx := t.Context()
		admin := model.Actor{Role: model.RoleAdmin, UserID: e.admin.ID, Email: e.admin.Email, Via: "test"}
		if _, err := e.app.Faxin().AddDID(ctx, admin, faxin.DIDInput{Number: "+12025550142", TenantID: w.A.ID}); err != nil {
			t.Fatal(err)
		}
		var sent api.Fax
		e.must(t, ua, "POST", "/api/v1/faxes", api.FaxSend{To: "+12025550142", DocumentID: doc.ID}, 201, &sent)
		if f := e.waitFax(t, ua, sent.ID); f.Status != "delivered" || len(f.Attempts) != 1 || f.Attempts[0].SIP != nil {
			t.Fatalf("fax over the test line %+v; want delivered, one attempt, no SIP record", f)
		}
		var in api.FaxList
		for deadline := time.Now().Add(30 * time.Second); len(in.Items) == 0 && time.Now().Before(deadline); {
			time.Sleep(50 * time.Millisecond)
			e.must(t, ta, "GET", "/api/v1/faxes?direction=inbound", nil, 200, &in)
		}
		if len(in.Items) != 1 {
			t.Fatalf("inbound list %+v", in.Items)
		}
		rxID := in.Items[0].ID

		// The records, as the SIP line (outbound: with its attempt) and the
		// inbound path store them.
		st := e.app.Store()
		atts, err := st.ListAttempts(ctx, model.TenantScope(w.A.ID), sent.ID)
		if err != nil || len(atts) != 1 {
			t.Fatalf("attempts %v, %v", atts, err)
		}
		start := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
		out := faxout.SIPCall{CallID: "a84b4c76e66710@192.0.2.4", Direction: model.Outbound, FaxID: sent.ID,
			AttemptID: atts[0].ID, TrunkID: "trk_carrier", Peer: "192.0.2.4:5060", SIPCode: 200, SIPReason: "OK",
			Cause: "", Transport: "t38", Codec: "PCMA", Sent: 1520, Received: 1498, Lost: 7, Recovered: 5,
			Switches: 1, Refreshes: 1, ReinvitesSent: 2, ReinvitesReceived: 1, StartedAt: start,
			EndedAt: start.Add(75 * time.Second),
			T38: &model.T38Params{Version: 0, MaxBitRate: 14400, FillBitRemoval: false,
				RateManagement: "transferredTCF", UDPEC: "t38UDPRedundancy", FarMaxDatagram: 600, MaxDatagram: 400,
				Redundancy: 3}}
		// The far end chooses an inbound Call-ID: one a spreadsheet would run.
		inb := faxout.SIPCall{CallID: "=HYPERLINK(1)@198.51.100.7", Direction: model.Inbound, FaxID: rxID,
			Peer: "198.51.100.7:5060", SIPCode: 200, SIPReason: "OK", Transport: "g711", Codec: "PCMU", Sent: 3100,
			Received: 3090, Lost: 2, StartedAt: start, EndedAt: start.Add(time.Minute)}
		cdr := faxout.NewSIPCalls(st)
		for _, r := range []faxout.SIPCall{out, inb} {
			if err := cdr.Insert(ctx, r); err != nil {
				t.Fatal(err)
			}
		}

		var f api.Fax
		e.must(t, ua, "GET", "/api/v1/faxes/"+sent.ID, nil, 200, &f)
		want := api.CallSIP{CallID: out.CallID, SIPCode: 200, SIPReason: "OK", Cause: "", Transport: "t38",
			Codec: "PCMA", Packets: api.CallPackets{Sent: 1520, Received: 1498, Lost: 7, Recovered: 5},
			ReinvitesSent: 2, ReinvitesReceived: 1, MediaSwitches: 1, SessionRefreshes: 1, Peer: "192.0.2.4:5060",
			TrunkID: "trk_carrier", StartedAt: start, EndedAt: start.Add(75 * time.Second),
			T38: &api.CallT38{Version: 0, MaxBitRate: 14400, RateManagement: "transferredTCF",
				ErrorCorrection: "t38UDPRedundancy", Redundancy: 3, FarMaxDatagram: 600, MaxDatagram: 400}}
		if len(f.Attempts) != 1 || f.Attempts[0].SIP == nil {
			t.Fatalf("attempts %+v; want one with its SIP record", f.Attempts)
		}
		got := *f.Attempts[0].SIP
		if got.T38 == nil || *got.T38 != *want.T38 {
			t.Errorf("t38 = %+v, want %+v", got.T38, want.T38)
		}
		got.T38, want.T38 = nil, nil
		if got != want {
			t.Errorf("sip = %+v\nwant %+v", got, want)
		}
		// The JSON names of the contract.
		r := e.must(t, ua, "GET", "/api/v1/faxes/"+sent.ID, nil, 200, nil)
		for _, k := range []string{`"sip":{"call_id":"a84b4c76e66710@192.0.2.4","sip_code":200,"sip_reason":"OK"`,
			`"codec":"PCMA","t38":{"version":0,"max_bit_rate":14400`, `"error_correction":"t38UDPRedundancy"`,
			`"packets":{"sent":1520,"received":1498,"lost":7,"recovered":5}`, `"reinvites_sent":2`} {
			if !strings.Contains(string(r.body), k) {
				t.Errorf("fax JSON lacks %s: %s", k, r.body)
			}
		}

		// The reception: its record joined to its attempt.
		var rx api.Fax
		e.must(t, ta, "GET", "/api/v1/faxes/"+rxID, nil, 200, &rx)
		if len(rx.Attempts) != 1 || rx.Attempts[0].SIP == nil || rx.Attempts[0].SIP.CallID != inb.CallID ||
			rx.Attempts[0].SIP.Codec != "PCMU" || rx.Attempts[0].SIP.T38 != nil || rx.Attempts[0].SIP.Packets.Lost != 2 {
			t.Fatalf("inbound fax attempts %+v; want the reception's SIP record", rx.Attempts)
		}

		// Another tenant reads neither fax.
		for _, id := range []string{sent.ID, rxID} {
			if r := e.call(t, tb, "GET", "/api/v1/faxes/"+id, nil); r.status != 404 {
				t.Errorf("tenant B reads %s: %d", id, r.status)
			}
		}

		// CDR report, JSON.
		var list api.CDRList
		e.must(t, ta, "GET", "/api/v1/reports/cdr", nil, 200, &list)
		byFax := map[string]api.CDR{}
		for _, c := range list.Items {
			byFax[c.FaxID] = c
		}
		if c := byFax[sent.ID]; c.SIPCallID != out.CallID || c.SIPCode != 200 || c.SIPReason != "OK" ||
			c.Codec != "PCMA" || c.PacketsSent != 1520 || c.PacketsReceived != 1498 || c.PacketsLost != 7 ||
			c.PacketsRecovered != 5 {
			t.Errorf("outbound CDR %+v", c)
		}
		if c := byFax[rxID]; c.SIPCallID != inb.CallID || c.Codec != "PCMU" || c.PacketsLost != 2 {
			t.Errorf("inbound CDR %+v", c)
		}
		var other api.CDRList
		e.must(t, tb, "GET", "/api/v1/reports/cdr", nil, 200, &other)
		for _, c := range other.Items {
			if c.SIPCallID != "" {
				t.Errorf("tenant B's CDR shows a SIP record: %+v", c)
			}
		}

		// CDR report, CSV: the columns before stay as they were, the SIP
		// ones come after.
		r = e.must(t, ta, "GET", "/api/v1/reports/cdr?format=csv", nil, 200, nil)
		recs, err := csv.NewReader(strings.NewReader(string(r.body))).ReadAll()
		if err != nil || len(recs) != 3 {
			t.Fatalf("CSV (%v): %q", err, r.body)
		}
		before := []string{"started_at", "answered_at", "ended_at", "direction", "user", "from", "to",
			"dialed_number", "status", "fax_status", "cause", "result_code", "result_text", "pages", "duration_s",
			"transport", "bit_rate", "ecm", "trunk", "remote_station_id", "try", "fax_id", "attempt_id"}
		added := []string{"sip_call_id", "sip_code", "sip_reason", "codec", "packets_sent", "packets_received",
			"packets_lost", "packets_recovered"}
		if !slices.Equal(recs[0], append(slices.Clone(before), added...)) {
			t.Fatalf("CSV header %q", recs[0])
		}
		rows := map[string][]string{}
		for _, rec := range recs[1:] {
			rows[rec[21]] = rec[len(before):]
		}
		if g := rows[sent.ID]; !slices.Equal(g, []string{out.CallID, "200", "OK", "PCMA", "1520", "1498", "7", "5"}) {
			t.Errorf("outbound CSV SIP cells %q", g)
		}
		if g := rows[rxID]; !slices.Equal(g, []string{"'" + inb.CallID, "200", "OK", "PCMU", "3100", "3090", "2", "0"}) {
			t.Errorf("inbound CSV SIP cells %q (the Call-ID must not run as a formula)", g)
		}
	})
}
