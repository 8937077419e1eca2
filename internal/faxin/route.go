package faxin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"faxgate/internal/blob"
	"faxgate/internal/faxpdf"
	"faxgate/internal/faxtiff"
	"faxgate/internal/model"
	"faxgate/internal/notify"
	"faxgate/internal/phone"
)

var timeZero time.Time

// RejectReason says why a call is refused.
type RejectReason string

const (
	RejectNone      RejectReason = ""
	RejectUnknown   RejectReason = "unknown_did"      // not a number of the pool, or in the pool but unassigned
	RejectRejected  RejectReason = "rejected"         // the tenant set the DID to reject
	RejectSuspended RejectReason = "tenant_suspended" // the DID's tenant is suspended
)

// SIPCode is the response a SIP line should refuse the call with.
func (r RejectReason) SIPCode() int {
	switch r {
	case RejectUnknown:
		return 404
	case RejectRejected, RejectSuspended:
		return 603
	}
	return 0
}

// Route is what to do with a call to a number.
type Route struct {
	Accept bool
	Reason RejectReason
	// Called is the number called in E.164 (or as dialled when it does
	// not parse); Caller the caller's number as the line gave it.
	Called, Caller string
	DID            model.DID
	TenantID       string
	UserID         string
	// StationID is our CSID for the call: the DID's station id, else the
	// called number's last 20 characters.
	StationID string
}

// Route decides whether a call to called is taken, for any line, before it
// answers. Refused calls are logged (and audited for the DID's tenant when
// there is one); unknown numbers only logged, as they may be scans.
func (s *Service) Route(ctx context.Context, called, caller string) (Route, error) {
	r, inPool, err := s.route(ctx, called, caller)
	if err == nil && !inPool {
		r = s.refuse(ctx, r, RejectUnknown)
	}
	return r, err
}

// route is Route without logging numbers that are not in the pool
// (inPool false): the test line asks about every number it dials.
func (s *Service) route(ctx context.Context, called, caller string) (r Route, inPool bool, err error) {
	r = Route{Called: called, Caller: caller, Reason: RejectUnknown}
	num, err := phone.Normalize(called, s.cfg.DefaultCountry)
	if err != nil {
		return r, false, nil
	}
	r.Called = num
	d, err := s.st.GetDIDByNumber(ctx, num)
	if errors.Is(err, model.ErrNotFound) {
		return r, false, nil
	}
	if err != nil {
		return Route{}, false, err
	}
	if !d.Assigned() {
		r.DID = d
		return s.refuse(ctx, r, RejectUnknown), true, nil
	}
	r.DID, r.TenantID, r.UserID = d, d.TenantID, d.UserID
	t, err := s.st.GetTenant(ctx, model.PlatformScope(), d.TenantID)
	if err != nil {
		return Route{}, true, err
	}
	switch {
	case t.Status != model.TenantActive:
		return s.refuse(ctx, r, RejectSuspended), true, nil
	case d.Action == model.DIDReject:
		return s.refuse(ctx, r, RejectRejected), true, nil
	}
	r.Accept, r.Reason, r.StationID = true, RejectNone, stationID(d)
	return r, true, nil
}

func stationID(d model.DID) string {
	if d.StationID != "" {
		return d.StationID
	}
	if len(d.Number) > model.MaxStationIDLen {
		return d.Number[len(d.Number)-model.MaxStationIDLen:]
	}
	return d.Number
}

func (s *Service) refuse(ctx context.Context, r Route, why RejectReason) Route {
	r.Accept, r.Reason = false, why
	s.log.Info("inbound fax call refused", "called", r.Called, "caller", r.Caller, "reason", string(why),
		"tenant", r.TenantID)
	if r.TenantID != "" {
		s.au.Record(ctx, model.SystemActor(), model.ActionFaxRefused, "did", r.DID.ID,
			fmt.Sprintf("call from %q to %s refused: %s", clipText(r.Caller, 40), r.Called, why), r.TenantID)
	}
	return r
}

// CallInfo describes an answered inbound call.
type CallInfo struct {
	Transport model.Transport
	Node      string    // the process that took the call
	TrunkID   string    // "" for the test line
	TrunkName string    // e.g. "Test line"
	StartedAt time.Time // call arrival (zero = now)
}

// Begin records a call that a line is about to receive: a fax for the
// DID's tenant and user, status receiving. It returns the fax id and the
// file the fax engine must write the received TIFF to (a spool file on
// this node; Finish moves it into the blob store). Finish must follow,
// whatever happens.
func (s *Service) Begin(ctx context.Context, rt Route, ci CallInfo) (faxID, rxPath string, err error) {
	if !rt.Accept {
		return "", "", fmt.Errorf("faxin: Begin for a refused call (%s)", rt.Reason)
	}
	caller := rt.Caller
	if n, err := phone.Normalize(caller, s.cfg.DefaultCountry); err == nil {
		caller = n
	}
	f := model.InboundFax{Fax: model.Fax{TenantID: rt.TenantID, UserID: rt.UserID, Status: model.FaxReceiving,
		// faxes.source only knows outbound channels; inbound faxes carry
		// "api" there, and the service reports no source for them.
		Source: model.SourceAPI, To: rt.DID.Number, CallerID: clipText(caller, 40), NextTry: 1, NextLeg: 1},
		DIDID: rt.DID.ID}
	if err := s.st.InsertInboundFax(ctx, &f); err != nil {
		return "", "", err
	}
	return f.ID, s.spoolPath(f.ID), nil
}

func (s *Service) spoolPath(faxID string) string { return filepath.Join(s.cfg.SpoolDir, faxID+".tif") }

// Result is the fax engine's outcome of a reception.
type Result struct {
	OK          bool
	Code        int    // T.30 completion code (-1: the engine did not run)
	Text        string // the engine's text for Code
	Class       string // t30.FailureClass: negotiation, training, transfer, remote_hangup, timeout, file, internal
	Pages       int    // pages the engine reports received (the file is what counts)
	RemoteIdent string
	BitRate     int
	ECM         bool
	Transport   model.Transport
	AnsweredAt  time.Time
	EndedAt     time.Time // zero = now
	SIPCode     int       // 200 when answered (default)
}

// Finish stores what a reception brought and tells everyone: see the
// package documentation. Calling it twice for a fax is model.ErrConflict.
func (s *Service) Finish(ctx context.Context, faxID string, res Result) (model.InboundFax, error) {
	if res.EndedAt.IsZero() {
		res.EndedAt = s.now()
	}
	spool := s.spoolPath(faxID)
	f, err := s.st.GetInboundFax(ctx, model.PlatformScope(), faxID)
	if err != nil {
		return model.InboundFax{}, err
	}
	if f.Status != model.FaxReceiving {
		return model.InboundFax{}, fmt.Errorf("%w: fax %s is already %s", model.ErrConflict, faxID, f.Status)
	}
	stored, storeErr := s.storeFiles(ctx, &f, spool)
	if storeErr != nil {
		// The spool file stays for an operator to recover the pages.
		s.log.Error("received fax not stored; spool file kept", "fax", faxID, "spool", spool, "err", storeErr)
	} else {
		defer os.Remove(spool)
	}
	d, err := s.st.GetDID(ctx, model.PlatformScope(), f.DIDID)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return model.InboundFax{}, err
	}
	s.outcome(&f, res, stored, storeErr)
	if err := s.commitFinish(ctx, &f, d, res); err != nil {
		if !errors.Is(err, model.ErrConflict) { // a concurrent Finish won: the files are its files
			s.dropFiles(ctx, f)
		}
		return model.InboundFax{}, err
	}
	s.log.Info("inbound fax", "fax", f.ID, "tenant", f.TenantID, "to", f.To, "from", f.CallerID,
		"status", f.Status, "pages", f.Pages, "partial", f.Partial, "result", f.ResultText)
	return f, nil
}

// storeFiles moves the spool TIFF into the blob store and makes the PDF.
// It returns the number of pages stored (0: none arrived or the file is
// unreadable). The engine writes TIFF-F with T.6 (G4) pages, which is
// kept as it is; every page is decoded once to check and count it, one
// page in memory at a time, and the PDF embeds the pages' G4 data.
func (s *Service) storeFiles(ctx context.Context, f *model.InboundFax, spool string) (int, error) {
	file, err := os.Open(spool)
	if err != nil {
		return 0, nil // the engine wrote nothing: no page arrived
	}
	defer file.Close()
	st, err := file.Stat()
	if err != nil || st.Size() == 0 {
		return 0, err
	}
	pages := 0
	if err := faxtiff.ReadEach(file, st.Size(), func(int, *faxtiff.Page) error { pages++; return nil }); err != nil {
		return 0, fmt.Errorf("received TIFF: %w", err)
	}
	if pages == 0 {
		return 0, nil
	}
	base := faxKey(f.TenantID, f.ID)
	tiffKey, pdfKey := blob.Join(base, "fax.tif"), blob.Join(base, "fax.pdf")
	n, err := s.blob.Put(ctx, tiffKey, io.NewSectionReader(file, 0, st.Size()))
	if err != nil {
		return 0, fmt.Errorf("store TIFF: %w", err)
	}
	f.FileKey, f.FileBytes = tiffKey, n
	pr, pw := io.Pipe()
	meta := faxpdf.Meta{Title: "Fax from " + orWithheld(f.CallerID), Subject: "Fax to " + f.To,
		Creator: "faxgate inbound", CreationDate: f.CreatedAt}
	go func() { pw.CloseWithError(faxpdf.FromTIFFReader(pw, file, st.Size(), meta)) }()
	n, err = s.blob.Put(ctx, pdfKey, pr)
	pr.CloseWithError(err) // unblocks the writer when Put gave up early
	if err != nil {
		return pages, fmt.Errorf("store PDF: %w", err)
	}
	f.PDFKey, f.PDFBytes = pdfKey, n
	return pages, nil
}

func orWithheld(n string) string {
	if n == "" {
		return "a withheld number"
	}
	return n
}

// outcome sets the fax's final state from the engine's result and what
// was stored.
func (s *Service) outcome(f *model.InboundFax, res Result, pages int, storeErr error) {
	f.Pages, f.CompletedAt = pages, res.EndedAt
	f.RemoteStationID = clipText(strings.TrimSpace(res.RemoteIdent), 40)
	start := res.AnsweredAt
	if start.IsZero() {
		start = f.CreatedAt
	}
	f.Duration = max(res.EndedAt.Sub(start), 0)
	f.ResultText = res.Text
	switch {
	case res.OK && pages > 0:
		f.Status, f.Cause, f.ResultText = model.FaxReceived, model.CauseNone, "OK"
	case pages > 0:
		f.Status, f.Partial, f.Cause = model.FaxReceived, true, causeOf(res.Class)
		f.ResultText = fmt.Sprintf("partial: %d page(s) received; %s", pages, res.Text)
	default:
		f.Status, f.Cause = model.FaxFailed, causeOf(res.Class)
		if res.OK { // the engine saw pages but none could be stored
			f.Cause = model.CauseInternal
		}
		if storeErr != nil {
			f.Cause, f.ResultText = model.CauseInternal, "the received pages could not be stored"
		}
	}
	if f.ResultText == "" {
		f.ResultText = "no page received"
	}
}

func causeOf(class string) model.Cause {
	switch class {
	case "negotiation", "training":
		return model.CauseFaxNegotiation
	case "file", "internal":
		return model.CauseInternal
	}
	return model.CauseFaxTransfer
}

// commitFinish saves the fax, its attempt, the email job and the webhook
// deliveries in one transaction.
func (s *Service) commitFinish(ctx context.Context, f *model.InboundFax, d model.DID, res Result) error {
	return s.st.RunTx(ctx, func(tx *sql.Tx) error {
		cur, err := s.st.GetInboundFaxTx(ctx, tx, f.ID)
		if err != nil {
			return err
		}
		if cur.Status != model.FaxReceiving {
			return fmt.Errorf("%w: fax %s is already %s", model.ErrConflict, f.ID, cur.Status)
		}
		if err := s.st.SaveInboundFaxTx(ctx, tx, f); err != nil {
			return err
		}
		a := s.attempt(*f, res)
		if err := s.st.InsertAttemptTx(ctx, tx, &a); err != nil {
			return err
		}
		f.Attempts = []model.Attempt{a}
		if err := s.enqueueEmailTx(ctx, tx, *f, d); err != nil {
			return err
		}
		return s.publishTx(ctx, tx, *f, d)
	})
}

// attempt is the CDR row of the call.
func (s *Service) attempt(f model.InboundFax, res Result) model.Attempt {
	a := model.Attempt{FaxID: f.ID, TenantID: f.TenantID, Try: 1, Leg: 1, Status: model.AttemptCompleted,
		DialedNumber: f.To, CallerID: f.CallerID, ECM: res.ECM, StartedAt: f.CreatedAt, AnsweredAt: res.AnsweredAt,
		EndedAt: res.EndedAt, SIPCode: res.SIPCode, T30Code: res.Code, ResultText: f.ResultText, Cause: f.Cause,
		Pages: f.Pages, BitRate: res.BitRate, ECMUsed: res.ECM, Transport: res.Transport,
		RemoteStationID: f.RemoteStationID, TrunkName: "inbound"}
	if a.SIPCode == 0 {
		a.SIPCode = 200
	}
	if a.AnsweredAt.IsZero() {
		a.AnsweredAt = f.CreatedAt
	}
	if f.Status == model.FaxFailed {
		a.Status = model.AttemptFailed
	}
	return a
}

// publishTx posts fax.received / fax.receive_failed to the tenant's
// endpoints and the DID's URL.
func (s *Service) publishTx(ctx context.Context, tx *sql.Tx, f model.InboundFax, d model.DID) error {
	if s.wh == nil {
		return nil
	}
	typ := model.EventFaxReceived
	if f.Status == model.FaxFailed {
		typ = model.EventFaxReceiveFailed
	}
	var extra []notify.WebhookTarget
	if d.WebhookURL != "" && d.TenantID == f.TenantID {
		extra = append(extra, notify.WebhookTarget{URL: d.WebhookURL, Secret: d.WebhookSecret})
	}
	_, err := s.wh.PublishTx(ctx, tx, f.TenantID, notify.Event{Type: typ, Data: eventData(f), At: f.CompletedAt}, extra...)
	return err
}

// EventData is the "data" object of fax.received and fax.receive_failed.
type EventData struct {
	FaxID           string `json:"fax_id"`
	Direction       string `json:"direction"`
	Status          string `json:"status"`
	Partial         bool   `json:"partial"`
	To              string `json:"to"`
	From            string `json:"from"`
	DIDID           string `json:"did_id"`
	UserID          string `json:"user_id,omitempty"`
	Pages           int    `json:"pages"`
	RemoteStationID string `json:"remote_station_id,omitempty"`
	DurationS       int    `json:"duration_s"`
	ResultText      string `json:"result_text"`
	Cause           string `json:"cause,omitempty"`
	ReceivedAt      string `json:"received_at"`
}

func eventData(f model.InboundFax) EventData {
	return EventData{FaxID: f.ID, Direction: string(model.Inbound), Status: string(f.Status), Partial: f.Partial,
		To: f.To, From: f.CallerID, DIDID: f.DIDID, UserID: f.UserID, Pages: f.Pages,
		RemoteStationID: f.RemoteStationID, DurationS: int(f.Duration.Round(time.Second) / time.Second),
		ResultText: f.ResultText, Cause: string(f.Cause),
		ReceivedAt: f.CompletedAt.UTC().Truncate(time.Second).Format(time.RFC3339)}
}

// dropFiles removes a fax's stored files (after a failed commit).
func (s *Service) dropFiles(ctx context.Context, f model.InboundFax) {
	if err := s.blob.DeletePrefix(context.WithoutCancel(ctx), faxKey(f.TenantID, f.ID)); err != nil {
		s.log.Warn("received fax files not removed", "fax", f.ID, "err", err)
	}
}
