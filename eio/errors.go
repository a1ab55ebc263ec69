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

// ConnectionError is a request the server refused with an Engine.IO error
// (engine.io's "connection_error" event; see Server.OnConnectionError).
type ConnectionError struct {
	// Request is the refused request. It is valid only during the call:
	// its bytes are the loop's buffers, reused by the next request. Copy
	// what you keep.
	Request *Request
	// Code is the error code the client is sent.
	Code ErrorCode
	// Message is the official message of Code (err.message).
	Message string
	// Context is the message the client is sent when it is not the
	// official one, as err.context.message: an AllowRequest error's text,
	// a connection limit's. Empty otherwise.
	Context string
}

// OnConnectionError sets the function called for every request the
// server refuses with an Engine.IO error code (engine.io's
// "connection_error" event): an unknown transport (0), an unknown or
// closed session id (1), a handshake that is not a GET (2), a bad request
// (3: an invalid Origin, a transport or protocol mismatch, a session id
// GenerateID failed to make), a refused handshake (4: AllowRequest, the
// connection limits, a server shutting down) and an unsupported protocol
// version (5). It runs on a loop (in the net/http mode, on the request's
// goroutine) and must not block. Nil, the default, costs nothing. Call it
// before the server serves.
func (srv *Server) OnConnectionError(fn func(e *ConnectionError)) { srv.onConnectionError = fn }

// ReportsRefusals reports whether an OnConnectionError function is set:
// a host keeps what it needs to report a refusal decided elsewhere only
// then.
func (srv *Server) ReportsRefusals() bool { return srv.onConnectionError != nil }

// Refused reports the refusal of r with err to the OnConnectionError
// function, if any. The host calls it for each request it answers with a
// RequestError; r is passed on as it is (valid only during the call).
func (srv *Server) Refused(r *Request, err *RequestError) {
	fn := srv.onConnectionError
	if fn == nil {
		return
	}
	e := ConnectionError{Request: r, Code: err.Code, Message: "Unknown error"}
	if int(err.Code) < len(errorMessages) {
		e.Message = errorMessages[err.Code]
	}
	if err.Message != e.Message {
		e.Context = err.Message
	}
	fn(&e)
}

// ErrorCodeOf reports the Engine.IO error code carried by err, if any.
func ErrorCodeOf(err error) (ErrorCode, bool) {
	var re *RequestError
	if errors.As(err, &re) {
		return re.Code, true
	}
	return 0, false
}
