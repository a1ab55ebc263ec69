// Package wsframe reads and writes WebSocket frames (RFC 6455) for the
// server side of a connection driven by an event loop. It has no network
// code and starts no goroutines: frames are parsed in place from the
// loop's read buffer and encoded into the caller's buffers, with no
// allocation in steady state.
//
// Entry points:
//   - Decoder.Decode parses the next frame from the bytes received so far,
//     checks it against the protocol, unmasks it in place, reassembles
//     fragmented messages, and reports violations as a *CloseError that
//     carries the close code to send (see CloseStatus).
//   - AppendFrame, AppendHeader and AppendClose encode unmasked server
//     frames; the Compiled* variables hold the static close frames.
//   - ReadHeader and Cipher are the parts Decode is built on.
//
// Caveats: the one extension is permessage-deflate (RFC 7692), and only
// its framing: with Decoder.Deflate set, RSV1 marks a compressed message,
// which the caller inflates (AppendCompressedFrame writes one); any other
// RSV bit fails the connection. A frame is decoded only once it is whole in the caller's buffer,
// which must therefore grow to the largest frame allowed by
// Decoder.MaxMessageSize.
//
// Ownership: a Decoder belongs to one connection and is used by the
// goroutine that reads it (the owner loop). Decode unmasks p in place and
// returns a Payload that aliases p or the Decoder's reassembly buffer; it
// is valid until the next Decode. The package-level functions keep no
// state and are safe from any goroutine.
package wsframe
