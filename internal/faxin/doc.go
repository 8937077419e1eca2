// Package faxin is inbound faxing: the DID pool and each DID's routing
// ("My DIDs"), the path of a received fax from the call to the inbox, the
// fax-to-email and webhook notifications, the Receive Fax inbox and the
// retention purge.
//
// # The inbound path
//
// It is independent of telephony. Any line that is offered a call (the SIP
// stack, the built-in test line through DeliverLocal) does:
//
//	rt, err := svc.Route(ctx, called, caller)     // before answering
//	if !rt.Accept { refuse the call (rt.Reason); return }
//	id, rxPath, err := svc.Begin(ctx, rt, faxin.CallInfo{...})
//	... answer, run the fax engine writing the received TIFF to rxPath ...
//	svc.Finish(ctx, id, faxin.Result{...})        // always, also on failure
//
// Begin creates the fax (direction inbound, status receiving) and names a
// spool file on this node for the engine; Finish stores the pages as TIFF-F
// (G4) and PDF in the blob store, marks the fax received or failed, writes
// the attempt (the CDR row) and, in the same transaction, enqueues the
// fax-to-email job (action email) and the fax.received /
// fax.receive_failed webhooks (the tenant's endpoints and the DID's URL).
//
// # Partial receptions
//
// A call that breaks off after some pages keeps them: the fax is
// "received" with Partial set, Pages the pages that arrived, and
// Cause/ResultText saying why it stopped (it is emailed and posted as
// fax.received with "partial": true). A call that brought no page at all
// is "failed" (fax.receive_failed, no email).
//
// # Visibility
//
// Admins see every tenant's DIDs and faxes; tenant admins their tenant's;
// users the DIDs routed to them and the faxes received on them (a fax
// belongs to the DID's user at the time it arrived). Anything else is
// model.ErrNotFound.
//
// # Page images
//
// PageImage renders a page's thumbnail or full preview (PNG) from the
// stored TIFF on first request and caches it in the fax's blob folder, so
// Delete and the retention purge remove the images with the pages.
//
// # Retention
//
// A daily River job (KindRetention) removes the stored files of received
// faxes older than the tenant's retention period (bounded by the platform
// minimum and maximum), keeps the fax and its CDR row and sets PurgedAt;
// File then answers model.ErrGone (HTTP 410).
package faxin
