package eio

import (
	"bytes"
	"encoding/base64"
	"slices"
)

// recordSeparator joins the packets of a long-polling payload. The spec:
// "The packets are separated by the record separator character: \x1e" and
// "this assumes the record separator is not used in the data".
const recordSeparator = 0x1e

// DecodePayload iterates the packets of an HTTP long-polling POST body. The
// packets are separated by 0x1e; a binary packet is 'b' + standard base64
// of its data, which is decoded in place, so p is overwritten and Data
// aliases p. fn is called once per packet, in order; an error from fn stops
// the iteration and is returned. DecodePayload does not allocate.
//
// A segment that is not a packet (empty, unknown type digit, bad base64)
// makes DecodePayload return ErrInvalidPacket after fn has seen the packets
// before it. This matches the Node server: engine.io-parser's decodePayload
// splits on 0x1e and stops at the first {type: "error"} packet, the polling
// transport delivers the packets decoded before it, and the socket then
// closes with "parse error". So an empty body, a leading or trailing 0x1e,
// and two adjacent separators are all invalid.
//
// Departures from Node, both on input no real client sends: base64 must be
// canonical standard base64 with padding, where Node's Buffer.from(s,
// "base64") skips bad characters and also accepts unpadded and URL-safe
// input; and bytes are not checked as UTF-8, where Node reads the body as a
// UTF-8 string (bad sequences become U+FFFD). The size limit
// (maxHttpBufferSize) is the transport's job. Safe from any goroutine.
func DecodePayload(p []byte, fn func(Packet) error) error {
	for {
		i := bytes.IndexByte(p, recordSeparator)
		seg := p
		if i >= 0 {
			seg = p[:i]
		}
		pkt, err := decodeText(seg)
		if err != nil {
			return err
		}
		if err := fn(pkt); err != nil {
			return err
		}
		if i < 0 {
			return nil
		}
		p = p[i+1:]
	}
}

// AppendPayload appends the long-polling form of pkts to dst and returns the
// extended slice: the packets joined by 0x1e, each text packet as its type
// digit then Data, each binary packet as 'b' + standard base64 (engine.io-
// parser's encodePayload: "force base64 encoding for binary packets"). It
// grows dst at most once. Text Data must not contain 0x1e, which would split
// the packet on the other side; like Node, AppendPayload does not check.
// Safe from any goroutine.
func AppendPayload(dst []byte, pkts []Packet) []byte {
	dst = slices.Grow(dst, payloadLen(pkts))
	for i, pkt := range pkts {
		dst = AppendPayloadPacket(dst, pkt, i > 0)
	}
	return dst
}

// AppendPayloadPacket appends one packet in payload form to dst, preceded by
// a 0x1e separator when sep is true, so a session can append the packets of
// its queue one by one: sep is false for the first. The same form ('b' +
// base64 for binary) is the WebSocket text form for clients that asked for
// base64 (b64=1). Safe from any goroutine.
func AppendPayloadPacket(dst []byte, pkt Packet, sep bool) []byte {
	if sep {
		dst = append(dst, recordSeparator)
	}
	if pkt.Binary {
		dst = append(dst, 'b')
		return base64.StdEncoding.AppendEncode(dst, pkt.Data)
	}
	dst = slices.Grow(dst, 1+len(pkt.Data))
	dst = append(dst, '0'+byte(pkt.Type))
	return append(dst, pkt.Data...)
}

// payloadLen returns the length of AppendPayload(nil, pkts).
func payloadLen(pkts []Packet) int {
	n := 0
	for i, pkt := range pkts {
		if i > 0 {
			n++ // separator
		}
		n++ // type digit or 'b'
		if pkt.Binary {
			n += base64.StdEncoding.EncodedLen(len(pkt.Data))
		} else {
			n += len(pkt.Data)
		}
	}
	return n
}

// base64Invalid marks a byte outside the standard base64 alphabet in
// base64Decode; '=' is invalid there too and handled apart.
const base64Invalid = 0xff

var base64Decode = func() (t [256]byte) {
	for i := range t {
		t[i] = base64Invalid
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := range len(alphabet) {
		t[alphabet[i]] = byte(i)
	}
	return t
}()

// decodeBase64InPlace decodes the standard, padded base64 in p into p[:n]
// and returns n, or false when p is not valid base64. p is clobbered either
// way.
//
// It accepts what encoding/base64.StdEncoding.Decode accepts, except that
// it rejects '\r' and '\n' (which the standard library skips): the length is
// a multiple of four, '=' pads only the last quantum, and, as in the
// standard library's non-strict mode, the unused low bits of the last
// quantum may be non-zero. In place is safe because each 4-byte quantum is
// read whole before its 3 bytes are written, at offsets no higher than the
// ones read.
func decodeBase64InPlace(p []byte) (n int, ok bool) {
	if len(p)%4 != 0 {
		return 0, false
	}
	if len(p) == 0 {
		return 0, true
	}
	last := len(p) - 4
	for si := 0; si < last; si += 4 {
		q := p[si : si+4 : si+4]
		a, b, c, d := base64Decode[q[0]], base64Decode[q[1]], base64Decode[q[2]], base64Decode[q[3]]
		if (a|b|c|d)&0xc0 != 0 { // valid values are below 64
			return 0, false
		}
		v := uint32(a)<<18 | uint32(b)<<12 | uint32(c)<<6 | uint32(d)
		o := p[n : n+3 : n+3]
		o[0], o[1], o[2] = byte(v>>16), byte(v>>8), byte(v)
		n += 3
	}

	// The last quantum may end in "=" or "==".
	q := p[last : last+4 : last+4]
	a, b := base64Decode[q[0]], base64Decode[q[1]]
	c, d := base64Decode[q[2]], base64Decode[q[3]]
	switch {
	case q[2] == '=' && q[3] == '=':
		if (a|b)&0xc0 != 0 {
			return 0, false
		}
		p[n] = a<<2 | b>>4
		return n + 1, true
	case q[3] == '=':
		if (a|b|c)&0xc0 != 0 {
			return 0, false
		}
		v := uint32(a)<<18 | uint32(b)<<12 | uint32(c)<<6
		p[n], p[n+1] = byte(v>>16), byte(v>>8)
		return n + 2, true
	default:
		if (a|b|c|d)&0xc0 != 0 {
			return 0, false
		}
		v := uint32(a)<<18 | uint32(b)<<12 | uint32(c)<<6 | uint32(d)
		p[n], p[n+1], p[n+2] = byte(v>>16), byte(v>>8), byte(v)
		return n + 3, true
	}
}
