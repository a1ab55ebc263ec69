package eio

import (
	"errors"
	"slices"
	"strconv"
)

// ErrInvalidPacket reports a packet or payload that does not follow the
// Engine.IO v4 encoding: an empty packet or an unknown type digit (a 'b' +
// base64 packet is always valid: Node's base64 decoding never fails). engine.io-parser turns such input into an {type: "error"}
// packet, and the Node server then closes the session with "parse error";
// a session receiving ErrInvalidPacket should do the same.
var ErrInvalidPacket = errors.New("eio: invalid packet")

// PacketType is the Engine.IO packet type; its wire form is the ASCII digit.
type PacketType byte

// The packet types of the spec's "Protocol" table, in wire order: the wire
// form of each is '0' + its value.
const (
	PacketOpen PacketType = iota
	PacketClose
	PacketPing
	PacketPong
	PacketMessage
	PacketUpgrade
	PacketNoop
)

var packetTypeNames = [...]string{
	PacketOpen:    "open",
	PacketClose:   "close",
	PacketPing:    "ping",
	PacketPong:    "pong",
	PacketMessage: "message",
	PacketUpgrade: "upgrade",
	PacketNoop:    "noop",
}

// String returns the name engine.io-parser uses for t ("open", "close",
// "ping", "pong", "message", "upgrade", "noop"), or "PacketType(n)" for a
// value outside the protocol. Safe from any goroutine.
func (t PacketType) String() string {
	if int(t) < len(packetTypeNames) {
		return packetTypeNames[t]
	}
	return "PacketType(" + strconv.Itoa(int(t)) + ")"
}

// valid reports whether t is one of the seven protocol types.
func (t PacketType) valid() bool { return t <= PacketNoop }

// Packet is one Engine.IO packet. Data aliases the input it was decoded from
// (not copied), and its capacity is clipped to its length, so appending to it
// never overwrites the packets that follow it in the input.
//
// Binary marks binary data. A binary packet is always a message packet:
// the wire has no way to give it another type (engine.io-parser's
// encodePacket ignores the type of binary data too).
type Packet struct {
	Type   PacketType
	Data   []byte
	Binary bool
}

// DecodePacket decodes one packet from a WebSocket message. Text frames
// carry "<type digit><data>"; binary frames carry a raw binary message packet
// (Type=PacketMessage, Binary=true, Data=p, even when p is empty).
//
// Like engine.io-parser, DecodePacket also accepts a text frame of the form
// 'b' + base64, which engine.io-client sends over WebSocket when created
// with forceBase64; the base64 is decoded in place as Node decodes it (see
// DecodePayload), so p is overwritten. Data aliases p. It returns
// ErrInvalidPacket for an empty text frame or an unknown type digit. Safe
// from any goroutine.
func DecodePacket(p []byte, binaryFrame bool) (Packet, error) {
	if binaryFrame {
		return Packet{Type: PacketMessage, Data: p[:len(p):len(p)], Binary: true}, nil
	}
	return decodeText(p)
}

// AppendPacket appends the WebSocket form of pkt to dst and returns the
// extended slice: the type digit then Data for a text packet; Data unchanged
// for a binary packet, which the caller sends in a binary frame (its Type is
// not written). pkt.Type must be one of the Packet* constants. It allocates
// only when dst lacks capacity. Safe from any goroutine.
func AppendPacket(dst []byte, pkt Packet) []byte {
	if pkt.Binary {
		return append(dst, pkt.Data...)
	}
	dst = slices.Grow(dst, 1+len(pkt.Data))
	dst = append(dst, '0'+byte(pkt.Type))
	return append(dst, pkt.Data...)
}

// decodeText decodes the text form of one packet, shared by WebSocket text
// frames and payload segments: "<type digit><data>" or 'b' + base64.
// engine.io-parser's decodePacket reads the same two forms and returns its
// error packet for anything else, including the empty string.
func decodeText(p []byte) (Packet, error) {
	if len(p) == 0 {
		return Packet{}, ErrInvalidPacket
	}
	if p[0] == 'b' {
		n := decodeBase64InPlace(p[1:])
		return Packet{Type: PacketMessage, Data: p[1 : 1+n : 1+n], Binary: true}, nil
	}
	t := PacketType(p[0] - '0') // a byte below '0' wraps past PacketNoop
	if !t.valid() {
		return Packet{}, ErrInvalidPacket
	}
	return Packet{Type: t, Data: p[1:len(p):len(p)]}, nil
}
