package redisadapter

import (
	"bytes"
	"encoding/json"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/sioloop/sioloop/sio"
)

// The request types of @socket.io/redis-adapter (its RequestType enum).
const (
	reqSockets              = 0
	reqAllRooms             = 1
	reqRemoteJoin           = 2
	reqRemoteLeave          = 3
	reqRemoteDisconnect     = 4
	reqRemoteFetch          = 5
	reqServerSideEmit       = 6
	reqBroadcast            = 7
	reqBroadcastClientCount = 8
	reqBroadcastAck         = 9
)

// channelsOf returns the namespace nsp's broadcast channel, <key>#<nsp>#,
// and its request channel, <key>-request#<nsp>#.
func channelsOf(key, nsp string) (broadcast, request string) {
	return key + "#" + nsp + "#", key + "-request#" + nsp + "#"
}

// roomChannel returns where a broadcast to rooms goes: the namespace's
// channel, or the room's (<channel><room>#) when exactly one is selected,
// as the official adapter and emitter publish.
func roomChannel(channel string, rooms []string) string {
	if len(rooms) == 1 {
		return channel + rooms[0] + "#"
	}
	return channel
}

// broadcastMsg is a broadcast: the MessagePack array [uid, packet, opts].
type broadcastMsg struct {
	_msgpack struct{} `msgpack:",as_array"`
	UID      string
	Packet   *packetMsg
	Opts     *optsMsg
}

// packetMsg is a packet as socket.io builds it before encoding: type 2
// (EVENT, even with binary data), data [event, args...], nsp, and id when
// it asks for acks.
type packetMsg struct {
	Type int                `msgpack:"type"`
	Data msgpack.RawMessage `msgpack:"data"`
	Nsp  string             `msgpack:"nsp"`
	ID   *int64             `msgpack:"id,omitempty"`
}

// optsMsg is a selection: rooms, except and flags, in JSON requests and
// MessagePack messages alike.
type optsMsg struct {
	Rooms  []string  `msgpack:"rooms" json:"rooms"`
	Except []string  `msgpack:"except" json:"except"`
	Flags  *flagsMsg `msgpack:"flags,omitempty" json:"flags,omitempty"`
}

// flagsMsg holds the broadcast flags the adapter carries.
type flagsMsg struct {
	Volatile bool  `msgpack:"volatile,omitempty" json:"volatile,omitempty"`
	Local    bool  `msgpack:"local,omitempty" json:"local,omitempty"`
	Timeout  int64 `msgpack:"timeout,omitempty" json:"timeout,omitempty"` // milliseconds
}

// wireOpts returns the wire form of opts (empty arrays, never null).
func wireOpts(opts *sio.BroadcastOptions) *optsMsg {
	m := &optsMsg{Rooms: opts.Rooms, Except: opts.Except, Flags: &flagsMsg{Volatile: opts.Volatile}}
	if m.Rooms == nil {
		m.Rooms = []string{}
	}
	if m.Except == nil {
		m.Except = []string{}
	}
	if opts.Timeout > 0 {
		m.Flags.Timeout = opts.Timeout.Milliseconds()
	}
	return m
}

// options returns the selection as sio's options (nil: every socket).
func (m *optsMsg) options() *sio.BroadcastOptions {
	o := &sio.BroadcastOptions{}
	if m == nil {
		return o
	}
	o.Rooms, o.Except = m.Rooms, m.Except
	if m.Flags != nil {
		o.Volatile = m.Flags.Volatile
	}
	return o
}

// request is a request between nodes. The official adapter sends them as
// JSON, but a BROADCAST (whose packet may hold binary) as MessagePack.
type request struct {
	UID       string          `json:"uid" msgpack:"uid"`
	RequestID string          `json:"requestId,omitempty" msgpack:"requestId,omitempty"`
	Type      int             `json:"type" msgpack:"type"`
	Opts      *optsMsg        `json:"opts,omitempty" msgpack:"opts,omitempty"`
	Rooms     []string        `json:"rooms,omitempty" msgpack:"rooms,omitempty"`
	Close     bool            `json:"close,omitempty" msgpack:"close,omitempty"`
	Data      json.RawMessage `json:"data,omitempty" msgpack:"-"`   // SERVER_SIDE_EMIT: [event, args...]
	Packet    *packetMsg      `json:"-" msgpack:"packet,omitempty"` // BROADCAST
	SID       string          `json:"sid,omitempty" msgpack:"-"`    // REMOTE_* of adapters before 7.0
	Room      string          `json:"room,omitempty" msgpack:"-"`   // idem

	// Neither variant's wire form, but what it decodes into or encodes from:
	Atts  [][]byte             `json:"-" msgpack:"-"` // Data's attachments (sharded, binary)
	pkt   *sio.BroadcastPacket // BROADCAST's packet
	event string               // SERVER_SIDE_EMIT's event and arguments, to encode
	args  []any
}

// response is an answer to a request: JSON, but a BROADCAST_ACK (which
// may hold binary) MessagePack. Which fields are set depends on the
// request. UID is ours: which node answered (Node nodes send none).
type response struct {
	Type        int                `json:"type,omitempty" msgpack:"type"`
	RequestID   string             `json:"requestId" msgpack:"requestId"`
	UID         string             `json:"uid,omitempty" msgpack:"uid,omitempty"`
	Sockets     json.RawMessage    `json:"sockets,omitempty" msgpack:"-"`
	Rooms       []string           `json:"rooms,omitempty" msgpack:"-"`
	Data        json.RawMessage    `json:"data,omitempty" msgpack:"-"`
	ClientCount *int               `json:"clientCount,omitempty" msgpack:"-"`
	Packet      msgpack.RawMessage `json:"-" msgpack:"packet,omitempty"`

	// Neither variant's wire form, but what it decodes into or encodes from:
	// Data is the answer's value as JSON (the classic BROADCAST_ACK's Packet
	// transcoded), binary values as placeholders naming Atts.
	Atts  [][]byte  `json:"-" msgpack:"-"`
	value any       // SERVER_SIDE_EMIT's answer, to encode (nil: none)
	args  *sio.Args // BROADCAST_ACK's answer, to encode
}

// marshal encodes v as MessagePack with the smallest integer formats, as
// notepack.io writes JavaScript numbers.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := msgpack.NewEncoder(&buf)
	enc.UseCompactInts(true)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// unmarshal decodes MessagePack into v, ignoring unknown map keys.
func unmarshal(b []byte, v any) error { return msgpack.Unmarshal(b, v) }

// decodeAny decodes a request or response: JSON when it starts with '{',
// as the official adapter tells them apart, else MessagePack.
func decodeAny(b []byte, v any) error {
	if len(b) > 0 && b[0] == '{' {
		return json.Unmarshal(b, v)
	}
	return unmarshal(b, v)
}
