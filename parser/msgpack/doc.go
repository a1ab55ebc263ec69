// Package msgpack is the MessagePack Parser, compatible with
// socket.io-msgpack-parser 3.x (the client's and the Node server's
// `parser` option): give Parser to sio.Options.Parser.
//
//	io := sio.NewServer(&sio.Options{Parser: msgpack.Parser})
//
// Each packet is one binary Engine.IO message: the MessagePack map
// {type, data, nsp, id} of socket.io-msgpack-parser's packet object.
// Binary travels inline as MessagePack bin (no attachments, no
// reassembly), so a []byte anywhere in an emit's arguments reaches the
// client as a Buffer / ArrayBuffer, and a client's bin decodes into []byte.
// MessagePack itself is github.com/vmihailenco/msgpack/v5; this package
// owns only the packet object and its checks.
//
// Decoding follows socket.io-msgpack-parser's Decoder.checkPacket (type 0
// to 4, nsp a string, data of the kind the type needs, id an integer),
// plus the JSON parser's rules sio relies on: ack ids from 0 to 2^63-1, an
// EVENT's name a string or number and not a reserved name, nesting at most
// 10000 deep, no bytes after the packet. A CONNECT's auth reaches sio as
// JSON (Packet.Data), as with the JSON parser. Arguments decode through
// the library (Args.Decode honours json struct tags; Args.Value gives
// int64, uint64, float64, string, []byte, bool, nil, []any and
// map[string]any); Args.Spread gives decoded values.
//
// Encoding writes the packet as the Node server does, with numbers in
// their most compact form (as notepack.io writes JavaScript numbers) and
// map keys sorted; json.RawMessage values are written as the value their
// JSON holds.
//
// Ownership: the package holds only pools of decoders; an encoder belongs
// to one goroutine at a time. Unlike the JSON parser, decoding and
// encoding allocate (the library's decoder state, the packet's fields):
// see the benchmarks.
package msgpack
