package wsframe

import (
	"errors"
	"strconv"
)

// CloseError is a protocol violation by the peer. Code is the status the
// server must put in its close frame before closing the connection, and
// Reason says what was wrong; it is short ASCII, fit to be sent as the
// close reason.
//
// Decode returns shared *CloseError values: compare them with CloseStatus
// or errors.As and do not modify them.
type CloseError struct {
	Code   CloseCode
	Reason string
}

// Error returns "wsframe: " followed by the reason and the close code.
// Safe from any goroutine.
func (e *CloseError) Error() string {
	return "wsframe: " + e.Reason + " (close " + strconv.Itoa(int(e.Code)) + ")"
}

// CloseStatus returns the close code carried by err if err is or wraps a
// *CloseError, and 0 otherwise. 0 is never a valid close code, so it can
// not be mistaken for one. Safe from any goroutine.
func CloseStatus(err error) CloseCode {
	var ce *CloseError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return 0
}

// The errors Decode and ReadHeader return; one per rule, each with the
// close code RFC 6455 asks for. They are pointers to package variables so
// that returning one does not allocate.
var (
	// ReadHeader.
	errLengthMSB = &CloseError{CloseProtocolError, "64-bit payload length has its most significant bit set"}

	// Header rules, in the order Decode checks them.
	errNotMasked         = &CloseError{CloseProtocolError, "client frame is not masked"}
	errRsv               = &CloseError{CloseProtocolError, "RSV bits set with no extension negotiated"}
	errOpCode            = &CloseError{CloseProtocolError, "reserved opcode"}
	errControlTooLong    = &CloseError{CloseProtocolError, "control frame payload longer than 125 bytes"}
	errControlFragmented = &CloseError{CloseProtocolError, "fragmented control frame"}
	errNoContinuation    = &CloseError{CloseProtocolError, "continuation frame with no message to continue"}
	errNotContinuation   = &CloseError{CloseProtocolError, "new data frame inside a fragmented message"}
	errTooBig            = &CloseError{CloseMessageTooBig, "message too big"}

	// Payload rules.
	errCloseBodyShort  = &CloseError{CloseProtocolError, "close frame body of 1 byte"}
	errCloseCode       = &CloseError{CloseProtocolError, "invalid close code"}
	errCloseReasonUTF8 = &CloseError{CloseInvalidPayload, "close reason is not valid UTF-8"}
	errTextUTF8        = &CloseError{CloseInvalidPayload, "text message is not valid UTF-8"}
)
