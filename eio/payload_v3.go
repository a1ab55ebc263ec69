package eio

import (
	"encoding/base64"
	"strconv"
	"unicode/utf8"
)

// The Engine.IO v3 codec (Options.AllowEIO3), as engine.io 6.6's
// parser-v3 (a copy of engine.io-parser 2.2) reads and writes it. Only
// sessions opened with EIO=3 use it; v4 sessions never reach this file.
//
//   - A WebSocket binary message starts with its packet type byte (4 for a
//     message): "\x04" + data. A text message is as in v4.
//   - Base64 binary is 'b', the type digit, then the base64: "b4AQID".
//   - A long-polling payload is text, each packet preceded by its length
//     and ':' ("2:40" + "6:b4AQID"), the length counted in UTF-16 code
//     units, as JavaScript counts a string's length. Or, for a client that
//     takes binary (no b64 in its handshake query) when a packet of the
//     payload is binary, the binary payload: per packet a 0 (text) or 1
//     (binary) byte, the length's decimal digits as bytes 0–9, 255, then
//     the packet: the type digit and the UTF-8 text, or the type byte and
//     the data (Content-Type application/octet-stream).

// packetUnknown is the type of a v3 packet whose type is not one of the
// seven: engine.io's parser-v3 gives it an undefined type, which the
// session then ignores (a base64 or binary packet with a bad type byte).
const packetUnknown PacketType = 0xff

// decodePacketV3 decodes one v3 WebSocket message, as DecodePacket does a
// v4 one. p is clobbered by base64 decoding; Data aliases p.
func decodePacketV3(p []byte, binaryFrame bool) (Packet, error) {
	if binaryFrame {
		if len(p) == 0 {
			return Packet{Type: packetUnknown, Binary: true}, nil
		}
		return Packet{Type: v3Type(p[0]), Data: p[1:len(p):len(p)], Binary: true}, nil
	}
	return decodeTextV3(p)
}

// decodeTextV3 decodes the text form of a v3 packet: "<type
// digit><data>", or 'b', the type digit and base64.
func decodeTextV3(p []byte) (Packet, error) {
	if len(p) == 0 || p[0] != 'b' {
		return decodeText(p)
	}
	if len(p) == 1 {
		return Packet{Type: packetUnknown, Binary: true}, nil
	}
	n := decodeBase64InPlace(p[2:])
	return Packet{Type: v3Type(p[1] - '0'), Data: p[2 : 2+n : 2+n], Binary: true}, nil
}

// v3Type returns t when it is a packet type, else packetUnknown.
func v3Type(t byte) PacketType {
	if PacketType(t).valid() {
		return PacketType(t)
	}
	return packetUnknown
}

// decodePayloadV3 iterates the packets of a v3 long-polling POST body of
// text ("<length>:<packet>"...) as DecodePayload does a v4 one: fn sees
// the packets before the first error, then ErrInvalidPacket is returned.
// As in engine.io, an empty body, a length that is not a number, a
// packet shorter than its length or a trailing length are invalid; a
// packet of length 0 is skipped. The length counts UTF-16 code units
// (an invalid UTF-8 byte counts as one, where Node's decoding of the body
// may merge a few into one U+FFFD).
func decodePayloadV3(p []byte, fn func(Packet) error) error {
	if len(p) == 0 {
		return ErrInvalidPacket
	}
	for len(p) > 0 {
		colon := 0
		n := 0
		for ; colon < len(p) && p[colon] != ':'; colon++ {
			c := p[colon]
			if c < '0' || c > '9' || colon >= 10 {
				return ErrInvalidPacket
			}
			n = n*10 + int(c-'0')
		}
		if colon == 0 || colon == len(p) {
			return ErrInvalidPacket
		}
		p = p[colon+1:]
		w, ok := utf16Prefix(p, n)
		if !ok {
			return ErrInvalidPacket
		}
		if w > 0 {
			pkt, err := decodeTextV3(p[:w])
			if err != nil {
				return err
			}
			if err := fn(pkt); err != nil {
				return err
			}
		}
		p = p[w:]
	}
	return nil
}

// utf16Prefix returns the length in bytes of the first n UTF-16 code
// units of the UTF-8 text p, and false when p has fewer.
func utf16Prefix(p []byte, n int) (int, bool) {
	i := 0
	for ; n > 0 && i < len(p); n-- {
		if p[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, w := utf8.DecodeRune(p[i:])
		if r >= 0x10000 {
			n-- // a surrogate pair
		}
		i += w
	}
	return i, n <= 0
}

// utf16Len returns the length of the UTF-8 text p in UTF-16 code units.
func utf16Len(p []byte) int {
	n := 0
	for i := 0; i < len(p); {
		if p[i] < utf8.RuneSelf {
			i++
			n++
			continue
		}
		r, w := utf8.DecodeRune(p[i:])
		if r >= 0x10000 {
			n++
		}
		n++
		i += w
	}
	return n
}

// decodeBinaryPayloadV3 iterates the packets of a v3 binary POST body
// (Content-Type application/octet-stream), as engine.io's
// decodePayloadAsBinary: a packet whose length runs past the body is cut
// short, as Buffer.slice cuts it; an empty binary packet is skipped (its
// type is undefined in Node). A length with no digits, a digit byte above
// 9 or no closing 255 is invalid (Node reads a digit byte above 9 as its
// decimal form and parses on; no client writes one).
func decodeBinaryPayloadV3(p []byte, fn func(Packet) error) error {
	for len(p) > 0 {
		text := p[0] == 0
		i, n := 1, 0
		for ; i < len(p) && p[i] <= 9; i++ {
			n = min(n*10+int(p[i]), len(p)) // past the body: cut there
		}
		if i == 1 || i == len(p) || p[i] != 255 {
			return ErrInvalidPacket
		}
		p = p[i+1:]
		seg := p[:min(n, len(p))]
		p = p[len(seg):]
		var pkt Packet
		switch {
		case text:
			var err error
			if pkt, err = decodeTextV3(seg); err != nil {
				return err
			}
		case len(seg) == 0:
			continue
		default:
			pkt, _ = decodePacketV3(seg, true)
		}
		if err := fn(pkt); err != nil {
			return err
		}
	}
	return nil
}

// appendPayloadV3 appends the text payload form of one v3 packet to dst:
// its length in UTF-16 code units, ':', then the packet (binary data as
// 'b', the type digit and base64).
func appendPayloadV3(dst []byte, pkt Packet) []byte {
	if pkt.Binary {
		n := base64.StdEncoding.EncodedLen(len(pkt.Data))
		dst = strconv.AppendInt(dst, int64(2+n), 10)
		dst = append(dst, ':', 'b', '0'+byte(pkt.Type))
		return base64.StdEncoding.AppendEncode(dst, pkt.Data)
	}
	dst = strconv.AppendInt(dst, int64(1+utf16Len(pkt.Data)), 10)
	dst = append(dst, ':', '0'+byte(pkt.Type))
	return append(dst, pkt.Data...)
}

// appendBinaryPayloadV3 appends the binary payload form of one v3 packet
// to dst: 0 (text) or 1 (binary), the length's digits as bytes, 255, then
// the type (digit for text, byte for binary) and the data.
func appendBinaryPayloadV3(dst []byte, pkt Packet) []byte {
	kind, typ := byte(0), '0'+byte(pkt.Type)
	if pkt.Binary {
		kind, typ = 1, byte(pkt.Type)
	}
	dst = append(dst, kind)
	start := len(dst)
	dst = strconv.AppendInt(dst, int64(1+len(pkt.Data)), 10)
	for i := start; i < len(dst); i++ {
		dst[i] -= '0'
	}
	dst = append(dst, 255, typ)
	return append(dst, pkt.Data...)
}

// appendPacketV3 appends the WebSocket form of a v3 packet to dst: as
// AppendPacket, but a binary message starts with its type byte.
func appendPacketV3(dst []byte, pkt Packet) []byte {
	if pkt.Binary {
		dst = append(dst, byte(pkt.Type))
		return append(dst, pkt.Data...)
	}
	return AppendPacket(dst, pkt)
}
