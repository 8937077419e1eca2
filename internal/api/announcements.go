package api

import (
	"net/http"
	"time"

	"faxgate/internal/announce"
	"faxgate/internal/httpx"
	"faxgate/internal/model"
)

// Announcement is a message shown to a tenant's users (or, without
// tenant_id, to everyone) on the dashboard and the login page.
type Announcement struct {
	ID        string     `json:"id" api:"required,readonly"`
	TenantID  string     `json:"tenant_id" api:"required,readonly" doc:"Empty for a platform-wide announcement."`
	Message   string     `json:"message" api:"required"`
	Level     string     `json:"level" api:"required" enum:"info,warning"`
	StartsAt  time.Time  `json:"starts_at" api:"required"`
	ExpiresAt *time.Time `json:"expires_at" api:"required" doc:"null: shown until removed."`
	Active    bool       `json:"active" api:"required,readonly" doc:"Shown right now."`
	CreatedBy string     `json:"created_by" api:"required,readonly"`
	CreatedAt time.Time  `json:"created_at" api:"required,readonly"`
	UpdatedAt time.Time  `json:"updated_at" api:"required,readonly"`
}

// AnnouncementInput posts or changes an announcement.
type AnnouncementInput struct {
	TenantID  string     `json:"tenant_id" doc:"Admins: post for this tenant; omit for platform-wide. Ignored for tenant admins and on change."`
	Message   string     `json:"message" api:"required" doc:"1 to 1000 characters of plain text."`
	Level     string     `json:"level" enum:"info,warning" doc:"Default info."`
	StartsAt  *time.Time `json:"starts_at" doc:"Default now."`
	ExpiresAt *time.Time `json:"expires_at" doc:"Omit or null: until removed."`
}

// AnnouncementList is one page of announcements, newest first.
type AnnouncementList struct {
	Items      []Announcement `json:"items" api:"required"`
	NextCursor string         `json:"next_cursor" api:"required"`
}

func announcementDTO(now time.Time) func(model.Announcement) Announcement {
	return func(x model.Announcement) Announcement {
		return Announcement{ID: x.ID, TenantID: x.TenantID, Message: x.Message, Level: string(x.Level),
			StartsAt: x.StartsAt, ExpiresAt: optTime(x.ExpiresAt), Active: x.ActiveAt(now), CreatedBy: x.CreatedBy,
			CreatedAt: x.CreatedAt, UpdatedAt: x.UpdatedAt}
	}
}

func (in AnnouncementInput) domain() announce.Input {
	out := announce.Input{TenantID: in.TenantID, Message: in.Message, Level: model.AnnouncementLevel(in.Level)}
	if in.StartsAt != nil {
		out.StartsAt = *in.StartsAt
	}
	if in.ExpiresAt != nil {
		out.ExpiresAt = *in.ExpiresAt
	}
	return out
}

func (a *API) announcementRoutes() []Route {
	return []Route{
		{Method: "GET", Path: Prefix + "/announcements", ID: "listAnnouncements", Tag: "announcements",
			Resp: AnnouncementList{}, handle: a.listAnnouncements,
			Summary: "Announcements: with active=true, those shown to the caller now (any role); otherwise the ones the caller manages.",
			Query: withPage(
				Param{Name: "active", Enum: []string{"true", "false"}, Desc: "true: what the caller's users see now (platform-wide first)."},
				Param{Name: "scope", Enum: []string{"platform"}, Desc: "Admins: only the platform-wide ones."},
				tenantParam)},
		{Method: "POST", Path: Prefix + "/announcements", ID: "createAnnouncement", Tag: "announcements",
			Roles: tenantAdmins, Body: AnnouncementInput{}, Resp: Announcement{}, Status: http.StatusCreated,
			Summary: "Post an announcement (tenant admins: for their users; admins: platform-wide or for a tenant).",
			handle:  a.createAnnouncement},
		{Method: "GET", Path: Prefix + "/announcements/{id}", ID: "getAnnouncement", Tag: "announcements",
			Roles: tenantAdmins, Resp: Announcement{}, Summary: "Get an announcement.", handle: a.getAnnouncement},
		{Method: "PATCH", Path: Prefix + "/announcements/{id}", ID: "updateAnnouncement", Tag: "announcements",
			Roles: tenantAdmins, Body: AnnouncementInput{}, Resp: Announcement{},
			Summary: "Change an announcement's message, level or times (send the whole announcement).",
			handle:  a.updateAnnouncement},
		{Method: "DELETE", Path: Prefix + "/announcements/{id}", ID: "deleteAnnouncement", Tag: "announcements",
			Roles: tenantAdmins, Status: http.StatusNoContent, Summary: "Remove an announcement.",
			handle: a.deleteAnnouncement},
	}
}

func (a *API) listAnnouncements(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	q, err := newQuery(r, "active", "scope", "tenant_id", "limit", "cursor")
	if err != nil {
		return err
	}
	now := time.Now()
	switch q.get("active") {
	case "true":
		items, err := a.d.Announcements.Active(r.Context(), actor.TenantID)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, AnnouncementList{Items: mapSlice(items, announcementDTO(now))})
		return nil
	case "", "false":
	default:
		return model.Invalid("active", "must be true or false")
	}
	if actor.Role == model.RoleUser {
		return model.ErrForbidden
	}
	tenantID, err := q.tenantID(actor)
	if err != nil {
		return err
	}
	o, err := q.page()
	if err != nil {
		return err
	}
	f := announce.Filter{TenantID: tenantID}
	switch q.get("scope") {
	case "platform":
		f.PlatformOnly = true
	case "":
	default:
		return model.Invalid("scope", "must be platform")
	}
	items, next, err := a.d.Announcements.List(r.Context(), actor, f, o)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, AnnouncementList{Items: mapSlice(items, announcementDTO(now)), NextCursor: next})
	return nil
}

func (a *API) createAnnouncement(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	var in AnnouncementInput
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	x, err := a.d.Announcements.Create(r.Context(), actor, in.domain())
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/announcements/"+x.ID)
	httpx.WriteJSON(w, http.StatusCreated, announcementDTO(time.Now())(x))
	return nil
}

func (a *API) getAnnouncement(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	x, err := a.d.Announcements.Get(r.Context(), actor, pathID(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, announcementDTO(time.Now())(x))
	return nil
}

func (a *API) updateAnnouncement(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	var in AnnouncementInput
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	x, err := a.d.Announcements.Update(r.Context(), actor, pathID(r), in.domain())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, announcementDTO(time.Now())(x))
	return nil
}

func (a *API) deleteAnnouncement(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	if err := a.d.Announcements.Delete(r.Context(), actor, pathID(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
