package eio

import (
	"bytes"
	"encoding/base64"
	"slices"
	"unicode/utf8"
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
// A segment that is not a packet (empty, unknown type digit) makes
// DecodePayload return ErrInvalidPacket after fn has seen the packets
// before it. This matches the Node server: engine.io-parser's decodePayload
// splits on 0x1e and stops at the first {type: "error"} packet, the polling
// transport delivers the packets decoded before it, and the socket then
// closes with "parse error". So an empty body, a leading or trailing 0x1e,
// and two adjacent separators are all invalid.
//
// Base64 is read as Node's Buffer.from(s, "base64") reads it, which never
// fails: line breaks and other foreign characters are skipped (the Java
// client wraps its base64 at 76 characters and ends it with "\n"),
// padding is optional, the URL-safe alphabet is accepted and the first '='
// ends the data. The departure from Node: bytes of text packets are not
// checked as UTF-8, where Node reads the body as a UTF-8 string (bad
// sequences become U+FFFD). The size limit (maxHttpBufferSize) is the
// transport's job. Safe from any goroutine.
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

// base64Skip and base64Stop mark, in base64Decode, the characters Node's
// base64 decoder skips and the padding character at which it stops.
const (
	base64Skip = 0xff
	base64Stop = 0xfe
)

// base64Decode maps a character to its 6-bit value, or to base64Skip or
// base64Stop. Like Node, it takes both the standard and the URL-safe
// alphabet.
var base64Decode = func() (t [256]byte) {
	for i := range t {
		t[i] = base64Skip
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := range len(alphabet) {
		t[alphabet[i]] = byte(i)
	}
	t['-'], t['_'] = 62, 63
	t['='] = base64Stop
	return t
}()

// decodeBase64InPlace decodes p as Node's Buffer.from(s, "base64") decodes
// the string s that engine.io reads from the request (UTF-8, invalid
// sequences made U+FFFD), writes the bytes to p[:n] and returns n. p is
// clobbered. It never fails, as Node never does:
//
//   - characters outside both base64 alphabets are skipped, so line-wrapped
//     base64 (the Java client's "bAQID/w==\n") decodes;
//   - the first '=' ends the data, whatever follows;
//   - a last group of 2 or 3 characters gives 1 or 2 bytes, a lone
//     character nothing (padding is optional);
//   - Node looks at the low byte of each UTF-16 code unit, so a non-ASCII
//     character counts as the ASCII one its low byte names (U+0141 is 'A',
//     and the surrogate D83D of an emoji is '='): matched here.
//
// In place is safe: 4 characters (at least 4 bytes) are read before the 3
// bytes they give are written, at offsets no higher than the ones read.
func decodeBase64InPlace(p []byte) (n int) {
	var acc uint32 // the 6-bit values of the current group
	k := 0         // how many acc holds
	i := 0
	for {
		// Whole groups of 4 plain characters, the common case.
		for k == 0 && i+4 <= len(p) {
			a, b, c, d := base64Decode[p[i]], base64Decode[p[i+1]], base64Decode[p[i+2]], base64Decode[p[i+3]]
			if (a|b|c|d)&0xc0 != 0 { // valid values are below 64
				break
			}
			v := uint32(a)<<18 | uint32(b)<<12 | uint32(c)<<6 | uint32(d)
			p[n], p[n+1], p[n+2] = byte(v>>16), byte(v>>8), byte(v)
			n += 3
			i += 4
		}
		if i >= len(p) {
			break
		}
		// One character at a time: what a group with a skipped character,
		// padding or non-ASCII text needs.
		units, nu, w := codeUnitLowBytes(p[i:])
		i += w
		stop := false
		for _, u := range units[:nu] {
			v := base64Decode[u]
			if v == base64Stop {
				stop = true
				break
			}
			if v == base64Skip {
				continue
			}
			acc = acc<<6 | uint32(v)
			if k++; k == 4 {
				p[n], p[n+1], p[n+2] = byte(acc>>16), byte(acc>>8), byte(acc)
				n += 3
				acc, k = 0, 0
			}
		}
		if stop {
			break
		}
	}
	switch k {
	case 2:
		p[n] = byte(acc >> 4)
		n++
	case 3:
		p[n], p[n+1] = byte(acc>>10), byte(acc>>2)
		n += 2
	}
	return n
}

// codeUnitLowBytes reads the character at the start of p (non-empty) as
// UTF-8 and returns the low bytes of its UTF-16 code units (nu of them: 1,
// or 2 for a surrogate pair) and its width in p. An invalid sequence is
// U+FFFD, as Node reads it.
func codeUnitLowBytes(p []byte) (units [2]byte, nu, w int) {
	if p[0] < utf8.RuneSelf {
		return [2]byte{p[0]}, 1, 1
	}
	r, w := utf8.DecodeRune(p)
	if r < 0x10000 {
		return [2]byte{byte(r)}, 1, w // RuneError for an invalid sequence
	}
	r -= 0x10000
	return [2]byte{byte(0xd800 + r>>10), byte(0xdc00 + r&0x3ff)}, 2, w
}
