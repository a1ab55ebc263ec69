package wsframe

import (
	"encoding/binary"
	"slices"
	"unicode/utf8"
)

// Server frames are never masked (RFC 6455 section 5.1: "A server MUST NOT
// mask any frames that it sends to the client"), so a frame encoded once
// can be written to any number of connections.

// HeaderSize returns how many bytes AppendHeader writes for a payload of
// length bytes: 2 up to 125, 4 up to 65535, 10 beyond. Safe from any
// goroutine.
func HeaderSize(length int) int {
	switch {
	case length <= 125:
		return 2
	case length <= 0xffff:
		return 4
	default:
		return 10
	}
}

// AppendHeader appends to dst the header of an unmasked frame with opcode
// op, the FIN bit set if fin, and a payload of length bytes, and returns
// the extended slice. It writes HeaderSize(length) bytes, using the
// minimal length encoding. It does not check that op, fin and length make
// a valid frame (a control frame must be final and at most 125 bytes).
// It panics if length is negative. Safe from any goroutine.
func AppendHeader(dst []byte, op OpCode, fin bool, length int) []byte {
	if length < 0 {
		panic("wsframe: AppendHeader with negative length")
	}
	b0 := byte(op & 0xf)
	if fin {
		b0 |= 0x80
	}
	switch {
	case length <= 125:
		return append(dst, b0, byte(length))
	case length <= 0xffff:
		return binary.BigEndian.AppendUint16(append(dst, b0, 126), uint16(length))
	default:
		return binary.BigEndian.AppendUint64(append(dst, b0, 127), uint64(length))
	}
}

// AppendFrame appends to dst one unmasked frame with opcode op, the FIN bit
// set, and payload, and returns the extended slice. payload is copied. For
// a control opcode, payload must be at most 125 bytes; AppendFrame does
// not check. Safe from any goroutine.
func AppendFrame(dst []byte, op OpCode, payload []byte) []byte {
	return append(AppendHeader(dst, op, true, len(payload)), payload...)
}

// AppendCompressedFrame is AppendFrame for a permessage-deflate message:
// payload is the deflated data (RFC 7692 section 7.2.1, without the final
// 0x00 0x00 0xff 0xff), and RSV1 is set. Safe from any goroutine.
func AppendCompressedFrame(dst []byte, op OpCode, payload []byte) []byte {
	start := len(dst)
	dst = AppendHeader(dst, op, true, len(payload))
	dst[start] |= rsv1 << 4
	return append(dst, payload...)
}

// AppendClose appends to dst a close frame carrying code and reason, and
// returns the extended slice.
//
// A code that a close frame may not carry (CloseNoStatus, CloseAbnormal,
// or any other code Decode would reject) gives an empty body, which the
// peer reports as 1005 (no status). Otherwise reason is cut to the 123
// bytes that fit in a control frame, at a rune boundary so that valid
// UTF-8 stays valid; the caller must pass valid UTF-8. Safe from any
// goroutine.
func AppendClose(dst []byte, code CloseCode, reason string) []byte {
	if !validCloseCode(code) {
		return append(dst, 0x80|byte(OpClose), 0)
	}
	const maxReason = maxControlPayload - 2
	if len(reason) > maxReason {
		cut := maxReason
		for cut > 0 && !utf8.RuneStart(reason[cut]) {
			cut--
		}
		reason = reason[:cut]
	}
	dst = AppendHeader(dst, OpClose, true, 2+len(reason))
	dst = binary.BigEndian.AppendUint16(dst, uint16(code))
	return append(dst, reason...)
}

// Compiled close frames with no reason, encoded once (like gobwas/ws's
// Compiled*). Write them as they are; they must not be modified.
// CompiledCloseNoStatus is the close frame with an empty body.
//
// Pings and pongs are left out on purpose: a pong echoes its ping's
// payload, and the server does not send WebSocket pings (Engine.IO has its
// own).
var (
	CompiledCloseNormal          = compileClose(CloseNormal)
	CompiledCloseGoingAway       = compileClose(CloseGoingAway)
	CompiledCloseProtocolError   = compileClose(CloseProtocolError)
	CompiledCloseUnsupportedData = compileClose(CloseUnsupportedData)
	CompiledCloseNoStatus        = compileClose(CloseNoStatus)
	CompiledCloseInvalidPayload  = compileClose(CloseInvalidPayload)
	CompiledClosePolicyViolation = compileClose(ClosePolicyViolation)
	CompiledCloseMessageTooBig   = compileClose(CloseMessageTooBig)
	CompiledCloseInternalError   = compileClose(CloseInternalError)
)

// compileClose encodes the close frame for code with no reason. Its
// capacity is clipped, so that appending to it copies it rather than
// writing past it.
func compileClose(code CloseCode) []byte {
	return slices.Clip(AppendClose(nil, code, ""))
}
