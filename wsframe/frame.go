package wsframe

// OpCode is the 4-bit frame opcode of RFC 6455 section 5.2.
type OpCode byte

// The opcodes RFC 6455 defines. The others (0x3–0x7, 0xB–0xF) are
// reserved; a Decoder fails the connection on them with
// CloseProtocolError.
const (
	OpContinuation OpCode = 0x0
	OpText         OpCode = 0x1
	OpBinary       OpCode = 0x2
	OpClose        OpCode = 0x8
	OpPing         OpCode = 0x9
	OpPong         OpCode = 0xA
)

// IsControl reports whether c is a control opcode (close, ping, pong or a
// reserved control opcode). RFC 6455 section 5.5: "Control frames are
// identified by opcodes where the most significant bit of the opcode is 1."
// Safe from any goroutine.
func (c OpCode) IsControl() bool { return c&0x8 != 0 }

// known reports whether c is one of the six opcodes RFC 6455 defines.
func (c OpCode) known() bool {
	switch c {
	case OpContinuation, OpText, OpBinary, OpClose, OpPing, OpPong:
		return true
	}
	return false
}

// CloseCode is the status code carried by a close frame (RFC 6455
// section 7.4).
type CloseCode uint16

// The close codes the server sends or reports. CloseNoStatus and
// CloseAbnormal never appear on the wire: the first stands for a close
// frame with an empty body, the second for a connection lost without one.
const (
	CloseNormal          CloseCode = 1000
	CloseGoingAway       CloseCode = 1001
	CloseProtocolError   CloseCode = 1002
	CloseUnsupportedData CloseCode = 1003
	CloseNoStatus        CloseCode = 1005
	CloseAbnormal        CloseCode = 1006
	CloseInvalidPayload  CloseCode = 1007
	ClosePolicyViolation CloseCode = 1008
	CloseMessageTooBig   CloseCode = 1009
	CloseInternalError   CloseCode = 1011
)

// maxControlPayload is RFC 6455 section 5.5: "All control frames MUST have
// a payload length of 125 bytes or less".
const maxControlPayload = 125

// rsv1 is RSV1 in Header.Rsv: the permessage-deflate bit (RFC 7692).
const rsv1 = 0x4

// Header is the header of one frame (RFC 6455 section 5.2).
//
// Rsv holds the three RSV bits, RSV1 as 0x4 down to RSV3 as 0x1. Mask is
// meaningful only when Masked is set. Length is the payload length; it is
// never negative.
type Header struct {
	Fin    bool
	Rsv    byte
	OpCode OpCode
	Masked bool
	Mask   [4]byte
	Length int64
}

// Message is a complete data message or a control frame, as returned by
// Decoder.Decode.
//
// Payload is unmasked and not copied: it aliases the p given to Decode, or
// for a fragmented message the Decoder's reassembly buffer. Either way it
// is valid only until the next call to Decode or Reset on the same
// Decoder; copy it to keep it. CloseReason aliases p the same way.
type Message struct {
	// OpCode is OpText, OpBinary, OpClose, OpPing or OpPong; never
	// OpContinuation.
	OpCode OpCode
	// Payload is the unmasked message or control frame body. For OpClose it
	// is the whole body, status code included.
	Payload []byte
	// CloseCode is, for OpClose, the status the peer sent, or
	// CloseNoStatus if the body was empty. Zero for other opcodes.
	CloseCode CloseCode
	// CloseReason is, for OpClose, the UTF-8 reason after the status code
	// (possibly empty). Nil for other opcodes.
	CloseReason []byte
	// Compressed marks a permessage-deflate message (Decoder.Deflate):
	// Payload is the deflated data, unchecked.
	Compressed bool
}
