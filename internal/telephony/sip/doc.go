// Package sip is faxgate's SIP user agent: it sends and receives faxes over
// SIP trunks, in G.711 audio or T.38, on top of github.com/emiago/sipgo
// (transport and transaction layers) with its own dialog layer, the SDP
// offer/answer of internal/telephony/sdp, and the per-call media engine of
// internal/telephony/sip/media (RTP or UDPTL around the spandsp fax engine
// of internal/telephony/t30). It knows nothing of the database or HTTP:
// the trunk adapter turns a trunk's settings into a Dial and the inbound
// routing into a Handler.
//
//	ua, _ := sip.NewUA(sip.Config{ListenAddr: "0.0.0.0:5060", RTPPorts: pool, Handler: route})
//	_ = ua.Start(ctx)
//	res, err := ua.SendFax(ctx, sip.Dial{Target: "sip:+15551234@carrier", Policy: sip.DefaultPolicy(), TIFFPath: f})
//
// # Signalling
//
// One UDP and one TCP listener share a port. Every UDP request leaves from
// the UDP listener (so replies and in-dialog requests come back to it);
// Via, Contact and SDP carry Config.PublicIP, else the listen address, else
// the local address that routes to the peer.
//
// TLS (Config.TLSListenAddr, TLSServer) has its own listener and port
// (5061 by convention): calls and registrations over TLS name it in Via
// and in Contact ("sip:user@host:port;transport=tls"), so the far end's
// in-dialog requests reach it, and need it (a TLS call without it fails,
// cause internal). We verify every server we connect to (Config.TLSClient,
// the system's roots when nil) against the host dialled: the target or
// outbound proxy, the far Contact for in-dialog requests. A failed
// handshake is a transport failure (cause unreachable, the x509 error in
// CauseText). TLS covers the signalling only: media stays RTP/UDPTL.
//
// Dial.OutboundProxy and Registration.OutboundProxy ("host[:port]", port
// 5060 or 5061 for TLS) receive the initial INVITE and every REGISTER; the
// Request-URI and To keep naming the target or registrar.
//
// Outbound (SendFax):
//
//	A (faxgate)                                 far end
//	INVITE (SDP: PCMU, PCMA; Supported: timer,
//	        Session-Expires, Min-SE)        -->
//	                                        <--  100 / 180 / 183 (early media ignored)
//	                                        <--  401/407: INVITE again with digest (2 tries)
//	                                        <--  422: INVITE again with the far Min-SE
//	                                        <--  200 OK (SDP)
//	ACK                                     -->  (re-sent on each 2xx retransmission)
//	[G.711: audio fax engine, CNG]
//	re-INVITE (m=image udptl t38) after ReinviteAfter (request/require), or
//	                                        <--  re-INVITE (m=image) from the far end
//	[200 + ACK: T.38 terminal, same role and file; same socket, now UDPTL]
//	...                                     <--> session refresh re-INVITEs (SDP unchanged)
//	[T.30 phase E]
//	BYE (1 s after, as the sender)          -->
//
// The ring timeout (Dial.Timeout) or the end of ctx gives up the INVITE:
// with CANCEL once a provisional response came (RFC 3261 §9.1), at once
// (cause unreachable) when nothing came back at all. A 2xx crossing our
// CANCEL is ACKed and hung up.
//
// Inbound: new INVITEs are checked (From tag, Contact, digest when
// Config.InboundAuth is set, Session-Expires against Min-SE → 422, an SDP
// offer; a delayed-offer INVITE gets 488), then the Handler decides with
// the DID (the Request-URI user, else the To user, digits only: see
// ExtractDID). A rejection is sent as is (404, 403, 486, 503...); an
// acceptance gets 100, 180, a wait of Receive.RingFor if set (a CANCEL
// meanwhile ends it, 487), then 200 with the SDP answer, retransmitted
// until the ACK (64*T1, then BYE). The audio fax engine starts with the 200
// (CED, DIS), and with policy request/require our T.38 re-INVITE follows
// ReinviteAfter (1 s) later unless the far end sent one first. An offer
// with both m=audio and m=image is answered with T.38 unless the policy is
// off (then audio, and m=image 0). OPTIONS is answered 200 in or out of a
// dialog; REGISTER is accepted only with Config.OnRegister.
//
// # T.38 policy
//
//	off      answer far T.38 offers with 488; never ask
//	accept   take far T.38 offers; never ask
//	request  take them, and ask ReinviteAfter after the answer; on 488/415/
//	         606/other refusal or no final response within ReinviteTimeout
//	         (CANCEL) stay in audio (event "fallback")
//	require  as request, but a refusal ends the call: BYE, cause
//	         fax_negotiation
//
// A move to T.38 is refused (488) once a page went through in audio: T.30
// restarts on a switch, which is harmless only in phase A/B.
//
// # Call state machine
//
// Each answered call has one loop goroutine (call.run) that owns the
// dialog state, the timers and the decisions; sipgo's handler goroutines
// hand it requests and wait for it to answer. The media engine has its own
// goroutine owning the t30 session and the 20 ms ticker (see package
// media); the loop drives it with Switch/Update/Hangup/Stop.
//
//	           INVITE/200/ACK
//	setup ─────────────────────────► audio ──── our re-INVITE 2xx ────► t38
//	  │  4xx-6xx, CANCEL,              │  ▲      or far re-INVITE          │
//	  │  no response                   │  └──── far re-INVITE (audio) ◄────┤
//	  ▼                                │         (not with require)        │
//	failed (never answered)            ├── BYE in / ctx / max duration ────┤
//	                                   ├── T.30 phase E: BYE after 1 s ────┤
//	                                   │   (sender) or 4 s (receiver)      │
//	                                   ├── T.38 refused under require ─────┤
//	                                   ├── session expired, ACK lost,      │
//	                                   │   408/481/timeout on a refresh ───┤
//	                                   ▼                                   ▼
//	                                 ended: BYE unless the far end sent it,
//	                                 media stopped, CallResult filled
//
// While one of our re-INVITEs is pending the loop is "inviting": a far
// re-INVITE gets 491 (glare). A 491 to ours makes us wait 2.1-4 s when we
// own the Call-ID (we sent the initial INVITE), else 0-2 s, then try again
// if still useful (RFC 3261 §14.1). While our 2xx to a far re-INVITE awaits
// its ACK, a new one gets 500 with Retry-After (RFC 3261 §14.2).
//
// A far re-INVITE (or UPDATE with SDP) whose SDP equals the current one
// apart from the o= version is a session refresh: it is answered with our
// current SDP, stamped with the same o= version, and nothing touches the
// media. Any other offer is negotiated: a change of transport switches the
// media engine (after our 200 is sent, so the far end's first UDPTL
// packets, which may overtake its ACK, are not taken for RTP), a new
// address or codec only updates it.
//
// # Session timers (RFC 4028)
//
// We ask for Config.SessionExpires (1800 s) with Min-SE (90 s), answer 422
// below our Min-SE, and let the far end choose the refresher; as UAS we
// name the requester (refresher=uac, Require: timer) when it supports
// timers, else ourselves. The refresher re-INVITEs with its unchanged SDP
// every interval/2 (we refresh with re-INVITE, never UPDATE; UPDATEs from
// the far end are answered); the other side sends BYE if no refresh came
// by interval - min(32 s, interval/3). A refresh that times out or gets
// 408/481 ends the call (cause network). Every re-INVITE counts as a
// refresh.
//
// # Results
//
// SendFax and the Decision.Done callback return a CallResult: the CDR of
// the attempt (Call-ID, final SIP status, transport t38/g711, codec, T.38
// parameters, packet counters per leg, the t30 result) with a Cause using
// model.Cause's values: busy (486/600), no_answer (408/480, ring timeout),
// rejected (403/603, 3xx, other 4xx/6xx, failed auth), unreachable (no
// response, transport failure, 404/410/484/604), fax_negotiation (488/606,
// T.38 required but refused, no T.30 handshake), fax_transfer (the fax
// broke down or the far end hung up mid-fax: RemoteHangup), network (5xx,
// session expiry, lost ACK, failed refresh), canceled (ctx, Hangup, Close)
// and internal.
//
// # Registration
//
// Register keeps a binding at a carrier's registrar (digest auth, refresh
// half-way for short lifetimes and a minute before expiry for long ones,
// 423 Min-Expires, exponential backoff with jitter between RetryMin and
// RetryMax after failures, Expires: 0 when its context ends), reporting
// each outcome to OnState for the portal. With Config.OnRegister the UA is
// itself a minimal registrar (tests, lab setups).
//
// Not supported: SRTP (media in clear, also over TLS), sips: URIs and
// mutual TLS, delayed-offer INVITEs, target refresh (a new Contact in a
// re-INVITE), forked 2xx responses, G.711 on dynamic payload types.
package sip
