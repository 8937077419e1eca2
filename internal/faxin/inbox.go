package faxin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// InboxFilter narrows the inbox list; zero fields do not filter.
type InboxFilter struct {
	DIDID    string
	Status   []model.FaxStatus
	Read     *bool
	From, To time.Time
	TenantID string // admins only
	UserID   string // admins and tenant admins: the faxes of one user
	Query    string // substring of the caller ID, the DID or the sender's station id
}

// visible returns the fax if the actor may see it: admins any, tenant
// admins their tenant's, users the faxes routed to them.
func (s *Service) visible(ctx context.Context, actor model.Actor, id string) (model.InboundFax, error) {
	if err := checkActor(actor); err != nil {
		return model.InboundFax{}, err
	}
	f, err := s.st.GetInboundFax(ctx, actor.Scope(), id)
	if err != nil {
		return model.InboundFax{}, err
	}
	if actor.Role == model.RoleUser && f.UserID != actor.UserID {
		return model.InboundFax{}, model.ErrNotFound
	}
	return f, nil
}

// Get returns a received fax with its attempt (the CDR row).
func (s *Service) Get(ctx context.Context, actor model.Actor, id string) (model.InboundFax, error) {
	f, err := s.visible(ctx, actor, id)
	if err != nil {
		return model.InboundFax{}, err
	}
	f.Attempts, err = s.st.ListAttempts(ctx, model.TenantScope(f.TenantID), f.ID)
	f.Source = ""
	return f, err
}

// List lists the received faxes the actor may see, newest first.
func (s *Service) List(ctx context.Context, actor model.Actor, f InboxFilter, o model.ListOptions) ([]model.InboundFax, string, error) {
	if err := checkActor(actor); err != nil {
		return nil, "", err
	}
	sf := store.InboundFilter{DIDID: f.DIDID, Status: f.Status, Read: f.Read, From: f.From, To: f.To, UserID: f.UserID,
		Query: f.Query}
	if actor.IsAdmin() {
		sf.TenantID = f.TenantID
	}
	if actor.Role == model.RoleUser {
		sf.UserID = actor.UserID
	}
	items, next, err := s.st.ListInboundFaxes(ctx, actor.Scope(), sf, o)
	for i := range items {
		items[i].Source = ""
	}
	return items, next, err
}

// Count counts what List would list.
func (s *Service) Count(ctx context.Context, actor model.Actor, f InboxFilter) (int, error) {
	if err := checkActor(actor); err != nil {
		return 0, err
	}
	sf := store.InboundFilter{DIDID: f.DIDID, Status: f.Status, Read: f.Read, From: f.From, To: f.To, UserID: f.UserID,
		Query: f.Query}
	if actor.IsAdmin() {
		sf.TenantID = f.TenantID
	}
	if actor.Role == model.RoleUser {
		sf.UserID = actor.UserID
	}
	return s.st.CountInboundFaxes(ctx, actor.Scope(), sf)
}

// ActionFaxUnread is the audit action of marking a received fax unread
// (opening it marks it read, which is not audited: it is reading).
const ActionFaxUnread = "fax.marked_unread"

// MarkRead marks a received fax read (true) or unread (false).
func (s *Service) MarkRead(ctx context.Context, actor model.Actor, id string, read bool) error {
	f, err := s.visible(ctx, actor, id)
	if err != nil {
		return err
	}
	at := timeZero
	if read {
		at = s.now()
	}
	if err := s.st.SetInboundFaxRead(ctx, model.TenantScope(f.TenantID), f.ID, at); err != nil {
		return err
	}
	if !read {
		s.au.Record(ctx, actor, ActionFaxUnread, "fax", f.ID, "received fax from "+orWithheld(f.CallerID)+" to "+f.To+
			" marked unread", f.TenantID)
	}
	return nil
}

// Delete removes a received fax from the inbox and its files from the
// blob store; the fax row and its CDR row stay for reports. Users may
// delete the faxes routed to them.
func (s *Service) Delete(ctx context.Context, actor model.Actor, id string) error {
	f, err := s.visible(ctx, actor, id)
	if err != nil {
		return err
	}
	if f.Status == model.FaxReceiving {
		return fmt.Errorf("%w: the fax is still being received", model.ErrConflict)
	}
	if _, err := s.st.DeleteInboundFax(ctx, model.TenantScope(f.TenantID), f.ID, s.now()); err != nil {
		return err
	}
	s.dropFiles(ctx, f)
	s.au.Record(ctx, actor, model.ActionFaxDeleted, "fax", f.ID, "received fax from "+orWithheld(f.CallerID)+" to "+f.To+" deleted", f.TenantID)
	return nil
}

// File is a downloadable file of a received fax.
type File struct {
	Name        string
	ContentType string
	Size        int64
	ModTime     time.Time
	Body        io.ReadCloser // an *os.File with the FS blob store (io.ReadSeeker)
}

// ErrNoPages is returned (wrapping model.ErrNotFound) for a fax that
// brought no page: there is nothing to download.
var ErrNoPages = fmt.Errorf("%w: the fax has no pages", model.ErrNotFound)

// Open returns the fax's PDF (format "pdf") or TIFF-F ("tiff"). A fax
// purged by retention answers an error wrapping model.ErrGone (HTTP 410).
func (s *Service) Open(ctx context.Context, actor model.Actor, id, format string) (File, error) {
	f, err := s.visible(ctx, actor, id)
	if err != nil {
		return File{}, err
	}
	key, ctype, ext := f.PDFKey, "application/pdf", "pdf"
	switch format {
	case "pdf", "":
	case "tiff", "tif":
		key, ctype, ext = f.FileKey, "image/tiff", "tif"
	default:
		return File{}, model.Invalid("format", "must be pdf or tiff")
	}
	switch {
	case f.Purged():
		return File{}, fmt.Errorf("%w: the fax's pages were removed on %s by the retention period",
			model.ErrGone, f.PurgedAt.UTC().Format("2006-01-02"))
	case key == "":
		return File{}, ErrNoPages
	}
	info, err := s.blob.Stat(ctx, key)
	if err != nil {
		return File{}, err
	}
	rc, err := s.blob.Open(ctx, key)
	if errors.Is(err, model.ErrNotFound) {
		return File{}, fmt.Errorf("faxin: the file of fax %s is missing: %w", f.ID, err)
	}
	if err != nil {
		return File{}, err
	}
	name := attachmentName(f)
	name = name[:len(name)-len(".pdf")] + "." + ext
	return File{Name: name, ContentType: ctype, Size: info.Size, ModTime: info.ModTime, Body: rc}, nil
}
