package tenancy_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/tenancy"
)

// wantField fails unless err is a *model.ValidationError on field whose
// reason contains substr.
func wantField(t *testing.T, err error, field, substr string) {
	t.Helper()
	var ve *model.ValidationError
	if !errors.As(err, &ve) || !strings.Contains(ve.Fields[field], substr) {
		t.Fatalf("error = %v, want a validation error on %q containing %q", err, field, substr)
	}
}

func TestFaxSettingsValidation(t *testing.T) {
	authtest.ForEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := authtest.NewEnv(t, open(t), nil)
		w := e.NewWorld(t)
		tests := []struct {
			name   string
			in     tenancy.FaxSettingsInput
			field  string // "" = valid
			reason string
			check  func(model.TenantFaxSettings) bool
		}{
			{"quality fine", tenancy.FaxSettingsInput{DefaultQuality: ptr(model.QualityStandard)}, "", "",
				func(f model.TenantFaxSettings) bool { return f.DefaultQuality == model.QualityStandard }},
			{"quality unknown", tenancy.FaxSettingsInput{DefaultQuality: ptr(model.Quality("ultra"))}, "default_quality", "standard, fine or superfine", nil},
			{"retries 0", tenancy.FaxSettingsInput{DefaultRetries: ptr(0)}, "", "",
				func(f model.TenantFaxSettings) bool { return f.DefaultRetries == 0 }},
			{"retries 10", tenancy.FaxSettingsInput{DefaultRetries: ptr(10)}, "", "", nil},
			{"retries 11", tenancy.FaxSettingsInput{DefaultRetries: ptr(11)}, "default_retries", "between 0 and 10", nil},
			{"retries negative", tenancy.FaxSettingsInput{DefaultRetries: ptr(-1)}, "default_retries", "between 0 and 10", nil},
			{"delay 10 s", tenancy.FaxSettingsInput{RetryDelay: ptr(10 * time.Second)}, "", "", nil},
			{"delay 24 h", tenancy.FaxSettingsInput{RetryDelay: ptr(24 * time.Hour)}, "", "", nil},
			{"delay 9 s", tenancy.FaxSettingsInput{RetryDelay: ptr(9 * time.Second)}, "retry_delay_s", "between 10 and 86400", nil},
			{"delay over a day", tenancy.FaxSettingsInput{RetryDelay: ptr(24*time.Hour + time.Second)}, "retry_delay_s", "between", nil},
			{"delay fractional", tenancy.FaxSettingsInput{RetryDelay: ptr(90*time.Second + time.Millisecond)}, "retry_delay_s", "whole number", nil},
			{"caller id national in country", tenancy.FaxSettingsInput{DefaultCountry: ptr("gb"), DefaultCallerID: ptr("020 7946 0000")}, "", "",
				func(f model.TenantFaxSettings) bool {
					return f.DefaultCallerID == "+442079460000" && f.DefaultCountry == "GB"
				}},
			{"caller id E.164", tenancy.FaxSettingsInput{DefaultCallerID: ptr("+1 (202) 555-0123")}, "", "",
				func(f model.TenantFaxSettings) bool { return f.DefaultCallerID == "+12025550123" }},
			{"caller id cleared", tenancy.FaxSettingsInput{DefaultCallerID: ptr("")}, "", "",
				func(f model.TenantFaxSettings) bool { return f.DefaultCallerID == "" }},
			{"caller id letters", tenancy.FaxSettingsInput{DefaultCallerID: ptr("call me")}, "default_caller_id", "not a valid phone number", nil},
			{"caller id too short", tenancy.FaxSettingsInput{DefaultCallerID: ptr("12")}, "default_caller_id", "not a valid phone number", nil},
			{"station id", tenancy.FaxSettingsInput{StationID: ptr(" +1 202 555 0123 ")}, "", "",
				func(f model.TenantFaxSettings) bool { return f.StationID == "+1 202 555 0123" }},
			{"station id 21 chars", tenancy.FaxSettingsInput{StationID: ptr(strings.Repeat("1", 21))}, "station_id", "at most 20", nil},
			{"station id non-ASCII", tenancy.FaxSettingsInput{StationID: ptr("Café")}, "station_id", "printable ASCII", nil},
			{"station id control", tenancy.FaxSettingsInput{StationID: ptr("a\tb")}, "station_id", "printable ASCII", nil},
			{"page header 50", tenancy.FaxSettingsInput{PageHeader: ptr(strings.Repeat("é", 50))}, "", "", nil},
			{"page header 51", tenancy.FaxSettingsInput{PageHeader: ptr(strings.Repeat("x", 51))}, "page_header", "at most 50", nil},
			{"page header newline", tenancy.FaxSettingsInput{PageHeader: ptr("a\nb")}, "page_header", "control characters", nil},
			{"body as cover", tenancy.FaxSettingsInput{EmailBodyAsCover: ptr(true)}, "", "",
				func(f model.TenantFaxSettings) bool { return f.EmailBodyAsCover }},
			{"country lower case", tenancy.FaxSettingsInput{DefaultCountry: ptr("de")}, "", "",
				func(f model.TenantFaxSettings) bool { return f.DefaultCountry == "DE" }},
			{"country unknown", tenancy.FaxSettingsInput{DefaultCountry: ptr("XX")}, "default_country", "ISO 3166", nil},
			{"country alpha-3", tenancy.FaxSettingsInput{DefaultCountry: ptr("USA")}, "default_country", "ISO 3166", nil},
			{"country caller id checked together", tenancy.FaxSettingsInput{DefaultCountry: ptr("ZZ"), DefaultCallerID: ptr("2025550123")}, "default_country", "ISO 3166", nil},
			{"time zone", tenancy.FaxSettingsInput{TimeZone: ptr("Europe/Paris")}, "", "",
				func(f model.TenantFaxSettings) bool { return f.TimeZone == "Europe/Paris" }},
			{"time zone unknown", tenancy.FaxSettingsInput{TimeZone: ptr("Mars/Olympus")}, "time_zone", "unknown time zone", nil},
			{"time zone Local", tenancy.FaxSettingsInput{TimeZone: ptr("Local")}, "time_zone", "IANA", nil},
			{"time zone empty", tenancy.FaxSettingsInput{TimeZone: ptr("")}, "time_zone", "required", nil},
			{"time zone path", tenancy.FaxSettingsInput{TimeZone: ptr("../../etc/passwd")}, "time_zone", "unknown time zone", nil},
			{"subject template", tenancy.FaxSettingsInput{EmailSubjectTemplate: ptr("Fax {{.From}} → {{.To}}")}, "", "",
				func(f model.TenantFaxSettings) bool { return f.EmailSubjectTemplate == "Fax {{.From}} → {{.To}}" }},
			{"empty template restores default", tenancy.FaxSettingsInput{EmailBodyTemplate: ptr("  ")}, "", "",
				func(f model.TenantFaxSettings) bool { return f.EmailBodyTemplate == model.DefaultEmailBodyTemplate }},
			{"template syntax error", tenancy.FaxSettingsInput{EmailBodyTemplate: ptr("Hello {{.From")}, "email_body_template", "template error", nil},
			{"template unknown field", tenancy.FaxSettingsInput{EmailSubjectTemplate: ptr("{{.Sender}}")}, "email_subject_template", "unknown field .Sender", nil},
			{"template nested field", tenancy.FaxSettingsInput{EmailBodyTemplate: ptr("{{.From.Len}}")}, "email_body_template", "unknown field", nil},
			{"template field on with value", tenancy.FaxSettingsInput{EmailBodyTemplate: ptr("{{with .From}}{{.Pages}}{{end}}")}, "email_body_template", "template error", nil},
			{"template range", tenancy.FaxSettingsInput{EmailBodyTemplate: ptr("{{range 1000000000}}{{end}}")}, "email_body_template", "range is not allowed", nil},
			{"template define", tenancy.FaxSettingsInput{EmailBodyTemplate: ptr(`{{define "x"}}{{template "x"}}{{end}}{{template "x"}}`)}, "email_body_template", "not allowed", nil},
			{"template call", tenancy.FaxSettingsInput{EmailBodyTemplate: ptr("{{call .From}}")}, "email_body_template", `function "call" is not allowed`, nil},
			{"template huge output", tenancy.FaxSettingsInput{EmailBodyTemplate: ptr(`{{printf "%900000d" 1}}`)}, "email_body_template", "renders longer than", nil},
			{"subject too long when rendered", tenancy.FaxSettingsInput{EmailSubjectTemplate: ptr(`{{printf "%0300d" 1}}`)}, "email_subject_template", "renders longer than", nil},
			{"subject template source too long", tenancy.FaxSettingsInput{EmailSubjectTemplate: ptr(strings.Repeat("x", 501))}, "email_subject_template", "at most 500", nil},
			{"retention in bounds", tenancy.FaxSettingsInput{RetentionDays: ptr(365)}, "", "",
				func(f model.TenantFaxSettings) bool { return f.RetentionDays == 365 }},
			{"retention over max", tenancy.FaxSettingsInput{RetentionDays: ptr(366)}, "retention_days", "between 1 and 365", nil},
			{"retention zero", tenancy.FaxSettingsInput{RetentionDays: ptr(0)}, "retention_days", "between 1 and 365", nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				before, err := e.Tenancy.GetFaxSettings(e.Ctx, w.TenantAActor, "")
				authtest.Must(t, "get", err)
				got, err := e.Tenancy.UpdateFaxSettings(e.Ctx, w.TenantAActor, "", tc.in)
				if tc.field != "" {
					wantField(t, err, tc.field, tc.reason)
					after, err := e.Tenancy.GetFaxSettings(e.Ctx, w.TenantAActor, "")
					authtest.Must(t, "get after refusal", err)
					if after != before {
						t.Fatalf("a refused update changed the settings:\n%+v\n%+v", before, after)
					}
					return
				}
				authtest.Must(t, "update", err)
				if tc.check != nil && !tc.check(got) {
					t.Fatalf("update returned %+v", got)
				}
				stored, err := e.Tenancy.GetFaxSettings(e.Ctx, w.TenantAActor, "")
				authtest.Must(t, "get after update", err)
				if stored != got {
					t.Fatalf("stored %+v\nreturned %+v", stored, got)
				}
			})
		}
	})
}

func TestFaxSettingsDefaultsAndAudit(t *testing.T) {
	authtest.ForEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := authtest.NewEnv(t, open(t), nil)
		w := e.NewWorld(t)
		got, err := e.Tenancy.GetFaxSettings(e.Ctx, w.UserAActor, "")
		authtest.Must(t, "get defaults", err)
		want := model.DefaultTenantFaxSettings(w.A.ID)
		want.RetentionDays, want.RetentionMinDays, want.RetentionMaxDays = 30, 1, 365
		if got != want {
			t.Fatalf("defaults\n got %+v\nwant %+v", got, want)
		}
		cover, err := e.Tenancy.GetCoverPage(e.Ctx, w.UserAActor, "")
		authtest.Must(t, "get cover defaults", err)
		if cover != model.DefaultCoverPageSettings(w.A.ID) {
			t.Fatalf("cover defaults %+v", cover)
		}

		in := tenancy.FaxSettingsInput{DefaultQuality: ptr(model.QualityStandard), RetryDelay: ptr(2 * time.Minute),
			EmailBodyTemplate: ptr("Pages: {{.Pages}}"), RetentionDays: ptr(60), StationID: ptr("ACME")}
		_, err = e.Tenancy.UpdateFaxSettings(e.Ctx, w.TenantAActor, "", in)
		authtest.Must(t, "update", err)
		evs := e.Events(t, model.ActionSettingsUpdated, w.A.ID)
		if len(evs) != 1 || evs[0].TenantID != w.A.ID || evs[0].ActorID != w.TenantA.ID {
			t.Fatalf("events %+v", evs)
		}
		d := evs[0].Detail
		for _, s := range []string{`default_quality "fine" → "standard"`, "retry_delay_s 60 → 120", "retention_days 30 → 60",
			`station_id "" → "ACME"`, "email_body_template changed"} {
			if !strings.Contains(d, s) {
				t.Errorf("audit detail %q lacks %q", d, s)
			}
		}
		if strings.Contains(d, "default_retries") || strings.Contains(d, "Pages:") {
			t.Errorf("audit detail %q names unchanged fields or template text", d)
		}
		tn, err := e.St.GetTenant(e.Ctx, model.PlatformScope(), w.A.ID)
		authtest.Must(t, "get tenant", err)
		if tn.RetentionDays != 60 {
			t.Fatalf("tenant retention %d, want 60", tn.RetentionDays)
		}
		// Saving the same values again changes nothing and records nothing.
		_, err = e.Tenancy.UpdateFaxSettings(e.Ctx, w.TenantAActor, "", in)
		authtest.Must(t, "update again", err)
		if n := len(e.Events(t, model.ActionSettingsUpdated, w.A.ID)); n != 1 {
			t.Fatalf("%d events after a no-op update, want 1", n)
		}
	})
}

func TestSettingsPermissions(t *testing.T) {
	authtest.ForEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := authtest.NewEnv(t, open(t), nil)
		w := e.NewWorld(t)
		fax := tenancy.FaxSettingsInput{StationID: ptr("X")}
		cover := tenancy.CoverPageInput{Enabled: ptr(true)}
		plat := tenancy.PlatformSettingsInput{AllowPrivateWebhookTargets: ptr(true)}
		tests := []struct {
			name     string
			actor    model.Actor
			tenantID string
			read     error // nil = allowed
			write    error
			platform error
		}{
			{"user reads own, cannot change", w.UserAActor, "", nil, model.ErrForbidden, model.ErrForbidden},
			{"user names own tenant", w.UserAActor, w.A.ID, nil, model.ErrForbidden, model.ErrForbidden},
			{"tenant admin changes own", w.TenantAActor, "", nil, nil, model.ErrForbidden},
			{"tenant A cannot reach B", w.TenantAActor, w.B.ID, model.ErrNotFound, model.ErrNotFound, model.ErrForbidden},
			{"user A cannot reach B", w.UserAActor, w.B.ID, model.ErrNotFound, model.ErrNotFound, model.ErrForbidden},
			{"tenant B cannot reach A", w.TenantBActor, w.A.ID, model.ErrNotFound, model.ErrNotFound, model.ErrForbidden},
			{"admin changes any tenant", w.AdminActor, w.B.ID, nil, nil, nil},
			{"admin unknown tenant", w.AdminActor, "ten_aaaaaaaaaaaaaaaa", model.ErrNotFound, model.ErrNotFound, nil},
			{"unauthenticated", model.Actor{}, w.A.ID, model.ErrUnauthenticated, model.ErrUnauthenticated, model.ErrUnauthenticated},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.Tenancy.GetFaxSettings(e.Ctx, tc.actor, tc.tenantID)
				wantIs(t, "GetFaxSettings", err, tc.read)
				_, err = e.Tenancy.GetCoverPage(e.Ctx, tc.actor, tc.tenantID)
				wantIs(t, "GetCoverPage", err, tc.read)
				_, err = e.Tenancy.UpdateFaxSettings(e.Ctx, tc.actor, tc.tenantID, fax)
				wantIs(t, "UpdateFaxSettings", err, tc.write)
				_, err = e.Tenancy.UpdateCoverPage(e.Ctx, tc.actor, tc.tenantID, cover)
				wantIs(t, "UpdateCoverPage", err, tc.write)
				_, err = e.Tenancy.GetPlatformSettings(e.Ctx, tc.actor)
				wantIs(t, "GetPlatformSettings", err, tc.platform)
				_, err = e.Tenancy.UpdatePlatformSettings(e.Ctx, tc.actor, plat)
				wantIs(t, "UpdatePlatformSettings", err, tc.platform)
			})
		}
		// What was refused left no trace: B's settings untouched by A.
		b, err := e.Tenancy.GetFaxSettings(e.Ctx, w.TenantBActor, "")
		authtest.Must(t, "get B", err)
		bc, err := e.Tenancy.GetCoverPage(e.Ctx, w.TenantBActor, "")
		authtest.Must(t, "get B cover", err)
		if b.StationID != "X" || !bc.Enabled { // only the admin changed B
			t.Fatalf("B's settings %+v %+v, want the admin's change", b, bc)
		}
		if evs := e.Events(t, model.ActionSettingsUpdated, w.B.ID); len(evs) != 2 || evs[0].ActorID != w.Admin.ID {
			t.Fatalf("B's settings events %+v, want 2 by the admin", evs)
		}
		// Platform admins must name a tenant.
		_, err = e.Tenancy.GetFaxSettings(e.Ctx, w.AdminActor, "")
		wantField(t, err, "tenant_id", "required")
	})
}

func wantIs(t *testing.T, what string, err, want error) {
	t.Helper()
	if want == nil && err != nil || want != nil && !errors.Is(err, want) {
		t.Errorf("%s: error = %v, want %v", what, err, want)
	}
}

func TestRetentionBounds(t *testing.T) {
	authtest.ForEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := authtest.NewEnv(t, open(t), nil)
		w := e.NewWorld(t)
		_, err := e.Tenancy.UpdateFaxSettings(e.Ctx, w.TenantAActor, "", tenancy.FaxSettingsInput{RetentionDays: ptr(300)})
		authtest.Must(t, "retention 300 within defaults", err)
		p, err := e.Tenancy.UpdatePlatformSettings(e.Ctx, w.AdminActor, tenancy.PlatformSettingsInput{
			RetentionMinDays: ptr(7), RetentionMaxDays: ptr(90), RetentionDefaultDays: ptr(14)})
		authtest.Must(t, "tighten bounds", err)
		if p.RetentionMinDays != 7 || p.RetentionMaxDays != 90 || p.RetentionDefaultDays != 14 {
			t.Fatalf("platform %+v", p)
		}
		f, err := e.Tenancy.GetFaxSettings(e.Ctx, w.UserAActor, "")
		authtest.Must(t, "get", err)
		if f.RetentionDays != 300 || f.RetentionMinDays != 7 || f.RetentionMaxDays != 90 {
			t.Fatalf("fax settings %+v", f)
		}
		// The purge applies the bounds to values saved before they changed.
		if n, err := e.Tenancy.RetentionDays(e.Ctx, w.A.ID); err != nil || n != 90 {
			t.Fatalf("RetentionDays(A) = %d, %v; want 90 (clamped)", n, err)
		}
		authtest.Must(t, "set B to 3", e.St.UpdateTenant(e.Ctx, model.PlatformScope(), &model.Tenant{ID: w.B.ID,
			Name: w.B.Name, Status: model.TenantActive, RetentionDays: 3}))
		if n, err := e.Tenancy.RetentionDays(e.Ctx, w.B.ID); err != nil || n != 7 {
			t.Fatalf("RetentionDays(B) = %d, %v; want 7 (clamped)", n, err)
		}
		if _, err := e.Tenancy.RetentionDays(e.Ctx, "ten_aaaaaaaaaaaaaaaa"); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("RetentionDays(unknown) error %v", err)
		}
		for _, days := range []int{6, 91, 300} {
			_, err = e.Tenancy.UpdateFaxSettings(e.Ctx, w.TenantAActor, "", tenancy.FaxSettingsInput{RetentionDays: ptr(days)})
			wantField(t, err, "retention_days", "between 7 and 90")
		}
		// Admins are bound too.
		_, err = e.Tenancy.UpdateFaxSettings(e.Ctx, w.AdminActor, w.A.ID, tenancy.FaxSettingsInput{RetentionDays: ptr(365)})
		wantField(t, err, "retention_days", "between 7 and 90")
		f, err = e.Tenancy.UpdateFaxSettings(e.Ctx, w.TenantAActor, "", tenancy.FaxSettingsInput{RetentionDays: ptr(90)})
		authtest.Must(t, "retention 90", err)
		if f.RetentionDays != 90 {
			t.Fatalf("retention %d", f.RetentionDays)
		}
		// Other settings can still be saved while the stored retention is out of bounds.
		_, err = e.Tenancy.UpdateFaxSettings(e.Ctx, w.TenantBActor, "", tenancy.FaxSettingsInput{PageHeader: ptr("B")})
		authtest.Must(t, "save B's header with retention 3 stored", err)
	})
}

func TestCoverPageValidation(t *testing.T) {
	authtest.ForEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := authtest.NewEnv(t, open(t), nil)
		w := e.NewWorld(t)
		tests := []struct {
			name   string
			in     tenancy.CoverPageInput
			field  string
			reason string
		}{
			{"all fields", tenancy.CoverPageInput{Enabled: ptr(true), SenderName: ptr(" Ann Smith "), Company: ptr("Acme"),
				Phone: ptr("+1 (202) 555-0123"), Email: ptr("Ann@ACME.example"), Comments: ptr("Hello\r\nsecond line"), ShowLogo: ptr(false)}, "", ""},
			{"name too long", tenancy.CoverPageInput{SenderName: ptr(strings.Repeat("n", 101))}, "sender_name", "at most 100"},
			{"company control", tenancy.CoverPageInput{Company: ptr("A\x00B")}, "company", "control"},
			{"phone letters", tenancy.CoverPageInput{Phone: ptr("call me")}, "phone", "digits"},
			{"email invalid", tenancy.CoverPageInput{Email: ptr("not-an-address")}, "email", "not a valid email"},
			{"email with name", tenancy.CoverPageInput{Email: ptr("Ann <ann@acme.example>")}, "email", "not a valid email"},
			{"comments too long", tenancy.CoverPageInput{Comments: ptr(strings.Repeat("c", 2001))}, "comments", "at most 2000"},
			{"comments control", tenancy.CoverPageInput{Comments: ptr("bell\a")}, "comments", "control"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				got, err := e.Tenancy.UpdateCoverPage(e.Ctx, w.TenantAActor, "", tc.in)
				if tc.field != "" {
					wantField(t, err, tc.field, tc.reason)
					return
				}
				authtest.Must(t, "update", err)
				want := model.CoverPageSettings{TenantID: w.A.ID, Enabled: true, SenderName: "Ann Smith", Company: "Acme",
					Phone: "+12025550123", Email: "Ann@acme.example", Comments: "Hello\nsecond line", ShowLogo: false, UpdatedAt: got.UpdatedAt}
				if got != want || got.UpdatedAt.IsZero() {
					t.Fatalf("cover page\n got %+v\nwant %+v", got, want)
				}
				if evs := e.Events(t, model.ActionSettingsUpdated, w.A.ID); len(evs) != 1 || !strings.Contains(evs[0].Detail, "cover page: enabled false → true") {
					t.Fatalf("events %+v", evs)
				}
			})
		}
	})
}

func TestPlatformSettingsValidation(t *testing.T) {
	authtest.ForEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := authtest.NewEnv(t, open(t), nil)
		w := e.NewWorld(t)
		relay := func(mod func(*tenancy.PlatformSettingsInput)) tenancy.PlatformSettingsInput {
			in := tenancy.PlatformSettingsInput{SMTPHost: ptr("smtp.example.com"), SMTPFromAddress: ptr("fax@example.com")}
			if mod != nil {
				mod(&in)
			}
			return in
		}
		tests := []struct {
			name   string
			in     tenancy.PlatformSettingsInput
			field  string
			reason string
		}{
			{"relay host IP", relay(func(in *tenancy.PlatformSettingsInput) { in.SMTPHost = ptr("192.0.2.25") }), "", ""},
			{"relay host bad", relay(func(in *tenancy.PlatformSettingsInput) { in.SMTPHost = ptr("smtp example") }), "smtp_host", "host name"},
			{"relay without from", tenancy.PlatformSettingsInput{SMTPHost: ptr("smtp.example.com"), SMTPFromAddress: ptr("")}, "smtp_from_address", "required"},
			{"port too big", relay(func(in *tenancy.PlatformSettingsInput) { in.SMTPPort = ptr(70000) }), "smtp_port", "between 1 and 65535"},
			{"security unknown", relay(func(in *tenancy.PlatformSettingsInput) { in.SMTPSecurity = ptr(model.SMTPSecurity("ssl3")) }), "smtp_security", "none, starttls or tls"},
			{"auth in clear", relay(func(in *tenancy.PlatformSettingsInput) {
				in.SMTPSecurity, in.SMTPUsername, in.SMTPPassword = ptr(model.SMTPNone), ptr("u"), ptr("p")
			}), "smtp_security", "must be starttls or tls"},
			{"password without user", relay(func(in *tenancy.PlatformSettingsInput) { in.SMTPPassword = ptr("p") }), "smtp_username", "required with a password"},
			{"password newline", relay(func(in *tenancy.PlatformSettingsInput) { in.SMTPUsername, in.SMTPPassword = ptr("u"), ptr("a\nb") }), "smtp_password", "one line"},
			{"envelope from bad", relay(func(in *tenancy.PlatformSettingsInput) { in.SMTPEnvelopeFrom = ptr("bounces") }), "smtp_envelope_from", "not a valid email"},
			{"helo bad", relay(func(in *tenancy.PlatformSettingsInput) { in.SMTPHELOName = ptr("-bad-") }), "smtp_helo_name", "host name"},
			{"from name control", relay(func(in *tenancy.PlatformSettingsInput) { in.SMTPFromName = ptr("a\nb") }), "smtp_from_name", "control"},
			{"attachment limit small", tenancy.PlatformSettingsInput{EmailAttachmentLimit: ptr(int64(1000))}, "email_attachment_limit", "between"},
			{"attachment limit huge", tenancy.PlatformSettingsInput{EmailAttachmentLimit: ptr(int64(1 << 30))}, "email_attachment_limit", "between"},
			{"retention min 0", tenancy.PlatformSettingsInput{RetentionMinDays: ptr(0)}, "retention_min_days", "between 1 and 3650"},
			{"retention max over", tenancy.PlatformSettingsInput{RetentionMaxDays: ptr(3651)}, "retention_max_days", "between 1 and 3650"},
			{"retention max below min", tenancy.PlatformSettingsInput{RetentionMinDays: ptr(30), RetentionMaxDays: ptr(10), RetentionDefaultDays: ptr(20)}, "retention_max_days", "below the minimum"},
			{"retention default outside", tenancy.PlatformSettingsInput{RetentionDefaultDays: ptr(400)}, "retention_default_days", "between the minimum and the maximum"},
			{"domain bad", tenancy.PlatformSettingsInput{EmailToFaxDomain: ptr("fax_domain")}, "email_to_fax_domain", "host name"},
			{"domain ok", tenancy.PlatformSettingsInput{EmailToFaxDomain: ptr("Fax.Example.COM.")}, "", ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.Tenancy.UpdatePlatformSettings(e.Ctx, w.AdminActor, tc.in)
				if tc.field != "" {
					wantField(t, err, tc.field, tc.reason)
					return
				}
				authtest.Must(t, "update", err)
			})
		}
		p, err := e.Tenancy.GetPlatformSettings(e.Ctx, w.AdminActor)
		authtest.Must(t, "get", err)
		if p.EmailToFaxDomain != "fax.example.com" || p.SMTP.Host != "192.0.2.25" || p.SMTP.Port != 587 || p.SMTP.Security != model.SMTPStartTLS {
			t.Fatalf("platform settings %+v", p)
		}
	})
}

func TestPlatformSettingsPortsAndSecrets(t *testing.T) {
	authtest.ForEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := authtest.NewEnv(t, open(t), nil)
		w := e.NewWorld(t)
		const secret = "hunter2-very-secret"
		p, err := e.Tenancy.UpdatePlatformSettings(e.Ctx, w.AdminActor, tenancy.PlatformSettingsInput{
			SMTPHost: ptr("smtp.example.com"), SMTPSecurity: ptr(model.SMTPTLS), SMTPUsername: ptr("fax"),
			SMTPPassword: ptr(secret), SMTPFromAddress: ptr("fax@example.com"), SMTPFromName: ptr("Fax Gate")})
		authtest.Must(t, "set relay", err)
		if p.SMTP.Port != 465 || p.SMTP.Password != secret {
			t.Fatalf("relay %+v: tls moves the usual port to 465 and the password is kept", p.SMTP)
		}
		p, err = e.Tenancy.UpdatePlatformSettings(e.Ctx, w.AdminActor, tenancy.PlatformSettingsInput{SMTPPort: ptr(2465)})
		authtest.Must(t, "custom port", err)
		p, err = e.Tenancy.UpdatePlatformSettings(e.Ctx, w.AdminActor, tenancy.PlatformSettingsInput{SMTPSecurity: ptr(model.SMTPStartTLS)})
		authtest.Must(t, "starttls", err)
		if p.SMTP.Port != 2465 {
			t.Fatalf("a custom port changed with the security: %d", p.SMTP.Port)
		}
		p, err = e.Tenancy.UpdatePlatformSettings(e.Ctx, w.AdminActor, tenancy.PlatformSettingsInput{SMTPPort: ptr(0)})
		authtest.Must(t, "port 0", err)
		if p.SMTP.Port != 587 || p.SMTP.Password != secret {
			t.Fatalf("port 0 = the usual port (587), password kept: %+v", p.SMTP)
		}
		p, err = e.Tenancy.UpdatePlatformSettings(e.Ctx, w.AdminActor, tenancy.PlatformSettingsInput{SMTPPassword: ptr("another-secret")})
		authtest.Must(t, "change password", err)
		p, err = e.Tenancy.UpdatePlatformSettings(e.Ctx, w.AdminActor, tenancy.PlatformSettingsInput{SMTPUsername: ptr(""), SMTPPassword: ptr("")})
		authtest.Must(t, "remove auth", err)
		if p.SMTP.Username != "" || p.SMTP.Password != "" {
			t.Fatalf("auth not removed: %+v", p.SMTP)
		}
		evs := e.Events(t, model.ActionSettingsUpdated, "platform")
		if len(evs) != 6 {
			t.Fatalf("%d platform events, want 6", len(evs))
		}
		var all strings.Builder
		for _, ev := range evs {
			if ev.TenantID != "" {
				t.Errorf("platform event with tenant %q", ev.TenantID)
			}
			all.WriteString(ev.Detail + "\n")
		}
		for _, want := range []string{"smtp_password changed", "smtp_password removed", `smtp_security "starttls" → "tls"`, "smtp_port 465 → 2465"} {
			if !strings.Contains(all.String(), want) {
				t.Errorf("audit details lack %q:\n%s", want, all.String())
			}
		}
		if strings.Contains(all.String(), secret) || strings.Contains(all.String(), "another-secret") {
			t.Fatalf("the SMTP password leaked into the audit log:\n%s", all.String())
		}
	})
}

func TestEmailTemplates(t *testing.T) {
	d := tenancy.FaxEmailData{From: "+12025550123", To: "+14155550100", Pages: 1, ReceivedAt: "2026-03-02 10:15 UTC",
		Result: "OK", Link: "https://fax.example/f/1", Attached: false}
	fs := model.DefaultTenantFaxSettings("ten_x")
	r := tenancy.RenderFaxEmail(fs, d)
	if r.TemplateErr != nil || r.Subject != "Fax from +12025550123 to +14155550100 (1 page)" {
		t.Fatalf("default subject %q, %v", r.Subject, r.TemplateErr)
	}
	for _, s := range []string{"From:     +12025550123\n", "Pages:    1\n", "too large to attach", "View it in the portal: https://fax.example/f/1"} {
		if !strings.Contains(r.Body, s) {
			t.Errorf("default body lacks %q:\n%s", s, r.Body)
		}
	}
	// Subjects come out on one line.
	fs.EmailSubjectTemplate = "Fax\n{{.From}}\r\n  {{.Pages}}"
	if r := tenancy.RenderFaxEmail(fs, d); r.Subject != "Fax +12025550123 1" || r.TemplateErr != nil {
		t.Fatalf("folded subject %q, %v", r.Subject, r.TemplateErr)
	}
	// A template that cannot render (stored before a check, or broken) falls back to the default.
	fs.EmailSubjectTemplate, fs.EmailBodyTemplate = "{{.Nope}}", "{{range 5}}x{{end}}"
	r = tenancy.RenderFaxEmail(fs, d)
	if r.TemplateErr == nil || !strings.Contains(r.TemplateErr.Error(), "email_subject_template") ||
		!strings.Contains(r.TemplateErr.Error(), "email_body_template") || !strings.HasPrefix(r.Subject, "Fax from +1202") ||
		!strings.Contains(r.Body, "You received a fax.") {
		t.Fatalf("fallback render %+v", r)
	}
	// Preview with sample data, and per-field errors.
	subj, body, err := tenancy.PreviewFaxEmail("{{.TenantName}}: {{.Pages}} pages", "{{if .Attached}}attached{{end}} {{printf \"%05d\" .Pages}}")
	if err != nil || subj != "Acme: 3 pages" || body != "attached 00003" {
		t.Fatalf("preview %q %q %v", subj, body, err)
	}
	_, _, err = tenancy.PreviewFaxEmail("{{.From", "{{.X}}")
	wantField(t, err, "email_subject_template", "template error")
	wantField(t, err, "email_body_template", "unknown field .X")
}
