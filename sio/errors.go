package sio

import (
	"errors"

	"github.com/sioloop/sioloop/eio"
)

// Errors reported to callers.
var (
	// ErrTimeout is the error of an ack that did not come within the
	// timeout; its message is the official one.
	ErrTimeout = errors.New("operation has timed out")
	// ErrDisconnected fails the pending acks (with a timeout) of a socket
	// that disconnects, and an emit to a socket that has disconnected.
	ErrDisconnected = errors.New("socket has been disconnected")
	// ErrOnLoop refuses a blocking call (EmitWithAck, FetchSockets) made
	// from a handler: it would block the loop that must answer it. Call it
	// from a goroutine of your own.
	ErrOnLoop = errors.New("sio: blocking call on an event loop; call it from another goroutine")
	// ErrNoAck is returned by Event.Ack when the client asked for no ack,
	// or the ack was already sent.
	ErrNoAck = errors.New("sio: no ack to send")
	// ErrDropped reports an emit that queued nothing for its client: a
	// volatile packet whose transport was not ready or that would have
	// passed the connection's outbound high-water mark
	// (eio.Options.OutboundHighWaterMark), or any packet past that mark —
	// the client is then disconnected with ReasonSlowConsumer.
	ErrDropped = errors.New("sio: packet dropped")
	// ErrReservedEvent refuses an emit of an event name the protocol
	// reserves (connect, connect_error, disconnect, disconnecting,
	// newListener, removeListener).
	ErrReservedEvent = errors.New("sio: reserved event name")
	// ErrAckHandler refuses an emit whose last argument is an ack handler
	// of the other kind: an AckHandler given to a broadcast, or a
	// BroadcastAckHandler given to an emit to one socket (see AckHandler).
	ErrAckHandler = errors.New("sio: ack handler of the wrong kind for this emit")
	// ErrTooManyRooms goes to a socket's OnError handlers when Join would
	// take it past Limits.MaxRoomsPerSocket.
	ErrTooManyRooms = errors.New("sio: too many rooms for one socket")
)

// ConnectError refuses a connection from a middleware: the client gets a
// CONNECT_ERROR packet {"message": Message, "data": Data}.
type ConnectError struct {
	Message string
	Data    any // optional, JSON-encoded
}

func (e *ConnectError) Error() string { return e.Message }

// NewConnectError returns a ConnectError with a message and optional data.
func NewConnectError(message string, data any) *ConnectError {
	return &ConnectError{Message: message, Data: data}
}

// Disconnect reasons, as the official server names them; the first six
// come from the Engine.IO session.
const (
	ReasonTransportClose            = eio.ReasonTransportClose
	ReasonTransportError            = eio.ReasonTransportError
	ReasonPingTimeout               = eio.ReasonPingTimeout
	ReasonParseError                = eio.ReasonParseError
	ReasonForcedClose               = eio.ReasonForcedClose
	ReasonSlowConsumer              = eio.ReasonSlowConsumer // not an official reason: see eio
	ReasonServerNamespaceDisconnect = "server namespace disconnect"
	ReasonClientNamespaceDisconnect = "client namespace disconnect"
	ReasonServerShuttingDown        = "server shutting down"
	ReasonForcedServerClose         = "forced server close"
	// ReasonRateLimited is sioloop's own: a socket went over
	// Limits.EventRate or Limits.ByteRate.
	ReasonRateLimited = "rate limit exceeded"
)

// IsReservedEvent reports whether event is a name no emit may use
// ("connect", "connect_error", "disconnect", "disconnecting",
// "newListener", "removeListener"), as socket.io's RESERVED_EVENTS.
func IsReservedEvent(event string) bool { return reservedEvents[event] }

var reservedEvents = map[string]bool{
	"connect": true, "connect_error": true, "disconnect": true,
	"disconnecting": true, "newListener": true, "removeListener": true,
}
