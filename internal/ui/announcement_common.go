package ui

import (
	"context"
	"net/http"
	"strings"
	"time"

	"faxgate/internal/announce"
	"faxgate/internal/model"
)

// announcementRoutes are Configuration > Announcement (tenant admins) and
// Administration > Announcements (admins): the same pages, scoped by role.
func (h *Handler) announcementRoutes() []route {
	return []route{
		{"GET /settings/announcements", manager, h.announcementList},
		{"POST /settings/announcements", manager, h.announcementCreate},
		{"GET /settings/announcements/{id}/edit", manager, h.announcementEdit},
		{"POST /settings/announcements/{id}", manager, h.announcementUpdate},
		{"GET /settings/announcements/{id}/delete", manager, h.announcementDeleteConfirm},
		{"POST /settings/announcements/{id}/delete", manager, h.announcementDelete},
	}
}

const announcementsHome = "/settings/announcements"

// announcementRow is an announcement as the list shows it.
type announcementRow struct {
	model.Announcement
	Tenant          string // admins: the tenant's name, "" platform-wide
	Starts, Expires string // in the viewer's zone
	State           string // Showing | Scheduled | Expired
}

// announcementData is the data of the announcement pages.
type announcementData struct {
	Rows    []announcementRow
	Pager   pager
	Tenants []option // admins: where to post
	Levels  []option
	Zone    string
	Editing *model.Announcement // the edit page
	Query   string              // the list's search
}

var announcementLevels = []option{{"info", "Information"}, {"warning", "Warning (highlighted)"}}

// announcementForm reads the posted fields; times are local to loc.
func announcementForm(r *http.Request, loc *time.Location) (*form, announce.Input) {
	f := newForm()
	for _, k := range []string{"message", "level", "starts_at", "expires_at", "tenant_id"} {
		f.Set(k, strings.TrimSpace(r.PostFormValue(k)))
	}
	in := announce.Input{Message: f.Get("message"), Level: model.AnnouncementLevel(f.Get("level")),
		TenantID: f.Get("tenant_id")}
	in.StartsAt = parseLocal(f, "starts_at", loc)
	in.ExpiresAt = parseLocal(f, "expires_at", loc)
	return f, in
}

// parseLocal parses a datetime-local field in loc; "" is the zero time.
func parseLocal(f *form, name string, loc *time.Location) time.Time {
	s := f.Get(name)
	if s == "" {
		return time.Time{}
	}
	t, err := time.ParseInLocation("2006-01-02T15:04", s, loc)
	if err != nil {
		f.Invalid(name, "must be a date and time")
		return time.Time{}
	}
	return t
}

func localInput(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("2006-01-02T15:04")
}

// renderAnnouncements draws the list page with the new-announcement form f.
func (h *Handler) renderAnnouncements(w http.ResponseWriter, r *http.Request, status int, f *form) {
	actor, ctx := actorOf(r), r.Context()
	loc := h.zone(r)
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if len(q) > 100 {
		q = q[:100]
	}
	items, next, err := h.announce.List(ctx, actor, announce.Filter{Query: q}, listOptions(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := announcementData{Levels: announcementLevels, Zone: loc.String(), Pager: newPager(r, next), Query: q}
	names, err := h.tenantNames(ctx, actor)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	now := h.now()
	for _, a := range items {
		d.Rows = append(d.Rows, newAnnouncementRow(a, names[a.TenantID], loc, now))
	}
	if actor.IsAdmin() {
		if d.Tenants, err = h.tenantOptions(ctx, actor, "Everyone (platform-wide)"); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	title := "Announcement"
	if actor.IsAdmin() {
		title = "Announcements"
	}
	v := h.newView(w, r, title, "announcements")
	v.Form, v.Data = f, d
	h.render(w, r, status, "announcements", v)
}

func newAnnouncementRow(a model.Announcement, tenant string, loc *time.Location, now time.Time) announcementRow {
	row := announcementRow{Announcement: a, Tenant: tenant, Starts: a.StartsAt.In(loc).Format("2006-01-02 15:04"),
		State: "Showing"}
	if !a.ExpiresAt.IsZero() {
		row.Expires = a.ExpiresAt.In(loc).Format("2006-01-02 15:04")
	}
	switch {
	case now.Before(a.StartsAt):
		row.State = "Scheduled"
	case !a.ActiveAt(now):
		row.State = "Expired"
	}
	return row
}

// tenantNames maps tenant ids to names for admins (nil map for others).
func (h *Handler) tenantNames(ctx context.Context, actor model.Actor) (map[string]string, error) {
	if !actor.IsAdmin() {
		return map[string]string{}, nil
	}
	opts, err := h.tenantOptions(ctx, actor, "")
	names := map[string]string{}
	for _, o := range opts {
		names[o.Value] = o.Label
	}
	return names, err
}

// loadAnnouncement reads the {id} announcement or answers 404.
func (h *Handler) loadAnnouncement(w http.ResponseWriter, r *http.Request) (model.Announcement, bool) {
	id := r.PathValue("id")
	if !model.ValidID(model.PrefixAnnouncement, id) {
		h.notFoundPage(w, r)
		return model.Announcement{}, false
	}
	a, err := h.announce.Get(r.Context(), actorOf(r), id)
	if err != nil {
		h.fail(w, r, err)
		return model.Announcement{}, false
	}
	return a, true
}
