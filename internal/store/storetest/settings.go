package storetest

import (
	"database/sql"
	"fmt"
	"testing"
	"time"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// testSettings is the settings and outgoing email part of the suite. Its
// cases share one store (Run registers it once), so each makes its own
// tenants.
func testSettings(t *testing.T, s *store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s *store.Store, f settingsFixture)
	}{
		{"FaxSettingsDefaults", testFaxSettingsDefaults},
		{"FaxSettingsRoundTrip", testFaxSettingsRoundTrip},
		{"FaxSettingsIsolation", testFaxSettingsIsolation},
		{"CoverPageSettings", testCoverPageSettings},
		{"PlatformSettings", testPlatformSettings},
		{"PlatformSettingsPartialJSON", testPlatformPartialJSON},
		{"SettingsZeroScope", testSettingsZeroScope},
		{"OutboundEmails", testOutboundEmails},
		{"OutboundEmailScopes", testOutboundEmailScopes},
		{"OutboundEmailLifecycle", testOutboundEmailLifecycle},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, s, newSettingsFixture(t, s, i)) })
	}
}

type settingsFixture struct {
	a, b           model.Tenant
	scopeA, scopeB model.Scope
}

func newSettingsFixture(t *testing.T, s *store.Store, tag int) settingsFixture {
	t.Helper()
	f := settingsFixture{a: mustTenant(t, s, fmt.Sprintf("Settings A%d", tag)), b: mustTenant(t, s, fmt.Sprintf("Settings B%d", tag))}
	f.scopeA, f.scopeB = model.TenantScope(f.a.ID), model.TenantScope(f.b.ID)
	return f
}

func testFaxSettingsDefaults(t *testing.T, s *store.Store, f settingsFixture) {
	got, err := s.GetTenantFaxSettings(ctx(t), f.scopeA, f.a.ID)
	noErr(t, "GetTenantFaxSettings(never saved)", err)
	want := model.DefaultTenantFaxSettings(f.a.ID)
	want.RetentionDays = f.a.RetentionDays
	diff(t, "defaults", got, want)
	if got.DefaultQuality != model.QualityFine || got.RetryDelay != 60*time.Second || got.DefaultCountry != "US" {
		t.Errorf("default values %+v", got)
	}
}

func sampleFaxSettings(tenantID string) model.TenantFaxSettings {
	return model.TenantFaxSettings{TenantID: tenantID, DefaultQuality: model.QualitySuperfine, DefaultRetries: 7,
		RetryDelay: 150 * time.Second, DefaultCallerID: "+442079460000", StationID: "+44 20 7946 0000",
		PageHeader: "Acme Ltd — accounts", EmailBodyAsCover: true, DefaultCountry: "GB", TimeZone: "Europe/London",
		EmailSubjectTemplate: "Fax {{.From}}", EmailBodyTemplate: "Pages: {{.Pages}}\n", RetentionDays: 90}
}

func testFaxSettingsRoundTrip(t *testing.T, s *store.Store, f settingsFixture) {
	c := ctx(t)
	fs := sampleFaxSettings(f.a.ID)
	noErr(t, "PutTenantFaxSettings", s.PutTenantFaxSettings(c, f.scopeA, &fs))
	if fs.UpdatedAt.IsZero() {
		t.Error("UpdatedAt not set")
	}
	got, err := s.GetTenantFaxSettings(c, f.scopeA, f.a.ID)
	noErr(t, "GetTenantFaxSettings", err)
	diff(t, "saved settings", got, fs)
	tn, err := s.GetTenant(c, f.scopeA, f.a.ID)
	noErr(t, "GetTenant", err)
	if tn.RetentionDays != 90 {
		t.Errorf("tenant retention_days = %d, want 90 (saved with the settings)", tn.RetentionDays)
	}
	// RetentionDays 0 leaves the tenant's value alone; a second save replaces the row.
	fs.RetentionDays, fs.DefaultRetries, fs.EmailBodyAsCover = 0, 0, false
	noErr(t, "PutTenantFaxSettings again", s.PutTenantFaxSettings(c, model.PlatformScope(), &fs))
	got, err = s.GetTenantFaxSettings(c, model.PlatformScope(), f.a.ID)
	noErr(t, "GetTenantFaxSettings again", err)
	fs.RetentionDays = 90
	diff(t, "replaced settings", got, fs)
	var rows int
	noErr(t, "count rows", s.DB().QueryRowContext(c, `SELECT COUNT(*) FROM settings WHERE tenant_id = $1`, f.a.ID).Scan(&rows))
	if rows != 1 {
		t.Errorf("settings rows of tenant A = %d, want 1", rows)
	}
}

func testFaxSettingsIsolation(t *testing.T, s *store.Store, f settingsFixture) {
	c := ctx(t)
	fs := sampleFaxSettings(f.a.ID)
	noErr(t, "PutTenantFaxSettings(A)", s.PutTenantFaxSettings(c, f.scopeA, &fs))
	_, err := s.GetTenantFaxSettings(c, f.scopeB, f.a.ID)
	wantErr(t, "B reads A's fax settings", err, model.ErrNotFound)
	_, err = s.GetCoverPageSettings(c, f.scopeB, f.a.ID)
	wantErr(t, "B reads A's cover page", err, model.ErrNotFound)
	evil := sampleFaxSettings(f.a.ID)
	evil.StationID, evil.RetentionDays = "EVIL", 2
	wantErr(t, "B writes A's fax settings", s.PutTenantFaxSettings(c, f.scopeB, &evil), model.ErrNotFound)
	cp := model.CoverPageSettings{TenantID: f.a.ID, SenderName: "evil"}
	wantErr(t, "B writes A's cover page", s.PutCoverPageSettings(c, f.scopeB, &cp), model.ErrNotFound)
	got, err := s.GetTenantFaxSettings(c, f.scopeA, f.a.ID)
	noErr(t, "GetTenantFaxSettings(A)", err)
	if got.StationID != fs.StationID || got.RetentionDays != 90 {
		t.Errorf("A's settings changed by B: %+v", got)
	}
	// B still has its defaults.
	gotB, err := s.GetTenantFaxSettings(c, f.scopeB, f.b.ID)
	noErr(t, "GetTenantFaxSettings(B)", err)
	if !gotB.UpdatedAt.IsZero() || gotB.StationID != "" {
		t.Errorf("B's settings = %+v, want defaults", gotB)
	}
	// Unknown tenants are not found, even for the platform.
	_, err = s.GetTenantFaxSettings(c, model.PlatformScope(), "ten_unknown")
	wantErr(t, "GetTenantFaxSettings(unknown)", err, model.ErrNotFound)
	ghost := sampleFaxSettings("ten_unknown")
	wantErr(t, "PutTenantFaxSettings(unknown)", s.PutTenantFaxSettings(c, model.PlatformScope(), &ghost), model.ErrNotFound)
	ghostCover := model.CoverPageSettings{TenantID: "ten_unknown"}
	wantErr(t, "PutCoverPageSettings(unknown)", s.PutCoverPageSettings(c, model.PlatformScope(), &ghostCover), model.ErrNotFound)
}

func testCoverPageSettings(t *testing.T, s *store.Store, f settingsFixture) {
	c := ctx(t)
	got, err := s.GetCoverPageSettings(c, f.scopeA, f.a.ID)
	noErr(t, "GetCoverPageSettings(never saved)", err)
	diff(t, "cover defaults", got, model.DefaultCoverPageSettings(f.a.ID))
	cp := model.CoverPageSettings{TenantID: f.a.ID, Enabled: true, SenderName: "Ann Smith", Company: "Acme",
		Phone: "+1 202 555 0123", Email: "ann@acme.example", Comments: "Line 1\nLine 2", ShowLogo: false}
	noErr(t, "PutCoverPageSettings", s.PutCoverPageSettings(c, f.scopeA, &cp))
	got, err = s.GetCoverPageSettings(c, f.scopeA, f.a.ID)
	noErr(t, "GetCoverPageSettings", err)
	diff(t, "cover page", got, cp)
	// Fax settings and cover page are separate keys of one tenant.
	fax, err := s.GetTenantFaxSettings(c, f.scopeA, f.a.ID)
	noErr(t, "GetTenantFaxSettings", err)
	if !fax.UpdatedAt.IsZero() {
		t.Errorf("saving the cover page touched the fax settings: %+v", fax)
	}
}

func testPlatformSettings(t *testing.T, s *store.Store, f settingsFixture) {
	c := ctx(t)
	_, err := s.GetPlatformSettings(c, f.scopeA)
	wantErr(t, "tenant scope reads platform settings", err, model.ErrForbidden)
	p := model.DefaultPlatformSettings()
	p.SMTP.Host = "evil.example"
	wantErr(t, "tenant scope writes platform settings", s.PutPlatformSettings(c, f.scopeA, &p), model.ErrForbidden)

	got, err := s.GetPlatformSettings(c, model.PlatformScope())
	noErr(t, "GetPlatformSettings", err)
	// Other cases of this shared store may have saved platform settings:
	// compare with defaults only when nothing was saved.
	if got.UpdatedAt.IsZero() {
		diff(t, "platform defaults", got, model.DefaultPlatformSettings())
	}
	p = model.PlatformSettings{
		SMTP: model.SMTPRelay{Host: "smtp.example.com", Port: 465, Security: model.SMTPTLS, Username: "fax",
			Password: "s3cret pass", EnvelopeFrom: "bounces@example.com", FromName: "Faxgate", FromAddress: "fax@example.com",
			HELOName: "fax.example.com"},
		EmailAttachmentLimit: 5 << 20, RetentionMinDays: 7, RetentionMaxDays: 90, RetentionDefaultDays: 14,
		AllowPrivateWebhookTargets: true, EmailToFaxDomain: "fax.example.com",
	}
	noErr(t, "PutPlatformSettings", s.PutPlatformSettings(c, model.PlatformScope(), &p))
	got, err = s.GetPlatformSettings(c, model.PlatformScope())
	noErr(t, "GetPlatformSettings after save", err)
	diff(t, "platform settings", got, p)
	p.SMTP.Password, p.RetentionMaxDays = "", 120
	noErr(t, "PutPlatformSettings again", s.PutPlatformSettings(c, model.PlatformScope(), &p))
	got, err = s.GetPlatformSettings(c, model.PlatformScope())
	noErr(t, "GetPlatformSettings after second save", err)
	diff(t, "platform settings replaced", got, p)
	var rows int
	noErr(t, "count rows", s.DB().QueryRowContext(c, `SELECT COUNT(*) FROM settings WHERE tenant_id IS NULL`).Scan(&rows))
	if rows != 1 {
		t.Errorf("platform settings rows = %d, want 1", rows)
	}
}

// testPlatformPartialJSON: keys a stored object lacks (settings added by a
// later version) read as their defaults.
func testPlatformPartialJSON(t *testing.T, s *store.Store, _ settingsFixture) {
	c := ctx(t)
	_, err := s.DB().ExecContext(c, `DELETE FROM settings WHERE tenant_id IS NULL`)
	noErr(t, "clear platform settings", err)
	at := any(time.Now().UTC())
	if s.Engine() == store.SQLite {
		at = time.Now().UnixMicro()
	}
	_, err = s.DB().ExecContext(c, `INSERT INTO settings (tenant_id, key, value, updated_at) VALUES (NULL, 'platform', $1, $2)`,
		`{"smtp":{"host":"relay.example"},"retention_max_days":200}`, at)
	noErr(t, "insert partial platform settings", err)
	got, err := s.GetPlatformSettings(c, model.PlatformScope())
	noErr(t, "GetPlatformSettings", err)
	want := model.DefaultPlatformSettings()
	want.SMTP.Host, want.RetentionMaxDays, want.UpdatedAt = "relay.example", 200, got.UpdatedAt
	diff(t, "partial platform settings", got, want)
}

func testSettingsZeroScope(t *testing.T, s *store.Store, f settingsFixture) {
	c := ctx(t)
	var zero model.Scope
	_, err := s.GetTenantFaxSettings(c, zero, f.a.ID)
	wantErr(t, "GetTenantFaxSettings(zero scope)", err, store.ErrInvalidScope)
	fs := sampleFaxSettings(f.a.ID)
	wantErr(t, "PutTenantFaxSettings(zero scope)", s.PutTenantFaxSettings(c, zero, &fs), store.ErrInvalidScope)
	_, err = s.GetCoverPageSettings(c, zero, f.a.ID)
	wantErr(t, "GetCoverPageSettings(zero scope)", err, store.ErrInvalidScope)
	_, err = s.GetPlatformSettings(c, zero)
	wantErr(t, "GetPlatformSettings(zero scope)", err, store.ErrInvalidScope)
	p := model.DefaultPlatformSettings()
	wantErr(t, "PutPlatformSettings(zero scope)", s.PutPlatformSettings(c, zero, &p), store.ErrInvalidScope)
	_, err = s.GetOutboundEmail(c, zero, "eml_x")
	wantErr(t, "GetOutboundEmail(zero scope)", err, store.ErrInvalidScope)
	_, _, err = s.ListOutboundEmails(c, zero, store.OutboundEmailFilter{}, model.ListOptions{})
	wantErr(t, "ListOutboundEmails(zero scope)", err, store.ErrInvalidScope)
}

func mustEmail(t *testing.T, s *store.Store, e model.OutboundEmail) model.OutboundEmail {
	t.Helper()
	noErr(t, "InsertOutboundEmailTx", s.RunTx(ctx(t), func(tx *sql.Tx) error { return s.InsertOutboundEmailTx(ctx(t), tx, &e) }))
	return e
}

func sampleEmail(tenantID, faxID string) model.OutboundEmail {
	return model.OutboundEmail{TenantID: tenantID, MessageID: model.NewID("m") + "@fax.example", Kind: model.EmailKindFaxToEmail,
		RelatedType: "fax", RelatedID: faxID, To: []string{"a@x.example", "b@x.example"}, ReplyTo: "r@x.example",
		Subject: "Fax from +1", TextBody: "body", HTMLBody: "<p>body</p>", InReplyTo: "orig@x.example",
		References: []string{"root@x.example", "orig@x.example"},
		Attachments: []model.EmailAttachment{
			{Filename: "fax.pdf", ContentType: "application/pdf", SizeBytes: 1234, BlobKey: "t/x/fax/1/fax.pdf"},
			{Filename: "note.txt", ContentType: "text/plain", SizeBytes: 5, BlobKey: "mail/e/2", Owned: true},
		}}
}

func testOutboundEmails(t *testing.T, s *store.Store, f settingsFixture) {
	c := ctx(t)
	in := sampleEmail(f.a.ID, "fax_1")
	e := mustEmail(t, s, in)
	if !model.ValidID(model.PrefixOutboundEmail, e.ID) || e.Status != model.EmailQueued || e.CreatedAt.IsZero() ||
		e.Attachments[0].Position != 1 || e.Attachments[1].Position != 2 {
		t.Fatalf("inserted email %+v", e)
	}
	got, err := s.GetOutboundEmail(c, f.scopeA, e.ID)
	noErr(t, "GetOutboundEmail", err)
	diff(t, "stored email", got, e)
	// Listing by related object: the fax's email deliveries.
	other := mustEmail(t, s, sampleEmail(f.a.ID, "fax_2"))
	list, next, err := s.ListOutboundEmails(c, f.scopeA, store.OutboundEmailFilter{RelatedType: "fax", RelatedID: "fax_1"}, model.ListOptions{})
	noErr(t, "ListOutboundEmails(fax_1)", err)
	if next != "" || len(list) != 1 || list[0].ID != e.ID || list[0].Attachments != nil {
		t.Errorf("emails of fax_1 = %+v (next %q)", list, next)
	}
	list, _, err = s.ListOutboundEmails(c, f.scopeA, store.OutboundEmailFilter{}, model.ListOptions{})
	noErr(t, "ListOutboundEmails(all of A)", err)
	diff(t, "A's emails newest first", ids(list, emailID), []string{other.ID, e.ID})
	// An unknown tenant is refused.
	ghost := sampleEmail("ten_unknown", "fax_9")
	err = s.RunTx(c, func(tx *sql.Tx) error { return s.InsertOutboundEmailTx(c, tx, &ghost) })
	wantErr(t, "InsertOutboundEmailTx(unknown tenant)", err, model.ErrNotFound)
}

func emailID(e model.OutboundEmail) string { return e.ID }

func testOutboundEmailScopes(t *testing.T, s *store.Store, f settingsFixture) {
	c := ctx(t)
	a := mustEmail(t, s, sampleEmail(f.a.ID, "fax_a"))
	plat := sampleEmail("", "")
	plat.Kind, plat.RelatedType, plat.Attachments = model.EmailKindTest, "", nil
	plat = mustEmail(t, s, plat)
	_, err := s.GetOutboundEmail(c, f.scopeB, a.ID)
	wantErr(t, "B reads A's email", err, model.ErrNotFound)
	_, err = s.GetOutboundEmail(c, f.scopeA, plat.ID)
	wantErr(t, "A reads platform mail", err, model.ErrNotFound)
	got, err := s.GetOutboundEmail(c, model.PlatformScope(), plat.ID)
	noErr(t, "platform reads platform mail", err)
	if got.TenantID != "" || got.Kind != model.EmailKindTest || len(got.Attachments) != 0 {
		t.Errorf("platform mail %+v", got)
	}
	list, _, err := s.ListOutboundEmails(c, f.scopeB, store.OutboundEmailFilter{}, model.ListOptions{})
	noErr(t, "ListOutboundEmails(B)", err)
	if len(list) != 0 {
		t.Errorf("B sees %d emails, want none", len(list))
	}
	list, _, err = s.ListOutboundEmails(c, model.PlatformScope(), store.OutboundEmailFilter{TenantID: f.a.ID}, model.ListOptions{})
	noErr(t, "ListOutboundEmails(platform, tenant A)", err)
	diff(t, "platform filtered by tenant A", ids(list, emailID), []string{a.ID})
}

func testOutboundEmailLifecycle(t *testing.T, s *store.Store, f settingsFixture) {
	c := ctx(t)
	e := mustEmail(t, s, sampleEmail(f.a.ID, "fax_l"))
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	got, err := s.BeginOutboundEmailAttempt(c, e.ID, t0)
	noErr(t, "BeginOutboundEmailAttempt 1", err)
	if got.Attempts != 1 || !got.LastAttemptAt.Equal(t0) || len(got.Attachments) != 2 {
		t.Fatalf("after try 1: %+v", got)
	}
	noErr(t, "record retryable error", s.SetOutboundEmailResult(c, e.ID, model.EmailQueued, "dial tcp: connection refused", t0))
	got, err = s.BeginOutboundEmailAttempt(c, e.ID, t0.Add(time.Minute))
	noErr(t, "BeginOutboundEmailAttempt 2", err)
	if got.Attempts != 2 || got.Status != model.EmailQueued || got.LastError != "dial tcp: connection refused" {
		t.Fatalf("after try 2 began: %+v", got)
	}
	noErr(t, "mark sent", s.SetOutboundEmailResult(c, e.ID, model.EmailSent, "ignored", t0.Add(time.Minute)))
	got, err = s.GetOutboundEmail(c, f.scopeA, e.ID)
	noErr(t, "GetOutboundEmail", err)
	if got.Status != model.EmailSent || got.LastError != "" || !got.SentAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("sent email %+v", got)
	}
	// Final: no more tries counted, no status change.
	got, err = s.BeginOutboundEmailAttempt(c, e.ID, t0.Add(time.Hour))
	noErr(t, "BeginOutboundEmailAttempt on a sent email", err)
	if got.Attempts != 2 || got.Status != model.EmailSent {
		t.Errorf("a sent email counted another try: %+v", got)
	}
	wantErr(t, "fail a sent email", s.SetOutboundEmailResult(c, e.ID, model.EmailFailed, "x", t0), model.ErrConflict)
	wantErr(t, "SetOutboundEmailResult(unknown)", s.SetOutboundEmailResult(c, "eml_unknown", model.EmailSent, "", t0), model.ErrNotFound)
	_, err = s.BeginOutboundEmailAttempt(c, "eml_unknown", t0)
	wantErr(t, "BeginOutboundEmailAttempt(unknown)", err, model.ErrNotFound)
	wantInvalid(t, "bad status", s.SetOutboundEmailResult(c, e.ID, "lost", "", t0), "status")
}
