package parser

// Parser is a wire format of Socket.IO packets: JSON, the default (JSON,
// as socket.io-parser), or MessagePack (package parser/msgpack, as
// socket.io-msgpack-parser). A server uses one for every client, as the
// Node server's `parser` option; the client must use the same.
//
// A Parser is stateless and safe for concurrent use: the state it needs
// lives in the Encoder it makes and in the DecodeState of each client.
type Parser interface {
	// NewEncoder returns an encoder with its own scratch buffers, for one
	// goroutine at a time.
	NewEncoder() Encoder
	// Decode reads one Engine.IO message of a client: its data, and
	// whether it was a binary message. st is that client's decoding state
	// (one per client, zero at first). When the message completes a
	// packet, Decode fills p and returns true: p.Args, which the caller
	// sets, receives the arguments of an EVENT or ACK, split once; the
	// other fields and the arguments alias data (or the state's copy of
	// it) until the next Decode with st. A message that is only part of a
	// packet (the JSON parser's binary attachments) returns false.
	//
	// An error wraps ErrInvalidPacket: the Node server closes the
	// connection with "parse error" on such a message.
	Decode(st *DecodeState, data []byte, binary bool, p *Packet) (bool, error)
}

// Encoder encodes packets for one Parser. Not safe for concurrent use.
type Encoder interface {
	// Encode encodes one packet into the Engine.IO messages that carry it:
	// f.Head is appended to (pass it with length 0 to reuse its storage),
	// f.Binary and f.Attachments are set.
	//
	// typ is Event, Ack, Connect, ConnectError or Disconnect; nsp the
	// namespace ("" or "/" is the main one; others start with '/' and hold
	// no ','); id the ack id, -1 for none. The payload:
	//   - EVENT: [event, args...]; ACK: [args...] (event unused); a []byte
	//     anywhere in args is binary (a JSON attachment, a MessagePack bin);
	//   - CONNECT: args[0], when present and not nil, is the payload, a
	//     JSON object: pass json.RawMessage(`{"sid":"…"}`);
	//   - CONNECT_ERROR: args[0], a JSON object or string, such as
	//     {"message":…,"data":…};
	//   - DISCONNECT: no payload.
	//
	// Values are encoded as encoding/json encodes them (struct tags, map
	// keys sorted; json.RawMessage is JSON). f.Attachments aliases the
	// caller's []byte values: do not modify those until they are sent.
	Encode(f *Frames, typ Type, nsp string, id int64, event string, args []any) error
}

// Frames is an encoded packet: the Engine.IO messages that carry it, in
// order — Head, then each attachment as a binary message.
type Frames struct {
	Head        []byte
	Binary      bool     // Head is a binary message (MessagePack), not text (JSON)
	Attachments [][]byte // JSON's binary attachments; nil for MessagePack
}

// DecodeState is what a client's decoding keeps between messages: the
// JSON parser's binary packet waiting for its attachments. Its zero value
// is ready; it holds one pointer, set only while a packet is partial.
type DecodeState struct {
	partial *partialPacket
}

// partialPacket is a BINARY_EVENT or BINARY_ACK whose attachments are
// still coming; allocated only then.
type partialPacket struct {
	text        []byte
	attachments [][]byte
	need        int
}

// Packet is a decoded packet. Namespace, Data, Event and the arguments
// alias the message decoded (see Parser.Decode); Namespace is a shared
// static "/" when the packet names no namespace: never write to it.
type Packet struct {
	Type      Type
	Namespace []byte
	// ID is the ack id; -1 when the packet asks for no ack.
	ID int64
	// Data is the payload of a CONNECT (the auth object) or CONNECT_ERROR,
	// as JSON, whatever the parser; empty when there is none.
	Data []byte
	// Event is an EVENT's name (its first element as a string, a number in
	// JavaScript's string form); nil for an EVENT without payload, which
	// the Node server ignores.
	Event []byte
	// Args receives an EVENT's arguments (after the name) or an ACK's. The
	// caller sets it before Decode; it must not be nil.
	Args *Args
}
