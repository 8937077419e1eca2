// Package rtp carries G.711 fax audio over RTP (RFC 3550): a strict,
// bounded packet codec, a per-call Session that numbers outgoing packets
// and plays incoming ones out through a small fixed-delay buffer, and a
// PortPool that hands out RTP/RTCP port pairs from the --rtp-ports range.
//
// # Packets
//
// Packet.Unmarshal accepts version 2 only, checks that the CSRC list, the
// header extension (skipped: its profile and data are exposed, never
// interpreted) and the padding fit, refuses packets above MaxPacketSize and
// anything that looks like RTCP on a muxed port (RFC 5761: payload types
// 72-76). It does not copy: Payload and ExtData alias the input.
//
// # Session
//
// A fax call's audio is one G.711 stream at 20 ms (160 samples). Session
// gives outgoing packets a random SSRC, initial sequence number and
// timestamp, with the marker bit on the first one. For incoming packets it
//   - latches the first SSRC it sees; another SSRC is dropped unless it
//     sends relatchAfter consecutive packets (the far end restarted);
//   - learns the far address from the first valid packet when the SDP
//     address is private, unspecified or unknown (comedia; Config.Comedia),
//     and then drops packets from any other address;
//   - tracks the extended sequence number across wrap-around and counts
//     loss (RFC 3550 A.3), duplicates, reordering and interarrival jitter
//     (RFC 3550 A.8), restarting after a large jump confirmed by the next
//     packet (RFC 3550 A.1 probation);
//   - counts and discards comfort noise (PT 13) and telephone-event packets,
//     which a fax never needs;
//   - plays out through a fixed delay (Config.Delay, 60 ms by default) with
//     no jitter stretching: Pop, called once per 20 ms tick, returns the
//     next 160 samples if every one of them arrived in time, else ok=false
//     and the caller runs its fill-in (spandsp fax_rx_fillin). The buffer is
//     indexed by RTP timestamp, so the far end may packetize at 10, 20 or
//     30 ms. Clock drift is absorbed by dropping audio when the buffer runs
//     more than 80 ms past the delay (Overruns) and by re-buffering after
//     three late packets in a row (Resyncs).
//
// A Session is owned by one goroutine (the call's); it is not safe for
// concurrent use. Push copies what it keeps; the frame Pop returns is valid
// until the next Pop.
package rtp
