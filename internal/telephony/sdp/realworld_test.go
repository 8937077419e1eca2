package sdp

import "strings"

// Session descriptions in the style of the peers faxgate meets. They are
// written for these tests (addresses from the documentation ranges), after
// what each implementation is known to send; lf() turns them into bare-LF
// bodies as FreeSWITCH sends them, crlf() into CRLF bodies.

func crlf(s string) string { return strings.ReplaceAll(strings.TrimLeft(s, "\n"), "\n", "\r\n") }
func lf(s string) string   { return strings.TrimLeft(s, "\n") }

// FreeSWITCH: initial G.711 INVITE (bare LF, like switch_core_media).
var sdpFreeSWITCHAudio = lf(`
v=0
o=FreeSWITCH 1712000000 1712000001 IN IP4 203.0.113.10
s=FreeSWITCH
c=IN IP4 203.0.113.10
t=0 0
m=audio 24680 RTP/AVP 0 8 101
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-16
a=ptime:20
a=sendrecv
`)

// FreeSWITCH request_t38(): its defaults, with T38VendorInfo.
var sdpFreeSWITCHT38 = lf(`
v=0
o=FreeSWITCH 1712000000 1712000002 IN IP4 203.0.113.10
s=FreeSWITCH
c=IN IP4 203.0.113.10
t=0 0
m=image 24680 udptl t38
a=T38FaxVersion:0
a=T38MaxBitRate:14400
a=T38FaxFillBitRemoval
a=T38FaxRateManagement:transferredTCF
a=T38FaxMaxBuffer:2000
a=T38FaxMaxDatagram:400
a=T38FaxUdpEC:t38UDPRedundancy
a=T38VendorInfo:0 0 0
`)

// FreeSWITCH with broken_boolean: booleans as :1/:0.
var sdpFreeSWITCHBrokenBoolean = lf(`
v=0
o=FreeSWITCH 1712000000 1712000003 IN IP4 203.0.113.10
s=FreeSWITCH
c=IN IP4 203.0.113.10
t=0 0
m=image 24680 udptl t38
a=T38FaxVersion:0
a=T38MaxBitRate:9600
a=T38FaxFillBitRemoval:0
a=T38FaxTranscodingMMR:0
a=T38FaxTranscodingJBIG:0
a=T38FaxRateManagement:transferredTCF
a=T38FaxMaxBuffer:2000
a=T38FaxMaxDatagram:400
a=T38FaxUdpEC:t38UDPRedundancy
`)

// FreeSWITCH fax_enable_t38_insist: m=audio 0 next to the image stream.
var sdpFreeSWITCHInsist = lf(`
v=0
o=FreeSWITCH 1712000000 1712000004 IN IP4 203.0.113.10
s=FreeSWITCH
c=IN IP4 203.0.113.10
t=0 0
m=image 24680 udptl t38
a=T38FaxVersion:0
a=T38MaxBitRate:14400
a=T38FaxRateManagement:transferredTCF
a=T38FaxMaxBuffer:2000
a=T38FaxMaxDatagram:400
a=T38FaxUdpEC:t38UDPRedundancy
m=audio 0 RTP/AVP 19
`)

// Asterisk chan_pjsip: G.711 with maxptime, PCMA first.
var sdpAsteriskAudio = crlf(`
v=0
o=- 1712345678 1712345678 IN IP4 198.51.100.20
s=Asterisk
c=IN IP4 198.51.100.20
t=0 0
m=audio 10000 RTP/AVP 8 0 101
a=rtpmap:8 PCMA/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-16
a=ptime:20
a=maxptime:150
a=sendrecv
`)

// Asterisk res_fax T.38 re-INVITE: the mandatory five, no MaxBuffer.
var sdpAsteriskT38 = crlf(`
v=0
o=- 1712345678 1712345679 IN IP4 198.51.100.20
s=Asterisk
c=IN IP4 198.51.100.20
t=0 0
m=image 4000 udptl t38
a=T38FaxVersion:0
a=T38MaxBitRate:14400
a=T38FaxRateManagement:transferredTCF
a=T38FaxMaxDatagram:400
a=T38FaxUdpEC:t38UDPRedundancy
`)

// Cisco IOS gateway: media-level c=, small buffer, MaxDatagram 320.
var sdpCiscoT38 = crlf(`
v=0
o=CiscoSystemsSIP-GW-UserAgent 4385 1869 IN IP4 192.0.2.50
s=SIP Call
c=IN IP4 192.0.2.50
t=0 0
m=image 17856 udptl t38
c=IN IP4 192.0.2.50
a=T38FaxVersion:0
a=T38MaxBitRate:14400
a=T38FaxRateManagement:transferredTCF
a=T38FaxMaxBuffer:200
a=T38FaxMaxDatagram:320
a=T38FaxUdpEC:t38UDPRedundancy
`)

// AudioCodes-style gateway: version 3 and V.34 rate, FEC, MaxDatagram 1440,
// upper-case UDPTL transport.
var sdpAudioCodesT38 = crlf(`
v=0
o=AudiocodesGW 1559720612 1559720504 IN IP4 192.0.2.80
s=Phone-Call
c=IN IP4 192.0.2.80
t=0 0
m=image 6010 UDPTL t38
a=T38FaxVersion:3
a=T38MaxBitRate:33600
a=T38FaxRateManagement:transferredTCF
a=T38FaxMaxBuffer:3000
a=T38FaxMaxDatagram:1440
a=T38FaxUdpEC:t38UDPFEC
a=T38FaxUdpECDepth:1 3
`)

// Carrier SBC: audio and image in one INVITE (freeswitch#1297), c= only at
// session level, both EC lines, T38FaxVersion:1, MaxDatagram 612, b= lines
// and an RTCP attribute.
var sdpCarrierBoth = crlf(`
v=0
o=SBC 907165275 907165275 IN IP4 198.51.100.7
s=SBC Session
c=IN IP4 198.51.100.7
b=AS:84
t=0 0
m=audio 40002 RTP/AVP 0 8 18 101
b=AS:80
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:18 G729/8000
a=fmtp:18 annexb=no
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=rtcp:40003
a=ptime:20
m=image 40004 udptl t38
a=T38FaxVersion:1
a=T38MaxBitRate:14400
a=T38FaxFillBitRemoval
a=T38FaxRateManagement:transferredTCF
a=T38FaxMaxBuffer:262
a=T38FaxMaxDatagram:612
a=T38FaxUdpEC:t38UDPRedundancy
a=T38FaxUdpEC:t38UDPFEC
`)

// IPv6 trunk, with an upper-case address type and lower-case t38 names.
var sdpIPv6 = crlf(`
v=0
o=- 3900000001 3900000001 IN IP6 2001:db8::10
s=-
c=IN IP6 2001:db8::10
t=0 0
m=image 5004 udptl t38
a=t38faxversion:0
a=t38maxbitrate:14400
a=t38faxratemanagement:TRANSFERREDTCF
a=t38maxdatagram:512
a=t38faxudpec:T38UDPREDUNDANCY
`)

// rtpengine-style: explicit t38UDPNoEC and the T38FaxMaxRate alias.
var sdpNoEC = crlf(`
v=0
o=- 1 2 IN IP4 192.0.2.9
s=-
c=IN IP4 192.0.2.9
t=0 0
m=image 30000 udptl t38
a=T38FaxVersion:0
a=T38FaxMaxRate:9600
a=T38FaxRateManagement:localTCF
a=T38FaxMaxBufferSize:1800
a=T38FaxMaxDatagram:512
a=T38FaxUdpEC:t38UDPNoEC
`)

// Old-style hold (RFC 2543): c=0.0.0.0 and sendonly at session level.
var sdpHold = crlf(`
v=0
o=user 2890844526 2890844527 IN IP4 192.0.2.33
s=Session SDP
c=IN IP4 0.0.0.0
t=0 0
a=sendonly
m=audio 49170 RTP/AVP 0
a=rtpmap:0 PCMU/8000
`)

// Minimal offer with static payload types only and no rtpmap, no s=/t=.
var sdpMinimal = "v=0\r\no=- 0 0 IN IP4 192.0.2.1\r\nc=IN IP4 192.0.2.1\r\nm=audio 8000 RTP/AVP 8 0\r\n"

// T.38 over RTP (T.38 Annex D.2.2): parses, but is never accepted.
var sdpT38OverRTP = crlf(`
v=0
o=- 5 5 IN IP4 192.0.2.60
s=-
c=IN IP4 192.0.2.60
t=0 0
m=image 49172 RTP/AVP 98
a=rtpmap:98 t38/8000
a=T38FaxVersion:0
`)
