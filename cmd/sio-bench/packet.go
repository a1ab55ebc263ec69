package main

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// Engine.IO packet types (engine.io-protocol v4, "Protocol").
const (
	eioOpen    = '0'
	eioClose   = '1'
	eioPing    = '2'
	eioPong    = '3'
	eioMessage = '4'
	eioNoop    = '6'
)

// Socket.IO packet types (socket.io-protocol v5, "Packet types").
const (
	sioConnect      = '0'
	sioDisconnect   = '1'
	sioEvent        = '2'
	sioAck          = '3'
	sioConnectError = '4'
	sioBinaryEvent  = '5'
	sioBinaryAck    = '6'
)

// recordSeparator separates packets in a long-polling payload ("\x1e").
const recordSeparator = 0x1e

// openInfo is what the client needs from the Engine.IO open packet.
type openInfo struct {
	SID          string `json:"sid"`
	PingInterval int64  `json:"pingInterval"` // ms
	PingTimeout  int64  `json:"pingTimeout"`  // ms
}

// parseOpen decodes the payload of an Engine.IO open packet ("0{...}"),
// given with or without its type byte.
func parseOpen(p []byte) (openInfo, bool) {
	var o openInfo
	if len(p) > 0 && p[0] == eioOpen {
		p = p[1:]
	}
	if err := json.Unmarshal(p, &o); err != nil || o.SID == "" {
		return o, false
	}
	return o, true
}

// sioPacket is a decoded Socket.IO packet. Its slices alias the input.
type sioPacket struct {
	typ  byte
	nsp  []byte // "/" when the packet names no namespace
	id   int64  // -1 without an ack id
	data []byte // the JSON payload, possibly empty
}

var rootNsp = []byte("/")

// parseSIO decodes a Socket.IO packet (the payload of an Engine.IO
// message, without its '4'), following the v5 format
// <type>[<attachments>-][<namespace>,][<ack id>][JSON]. Bad input returns
// false; it never panics.
func parseSIO(p []byte) (sioPacket, bool) {
	pk := sioPacket{nsp: rootNsp, id: -1}
	if len(p) == 0 || p[0] < sioConnect || p[0] > sioBinaryAck {
		return pk, false
	}
	pk.typ = p[0]
	p = p[1:]
	if pk.typ == sioBinaryEvent || pk.typ == sioBinaryAck {
		i := 0
		for i < len(p) && p[i] >= '0' && p[i] <= '9' {
			i++
		}
		if i == 0 || i >= len(p) || p[i] != '-' {
			return pk, false
		}
		p = p[i+1:]
	}
	if len(p) > 0 && p[0] == '/' {
		i := bytes.IndexByte(p, ',')
		if i < 0 {
			// "40/chat" with nothing after is legal: the namespace runs to the end.
			pk.nsp, p = p, nil
		} else {
			pk.nsp, p = p[:i], p[i+1:]
		}
	}
	i := 0
	var id int64
	for i < len(p) && p[i] >= '0' && p[i] <= '9' {
		if i >= 18 { // beyond int64 range: not an id we sent
			return pk, false
		}
		id = id*10 + int64(p[i]-'0')
		i++
	}
	if i > 0 {
		pk.id = id
	}
	pk.data = p[i:]
	return pk, true
}

// eventName returns the event name of an event payload (`["name",...]`)
// and the rest after the name and its comma (nil when the event has no
// argument). The name must not contain escapes: the contract's names
// don't.
func eventName(data []byte) (name, rest []byte, ok bool) {
	if len(data) < 4 || data[0] != '[' || data[1] != '"' {
		return nil, nil, false
	}
	end := bytes.IndexByte(data[2:], '"')
	if end < 0 {
		return nil, nil, false
	}
	name = data[2 : 2+end]
	rest = bytes.TrimLeft(data[3+end:], " \t\r\n")
	if len(rest) > 0 && rest[0] == ',' {
		return name, bytes.TrimLeft(rest[1:], " \t\r\n"), true
	}
	if len(rest) > 0 && rest[0] == ']' {
		return name, nil, true
	}
	return nil, nil, false
}

// broadcastStamp returns the send time embedded in a fanout payload: the
// first argument is the string "t:<unixnano>:<padding>".
func broadcastStamp(arg []byte) (int64, bool) {
	if len(arg) < 5 || arg[0] != '"' || arg[1] != 't' || arg[2] != ':' {
		return 0, false
	}
	var ns int64
	i := 3
	for ; i < len(arg) && arg[i] >= '0' && arg[i] <= '9'; i++ {
		if i-3 >= 19 {
			return 0, false
		}
		ns = ns*10 + int64(arg[i]-'0')
	}
	if i == 3 || i >= len(arg) || (arg[i] != ':' && arg[i] != '"') {
		return 0, false
	}
	return ns, true
}

// nspPrefix is what goes between the Socket.IO type and the ack id for
// namespace nsp: nothing for "/", "/chat," otherwise.
func nspPrefix(nsp string) string {
	if nsp == "" || nsp == "/" {
		return ""
	}
	return nsp + ","
}

// appendEvent appends the Engine.IO message carrying a Socket.IO event:
// "42" + prefix + [id] + body, where body is the JSON array
// `["name",args...]` and prefix comes from nspPrefix. id < 0 asks no ack.
func appendEvent(dst []byte, prefix string, id int64, body []byte) []byte {
	dst = append(dst, eioMessage, sioEvent)
	dst = append(dst, prefix...)
	if id >= 0 {
		dst = strconv.AppendInt(dst, id, 10)
	}
	return append(dst, body...)
}

// appendPadding appends n ASCII 'x' bytes: a JSON string body with
// nothing to escape.
func appendPadding(dst []byte, n int) []byte {
	for ; n > 0; n-- {
		dst = append(dst, 'x')
	}
	return dst
}

// echoBody returns `["echo","xxx…"]` with a payload of n bytes.
func echoBody(n int) []byte {
	b := append([]byte(nil), `["echo","`...)
	b = appendPadding(b, n)
	return append(b, `"]`...)
}

// appendBroadcastBody appends the fanout event body: `["broadcast","t:<ns>:xxx"]`,
// or `["broadcast_room","<room>","t:<ns>:xxx"]` when room is not empty.
// pad is the number of padding bytes.
func appendBroadcastBody(dst []byte, room string, ns int64, pad int) []byte {
	if room == "" {
		dst = append(dst, `["broadcast","t:`...)
	} else {
		dst = append(dst, `["broadcast_room",`...)
		dst = strconv.AppendQuote(dst, room)
		dst = append(dst, `,"t:`...)
	}
	dst = strconv.AppendInt(dst, ns, 10)
	dst = append(dst, ':')
	dst = appendPadding(dst, pad)
	return append(dst, `"]`...)
}

// connectPacket is the Engine.IO message asking to join nsp: "40" or
// "40/chat,".
func connectPacket(nsp string) []byte {
	return append([]byte{eioMessage, sioConnect}, nspPrefix(nsp)...)
}

// disconnectPacket is the Engine.IO message leaving nsp: "41" or "41/chat,".
func disconnectPacket(nsp string) []byte {
	return append([]byte{eioMessage, sioDisconnect}, nspPrefix(nsp)...)
}

// sameNsp reports whether the packet namespace got matches nsp.
func sameNsp(got []byte, nsp string) bool {
	if nsp == "" {
		nsp = "/"
	}
	return string(got) == nsp
}
