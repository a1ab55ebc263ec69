// Package parser is the Socket.IO v5 packet codec: what socket.io-parser
// is to the Node server. It turns the data of Engine.IO messages into
// packets and packets into the messages that carry them, and owns
// everything about the wire form of a packet: the header (type,
// attachment count, namespace, ack id), the JSON payload, binary
// attachments (placeholders {"_placeholder":true,"num":N} and their
// reassembly), and the decoding of arguments into Go values (Args).
//
// Entry points: DecodePacket reads a text packet; Encoder writes one with
// its attachments; Args splits an EVENT or ACK payload into its arguments
// and decodes them (Len, Decode, Bind, String, Value, Spread, Clone).
//
// Invariants: decoding follows socket.io-parser 4.2 rule for rule (the
// departures are listed on DecodePacket) and is checked against it by a
// differential test; nothing on the decode path of a small event, nor on
// the encode path of plain values, allocates; bad input is an error
// wrapping ErrInvalidPacket, never a panic.
//
// Ownership: the package keeps no state beyond read-only caches of
// reflected types. A Packet and an Args alias the bytes they were decoded
// from; an Encoder and an Args belong to one goroutine at a time (sio keeps
// one of each per event loop).
package parser
