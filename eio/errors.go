package eio

import (
	"errors"
	"strconv"
)

// ErrorCode is an Engine.IO handshake or request error code, sent to the
// client as {"code":N,"message":"…"}.
type ErrorCode int

// The official error codes (engine.io Server.errors).
const (
	UnknownTransport           ErrorCode = 0
	UnknownSID                 ErrorCode = 1
	BadHandshakeMethod         ErrorCode = 2
	BadRequest                 ErrorCode = 3
	Forbidden                  ErrorCode = 4
	UnsupportedProtocolVersion ErrorCode = 5
)

var errorMessages = [...]string{
	UnknownTransport:           "Transport unknown",
	UnknownSID:                 "Session ID unknown",
	BadHandshakeMethod:         "Bad handshake method",
	BadRequest:                 "Bad request",
	Forbidden:                  "Forbidden",
	UnsupportedProtocolVersion: "Unsupported protocol version",
}

// RequestError refuses an HTTP request or a WebSocket handshake with an
// Engine.IO error code.
type RequestError struct {
	Code ErrorCode
	// Message replaces the official message for the code when not empty
	// (an AllowRequest error's text, as the official server sends it).
	Message string
}

func (e *RequestError) Error() string { return "eio: " + e.message() }

func (e *RequestError) message() string {
	if e.Message != "" {
		return e.Message
	}
	if int(e.Code) < len(errorMessages) {
		return errorMessages[e.Code]
	}
	return "Unknown error"
}

// Status is the HTTP status the official server answers the error with:
// 403 for Forbidden, 400 otherwise.
func (e *RequestError) Status() int {
	if e.Code == Forbidden {
		return 403
	}
	return 400
}

// AppendJSON appends the error body {"code":N,"message":"…"}.
func (e *RequestError) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"code":`...)
	dst = strconv.AppendInt(dst, int64(e.Code), 10)
	dst = append(dst, `,"message":`...)
	dst = strconv.AppendQuote(dst, e.message())
	return append(dst, '}')
}

// Text is the plain message the official server writes in the body of a
// refused WebSocket handshake.
func (e *RequestError) Text() string { return e.message() }

// Preallocated request errors, so refusing a request does not allocate.
var (
	errUnknownTransport = &RequestError{Code: UnknownTransport}
	errUnknownSID       = &RequestError{Code: UnknownSID}
	errBadMethod        = &RequestError{Code: BadHandshakeMethod}
	errBadRequest       = &RequestError{Code: BadRequest}
	errUnsupported      = &RequestError{Code: UnsupportedProtocolVersion}
)

// ErrorCodeOf reports the Engine.IO error code carried by err, if any.
func ErrorCodeOf(err error) (ErrorCode, bool) {
	var re *RequestError
	if errors.As(err, &re) {
		return re.Code, true
	}
	return 0, false
}
