package faxout

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"faxgate/internal/jobs"
	"faxgate/internal/model"
	"faxgate/internal/phone"
)

// Bounds of submitted text fields.
const (
	MaxTitleLen          = 200
	MaxCoverSubjectLen   = 200
	MaxCoverCommentsLen  = 2000
	MaxIdempotencyKeyLen = 255
	// MaxScheduleAhead bounds SendAt.
	MaxScheduleAhead = 366 * 24 * time.Hour
)

// SubmitInput is a request to send a document as a fax.
type SubmitInput struct {
	// TenantID is the tenant to send for; only platform admins set it
	// (operators' CLI); everyone else sends for their own tenant.
	TenantID string
	// To is the destination as typed; numbers without + are read in the
	// tenant's default country.
	To string
	// DocumentID is a ready document of the tenant.
	DocumentID string
	// CallerID is one of the tenant's caller IDs ("" = the tenant's default
	// caller ID if it is still one of them, else none).
	CallerID string
	Title    string
	// Retries is the number of retries after a failed try, 0..10 (nil:
	// the tenant's default). RetryDelay is the pause before each (0: the
	// tenant's setting).
	Retries    *int
	RetryDelay time.Duration
	// CoverPage asks for a cover page (nil: the tenant's cover page setting;
	// empty comments print the setting's default comments).
	CoverPage *model.CoverPage
	// SendAt delays the first try (zero or past: at once).
	SendAt time.Time
	// Source is the channel (default web).
	Source model.FaxSource
	// IdempotencyKey makes a repeated submission return the first fax
	// instead of sending again. Keys are unique per tenant.
	IdempotencyKey string
	// CampaignID links the fax to a bulk campaign.
	CampaignID string
}

// Submit validates the request, checks the tenant's page limits and queues
// the fax (its row and its first job in one transaction). A request with
// an idempotency key the tenant used before returns that fax and replayed
// true (or a *model.ConflictError{"idempotency_key"} if the request
// differs). Errors: *model.ValidationError per field, model.ErrLimitExceeded
// (wrapped with the numbers), model.ErrSuspended, model.ErrForbidden.
func (s *Service) Submit(ctx context.Context, actor model.Actor, in SubmitInput) (f model.Fax, replayed bool, err error) {
	ins, err := s.inserter()
	if err != nil {
		return model.Fax{}, false, err
	}
	tenantID, err := submitTenant(actor, in.TenantID)
	if err != nil {
		return model.Fax{}, false, err
	}
	f, err = s.buildFax(ctx, actor, tenantID, in)
	if err != nil {
		return model.Fax{}, false, err
	}
	if f.IdempotencyKey != "" {
		if prev, ok, err := s.replay(ctx, actor, f, nil); ok || err != nil {
			return prev, ok, err
		}
	}
	err = s.st.RunTx(ctx, func(tx *sql.Tx) error { return s.queueTx(ctx, tx, ins, &f) })
	if errors.Is(err, model.ErrConflict) && f.IdempotencyKey != "" {
		// A concurrent submission with the same key won the race.
		if prev, ok, rerr := s.replay(ctx, actor, f, err); ok || rerr != nil {
			return prev, ok, rerr
		}
	}
	if err != nil {
		return model.Fax{}, false, err
	}
	s.audit.Record(ctx, actor, model.ActionFaxSubmitted, "fax", f.ID,
		fmt.Sprintf("to %s, %d pages", f.To, f.Pages), f.TenantID)
	return f, false, nil
}

// submitTenant is the tenant a submission is for.
func submitTenant(actor model.Actor, requested string) (string, error) {
	switch {
	case actor.IsAdmin() && requested == "":
		return "", model.Invalid("tenant_id", "required: platform admins send for a tenant")
	case actor.IsAdmin():
		return requested, nil
	case actor.TenantID == "":
		return "", model.ErrForbidden
	case requested != "" && requested != actor.TenantID:
		return "", model.Invalid("tenant_id", "no such tenant")
	}
	return actor.TenantID, nil
}

// buildFax validates the input against the tenant's settings, caller IDs
// and documents and returns the fax to queue.
func (s *Service) buildFax(ctx context.Context, actor model.Actor, tenantID string, in SubmitInput) (model.Fax, error) {
	ts, err := s.loadSettings(ctx, tenantID)
	if errors.Is(err, model.ErrNotFound) {
		return model.Fax{}, model.Invalid("tenant_id", "no such tenant")
	}
	if err != nil {
		return model.Fax{}, err
	}
	country := ts.fax.DefaultCountry
	v := &model.ValidationError{}
	f := model.Fax{TenantID: tenantID, UserID: actor.UserID, Direction: model.Outbound, Status: model.FaxQueued,
		Source: in.Source, Title: strings.TrimSpace(in.Title), DocumentID: in.DocumentID,
		IdempotencyKey: in.IdempotencyKey, CampaignID: in.CampaignID, NextTry: 1, NextLeg: 1}
	if num, err := phone.Parse(in.To, country); err != nil {
		v.Add("to", err.Error())
	} else {
		f.To = num.E164
	}
	s.checkScalars(&f, in, ts, v)
	if strings.TrimSpace(in.CallerID) != "" {
		s.checkCallerID(ctx, &f, in.CallerID, country, v)
	} else if def := ts.fax.DefaultCallerID; def != "" {
		// The tenant's default caller ID, while it is still one of its
		// CIDs (the settings do not follow reassignments of the pool).
		s.checkCallerID(ctx, &f, def, country, &model.ValidationError{})
	}
	docPages := s.checkDocument(ctx, tenantID, in.DocumentID, v)
	if f.To != "" && v.Fields["to"] == "" {
		if err := s.checkRoutable(ctx, tenantID, f.Source, f.To); err != nil {
			v.Add("to", err.Error())
		} else if s.block != nil {
			if blocked, reason := s.block.IsBlocked(ctx, tenantID, f.To); blocked {
				v.Add("to", reason)
			}
		}
	}
	if err := v.OrNil(); err != nil {
		return model.Fax{}, err
	}
	f.Pages = docPages
	if f.CoverPage.Enabled {
		f.Pages++
	}
	f.NextAttemptAt = f.SendAt
	if f.NextAttemptAt.IsZero() {
		f.NextAttemptAt = s.clock()
	}
	f.RequestHash = requestHash(f)
	return f, nil
}

// checkScalars validates and defaults the plain fields.
func (s *Service) checkScalars(f *model.Fax, in SubmitInput, ts tenantSettings, v *model.ValidationError) {
	if f.Source == "" {
		f.Source = model.SourceWeb
	} else if !f.Source.Submittable() {
		v.Add("source", "must be web, api, email or campaign")
	}
	if utf8.RuneCountInString(f.Title) > MaxTitleLen {
		v.Add("title", fmt.Sprintf("at most %d characters", MaxTitleLen))
	}
	f.Retries = ts.fax.DefaultRetries
	if in.Retries != nil {
		f.Retries = *in.Retries
		if f.Retries < 0 || f.Retries > MaxRetries {
			v.Add("retries", fmt.Sprintf("must be 0 to %d", MaxRetries))
		}
	}
	f.RetryDelay = in.RetryDelay
	switch {
	case f.RetryDelay == 0:
		f.RetryDelay = ts.fax.RetryDelay
	case f.RetryDelay < MinRetryDelay || f.RetryDelay > MaxRetryDelay:
		v.Add("retry_delay_s", fmt.Sprintf("must be %d to %d seconds", int(MinRetryDelay.Seconds()), int(MaxRetryDelay.Seconds())))
	}
	f.CoverPage = model.CoverPage{Enabled: ts.cover.Enabled}
	if in.CoverPage != nil {
		f.CoverPage = *in.CoverPage
	}
	if utf8.RuneCountInString(f.CoverPage.Subject) > MaxCoverSubjectLen {
		v.Add("cover_page", fmt.Sprintf("subject: at most %d characters", MaxCoverSubjectLen))
	}
	if utf8.RuneCountInString(f.CoverPage.Comments) > MaxCoverCommentsLen {
		v.Add("cover_page", fmt.Sprintf("comments: at most %d characters", MaxCoverCommentsLen))
	}
	now := s.clock()
	switch {
	case in.SendAt.IsZero() || !in.SendAt.After(now):
	case in.SendAt.After(now.Add(MaxScheduleAhead)):
		v.Add("send_at", "at most a year ahead")
	default:
		f.SendAt = in.SendAt.UTC().Truncate(time.Microsecond)
	}
	if len(f.IdempotencyKey) > MaxIdempotencyKeyLen || strings.IndexFunc(f.IdempotencyKey, func(r rune) bool {
		return r < 0x21 || r > 0x7e
	}) >= 0 {
		v.Add("idempotency_key", fmt.Sprintf("at most %d printable ASCII characters", MaxIdempotencyKeyLen))
	}
}

// checkCallerID normalises the caller ID and makes sure it is one of the
// tenant's.
func (s *Service) checkCallerID(ctx context.Context, f *model.Fax, raw, country string, v *model.ValidationError) {
	num, err := phone.Parse(raw, country)
	if err != nil {
		v.Add("caller_id", err.Error())
		return
	}
	if _, err := s.st.GetCIDByNumber(ctx, model.TenantScope(f.TenantID), num.E164); err != nil {
		if errors.Is(err, model.ErrNotFound) {
			v.Add("caller_id", num.E164+" is not one of your caller IDs")
			return
		}
		v.Add("caller_id", "cannot be checked now: "+err.Error())
		return
	}
	f.CallerID = num.E164
}

// checkDocument checks the document is the tenant's and ready, and returns
// its page count.
func (s *Service) checkDocument(ctx context.Context, tenantID, id string, v *model.ValidationError) int {
	if id == "" {
		v.Add("document_id", "required")
		return 0
	}
	doc, err := s.st.GetDocument(ctx, model.TenantScope(tenantID), id)
	switch {
	case errors.Is(err, model.ErrNotFound):
		v.Add("document_id", "no such document")
	case err != nil:
		v.Add("document_id", "cannot be read now: "+err.Error())
	case doc.Status == model.DocumentProcessing:
		v.Add("document_id", "the document is still being converted; send it when it is ready")
	case !doc.Ready():
		v.Add("document_id", "the document could not be converted: "+doc.Error)
	case doc.Pages < 1:
		v.Add("document_id", "the document has no pages")
	default:
		return doc.Pages
	}
	return 0
}

// checkRoutable makes sure some enabled trunk would dial the number for the
// tenant and source, so that a fax nobody can send fails now, not later.
func (s *Service) checkRoutable(ctx context.Context, tenantID string, src model.FaxSource, e164 string) error {
	trunks, err := s.usableTrunks(ctx, tenantID, src)
	if err != nil {
		return err
	}
	if len(trunks) == 0 {
		return errors.New("no fax line is available to your account")
	}
	for _, t := range trunks {
		if rules, err := s.rules.get(t); err == nil && rules.Allows(e164) {
			return nil
		}
	}
	return errors.New("no fax line may dial this number")
}

// requestHash fingerprints what a submission asks for.
func requestHash(f model.Fax) string {
	h := sha256.New()
	for _, part := range []string{f.To, f.DocumentID, f.CallerID, f.Title, strconv.Itoa(f.Retries),
		f.RetryDelay.String(), strconv.FormatBool(f.CoverPage.Enabled), f.CoverPage.Subject, f.CoverPage.Comments,
		f.SendAt.String(), string(f.Source), f.CampaignID} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// replay returns the fax the tenant already submitted with f's key: ok true
// when it matches the request, a conflict when the key was used for another
// request (or by another user the actor may not see).
func (s *Service) replay(ctx context.Context, actor model.Actor, f model.Fax, cause error) (model.Fax, bool, error) {
	prev, err := s.st.GetFaxByIdempotencyKeyTx(ctx, nil, f.TenantID, f.IdempotencyKey)
	switch {
	case errors.Is(err, model.ErrNotFound):
		return model.Fax{}, false, cause
	case err != nil:
		return model.Fax{}, false, err
	case prev.RequestHash != f.RequestHash || !canSee(actor, prev):
		return model.Fax{}, false, &model.ConflictError{Field: "idempotency_key"}
	}
	return prev, true, nil
}

// queueTx inserts the fax, its first event and its first job inside tx,
// after checking the tenant's page limits under the tenant's lock.
func (s *Service) queueTx(ctx context.Context, tx *sql.Tx, ins jobs.Inserter, f *model.Fax) error {
	// Only a tenant with page limits needs its submissions serialised.
	tenant, err := s.st.LockTenantTx(ctx, tx, f.TenantID, false)
	if err == nil && (tenant.DailyPageLimit > 0 || tenant.MonthlyPageLimit > 0) {
		tenant, err = s.st.LockTenantTx(ctx, tx, f.TenantID, true)
	}
	if err != nil {
		return err
	}
	if tenant.Status != model.TenantActive {
		return model.ErrSuspended
	}
	if err := s.checkLimitsTx(ctx, tx, tenant, f.Pages); err != nil {
		return err
	}
	if err := s.st.InsertFaxTx(ctx, tx, f); err != nil {
		return err
	}
	detail := fmt.Sprintf("to %s, %d pages", f.To, f.Pages)
	if !f.SendAt.IsZero() {
		detail += ", not before " + f.SendAt.Format(time.RFC3339)
	}
	if err := s.eventTx(ctx, tx, *f, model.EventQueued, 0, detail); err != nil {
		return err
	}
	if err := s.publishTx(ctx, tx, model.EventFaxQueued, *f, nil); err != nil {
		return err
	}
	return ins.InsertTx(ctx, tx, s.sendArgs(*f), sendOpts(f.SendAt, s.clock()))
}

// checkLimitsTx refuses a fax of `pages` pages when the tenant's delivered
// pages of the day (month), plus the pages of its faxes still pending,
// plus these would pass its daily (monthly) limit.
func (s *Service) checkLimitsTx(ctx context.Context, tx *sql.Tx, t model.Tenant, pages int) error {
	if t.DailyPageLimit == 0 && t.MonthlyPageLimit == 0 {
		return nil
	}
	day, month, pending, err := s.st.QuotaStateTx(ctx, tx, t.ID, s.clock())
	if err != nil {
		return err
	}
	check := func(period string, limit, used int) error {
		if limit > 0 && used+pending+pages > limit {
			return fmt.Errorf("%w: %d of the %d pages allowed %s are sent or queued; this fax has %d",
				model.ErrLimitExceeded, used+pending, limit, period, pages)
		}
		return nil
	}
	if err := check("today", t.DailyPageLimit, day); err != nil {
		return err
	}
	return check("this month", t.MonthlyPageLimit, month)
}

// eventTx appends a timeline event inside tx.
func (s *Service) eventTx(ctx context.Context, tx *sql.Tx, f model.Fax, kind model.FaxEventKind, try int, detail string) error {
	return s.st.InsertFaxEventTx(ctx, tx, &model.FaxEvent{FaxID: f.ID, TenantID: f.TenantID, At: s.clock(),
		Kind: kind, Try: try, Detail: detail})
}

// publishTx tells the publisher (if any) about a lifecycle event.
func (s *Service) publishTx(ctx context.Context, tx *sql.Tx, typ string, f model.Fax, a *model.Attempt) error {
	if s.pub == nil {
		return nil
	}
	return s.pub.PublishFaxTx(ctx, tx, Notice{Type: typ, At: s.clock(), Fax: f, Attempt: a})
}
