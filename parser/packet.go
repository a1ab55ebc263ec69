package parser

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// ErrInvalidPacket reports a Socket.IO packet that socket.io-parser's
// Decoder would refuse: an unknown type, bad attachment count or ack id, or
// a payload that is not valid JSON of the kind its type needs. The Node
// server closes the connection with "parse error" on such a packet; a
// server receiving ErrInvalidPacket should do the same. The errors returned
// by decodePacket and Args wrap it, so test with errors.Is.
var ErrInvalidPacket = errors.New("parser: invalid packet")

// The detailed decode errors. They are built once so that decodePacket does
// not allocate; each wraps ErrInvalidPacket.
var (
	errPacketType      = fmt.Errorf("%w: unknown packet type", ErrInvalidPacket)
	errAttachments     = fmt.Errorf("%w: illegal attachments", ErrInvalidPacket)
	errManyAttachments = fmt.Errorf("%w: too many attachments", ErrInvalidPacket)
	errAckID           = fmt.Errorf("%w: illegal ack id", ErrInvalidPacket)
	errPayload         = fmt.Errorf("%w: invalid payload", ErrInvalidPacket)
)

// MaxAttachments is the most binary attachments a packet may announce:
// socket.io-parser's Decoder option maxAttachments, whose default (10) the
// Node server uses, refusing more with "too many attachments".
const MaxAttachments = 10

// Type is the Socket.IO packet type; its wire form is the ASCII digit.
type Type byte

// The packet types of the spec's table, in wire order: the wire form of each
// is '0' + its value.
const (
	Connect Type = iota
	Disconnect
	Event
	Ack
	ConnectError
	BinaryEvent
	BinaryAck
)

var packetTypeNames = [...]string{
	Connect:      "CONNECT",
	Disconnect:   "DISCONNECT",
	Event:        "EVENT",
	Ack:          "ACK",
	ConnectError: "CONNECT_ERROR",
	BinaryEvent:  "BINARY_EVENT",
	BinaryAck:    "BINARY_ACK",
}

// String returns the name socket.io-parser gives t ("CONNECT", "EVENT", …),
// or "Type(n)" for a value outside the protocol. Safe from any
// goroutine.
func (t Type) String() string {
	if int(t) < len(packetTypeNames) {
		return packetTypeNames[t]
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}

// binary reports whether t is BINARY_EVENT or BINARY_ACK.
func (t Type) binary() bool { return t == BinaryEvent || t == BinaryAck }

// rootNamespace is header.Namespace when the packet names none. It is shared:
// never write to it (its capacity is clipped, so appending copies).
var rootNamespace = []byte("/")[:1:1]

// header is a decoded packet header. Namespace and Data alias the input (not
// copied; capacity clipped); Namespace is a shared static "/" when the
// packet names no namespace.
//
// A BINARY_EVENT or BINARY_ACK keeps its type here; its Attachments binary
// messages follow it on the Engine.IO session.
type header struct {
	Type      Type
	Namespace []byte
	// ID is the ack id; -1 when the packet asks for no ack.
	ID int64
	// Attachments is the announced number of attachments: BINARY_* only,
	// 1 to 10.
	Attachments int
	// Data is the JSON payload after the header, without trailing
	// whitespace; empty when the packet has none. When not empty it is valid
	// JSON of the kind the type needs (see decodePacket).
	Data []byte
}

// decodePacket decodes a text packet: the data of an Engine.IO message.
// It does not allocate. The header aliases p.
//
// It follows socket.io-parser 4.2 (Decoder.decodeString and isPayloadValid)
// rule for rule, with the departures listed below. The format is
//
//	<type>[<attachments>-][<namespace>,][<ack id>][<JSON payload>]
//
// read field by field:
//   - type is one digit 0 to 6. The parser reads Number(str.charAt(0)), so
//     an empty packet, and one starting with whitespace, is a CONNECT.
//   - BINARY_* only: the attachment count runs up to the first '-' and is
//     read with JavaScript's Number(): it must be an integer from 1 to 10.
//   - the namespace is present when the next character is '/', and runs to
//     the first ',' (which is skipped) or to the end of the packet.
//   - the ack id is the run of digits and whitespace that follows: the
//     parser collects every character c with Number(c) == c, so "2 [..]"
//     has the id 0 and "2 12 [..]" the id 12. A run with whitespace between
//     digits (Number gives NaN, then the Node server acks "NaN") and an id
//     past int64 are refused: departures.
//   - the rest, when not empty, is the payload, which JSON.parse must accept
//     and which must be: a JSON object for CONNECT; nothing for DISCONNECT;
//     a string or an object for CONNECT_ERROR; an array for ACK; for EVENT
//     an array whose first element is a number or a string other than the
//     reserved event names (connect, connect_error, disconnect,
//     disconnecting, newListener, removeListener — the parser checks them).
//     A packet without payload is accepted whatever its type, as the parser
//     does (the Node server then runs an ACK with no arguments and ignores
//     an EVENT).
//
// JSON is validated as encoding/json does, which also caps nesting at
// 10000 levels (JSON.parse has no cap: a departure). Returns an error
// wrapping ErrInvalidPacket. Safe from any goroutine.
func decodePacket(p []byte) (header, error) {
	pkt := header{Namespace: rootNamespace, ID: -1}
	i := 0
	if len(p) > 0 {
		if c := p[0]; c >= '0' && c <= '6' {
			pkt.Type = Type(c - '0')
			i = 1
		} else if i = jsSpaceLen(p); i == 0 { // Number(" ") is 0: CONNECT
			return header{}, errPacketType
		}
	}

	if pkt.Type.binary() {
		dash := bytes.IndexByte(p[i:], '-')
		if dash < 0 {
			return header{}, errAttachments
		}
		n := jsNumber(p[i : i+dash])
		if math.IsInf(n, 0) || n != math.Trunc(n) || n < 1 { // NaN fails too
			return header{}, errAttachments
		}
		if n > MaxAttachments {
			return header{}, errManyAttachments
		}
		pkt.Attachments = int(n)
		i += dash + 1
	}

	if i < len(p) && p[i] == '/' {
		if comma := bytes.IndexByte(p[i:], ','); comma >= 0 {
			pkt.Namespace = p[i : i+comma : i+comma]
			i += comma + 1
		} else {
			pkt.Namespace = p[i:len(p):len(p)]
			i = len(p)
		}
	}

	if start := i; i < len(p) {
		for i < len(p) {
			if c := p[i]; c >= '0' && c <= '9' {
				i++
			} else if n := jsSpaceLen(p[i:]); n > 0 {
				i += n
			} else {
				break
			}
		}
		if i > start {
			id, ok := parseAckID(p[start:i])
			if !ok {
				return header{}, errAckID
			}
			pkt.ID = id
		}
	}

	if i < len(p) {
		data, ok := validPayload(pkt.Type, p[i:])
		if !ok {
			return header{}, errPayload
		}
		pkt.Data = data
	}
	return pkt, nil
}

// validPayload reports whether data, a non-empty payload, is one JSON value
// (trailing whitespace allowed, as JSON.parse allows it) of the kind typ
// needs, per socket.io-parser's Decoder.isPayloadValid. It returns data
// without the trailing whitespace.
func validPayload(typ Type, data []byte) ([]byte, bool) {
	// No leading whitespace: the ack id run swallowed it.
	end := scanValue(data, 0)
	if end < 0 || skipSpace(data, end) != len(data) {
		return nil, false
	}
	data = data[:end:end]
	switch typ {
	case Connect:
		return data, data[0] == '{'
	case ConnectError:
		return data, data[0] == '{' || data[0] == '"'
	case Ack, BinaryAck:
		return data, data[0] == '['
	case Event, BinaryEvent:
		if data[0] != '[' {
			return nil, false
		}
		j := skipSpace(data, 1)
		switch c := data[j]; {
		case c == '"':
			return data, !isReservedEvent(data[j:scanString(data, j)])
		case c == '-' || c >= '0' && c <= '9':
			return data, true
		}
	}
	return nil, false // DISCONNECT takes no payload
}

// isReservedEvent reports whether the JSON string raw (quotes included)
// holds one of the event names socket.io-parser's RESERVED_EVENTS lists.
// The parser compares decoded strings, so escapes count: "\u0063onnect" is
// reserved too.
func isReservedEvent(raw []byte) bool {
	const most = 2 + 6*len("removeListener") // the longest name, every byte escaped
	if len(raw) > most {
		return false
	}
	var buf [3 * most]byte // decoding at most triples the size (a bad byte becomes U+FFFD)
	name := appendUnquoted(buf[:0], raw)
	switch string(name) {
	case "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener":
		return true
	}
	return false
}

// parseAckID reads the ack id run the way socket.io-parser does, with
// Number(): whitespace around the digits is dropped and a run of whitespace
// alone is 0. Whitespace between digits (NaN in JavaScript) and a value past
// int64 are refused.
func parseAckID(run []byte) (int64, bool) {
	run = trimJSSpace(run)
	var id int64
	for _, c := range run {
		if c < '0' || c > '9' || id > (math.MaxInt64-9)/10 {
			return 0, false
		}
		id = id*10 + int64(c-'0')
	}
	return id, true
}

// jsSpaceLen returns the length of the JavaScript whitespace or line
// terminator (the characters JavaScript's Number() trims) at the start of p,
// or 0 when p does not start with one.
func jsSpaceLen(p []byte) int {
	if len(p) == 0 {
		return 0
	}
	if c := p[0]; c < utf8.RuneSelf {
		if c == ' ' || c >= '\t' && c <= '\r' {
			return 1
		}
		return 0
	}
	r, n := utf8.DecodeRune(p)
	switch {
	case r == 0xa0, r == 0x1680, r >= 0x2000 && r <= 0x200a, r == 0x2028, r == 0x2029,
		r == 0x202f, r == 0x205f, r == 0x3000, r == 0xfeff:
		return n
	}
	return 0
}

// trimJSSpace drops the JavaScript whitespace at both ends of p.
func trimJSSpace(p []byte) []byte {
	for {
		n := jsSpaceLen(p)
		if n == 0 {
			break
		}
		p = p[n:]
	}
	for len(p) > 0 {
		// Whitespace is at most 3 bytes of UTF-8: try each start.
		n := 0
		for k := 1; k <= 3 && k <= len(p); k++ {
			if jsSpaceLen(p[len(p)-k:]) == k {
				n = k
				break
			}
		}
		if n == 0 {
			break
		}
		p = p[:len(p)-n]
	}
	return p
}

// jsNumber is JavaScript's Number(s) for a string s (StringToNumber): NaN
// unless s, once trimmed, is empty (0), a decimal literal with an optional
// sign, "Infinity" with an optional sign, or a 0x / 0o / 0b integer.
// socket.io-parser reads the attachment count with it.
func jsNumber(s []byte) float64 {
	s = trimJSSpace(s)
	if len(s) == 0 {
		return 0
	}
	if len(s) > 2 && s[0] == '0' {
		base := 0
		switch s[1] | 0x20 {
		case 'x':
			base = 16
		case 'o':
			base = 8
		case 'b':
			base = 2
		}
		if base != 0 {
			v := 0.0
			for _, c := range s[2:] {
				d := digitValue(c)
				if d >= base {
					return math.NaN()
				}
				v = v*float64(base) + float64(d)
			}
			return v
		}
	}
	body := s
	if body[0] == '+' || body[0] == '-' {
		body = body[1:]
	}
	if string(body) == "Infinity" {
		if s[0] == '-' {
			return math.Inf(-1)
		}
		return math.Inf(1)
	}
	if !isJSDecimal(body) {
		return math.NaN()
	}
	// strconv accepts every literal isJSDecimal does, with the same value;
	// out of range it returns ±Inf or 0, as JavaScript does.
	v, err := strconv.ParseFloat(string(s), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return math.NaN()
	}
	return v
}

// isJSDecimal reports whether s is an unsigned StrUnsignedDecimalLiteral
// other than Infinity: digits with an optional fraction ("1.", ".5") and
// exponent, and at least one digit before the exponent.
func isJSDecimal(s []byte) bool {
	i, digits := 0, 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && s[i]|0x20 == 'e' {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == start {
			return false
		}
	}
	return i == len(s)
}

// digitValue is the value of the hexadecimal digit c, or 99.
func digitValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c|0x20 >= 'a' && c|0x20 <= 'f':
		return int(c|0x20-'a') + 10
	}
	return 99
}
