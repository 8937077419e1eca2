package ui

import (
	"context"
	"net/http"
	"strings"
	"time"

	"faxgate/internal/faxin"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// inboxListData is the data of the Receive Fax list.
type inboxListData struct {
	Rows       []inboxView
	Pager      pager
	Filter     *form
	Statuses   []option
	DIDs       []option
	AllTenants bool
	Filtered   bool
	Live       bool   // first page: new faxes appear by themselves
	Self       string // the list's current URL, polled for new faxes
	Unread     int
}

// inboxList is Receive Fax: the faxes received on the DIDs the actor may
// see (users: those routed to them; tenant admins: all of the tenant's;
// admins: every tenant's), newest first, unread ones in bold. The first
// page polls itself so a fax that arrives shows up without a reload.
func (h *Handler) inboxList(w http.ResponseWriter, r *http.Request) {
	actor, ctx := actorOf(r), r.Context()
	filter, inf := inboxFilter(r)
	faxes, next, err := h.inbox.List(ctx, actor, inf, listOptions(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := inboxListData{Filter: filter, Statuses: inboxStatusOptions(), AllTenants: actor.IsAdmin(),
		Filtered: inf.Query != "" || inf.DIDID != "" || len(inf.Status) > 0 || inf.Read != nil || !inf.From.IsZero() || !inf.To.IsZero(),
		Self:     r.URL.RequestURI(),
		Pager:    newPager(r, next), Live: r.URL.Query().Get("cursor") == ""}
	if d.DIDs, err = h.didOptions(ctx, actor, "All numbers"); err != nil {
		h.fail(w, r, err)
		return
	}
	unread := false
	if d.Unread, err = h.inbox.Count(ctx, actor, faxin.InboxFilter{Read: &unread}); err != nil {
		h.fail(w, r, err)
		return
	}
	names := h.tenantNamer(ctx, actor)
	for _, f := range faxes {
		row := inboxView{InboundFax: f}
		if actor.IsAdmin() {
			row.Tenant = names(f.TenantID)
		}
		d.Rows = append(d.Rows, row)
	}
	v := h.newView(w, r, "Receive Fax", "inbox")
	v.Data = d
	h.render(w, r, http.StatusOK, "inbox", v)
}

// inboxFilter reads the list filters (search, DID, status, unread only,
// from and to day); unknown values are ignored.
func inboxFilter(r *http.Request) (*form, faxin.InboxFilter) {
	q := r.URL.Query()
	f := newForm()
	var inf faxin.InboxFilter
	if id := q.Get("did_id"); model.ValidID(model.PrefixDID, id) {
		inf.DIDID = id
		f.Set("did_id", id)
	}
	switch st := model.FaxStatus(q.Get("status")); st {
	case model.FaxReceived, model.FaxFailed, model.FaxReceiving:
		inf.Status = []model.FaxStatus{st}
		f.Set("status", string(st))
	}
	if s := strings.TrimSpace(q.Get("q")); s != "" && len(s) <= 64 {
		inf.Query = s
		f.Set("q", s)
	}
	if q.Get("unread") == "1" {
		read := false
		inf.Read = &read
		f.Set("unread", "1")
	}
	if d, err := time.Parse(time.DateOnly, q.Get("from")); err == nil {
		inf.From = d
		f.Set("from", q.Get("from"))
	}
	if d, err := time.Parse(time.DateOnly, q.Get("to")); err == nil {
		inf.To = d.AddDate(0, 0, 1) // the whole "to" day
		f.Set("to", q.Get("to"))
	}
	return f, inf
}

// didOptions lists the DIDs the actor may see (at most 500) for a filter.
func (h *Handler) didOptions(ctx context.Context, actor model.Actor, blank string) ([]option, error) {
	dids, _, err := h.inbox.ListDIDs(ctx, actor, store.DIDFilter{}, model.ListOptions{Limit: 500})
	if err != nil {
		return nil, err
	}
	opts := []option{{"", blank}}
	for _, d := range dids {
		if actor.IsAdmin() && !d.Assigned() {
			continue
		}
		label := d.Number
		if d.Label != "" {
			label += " (" + d.Label + ")"
		}
		opts = append(opts, option{d.ID, label})
	}
	return opts, nil
}
