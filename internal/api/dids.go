package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"faxgate/internal/faxin"
	"faxgate/internal/httpx"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// DID is a number of the DID pool with its routing.
type DID struct {
	ID            string     `json:"id" api:"required,readonly"`
	Number        string     `json:"number" api:"required" doc:"E.164."`
	TenantID      string     `json:"tenant_id" api:"required" doc:"Empty: unassigned."`
	Label         string     `json:"label" api:"required"`
	Action        string     `json:"action" api:"required" enum:"email,inbox,reject"`
	ForwardEmails []string   `json:"forward_emails" api:"required"`
	UserID        string     `json:"user_id" api:"required" doc:"The user who sees the DID's faxes; empty: the tenant admins."`
	WebhookURL    string     `json:"webhook_url" api:"required"`
	StationID     string     `json:"station_id" api:"required" doc:"Our CSID; empty: the number."`
	AssignedAt    *time.Time `json:"assigned_at" api:"required,readonly"`
	CreatedAt     time.Time  `json:"created_at" api:"required,readonly"`
	UpdatedAt     time.Time  `json:"updated_at" api:"required,readonly"`
}

// DIDList is a page of DIDs.
type DIDList struct {
	Items      []DID  `json:"items" api:"required"`
	NextCursor string `json:"next_cursor" api:"required" doc:"Empty on the last page."`
}

// DIDInput adds one number to the pool.
type DIDInput struct {
	Number   string `json:"number" api:"required" doc:"E.164, or national for the default country."`
	TenantID string `json:"tenant_id,omitempty" doc:"Assign at once to this tenant."`
	Label    string `json:"label,omitempty" doc:"At most 100 characters."`
}

// DIDRange adds a range of numbers.
type DIDRange struct {
	From     string `json:"from" api:"required" doc:"First number."`
	To       string `json:"to" api:"required" doc:"Last number (inclusive), as many digits as from."`
	TenantID string `json:"tenant_id,omitempty" doc:"Assign every number to this tenant."`
	Label    string `json:"label,omitempty"`
}

// DIDImport is what a range or CSV import did.
type DIDImport struct {
	Created  []DID    `json:"created" api:"required"`
	Existing []string `json:"existing" api:"required" doc:"Numbers already in the pool, left as they were."`
	Invalid  []string `json:"invalid" api:"required" doc:"Numbers or CSV lines refused, with the reason."`
}

// DIDPatch assigns (tenant_id set) or releases (tenant_id "") a DID.
type DIDPatch struct {
	TenantID *string `json:"tenant_id" api:"required" doc:"The tenant to assign to; empty releases the DID."`
}

// DIDRouting changes a DID's routing; absent fields keep their value.
type DIDRouting struct {
	Action        *string   `json:"action,omitempty" enum:"email,inbox,reject"`
	ForwardEmails *[]string `json:"forward_emails,omitempty" doc:"Fax-to-email addresses, at most 10."`
	UserID        *string   `json:"user_id,omitempty"`
	WebhookURL    *string   `json:"webhook_url,omitempty"`
	StationID     *string   `json:"station_id,omitempty" doc:"At most 20 printable ASCII characters."`
}

func didDTO(d model.DID) DID {
	return DID{ID: d.ID, Number: d.Number, TenantID: d.TenantID, Label: d.Label, Action: string(d.Action),
		ForwardEmails: nonNil(d.ForwardEmails), UserID: d.UserID, WebhookURL: d.WebhookURL,
		StationID: d.StationID, AssignedAt: optTime(d.AssignedAt),
		CreatedAt: utc(d.CreatedAt), UpdatedAt: utc(d.UpdatedAt)}
}

func didImportDTO(res faxin.AddResult) DIDImport {
	return DIDImport{Created: nonNil(mapSlice(res.Created, didDTO)), Existing: nonNil(res.Existing),
		Invalid: nonNil(res.Invalid)}
}

func (a *API) listDIDs(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	q, err := newQuery(r, "q", "tenant_id", "unassigned", "limit", "cursor")
	if err != nil {
		return err
	}
	f := store.DIDFilter{Query: strings.TrimSpace(q.get("q")), TenantID: q.get("tenant_id")}
	switch q.get("unassigned") {
	case "", "false":
	case "true":
		f.Unassigned = true
	default:
		return &httpx.BadRequestError{Message: "unassigned must be true or false", Field: "unassigned"}
	}
	return a.writeDIDs(w, r, actor, q, f)
}

func (a *API) listMyDIDs(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	q, err := newQuery(r, "q", "limit", "cursor")
	if err != nil {
		return err
	}
	return a.writeDIDs(w, r, actor, q, store.DIDFilter{Query: strings.TrimSpace(q.get("q"))})
}

func (a *API) writeDIDs(w http.ResponseWriter, r *http.Request, actor model.Actor, q query, f store.DIDFilter) error {
	o, err := q.page()
	if err != nil {
		return err
	}
	ds, next, err := a.d.Faxin.ListDIDs(r.Context(), actor, f, o)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, DIDList{Items: nonNil(mapSlice(ds, didDTO)), NextCursor: next})
	return nil
}

func (a *API) createDID(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	var in DIDInput
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	d, err := a.d.Faxin.AddDID(r.Context(), actor, faxin.DIDInput{Number: in.Number, TenantID: in.TenantID, Label: in.Label})
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/dids/"+d.ID)
	httpx.WriteJSON(w, http.StatusCreated, didDTO(d))
	return nil
}

func (a *API) createDIDRange(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	var in DIDRange
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	res, err := a.d.Faxin.AddDIDRange(r.Context(), actor, in.From, in.To, in.TenantID, in.Label)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, didImportDTO(res))
	return nil
}

func (a *API) importDIDs(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	q, err := newQuery(r, "tenant_id")
	if err != nil {
		return err
	}
	data, err := readCSV(r)
	if err != nil {
		return err
	}
	res, err := a.d.Faxin.ImportDIDs(r.Context(), actor, bytes.NewReader(data), q.get("tenant_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, didImportDTO(res))
	return nil
}

// readCSV returns the uploaded CSV file: the "file" field of a multipart
// form, or the raw text body. The whole file is read first (bounded by the
// route's MaxBody), so a body over the limit is 413, not a CSV error.
func readCSV(r *http.Request) ([]byte, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var src io.Reader = r.Body
	switch mt {
	case "multipart/form-data":
		if err := r.ParseMultipartForm(maxMultipartMemory); err != nil {
			return nil, csvBodyErr(err)
		}
		defer r.MultipartForm.RemoveAll() //nolint:errcheck // temp files only
		f, _, err := r.FormFile("file")
		if err != nil {
			return nil, model.Invalid("file", "the form has no file field named file")
		}
		defer f.Close()
		src = f
	case "text/csv", "text/plain":
	default:
		return nil, fmt.Errorf("%w: send text/csv, text/plain or multipart/form-data", httpx.ErrUnsupportedMediaType)
	}
	data, err := io.ReadAll(io.LimitReader(src, faxin.MaxImportBytes+1))
	if err != nil {
		return nil, csvBodyErr(err)
	}
	switch {
	case len(data) > faxin.MaxImportBytes:
		return nil, fmt.Errorf("%w: a CSV file may hold at most %d bytes", model.ErrTooLarge, faxin.MaxImportBytes)
	case len(bytes.TrimSpace(data)) == 0:
		return nil, model.Invalid("file", "the file is empty")
	}
	return data, nil
}

func csvBodyErr(err error) error {
	var me *http.MaxBytesError
	if errors.As(err, &me) || strings.Contains(err.Error(), "request body too large") {
		return fmt.Errorf("%w: a CSV file may hold at most %d bytes", model.ErrTooLarge, faxin.MaxImportBytes)
	}
	return httpx.BadRequest("cannot read the upload: %v", err)
}

func (a *API) getDID(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	d, err := a.d.Faxin.GetDID(r.Context(), actor, pathID(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, didDTO(d))
	return nil
}

func (a *API) patchDID(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	var in DIDPatch
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	if in.TenantID == nil {
		return model.Invalid("tenant_id", "is required: a tenant id to assign, or \"\" to release")
	}
	var (
		d   model.DID
		err error
	)
	if *in.TenantID == "" {
		d, err = a.d.Faxin.ReleaseDID(r.Context(), actor, pathID(r))
	} else {
		d, err = a.d.Faxin.AssignDID(r.Context(), actor, pathID(r), *in.TenantID)
	}
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, didDTO(d))
	return nil
}

func (a *API) deleteDID(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	if err := a.d.Faxin.DeleteDID(r.Context(), actor, pathID(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) routeMyDID(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	var in DIDRouting
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	ri := faxin.RoutingInput{ForwardEmails: in.ForwardEmails, UserID: in.UserID, WebhookURL: in.WebhookURL,
		StationID: in.StationID}
	if in.Action != nil {
		act := model.DIDAction(*in.Action)
		ri.Action = &act
	}
	before, err := a.d.Faxin.GetDID(r.Context(), actor, pathID(r))
	if err != nil {
		return err
	}
	d, err := a.d.Faxin.UpdateRouting(r.Context(), actor, pathID(r), ri)
	if err != nil {
		return err
	}
	out := DIDRouted{DID: didDTO(d)}
	if d.WebhookSecret != "" && d.WebhookSecret != before.WebhookSecret {
		out.Secret = d.WebhookSecret // made by this request: shown this once
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// DIDRouted answers a routing change: the DID, and the signing secret of
// its webhook when this change created it.
type DIDRouted struct {
	DID
	Secret string `json:"secret,omitempty" api:"readonly" doc:"Signs the deliveries to webhook_url (Standard Webhooks). Present only in the answer that set the first webhook URL: store it now, it is never shown again."`
}
