package main

import (
	"context"
	"errors"
	"time"
)

// transport is one Engine.IO connection seen from the client: WebSocket
// (wsTransport) or HTTP long-polling (pollingTransport).
//
// Ownership: open and next run on the connection's reader goroutine (one
// at a time); write is safe from any goroutine (the transport serialises
// writes); close is safe from any goroutine and unblocks next and write.
type transport interface {
	// open dials and performs the Engine.IO handshake; it returns the
	// open packet ("0{...}"), valid until the next call to next. A
	// transport may be opened again after close (storm reuses buffers).
	open(ctx context.Context, deadline time.Time) ([]byte, error)
	// next returns the next text Engine.IO packet; valid until the next
	// call. Binary packets are skipped.
	next() ([]byte, error)
	// appendPacket appends one Engine.IO packet framed for this transport
	// to dst (a WebSocket frame, masked; or a payload record). dst holds
	// only packets of the same write. p is not retained.
	appendPacket(dst, p []byte) []byte
	// write sends what appendPacket built, in one write() (WebSocket) or
	// one POST (polling). b is not retained.
	write(b []byte) error
	// setDeadline bounds the reads and writes in progress and to come
	// (zero: none).
	setDeadline(t time.Time)
	// close tears the connection down; with graceful it first tells the
	// server (a WebSocket close frame; an Engine.IO close packet).
	close(graceful bool)
}

// Errors the transports return.
var (
	errClosed      = errors.New("sio-bench: connection closed")
	errTooLarge    = errors.New("sio-bench: message too large")
	errBadHandshk  = errors.New("sio-bench: bad Engine.IO handshake")
	errConnectFail = errors.New("sio-bench: Socket.IO CONNECT refused")
)

// maxMessage bounds one incoming message: past it the connection is
// dropped (and counted as an error).
const maxMessage = 16 << 20

// newTransport returns a fresh, unopened transport of the configured kind.
func newTransport(cfg *config, d *dialer) transport {
	if cfg.transport == "polling" {
		return newPollingTransport(cfg, d)
	}
	return newWSTransport(cfg, d)
}
