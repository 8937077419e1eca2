package ui

import (
	"database/sql"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"faxgate/internal/faxout"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// trunkValues is a valid add-trunk form for a SIP trunk.
func trunkValues(kv ...string) url.Values {
	v := url.Values{"name": {"Carrier A"}, "kind": {"sip"}, "priority": {"5"}, "max_channels": {"8"},
		"enabled": {"on"}, "host": {"sip.carrier.example"}, "port": {"5061"}, "transport": {"tls"},
		"username": {"acme"}, "password": {"s3cret"}, "register": {"on"}, "t38": {"request"}, "ecm": {"on"},
		"speed": {"fast"}, "v17": {"on"}, "codecs": {"PCMU,PCMA"}, "caller_id_format": {"e164"},
		"udptl_redundancy": {"3"}, "t38_max_datagram": {"400"}}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			v.Del(kv[i])
			continue
		}
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func TestTrunkForms(t *testing.T) {
	p := newFaxPortal(t)
	b := p.browser(t)
	b.login("admin@example.com")
	tests := []struct {
		name   string
		form   url.Values
		status int
		want   []string
	}{
		{"no name", trunkValues("name", ""), 422, []string{"Name: 1 to 100 characters"}},
		{"sip without host", trunkValues("host", ""), 422, []string{"Host: required for SIP trunks"}},
		{"no channels", trunkValues("max_channels", "0"), 422, []string{"Max channels: must be 1 to 10000"}},
		{"channels not a number", trunkValues("max_channels", "eight"), 422, []string{"Max channels: must be a whole number"}},
		{"bad port", trunkValues("port", "70000"), 422, []string{"Port: must be 1 to 65535"}},
		{"bad transport", trunkValues("transport", "sctp"), 422, []string{"Transport: must be udp, tcp or tls"}},
		{"bad rewrite", trunkValues("dial_rewrites", "+1 1 extra"), 422, []string{"Dial rewrites: "}},
		{"unknown tenant", trunkValues("tenant_ids", "ten_aaaaaaaaaaaaaaaa"), 422, []string{"no such tenant"}},
		{"bad inbound source", trunkValues("allowed_sources", "192.0.2.1\nnot-an-ip"), 422, []string{`"not-an-ip" is not an IP address or CIDR prefix`}},
		{"fax source as inbound source", trunkValues("allowed_sources", "api"), 422, []string{"are set in fax_sources"}},
		{"bad proxy", trunkValues("outbound_proxy", "proxy.example:0"), 422, []string{"must be host or host:port"}},
		{"bad codecs", trunkValues("codecs", "G729"), 422, []string{"PCMU and/or PCMA"}},
		{"bad caller-ID format", trunkValues("caller_id_format", "national"), 422, []string{"must be e164 (with +) or digits"}},
		{"redundancy too deep", trunkValues("udptl_redundancy", "9"), 422, []string{"must be 0 (none) to 8"}},
		{"datagram not a number", trunkValues("t38_max_datagram", "big"), 422, []string{"must be a whole number"}},
		{"datagram too small", trunkValues("t38_max_datagram", "100"), 422, []string{"must be 160 to 1472 bytes"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b.t = t
			r := b.post("/admin/trunks", tc.form)
			wantStatus(t, r, tc.status)
			wantText(t, r, tc.want...)
			if h := tc.form.Get("host"); h != "" {
				wantHTML(t, r, `value="`+h+`"`)
			}
			if strings.Contains(r.Body, `value="s3cret"`) {
				t.Error("the password is sent back to the browser")
			}
		})
	}
	b.t = t

	form := trunkValues("dial_allow", "+1*", "dial_rewrites", "+1 1", "fax_sources", "api",
		"allowed_sources", "192.0.2.10\n198.51.100.0/24", "outbound_proxy", "proxy.carrier.example:5070",
		"caller_id_format", "digits", "p_asserted_identity", "on", "codecs", "PCMA,PCMU", "v17", "",
		"udptl_redundancy", "0", "t38_max_datagram", "1200")
	form.Add("fax_sources", "web")
	form.Set("tenant_ids", p.W.A.ID)
	wantRedirect(t, b.post("/admin/trunks", form), "/admin/trunks")
	r := b.get("/admin/trunks")
	wantText(t, r, "Trunk Carrier A added.", "Carrier A", "SIP sip.carrier.example:5061 TLS", "Tenant A", "Enabled",
		"Fast test line", "Disabled")
	// Dialling order: priority 0 (fast test line) before 5 (Carrier A).
	if i, j := strings.Index(r.Body, "Fast test line"), strings.Index(r.Body, ">Carrier A<"); i < 0 || j < 0 || i > j {
		t.Errorf("trunks not in dialling order (%d, %d)", i, j)
	}
	id := regexp.MustCompile(`/admin/trunks/(trk_[a-z2-7]{16})/edit" aria-label="Edit Carrier A"`).FindStringSubmatch(r.Body)
	if id == nil {
		t.Fatal("no edit link for Carrier A")
	}
	tr, err := p.Fax.GetTrunk(t.Context(), p.W.AdminActor, id[1])
	if err != nil || tr.Password != "s3cret" || !tr.Register || tr.Transport != "tls" || len(tr.FaxSources) != 2 ||
		len(tr.DialRules.Rewrites) != 1 || tr.DialRules.Rewrites[0] != (model.Rewrite{Strip: "+1", Add: "1"}) {
		t.Fatalf("stored trunk %+v %v", tr, err)
	}
	if !slices.Equal(tr.AllowedSources, []string{"192.0.2.10", "198.51.100.0/24"}) ||
		tr.OutboundProxy != "proxy.carrier.example:5070" || tr.CallerIDFormat != model.CallerIDDigits || !tr.PAI ||
		!slices.Equal(tr.Codecs, []string{"PCMA", "PCMU"}) || tr.V17 || tr.UDPTLRedundancy != 0 ||
		tr.T38MaxDatagram != 1200 {
		t.Fatalf("stored SIP options %+v", tr)
	}

	r = b.get("/admin/trunks/" + tr.ID + "/edit")
	wantStatus(t, r, 200)
	wantHTML(t, r, `value="sip.carrier.example"`, `name="clear_password"`, `value="`+p.W.A.ID+`" checked`,
		`value="proxy.carrier.example:5070"`, `value="PCMA,PCMU" selected`, `value="digits" selected`,
		`value="1200"`, "192.0.2.10\n198.51.100.0/24", `name="fax_sources" value="api" checked`)
	edit := trunkValues("name", "Carrier A2", "password", "", "priority", "-1", "dial_rewrites", "+1 1")
	wantRedirect(t, b.post("/admin/trunks/"+tr.ID, edit), "/admin/trunks")
	if tr, err = p.Fax.GetTrunk(t.Context(), p.W.AdminActor, tr.ID); err != nil || tr.Name != "Carrier A2" ||
		tr.Password != "s3cret" || tr.Priority != -1 || len(tr.TenantIDs) != 0 || len(tr.AllowedSources) != 0 ||
		!tr.V17 || tr.UDPTLRedundancy != 3 || tr.CallerIDFormat != model.CallerIDE164 || tr.PAI {
		t.Fatalf("after edit %+v %v", tr, err)
	}

	wantRedirect(t, b.post("/admin/trunks/"+tr.ID+"/status", url.Values{"enabled": {"off"}}), "/admin/trunks")
	wantText(t, b.get("/admin/trunks"), "Trunk Carrier A2 disabled")
	wantText(t, b.get("/admin/trunks/"+tr.ID+"/delete"), "Delete trunk Carrier A2?")
	wantRedirect(t, b.post("/admin/trunks/"+tr.ID+"/delete", url.Values{}), "/admin/trunks")
	wantText(t, b.get("/admin/trunks"), "Trunk Carrier A2 deleted.")
	wantStatus(t, b.get("/admin/trunks/"+tr.ID+"/edit"), 404)
	if n := len(p.Events(t, model.ActionTrunkDeleted, tr.ID)); n != 1 {
		t.Errorf("trunk.deleted events: %d", n)
	}

	for _, who := range []string{"boss@a.example", "user@a.example"} {
		o := p.browser(t)
		o.login(who)
		wantStatus(t, o.get("/admin/trunks"), http.StatusForbidden)
		wantStatus(t, o.post("/admin/trunks", trunkValues()), http.StatusForbidden)
	}
}

// TestTrunkListLiveStatus: Administration > Trunks shows each trunk's
// channels in use (the leases of every node) and, for a SIP trunk that
// registers, its registration state.
func TestTrunkListLiveStatus(t *testing.T) {
	p := newFaxPortal(t)
	ctx := t.Context()
	sipTrunk, err := p.Fax.CreateTrunk(ctx, p.W.AdminActor, faxout.TrunkInput{Name: "Carrier R", Kind: model.TrunkSIP,
		Host: "sip.carrier.example", MaxChannels: 6, Register: true, Username: "acme", Password: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	now := p.Clock.Now()
	for range 3 { // three calls on the fast line, one of them on another node
		err := p.St.RunTx(ctx, func(tx *sql.Tx) error {
			_, err := p.St.AcquireLeaseTx(ctx, tx, store.LeaseRequest{TrunkID: p.Fast.ID, TrunkMax: 4, TenantID: p.W.A.ID,
				FaxID: model.NewID(model.PrefixFax), Holder: "node-x", TTL: time.Hour, Now: now})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	p.Health.WithRegistrations(func(id string) (faxout.TrunkRegistration, bool) {
		return faxout.TrunkRegistration{State: faxout.RegFailed, Status: 403, Error: "403 Forbidden"}, id == sipTrunk.ID
	})
	b := p.browser(t)
	b.login("admin@example.com")
	r := b.get("/admin/trunks")
	wantStatus(t, r, http.StatusOK)
	checkHygiene(t, "trunks", r)
	wantText(t, r, "Channels in use", "Registration", "403 Forbidden")
	row := func(id string) string {
		i := strings.Index(r.Body, `<tr id="trunk-`+id+`">`)
		if i < 0 {
			t.Fatalf("no row for %s", id)
		}
		end := strings.Index(r.Body[i:], "</tr>")
		return r.Body[i : i+end]
	}
	if fast := row(p.Fast.ID); !strings.Contains(fast, ">3 of 4<") {
		t.Errorf("fast line row without its 3 channels in use:\n%s", fast)
	}
	if sr := row(sipTrunk.ID); !strings.Contains(sr, ">0 of 6<") || !strings.Contains(sr, `badge-off">failed<`) {
		t.Errorf("SIP trunk row without its channels and registration:\n%s", sr)
	}
}

func TestCIDPages(t *testing.T) {
	p := newFaxPortal(t)
	admin := p.browser(t)
	admin.login("admin@example.com")
	r := admin.post("/admin/cids", url.Values{"number": {"12"}, "label": {"Bad"}})
	wantStatus(t, r, 422)
	wantText(t, r, "Number: ")
	wantHTML(t, r, `value="Bad"`)
	wantRedirect(t, admin.post("/admin/cids", url.Values{"number": {"(202) 555-0111"}, "label": {"London office"},
		"tenant_id": {p.W.A.ID}}), "/admin/cids")
	wantRedirect(t, admin.post("/admin/cids", url.Values{"number": {"+12025550122"}}), "/admin/cids")
	r = admin.get("/admin/cids")
	wantText(t, r, "Caller ID +12025550111 added to the pool.", "+12025550111", "London office", "+12025550122")
	wantText(t, admin.get("/admin/cids?tenant_id=spare"), "+12025550122")
	if strings.Contains(admin.get("/admin/cids?tenant_id=spare").Body, "+12025550111") {
		t.Error("an assigned number listed as spare")
	}
	wantRedirect(t, admin.get("/cids"), "/admin/cids")

	bossA, userB := p.browser(t), p.browser(t)
	bossA.login("boss@a.example")
	userB.login("user@b.example")
	wantText(t, bossA.get("/cids"), "+12025550111", "London office")
	wantText(t, bossA.get("/cids?q=london"), "+12025550111")
	wantText(t, bossA.get("/cids?q=paris"), "No caller IDs match.")
	r = userB.get("/cids")
	wantText(t, r, "No caller IDs yet.")
	// The new-fax form offers the tenant's caller IDs only.
	wantAttr(t, bossA.get("/outbound/new"), `<option value="+12025550111" selected>+12025550111 · London office</option>`)
	if strings.Contains(userB.get("/outbound/new").Body, "+12025550111") {
		t.Error("tenant B is offered tenant A's caller ID")
	}

	id := regexp.MustCompile(`/admin/cids/(cid_[a-z2-7]{16})/assign`).FindAllStringSubmatch(admin.get("/admin/cids?q=0122").Body, -1)
	if len(id) != 1 {
		t.Fatalf("assign forms: %v", id)
	}
	wantRedirect(t, admin.post("/admin/cids/"+id[0][1]+"/assign", url.Values{"tenant_id": {p.W.B.ID}}), "/admin/cids")
	wantText(t, admin.get("/admin/cids"), "Caller ID +12025550122 assigned to Tenant B.")
	wantText(t, userB.get("/cids"), "+12025550122")
	wantRedirect(t, admin.post("/admin/cids/"+id[0][1]+"/assign", url.Values{"tenant_id": {""}}), "/admin/cids")
	wantText(t, userB.get("/cids"), "No caller IDs yet.")
	wantText(t, admin.get("/admin/cids/"+id[0][1]+"/delete"), "Delete caller ID +12025550122?")
	wantRedirect(t, admin.post("/admin/cids/"+id[0][1]+"/delete", url.Values{}), "/admin/cids")
	wantStatus(t, admin.get("/admin/cids/"+id[0][1]+"/delete"), 404)
	wantStatus(t, bossA.post("/admin/cids", url.Values{"number": {"+12025550133"}}), http.StatusForbidden)
}

func TestSendingPageHygiene(t *testing.T) {
	p := newFaxPortal(t)
	doc := p.readyDoc(t, p.W.TenantAActor, "Hygiene")
	f, _, err := p.Fax.Submit(t.Context(), p.W.UserAActor, faxout.SubmitInput{To: "+12025550100", DocumentID: doc.ID})
	if err != nil {
		t.Fatal(err)
	}
	cid, err := p.Fax.CreateCID(t.Context(), p.W.AdminActor, faxout.CIDInput{Number: "+12025550111", TenantID: p.W.A.ID})
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string][]string{
		"user@a.example": {"/outbound", "/outbound/new", "/outbound/" + f.ID, "/outbound/" + f.ID + "/cancel", "/cids"},
		"boss@a.example": {"/outbound", "/outbound/new", "/cids", "/"},
		"admin@example.com": {"/outbound", "/outbound/new", "/outbound/new?tenant_id=" + p.W.A.ID, "/outbound/" + f.ID,
			"/admin/trunks", "/admin/trunks/new", "/admin/trunks/" + p.Fast.ID + "/edit",
			"/admin/trunks/" + p.Fast.ID + "/delete", "/admin/cids", "/admin/cids/" + cid.ID + "/delete"},
	}
	for who, paths := range pages {
		b := p.browser(t)
		b.login(who)
		for _, path := range paths {
			r := b.get(path)
			if r.Status != http.StatusOK {
				t.Errorf("%s %s: status %d\n%s", who, path, r.Status, text(r.Body))
				continue
			}
			checkHygiene(t, who+" "+path, r)
		}
	}
}
