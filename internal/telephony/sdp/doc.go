// Package sdp parses and builds the session descriptions faxgate exchanges
// with SIP peers (RFC 8866, formerly RFC 4566) and runs the offer/answer
// model (RFC 3264) for the two kinds of media a fax call uses: G.711 audio
// (m=audio RTP/AVP, PCMU 0 / PCMA 8, telephone-event optional) and T.38 over
// UDPTL (m=image udptl t38, RFC 3362, with the attributes of ITU-T T.38
// Annex D/E).
//
// # Parsing: strict, but liberal where the world is
//
// Parse accepts CRLF or bare LF line ends, blank lines, trailing blanks, and
// the session-level lines in any order (v= must come first). It bounds the
// input: at most MaxSize octets, MaxLineLength octets per line and MaxMedia
// m= lines. Everything else is an error that names the line, for example
//
//	sdp: line 5: m= line has a non-numeric port "abc"
//
// Known attributes become typed fields (Direction, RTPMaps, Ptime, T38);
// every other attribute is kept, in order, in Attributes and written back by
// Marshal. Other optional lines (i=, u=, e=, p=, z=, k=, r=) are kept too.
// Marshal writes the canonical RFC 8866 order with CRLF, so for any input x
// that parses, Parse(Marshal(Parse(x))) equals Parse(x) (FuzzParse checks it).
//
// Decisions on what the world sends:
//   - c= must be an IP literal (IP4 or IP6 matching the address); host names
//     and multicast (address/ttl) are refused: no fax peer uses them.
//     0.0.0.0 (RFC 2543 hold) is accepted and reported as Hold.
//   - A media description with a non-zero port needs a c= line, its own or
//     the session's. Rejected streams (port 0) need neither c= nor formats.
//   - Missing s= or t= lines are tolerated (read as "s=-" and "t=0 0").
//   - T.38 attribute names are matched case-insensitively (FreeSWITCH and
//     Asterisk do the same), including the aliases seen in the wild:
//     T38FaxMaxRate for T38MaxBitRate, T38MaxDatagram for T38FaxMaxDatagram,
//     T38FaxMaxBufferSize for T38FaxMaxBuffer. Boolean attributes are true
//     when present, and also accept ":1"/":0" and ":true"/":false"
//     (FreeSWITCH's broken_boolean). Values of T38FaxRateManagement and
//     T38FaxUdpEC are matched case-insensitively; unknown values are kept as
//     written and make negotiation refuse the stream. Several T38FaxUdpEC
//     lines are collected in order. Marshal writes canonical names.
//   - Media types and transports are compared case-insensitively
//     ("UDPTL", "udptl"); answers echo the offer's spelling.
//   - image/t38 over RTP (m=image ... RTP/AVP, T.38 Annex D.2.2) and
//     audio/t38 (RFC 4612) parse fine, but negotiation refuses them (port 0):
//     faxgate carries T.38 over UDPTL only.
//
// # Offer/answer
//
// OfferAudio and OfferT38 build our offers; Answer answers a far offer
// according to a Policy; ReadAnswer interprets the far answer to one of our
// offers. Both return a Result describing every stream: whether it was
// accepted, the far address and port, our direction, the codec and ptime
// (audio), or the negotiated T.38 parameters and the udptl.EncoderConfig to
// send with (image). At most one stream is accepted by Answer: a fax call
// runs either G.711 or T.38, never both.
//
// T.38 negotiation (Answer), following T.38 Annex D and what FreeSWITCH and
// Asterisk do:
//   - T38FaxVersion = min(ours, theirs); T38MaxBitRate = min(ours, theirs).
//   - T38FaxFillBitRemoval only if offered and we support it; MMR and JBIG
//     transcoding are never claimed (the spandsp 0.0.6 terminal cannot).
//   - T38FaxRateManagement must match. transferredTCF (or absent) is
//     answered transferredTCF. localTCF is echoed (Policy.LocalTCF =
//     LocalTCFEcho, the default), as FreeSWITCH and Asterisk do: T.38 forbids
//     answering a different value, and spandsp 0.0.6 stores the method
//     without ever reading it, so the terminal transfers TCF either way —
//     echoing changes nothing on the wire. LocalTCFReject refuses such offers
//     instead (port 0).
//   - T38FaxMaxBuffer and T38FaxMaxDatagram are ours (declarative: what we
//     accept). The far T38FaxMaxDatagram caps the datagrams WE send; it is
//     returned as T38Result.FarMaxDatagram and in the encoder config. An
//     absent or zero far value means DefaultFarMaxDatagram (400, as in
//     Asterisk), and values above MaxFarDatagram (1400) are capped to stay
//     below one Ethernet MTU.
//   - T38FaxUdpEC: redundancy if offered, else FEC if offered, else none
//     (the udptl package does both).
//
// # Origin and re-INVITEs
//
// Session keeps our o= line across a dialog: the same session id, and a
// version that increments only when the description changes (RFC 3264 §8),
// so a session-refresh re-INVITE carries an identical body. Unchanged tells
// whether a far re-offer changes anything beyond its o= version, and
// KeepSlots makes our re-offers keep every m= line of the previous
// description (a T.38 re-INVITE after answering "m=audio" + "m=image 0"
// reuses the image slot).
package sdp
