package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"faxgate/internal/documents"
	"faxgate/internal/faxin"
	"faxgate/internal/faxout"
	"faxgate/internal/httpx"
	"faxgate/internal/model"
)

// FaxCoverPage is a fax's cover page (absent in a request: the tenant's default).
type FaxCoverPage struct {
	Enabled  bool   `json:"enabled"`
	Subject  string `json:"subject"`
	Comments string `json:"comments"`
}

// FaxSend is POST /faxes.
type FaxSend struct {
	To          string        `json:"to" api:"required" doc:"Destination number, E.164 or national (tenant's country)."`
	DocumentID  string        `json:"document_id" api:"required" doc:"A ready document of the tenant."`
	CallerID    string        `json:"caller_id" doc:"A caller ID of the tenant's pool; empty = the default."`
	Title       string        `json:"title"`
	Retries     *int          `json:"retries" doc:"Further tries after a failed one, 0 to 10 (default 3)."`
	RetryDelayS int           `json:"retry_delay_s" doc:"Seconds between tries, 10 to 86400 (0 = the tenant's setting)."`
	CoverPage   *FaxCoverPage `json:"cover_page"`
	SendAt      *time.Time    `json:"send_at" doc:"Not before this time (RFC 3339)."`
	TenantID    string        `json:"tenant_id" doc:"Admins: the tenant sending."`
}

// FaxAttempt is one call of a fax (CDR) with its SIP record.
type FaxAttempt struct {
	AttemptFields
	SIP *CallSIP `json:"sip" api:"required"`
}

// AttemptFields are the fields of a call that the fax's attempts and the
// CDR report share.
type AttemptFields struct {
	Try             int        `json:"try" api:"required,readonly"`
	TrunkName       string     `json:"trunk_name" api:"required,readonly"`
	Transport       string     `json:"transport" api:"required,readonly" doc:"t38 or g711; empty when no fax phase."`
	Cause           string     `json:"cause" api:"required,readonly"`
	ResultCode      int        `json:"result_code" api:"required,readonly"`
	ResultText      string     `json:"result_text" api:"required,readonly"`
	Pages           int        `json:"pages" api:"required,readonly"`
	BitRate         int        `json:"bit_rate" api:"required,readonly"`
	ECM             bool       `json:"ecm" api:"required,readonly"`
	RemoteStationID string     `json:"remote_station_id" api:"required,readonly"`
	StartedAt       time.Time  `json:"started_at" api:"required,readonly"`
	AnsweredAt      *time.Time `json:"answered_at" api:"required,readonly"`
	EndedAt         *time.Time `json:"ended_at" api:"required,readonly"`
}

// Fax is an outbound or inbound fax.
type Fax struct {
	ID              string       `json:"id" api:"required,readonly"`
	TenantID        string       `json:"tenant_id" api:"required,readonly"`
	UserID          string       `json:"user_id" api:"required,readonly"`
	Direction       string       `json:"direction" api:"required,readonly" enum:"outbound,inbound"`
	Status          string       `json:"status" api:"required,readonly" enum:"queued,sending,retrying,delivered,failed,canceled,receiving,received"`
	Source          string       `json:"source" api:"required,readonly"`
	To              string       `json:"to" api:"required,readonly"`
	From            string       `json:"from" api:"required,readonly" doc:"Caller ID (inbound: the sender's number)."`
	CallerID        string       `json:"caller_id" api:"required,readonly"`
	Title           string       `json:"title" api:"required,readonly"`
	DocumentID      string       `json:"document_id" api:"required,readonly"`
	Pages           int          `json:"pages" api:"required,readonly"`
	PagesSent       int          `json:"pages_sent" api:"required,readonly"`
	Retries         int          `json:"retries" api:"required,readonly"`
	RetryDelayS     int          `json:"retry_delay_s" api:"required,readonly"`
	CoverPage       FaxCoverPage `json:"cover_page" api:"required"`
	SendAt          *time.Time   `json:"send_at" api:"required,readonly"`
	Cause           string       `json:"cause" api:"required,readonly"`
	ResultText      string       `json:"result_text" api:"required,readonly"`
	RemoteStationID string       `json:"remote_station_id" api:"required,readonly"`
	CancelRequested bool         `json:"cancel_requested" api:"required,readonly"`
	CampaignID      string       `json:"campaign_id" api:"required,readonly"`
	CreatedAt       time.Time    `json:"created_at" api:"required,readonly"`
	CompletedAt     *time.Time   `json:"completed_at" api:"required,readonly"`
	DIDID           string       `json:"did_id,omitempty" api:"readonly" doc:"Inbound: the number called."`
	Partial         bool         `json:"partial,omitempty" api:"readonly" doc:"Inbound: the reception broke off."`
	Read            *bool        `json:"read,omitempty" api:"readonly" doc:"Inbound: someone opened it."`
	PurgedAt        *time.Time   `json:"purged_at,omitempty" api:"readonly" doc:"Inbound: retention removed the files."`
	Attempts        []FaxAttempt `json:"attempts,omitempty" api:"readonly" doc:"GET /faxes/{id} only, oldest first."`
}

// FaxList is a page of faxes.
type FaxList struct {
	Items      []Fax  `json:"items" api:"required"`
	NextCursor string `json:"next_cursor" api:"required" doc:"Empty on the last page."`
}

func faxDTO(f model.Fax) Fax {
	d := Fax{ID: f.ID, TenantID: f.TenantID, UserID: f.UserID, Direction: string(f.Direction),
		Status: string(f.Status), Source: string(f.Source), To: f.To, From: f.CallerID, CallerID: f.CallerID,
		Title: f.Title, DocumentID: f.DocumentID, Pages: f.Pages, PagesSent: f.PagesSent, Retries: f.Retries,
		RetryDelayS: int(f.RetryDelay / time.Second),
		CoverPage:   FaxCoverPage{Enabled: f.CoverPage.Enabled, Subject: f.CoverPage.Subject, Comments: f.CoverPage.Comments},
		SendAt:      optTime(f.SendAt), Cause: string(f.Cause), ResultText: f.ResultText,
		RemoteStationID: f.RemoteStationID, CancelRequested: f.CancelRequested, CampaignID: f.CampaignID,
		CreatedAt: utc(f.CreatedAt), CompletedAt: optTime(f.CompletedAt)}
	d.Attempts = mapSlice(f.Attempts, attemptDTO)
	return d
}

func inboundDTO(f model.InboundFax) Fax {
	d := faxDTO(f.Fax)
	read := f.Read()
	d.DIDID, d.Partial, d.Read, d.PurgedAt = f.DIDID, f.Partial, &read, optTime(f.PurgedAt)
	return d
}

func attemptDTO(a model.Attempt) FaxAttempt {
	return FaxAttempt{AttemptFields: attemptFields(a), SIP: sipDTO(a.SIP)}
}

func attemptFields(a model.Attempt) AttemptFields {
	return AttemptFields{Try: a.Try, TrunkName: a.TrunkName, Transport: string(a.Transport), Cause: string(a.Cause),
		ResultCode: a.ResultCode(), ResultText: a.ResultText, Pages: a.Pages, BitRate: a.BitRate, ECM: a.ECMUsed,
		RemoteStationID: a.RemoteStationID, StartedAt: utc(a.StartedAt), AnsweredAt: optTime(a.AnsweredAt),
		EndedAt: optTime(a.EndedAt)}
}

func (a *API) sendFax(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	var in FaxSend
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	si := faxout.SubmitInput{TenantID: in.TenantID, To: in.To, DocumentID: in.DocumentID, CallerID: in.CallerID,
		Title: in.Title, Retries: in.Retries, RetryDelay: time.Duration(in.RetryDelayS) * time.Second,
		Source: model.SourceAPI, IdempotencyKey: r.Header.Get("Idempotency-Key")}
	if in.CoverPage != nil {
		si.CoverPage = &model.CoverPage{Enabled: in.CoverPage.Enabled, Subject: in.CoverPage.Subject,
			Comments: in.CoverPage.Comments}
	}
	if in.SendAt != nil {
		si.SendAt = *in.SendAt
	}
	f, replayed, err := a.d.Faxout.Submit(r.Context(), actor, si)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/faxes/"+f.ID)
	status := http.StatusCreated
	if replayed {
		status = http.StatusOK
	}
	httpx.WriteJSON(w, status, faxDTO(f))
	return nil
}

func (a *API) listFaxes(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	q, err := newQuery(r, "direction", "status", "tenant_id", "limit", "cursor", "q", "from", "to", "user_id",
		"did_id", "read")
	if err != nil {
		return err
	}
	f, err := faxListFilter(q, actor)
	if err != nil {
		return err
	}
	o, err := q.page()
	if err != nil {
		return err
	}
	switch dir := q.get("direction"); dir {
	case "inbound":
		in := faxin.InboxFilter{Status: f.Status, TenantID: f.TenantID, From: f.From, To: f.To, UserID: f.UserID,
			DIDID: q.get("did_id"), Query: f.Query}
		switch q.get("read") {
		case "true", "false":
			read := q.get("read") == "true"
			in.Read = &read
		case "":
		default:
			return model.Invalid("read", "must be true or false")
		}
		fs, next, err := a.d.Faxin.List(r.Context(), actor, in, o)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, FaxList{Items: nonNil(mapSlice(fs, inboundDTO)), NextCursor: next})
	case "", "outbound":
		if q.get("did_id") != "" || q.get("read") != "" {
			return model.Invalid("direction", "did_id and read filter received faxes: add direction=inbound")
		}
		fs, next, err := a.d.Faxout.List(r.Context(), actor, f, o)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, FaxList{Items: nonNil(mapSlice(fs, faxDTO)), NextCursor: next})
	default:
		return &httpx.BadRequestError{Message: "direction must be outbound or inbound", Field: "direction"}
	}
	return nil
}

// faxListFilter reads the filters both directions share.
func faxListFilter(q query, actor model.Actor) (faxout.ListFilter, error) {
	tenantID, err := q.tenantID(actor)
	if err != nil {
		return faxout.ListFilter{}, err
	}
	f := faxout.ListFilter{TenantID: tenantID, Query: q.get("q"), UserID: q.get("user_id")}
	for s := range strings.SplitSeq(q.get("status"), ",") {
		if s != "" {
			f.Status = append(f.Status, model.FaxStatus(s))
		}
	}
	v := &model.ValidationError{}
	var ok bool
	if f.From, ok = q.timeParam("from", false); !ok {
		v.Add("from", timeFormatHint)
	}
	if f.To, ok = q.timeParam("to", true); !ok {
		v.Add("to", timeFormatHint)
	}
	return f, v.OrNil()
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// getAnyFax returns the fax with its attempts: outbound ones from faxout,
// inbound ones from the inbox (where deleted faxes are gone), whether
// faxout shows them or not.
func (a *API) getAnyFax(r *http.Request, actor model.Actor) (Fax, error) {
	f, err := a.d.Faxout.Get(r.Context(), actor, pathID(r))
	if err == nil && f.Direction == model.Outbound {
		return faxDTO(f), nil
	}
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return Fax{}, err
	}
	in, err := a.d.Faxin.Get(r.Context(), actor, pathID(r))
	if err != nil {
		return Fax{}, err
	}
	return inboundDTO(in), nil
}

func (a *API) getFax(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	d, err := a.getAnyFax(r, actor)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, d)
	return nil
}

func (a *API) cancelFax(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	f, err := a.d.Faxout.Get(r.Context(), actor, pathID(r))
	if err != nil {
		return err
	}
	if f.Direction != model.Outbound {
		return fmt.Errorf("%w: only outbound faxes can be canceled", model.ErrConflict)
	}
	f, err = a.d.Faxout.Cancel(r.Context(), actor, f.ID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, faxDTO(f))
	return nil
}

func (a *API) downloadFax(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	q, err := newQuery(r, "format")
	if err != nil {
		return err
	}
	format := q.get("format")
	if format == "" {
		format = documents.FormatPDF
	}
	if format != "pdf" && format != "tiff" {
		return &httpx.BadRequestError{Message: "format must be pdf or tiff", Field: "format"}
	}
	f, err := a.d.Faxout.Get(r.Context(), actor, pathID(r))
	if errors.Is(err, model.ErrNotFound) || err == nil && f.Direction == model.Inbound {
		in, err := a.d.Faxin.Open(r.Context(), actor, pathID(r), format)
		if err != nil {
			return err
		}
		return serveFile(w, r, documents.File{Name: in.Name, ContentType: in.ContentType, Size: in.Size,
			ModTime: in.ModTime, Body: in.Body, ETag: `"` + pathID(r) + "-" + format + `"`}, "attachment", false)
	}
	if err != nil {
		return err
	}
	df, err := a.d.Documents.Download(r.Context(), actor, f.DocumentID, format)
	if err != nil {
		return err
	}
	return serveFile(w, r, df, "attachment", false)
}

// faxReport serves the transmission report PDF (inbound faxes too).
func (a *API) faxReport(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	if _, err := newQuery(r); err != nil {
		return err
	}
	pdf, err := a.d.Faxout.TransmissionReport(r.Context(), actor, pathID(r))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+pathID(r)+`-report.pdf"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(pdf)))
	w.Header().Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(pdf) // a client gone away is nothing to report
	return nil
}
