package loop

import (
	"bytes"
	"io"
	"unicode/utf8"

	"github.com/gobwas/httphead"
	"github.com/gobwas/ws/wsflate"
	"github.com/klauspost/compress/flate"
	"github.com/sioloop/sioloop/wsframe"
)

// permessage-deflate (RFC 7692), off by default as in engine.io: messages
// of at least the engine's threshold are sent compressed, and compressed
// client messages are inflated.
//
// A compressor keeps its LZ77 window (32 KiB) and hash tables between
// messages when both sides take over context: per connection that is the
// classic memory trap of this extension (ws, with its defaults, keeps a
// zlib stream per connection). We never take over context: the response
// to every offer carries server_no_context_takeover and
// client_no_context_takeover, so each message is compressed, and inflated,
// on its own. The deflater and the inflater then belong to the loop, reset
// for every message, and a compressed connection costs a flag.

// deflateResponse is our answer to an acceptable offer.
const deflateResponse = "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n"

// acceptDeflate reports whether one of the permessage-deflate offers in a
// Sec-WebSocket-Extensions value can be accepted with no context takeover
// (gobwas/ws's wsflate negotiation: an offer limiting our window is
// declined, as our compressor's window is fixed).
func acceptDeflate(offers []byte) bool {
	if len(offers) == 0 {
		return false
	}
	opts, ok := httphead.ParseOptions(offers, nil)
	if !ok {
		return false
	}
	ext := wsflate.Extension{Parameters: wsflate.Parameters{ServerNoContextTakeover: true, ClientNoContextTakeover: true}}
	for _, opt := range opts {
		if accept, err := ext.Negotiate(opt); err == nil && accept.Size() > 0 {
			return true
		}
	}
	return false
}

// flateState is a loop's permessage-deflate compressor (gobwas/ws's
// wsflate.Writer over klauspost/compress's flate) and decompressor, made on
// first use.
type flateState struct {
	w   *wsflate.Writer
	out bytes.Buffer
	r   io.ReadCloser // klauspost's inflater, reset for each message
	src bytes.Reader
	msg []byte // the message being inflated, with its tail
	in  []byte
}

// inflateTail ends a message for the inflater: RFC 7692 section 7.2.2's
// 0x00 0x00 0xff 0xff, then an empty final block so that it stops there.
var inflateTail = []byte{0, 0, 0xff, 0xff, 1, 0, 0, 0xff, 0xff}

// deflate returns p compressed as one permessage-deflate message (the
// final 0x00 0x00 0xff 0xff removed), valid until the next call. Runs on
// the loop.
func (f *flateState) deflate(p []byte) []byte {
	f.out.Reset()
	if f.w == nil {
		f.w = wsflate.NewWriter(&f.out, func(w io.Writer) wsflate.Compressor {
			fw, _ := flate.NewWriter(w, zlibDefaultLevel)
			return fw
		})
	} else {
		f.w.Reset(&f.out)
	}
	_, _ = f.w.Write(p) // writes to a bytes.Buffer do not fail
	_ = f.w.Flush()
	return f.out.Bytes()
}

// Errors of inflate, as ws closes for them.
var (
	errInflate        = &wsframe.CloseError{Code: wsframe.CloseInvalidPayload, Reason: "invalid compressed data"}
	errInflatedTooBig = &wsframe.CloseError{Code: wsframe.CloseMessageTooBig, Reason: "inflated message too big"}
	errInflatedUTF8   = &wsframe.CloseError{Code: wsframe.CloseInvalidPayload, Reason: "invalid UTF-8 in an inflated text message"}
	inflateChunk      = 4096
)

// inflate returns the message p decompressed, valid until the next call,
// or a close error: invalid data, more than max bytes (the message size
// limit applies to the inflated size; the input stops being read past it),
// or, when text, invalid UTF-8. Runs on the loop.
func (f *flateState) inflate(p []byte, max int64, text bool) ([]byte, error) {
	f.msg = append(append(f.msg[:0], p...), inflateTail...)
	f.src.Reset(f.msg)
	if f.r == nil {
		f.r = flate.NewReader(&f.src)
	} else {
		_ = f.r.(flate.Resetter).Reset(&f.src, nil)
	}
	out := f.in[:0]
	for {
		if len(out) == cap(out) {
			out = append(out, make([]byte, inflateChunk)...)[:len(out)]
		}
		n, err := f.r.Read(out[len(out):cap(out)])
		out = out[:len(out)+n]
		if int64(len(out)) > max {
			f.in = out[:0]
			return nil, errInflatedTooBig
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			f.in = out[:0]
			return nil, errInflate
		}
	}
	f.in, f.msg = out[:0], f.msg[:0]
	if text && !utf8.Valid(out) {
		return nil, errInflatedUTF8
	}
	return out, nil
}
