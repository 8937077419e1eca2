package model

import "time"

// PrefixDID is the id prefix of DIDs (inbound fax numbers).
const PrefixDID = "did"

// Audit actions of inbound faxing.
const (
	ActionDIDCreated  = "did.created"  // one DID, a range or a CSV import (detail says how many)
	ActionDIDAssigned = "did.assigned" // given to a tenant (its routing starts empty)
	ActionDIDReleased = "did.released" // back to the pool; routing cleared
	ActionDIDRouted   = "did.routing_updated"
	ActionDIDDeleted  = "did.deleted"
	ActionFaxDeleted  = "fax.deleted"         // a received fax removed from the inbox
	ActionFaxPurged   = "fax.purged"          // retention removed stored pages
	ActionFaxRefused  = "fax.receive_refused" // a call to a rejecting DID or a suspended tenant
)

// DIDAction is what happens to a fax received on a DID: forwarded by email
// (and kept in the inbox), kept in the inbox only, or the call is refused.
type DIDAction string

const (
	DIDEmail  DIDAction = "email"
	DIDInbox  DIDAction = "inbox"
	DIDReject DIDAction = "reject"
)

// Valid reports whether a is a known action.
func (a DIDAction) Valid() bool { return a == DIDEmail || a == DIDInbox || a == DIDReject }

// Bounds of a DID's routing.
const (
	MaxDIDForwardEmails = 10
	MaxDIDWebhookURLLen = 2000
	MaxDIDLabelLen      = 100
)

// DID is a phone number faxgate answers. Admins keep the pool and assign
// DIDs to tenants; the tenant routes each of its DIDs (My DIDs). TenantID ""
// means the DID is in the pool; then every routing field is empty.
type DID struct {
	ID       string
	Number   string // E.164
	TenantID string
	Label    string // admin's note
	// Routing, set by the tenant:
	UserID        string    // the user who sees the DID's faxes ("" = the tenant admins only)
	Action        DIDAction // default inbox
	ForwardEmails []string  // fax-to-email addresses (Action email)
	WebhookURL    string    // extra webhook target of fax.received / fax.receive_failed
	// WebhookSecret signs the deliveries to WebhookURL ("whsec_..."); it is
	// made when a URL is first set. Tenant admins may read it; users not.
	WebhookSecret string
	StationID     string // our CSID (<= 20 characters), "" = the number
	AssignedAt    time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Assigned reports whether the DID belongs to a tenant.
func (d DID) Assigned() bool { return d.TenantID != "" }

// ClearRouting resets every routing field (release, re-assignment).
func (d *DID) ClearRouting() {
	d.UserID, d.Action, d.ForwardEmails = "", DIDInbox, nil
	d.WebhookURL, d.WebhookSecret, d.StationID = "", "", ""
}

// InboundFax is a received fax: the common Fax record (Direction inbound;
// To is the DID called, CallerID the caller's number, Pages the pages
// stored, RemoteStationID the sender's TSI, UserID the DID's user at
// reception) plus what only receptions have.
type InboundFax struct {
	Fax
	DIDID string
	// Partial marks a reception that broke off after some pages: the fax
	// is "received" with the pages that arrived, Cause/ResultText say why
	// it stopped. A reception with no page at all is "failed".
	Partial  bool
	Duration time.Duration // of the call
	// FileKey and PDFKey are the blob keys of the stored TIFF-F (G4) and
	// PDF; both "" when nothing was received or the files were purged or
	// deleted.
	FileKey   string
	PDFKey    string
	FileBytes int64 // size of the TIFF
	PDFBytes  int64
	ReadAt    time.Time // zero = unread
	PurgedAt  time.Time // retention removed the files (downloads: ErrGone)
	DeletedAt time.Time // removed from the inbox (the CDR row stays)
}

// Read reports whether someone opened the fax.
func (f InboundFax) Read() bool { return !f.ReadAt.IsZero() }

// Purged reports whether retention removed the fax's files.
func (f InboundFax) Purged() bool { return !f.PurgedAt.IsZero() }
