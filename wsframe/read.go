package wsframe

import (
	"encoding/binary"
	"math"
	"unicode/utf8"

	"github.com/valyala/bytebufferpool"
)

// ReadHeader parses the frame header at the start of p. n is the header's
// length in bytes (2 to 14). If p is too short to hold the whole header it
// returns n == 0 and a nil error: the caller waits for more bytes.
//
// ReadHeader checks only the encoding: the one invalid header it rejects,
// with CloseProtocolError, is a 64-bit length with its most significant bit
// set (RFC 6455 section 5.2). The protocol rules (masking, RSV bits,
// opcodes, control frames, fragmentation) are Decoder's. Like most
// implementations, it accepts a length that is not in its minimal encoding,
// which the RFC forbids. p is not modified. Safe from any goroutine.
func ReadHeader(p []byte) (h Header, n int, err error) {
	if len(p) < 2 {
		return Header{}, 0, nil
	}
	b0, b1 := p[0], p[1]
	h.Fin = b0&0x80 != 0
	h.Rsv = b0 >> 4 & 0x7
	h.OpCode = OpCode(b0 & 0xf)
	h.Masked = b1&0x80 != 0

	switch l := b1 & 0x7f; l {
	case 126:
		if len(p) < 4 {
			return Header{}, 0, nil
		}
		h.Length = int64(binary.BigEndian.Uint16(p[2:4]))
		n = 4
	case 127:
		if len(p) < 10 {
			return Header{}, 0, nil
		}
		u := binary.BigEndian.Uint64(p[2:10])
		// "the most significant bit MUST be 0".
		if u>>63 != 0 {
			return Header{}, 0, errLengthMSB
		}
		h.Length = int64(u)
		n = 10
	default:
		h.Length = int64(l)
		n = 2
	}

	if h.Masked {
		if len(p) < n+4 {
			return Header{}, 0, nil
		}
		h.Mask = [4]byte(p[n : n+4])
		n += 4
	}
	return h, n, nil
}

// reassemblyPool holds the buffers of fragmented messages. It is separate
// from bytebufferpool's default pool so that its size calibration follows
// message sizes only.
var reassemblyPool bytebufferpool.Pool

// Decoder is the read state of one server-side connection. The zero value
// is ready to use once MaxMessageSize is set. A Decoder must not be copied
// after its first Decode.
//
// Ownership: a Decoder belongs to one connection, and its methods must run
// on the goroutine that reads that connection (the owner loop).
type Decoder struct {
	// Settings; set before the first Decode.

	// MaxMessageSize is the largest message, in payload bytes summed over
	// its fragments, that Decode accepts. A frame that would take a message
	// past it fails with CloseMessageTooBig as soon as its header is in,
	// before any of its payload is waited for. Zero means no limit: the
	// caller's read buffer must then be able to hold a frame of any
	// length the peer declares.
	MaxMessageSize int64

	// Deflate accepts RSV1 on the first frame of a data message, which
	// marks it compressed (RFC 7692 permessage-deflate, once negotiated).
	// Such a message comes out with Compressed set and its payload as
	// sent: its UTF-8 and its inflated size are the caller's to check.
	Deflate bool

	// Read state; runs on the owner loop. (op and compressed sit beside
	// Deflate, in the padding before buf: the Decoder is 40 bytes, as
	// before permessage-deflate.)

	// op is the opcode of the message in flight: OpText or OpBinary, or
	// OpContinuation when no fragmented message is in flight.
	op OpCode
	// compressed: the message in flight is compressed (RSV1 on its first
	// frame).
	compressed bool
	// buf holds the fragments of the message in flight. It comes from
	// reassemblyPool with the first fragment and goes back on the Decode
	// after the one that completed the message (whose Payload it holds
	// until then), on any error, and on Reset.
	buf *bytebufferpool.ByteBuffer
	// size is the payload length of the message in flight so far.
	size int64
	// checked is how many bytes at the start of buf are known to be valid
	// UTF-8 when op is OpText; checking as fragments arrive fails a bad
	// text message on the fragment that breaks it.
	checked int
}

// Decode parses the first frame in p, which is what the connection has
// received and not yet consumed. It unmasks the frame's payload in place
// in p. Runs on the owner loop.
//
// Results, by case:
//   - p does not hold a whole frame yet: n == 0, ok == false, err == nil,
//     and p is untouched. Call again with the same bytes and more.
//   - a fragment of a data message that is not its last: n > 0, ok ==
//     false. Discard n bytes and call again.
//   - a whole data message (its last fragment, or an unfragmented frame)
//     or a control frame: n > 0, ok == true, msg set. Control frames may
//     arrive between the fragments of a message and are returned at once.
//   - a protocol violation: err is a *CloseError carrying the code to close
//     with. n is 0 (p untouched) when the header broke a rule, and the
//     frame's length when its payload did (the payload is then unmasked).
//     Either way the connection must be failed; a further Decode starts
//     afresh.
//
// msg.Payload and msg.CloseReason are valid only until the next Decode or
// Reset. In steady state Decode does not allocate; a fragmented message
// takes a buffer from a pool for as long as it is in flight.
func (d *Decoder) Decode(p []byte) (msg Message, n int, ok bool, err error) {
	if d.buf != nil && d.op == OpContinuation {
		// The previous call returned a reassembled message; its Payload
		// expires now.
		d.release()
	}

	h, hn, err := ReadHeader(p)
	if err != nil {
		d.release()
		return Message{}, 0, false, err
	}
	if hn == 0 {
		return Message{}, 0, false, nil
	}
	if err := checkHeader(h, d.op != OpContinuation, d.Deflate); err != nil {
		d.release()
		return Message{}, 0, false, err
	}
	if !h.OpCode.IsControl() && d.tooBig(h, hn) {
		d.release()
		return Message{}, 0, false, errTooBig
	}
	if h.Length > int64(len(p)-hn) {
		return Message{}, 0, false, nil
	}

	n = hn + int(h.Length)
	payload := p[hn:n:n]
	Cipher(payload, h.Mask, 0)

	if h.OpCode.IsControl() {
		msg = Message{OpCode: h.OpCode, Payload: payload}
		if h.OpCode == OpClose {
			msg.CloseCode, msg.CloseReason, err = parseCloseBody(payload)
			if err != nil {
				d.release()
				return Message{}, n, false, err
			}
		}
		return msg, n, true, nil
	}

	compressed := h.Rsv == rsv1
	if h.OpCode != OpContinuation && h.Fin {
		// Unfragmented data message: the common case, with no copy.
		if h.OpCode == OpText && !compressed && !utf8.Valid(payload) {
			return Message{}, n, false, errTextUTF8
		}
		return Message{OpCode: h.OpCode, Payload: payload, Compressed: compressed}, n, true, nil
	}

	if h.OpCode != OpContinuation {
		d.buf = reassemblyPool.Get()
		d.op = h.OpCode
		d.compressed = compressed
	}
	d.buf.B = append(d.buf.B, payload...)
	d.size += h.Length
	if !d.checkText(h.Fin) {
		d.release()
		return Message{}, n, false, errTextUTF8
	}
	if !h.Fin {
		return Message{}, n, false, nil
	}
	msg = Message{OpCode: d.op, Payload: d.buf.B[:len(d.buf.B):len(d.buf.B)], Compressed: d.compressed}
	// The message is done; buf stays to back msg.Payload until the next
	// Decode, which releases it because op says no message is in flight.
	d.op, d.size, d.checked, d.compressed = OpContinuation, 0, 0, false
	return msg, n, true, nil
}

// Reset releases the reassembly buffer, if any, and forgets any message in
// flight. Call it when the connection closes; a Payload returned earlier
// is invalid after it. Runs on the owner loop.
func (d *Decoder) Reset() { d.release() }

// tooBig reports whether the data frame with header h, whose header is hn
// bytes long, would take the message past MaxMessageSize, or past what an
// int can index on this platform. Runs on the owner loop.
func (d *Decoder) tooBig(h Header, hn int) bool {
	if h.Length > int64(math.MaxInt-hn) {
		return true
	}
	if d.MaxMessageSize <= 0 {
		return false
	}
	// d.size <= MaxMessageSize here, so this does not overflow.
	return h.Length > d.MaxMessageSize-d.size
}

// checkText checks the UTF-8 of the fragments of a text message received
// since the last check, leaving out a rune cut by the end of the last
// fragment unless final is set. It reports false on invalid UTF-8. Runs on
// the owner loop with d.buf set.
func (d *Decoder) checkText(final bool) bool {
	if d.op != OpText || d.compressed {
		return true
	}
	b := d.buf.B
	end := len(b)
	if !final {
		end -= incompleteRuneTail(b[d.checked:])
	}
	if !utf8.Valid(b[d.checked:end]) {
		return false
	}
	d.checked = end
	return true
}

// release puts the reassembly buffer back in the pool, if there is one, and
// clears the fragmentation state. Runs on the owner loop.
func (d *Decoder) release() {
	if d.buf != nil {
		reassemblyPool.Put(d.buf)
		d.buf = nil
	}
	d.op, d.size, d.checked, d.compressed = OpContinuation, 0, 0, false
}
